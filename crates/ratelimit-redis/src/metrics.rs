//! Limiter metrics as lock-free counters, rendered in the Prometheus text exposition format:
//! decisions, denials and degraded decisions per shard, shard errors by kind, script reloads, and a
//! histogram of shard call latency (every shard call, answered or failed).

use std::fmt::Write as _;
use std::sync::atomic::{AtomicU64, Ordering};

/// Upper bounds of the latency histogram buckets, in ns (rendered in seconds, plus `+Inf`).
pub const LATENCY_BUCKETS_NS: [u64; 13] = [
    100_000,
    250_000,
    500_000,
    1_000_000,
    2_500_000,
    5_000_000,
    10_000_000,
    25_000_000,
    50_000_000,
    100_000_000,
    250_000_000,
    500_000_000,
    1_000_000_000,
];

#[derive(Debug, Default)]
struct ShardCounters {
    decisions: AtomicU64,
    denials: AtomicU64,
    degraded: AtomicU64,
    unavailable: AtomicU64,
    typed_errors: AtomicU64,
    circuit_opens: AtomicU64,
}

/// All counters of one limiter. Shared by reference; every update is one relaxed atomic add.
#[derive(Debug)]
pub struct Metrics {
    shards: Vec<ShardCounters>,
    /// Non-cumulative bucket counts; the last one is `+Inf`.
    latency_buckets: [AtomicU64; LATENCY_BUCKETS_NS.len() + 1],
    latency_sum_ns: AtomicU64,
    script_reloads: AtomicU64,
}

/// A snapshot of the totals over all shards (for tests and the load tool).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Totals {
    pub decisions: u64,
    pub denials: u64,
    pub degraded: u64,
    pub unavailable: u64,
    pub typed_errors: u64,
    pub script_reloads: u64,
    pub latency_count: u64,
}

impl Metrics {
    pub fn new(shard_count: usize) -> Self {
        Metrics {
            shards: (0..shard_count).map(|_| ShardCounters::default()).collect(),
            latency_buckets: Default::default(),
            latency_sum_ns: AtomicU64::new(0),
            script_reloads: AtomicU64::new(0),
        }
    }

    fn shard(&self, shard: u32) -> Option<&ShardCounters> {
        self.shards.get(shard as usize)
    }

    pub(crate) fn record_decision(&self, shard: u32, allowed: bool, degraded: bool) {
        if let Some(s) = self.shard(shard) {
            s.decisions.fetch_add(1, Ordering::Relaxed);
            if !allowed {
                s.denials.fetch_add(1, Ordering::Relaxed);
            }
            if degraded {
                s.degraded.fetch_add(1, Ordering::Relaxed);
            }
        }
    }

    pub(crate) fn record_unavailable(&self, shard: u32) {
        if let Some(s) = self.shard(shard) {
            s.unavailable.fetch_add(1, Ordering::Relaxed);
        }
    }

    pub(crate) fn record_circuit_open(&self, shard: u32) {
        if let Some(s) = self.shard(shard) {
            s.circuit_opens.fetch_add(1, Ordering::Relaxed);
        }
    }

    pub(crate) fn record_typed_error(&self, shard: u32) {
        if let Some(s) = self.shard(shard) {
            s.typed_errors.fetch_add(1, Ordering::Relaxed);
        }
    }

    pub(crate) fn record_script_reload(&self) {
        self.script_reloads.fetch_add(1, Ordering::Relaxed);
    }

    pub(crate) fn record_latency(&self, latency_ns: u64) {
        let bucket = LATENCY_BUCKETS_NS.partition_point(|&b| b < latency_ns);
        self.latency_buckets[bucket].fetch_add(1, Ordering::Relaxed);
        self.latency_sum_ns.fetch_add(latency_ns, Ordering::Relaxed);
    }

    pub fn totals(&self) -> Totals {
        let sum = |f: fn(&ShardCounters) -> &AtomicU64| {
            self.shards
                .iter()
                .map(|s| f(s).load(Ordering::Relaxed))
                .sum()
        };
        Totals {
            decisions: sum(|s| &s.decisions),
            denials: sum(|s| &s.denials),
            degraded: sum(|s| &s.degraded),
            unavailable: sum(|s| &s.unavailable),
            typed_errors: sum(|s| &s.typed_errors),
            script_reloads: self.script_reloads.load(Ordering::Relaxed),
            latency_count: self
                .latency_buckets
                .iter()
                .map(|b| b.load(Ordering::Relaxed))
                .sum(),
        }
    }

    /// Degraded decisions of one shard.
    pub fn degraded(&self, shard: u32) -> u64 {
        self.shard(shard)
            .map_or(0, |s| s.degraded.load(Ordering::Relaxed))
    }

    /// The Prometheus text format (version 0.0.4).
    pub fn render(&self) -> String {
        let mut out = String::new();
        let mut family = |name: &str, help: &str, f: fn(&ShardCounters) -> &AtomicU64| {
            let _ = writeln!(out, "# HELP {name} {help}");
            let _ = writeln!(out, "# TYPE {name} counter");
            for (i, s) in self.shards.iter().enumerate() {
                let _ = writeln!(
                    out,
                    "{name}{{shard=\"{i}\"}} {}",
                    f(s).load(Ordering::Relaxed)
                );
            }
        };
        family(
            "ratelimit_redis_decisions_total",
            "Decisions returned, by the shard owning the key (Redis or degraded).",
            |s| &s.decisions,
        );
        family(
            "ratelimit_redis_denials_total",
            "Decisions that denied the request.",
            |s| &s.denials,
        );
        family(
            "ratelimit_redis_degraded_decisions_total",
            "Decisions made by the degradation policy because the shard was unreachable, slow or its circuit open.",
            |s| &s.degraded,
        );
        family(
            "ratelimit_redis_shard_unavailable_total",
            "Shard calls that failed (connection, I/O, timeout, busy).",
            |s| &s.unavailable,
        );
        family(
            "ratelimit_redis_typed_errors_total",
            "Shard answers that were errors returned to the caller (wrong type, corrupt state, bad reply).",
            |s| &s.typed_errors,
        );
        family(
            "ratelimit_redis_circuit_opens_total",
            "Times the shard's circuit breaker opened.",
            |s| &s.circuit_opens,
        );
        let _ = writeln!(
            out,
            "# HELP ratelimit_redis_script_reloads_total Scripts loaded after a NOSCRIPT reply."
        );
        let _ = writeln!(out, "# TYPE ratelimit_redis_script_reloads_total counter");
        let _ = writeln!(
            out,
            "ratelimit_redis_script_reloads_total {}",
            self.script_reloads.load(Ordering::Relaxed)
        );
        let name = "ratelimit_redis_call_latency_seconds";
        let _ = writeln!(
            out,
            "# HELP {name} Latency of shard calls, answered or failed."
        );
        let _ = writeln!(out, "# TYPE {name} histogram");
        let mut cumulative = 0u64;
        for (i, bucket) in self.latency_buckets.iter().enumerate() {
            cumulative += bucket.load(Ordering::Relaxed);
            match LATENCY_BUCKETS_NS.get(i) {
                Some(&le_ns) => {
                    let _ = writeln!(
                        out,
                        "{name}_bucket{{le=\"{}\"}} {cumulative}",
                        le_ns as f64 / 1e9
                    );
                }
                None => {
                    let _ = writeln!(out, "{name}_bucket{{le=\"+Inf\"}} {cumulative}");
                }
            }
        }
        let _ = writeln!(
            out,
            "{name}_sum {}",
            self.latency_sum_ns.load(Ordering::Relaxed) as f64 / 1e9
        );
        let _ = writeln!(out, "{name}_count {cumulative}");
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn render_is_prometheus_text_with_cumulative_buckets() {
        let m = Metrics::new(2);
        m.record_decision(0, true, false);
        m.record_decision(1, false, true);
        m.record_decision(7, false, true); // unknown shard: ignored, no panic
        m.record_latency(90_000);
        m.record_latency(300_000);
        m.record_latency(5_000_000_000);
        m.record_script_reload();
        let text = m.render();
        for line in [
            "ratelimit_redis_decisions_total{shard=\"0\"} 1",
            "ratelimit_redis_denials_total{shard=\"1\"} 1",
            "ratelimit_redis_degraded_decisions_total{shard=\"1\"} 1",
            "ratelimit_redis_script_reloads_total 1",
            "ratelimit_redis_call_latency_seconds_bucket{le=\"0.0001\"} 1",
            "ratelimit_redis_call_latency_seconds_bucket{le=\"0.0005\"} 2",
            "ratelimit_redis_call_latency_seconds_bucket{le=\"1\"} 2",
            "ratelimit_redis_call_latency_seconds_bucket{le=\"+Inf\"} 3",
            "ratelimit_redis_call_latency_seconds_count 3",
            "# TYPE ratelimit_redis_call_latency_seconds histogram",
        ] {
            assert!(text.lines().any(|l| l == line), "missing {line}\n{text}");
        }
        // Every sample line is `name{labels} value` with a numeric value.
        for l in text.lines().filter(|l| !l.starts_with('#')) {
            let value = l.rsplit(' ').next().unwrap();
            assert!(value.parse::<f64>().is_ok(), "{l}");
        }
        let t = m.totals();
        assert_eq!(
            (t.decisions, t.denials, t.degraded, t.latency_count),
            (2, 1, 1, 3)
        );
    }
}
