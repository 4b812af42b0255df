//! The load experiment behind `limit-load`: K concurrent clients send cost-1 checks on M keys
//! (uniformly, from a seeded RNG) for a bounded time, and the run reports decisions/s, latency
//! quantiles, and the admitted count against the exact limit over the run's duration.

use crate::latency::LatencyHistogram;
use crate::limiter::RedisLimiter;
use crate::scripts::ScriptParams;
use deterministic::SplitMix64;
use ratelimit::config::NS_PER_S;
use std::fmt::Write as _;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// Upper bound on concurrent clients.
pub const MAX_CLIENTS: u32 = 1_024;
/// Upper bound on keys.
pub const MAX_KEYS: u32 = 100_000;
/// Upper bound on a run's duration.
pub const MAX_DURATION_MS: u64 = 600_000;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoadConfig {
    pub clients: u32,
    pub keys: u32,
    pub duration_ms: u64,
    pub seed: u64,
    /// Makes this run's keys distinct from earlier runs' on the same servers.
    pub run_tag: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct LoadReport {
    pub clients: u32,
    pub keys: u32,
    pub elapsed_ms: u64,
    pub decisions: u64,
    pub decisions_per_s: u64,
    pub latency_us_p50: u64,
    pub latency_us_p99: u64,
    pub allowed: u64,
    pub denied: u64,
    pub degraded: u64,
    pub errors: u64,
    /// What an exact limiter admits over the run on all keys (GCRA: burst + elapsed / T per
    /// key; sliding window: limit per started window per key, the sliding log's bound).
    pub exact_limit: u64,
    /// Keys whose admitted count exceeded their exact bound.
    pub keys_over_limit: u32,
    /// Admissions beyond the exact bound, summed over the keys that exceeded it.
    pub admitted_over_limit: u64,
    /// From the first degraded decision to the last, in ms (0 when none was degraded): how long
    /// some keys' Redis was out of reach, e.g. while a cluster failed over.
    pub degraded_window_ms: u64,
}

impl LoadReport {
    /// One JSON object on one line.
    pub fn json(&self) -> String {
        let mut s = String::from("{");
        let fields: [(&str, u64); 14] = [
            ("clients", u64::from(self.clients)),
            ("keys", u64::from(self.keys)),
            ("elapsed_ms", self.elapsed_ms),
            ("decisions", self.decisions),
            ("decisions_per_s", self.decisions_per_s),
            ("latency_us_p50", self.latency_us_p50),
            ("latency_us_p99", self.latency_us_p99),
            ("allowed", self.allowed),
            ("denied", self.denied),
            ("degraded", self.degraded),
            ("errors", self.errors),
            ("exact_limit", self.exact_limit),
            ("admitted_over_limit", self.admitted_over_limit),
            ("degraded_window_ms", self.degraded_window_ms),
        ];
        for (name, value) in fields {
            let _ = write!(s, "\"{name}\":{value},");
        }
        let _ = write!(s, "\"keys_over_limit\":{}}}", self.keys_over_limit);
        s
    }
}

/// The exact admission bound of one key over `elapsed_ns`.
pub fn exact_bound(params: ScriptParams, elapsed_ns: u64) -> u64 {
    match params {
        ScriptParams::Gcra {
            emission_interval_ns,
            burst,
        } => burst.saturating_add(elapsed_ns / emission_interval_ns.max(1)),
        ScriptParams::SlidingWindow { window_us, limit } => {
            let windows = elapsed_ns.div_ceil(window_us.saturating_mul(1000).max(1));
            limit.saturating_mul(windows.max(1))
        }
    }
}

#[derive(Default)]
struct ClientTally {
    histogram: LatencyHistogram,
    allowed: u64,
    denied: u64,
    degraded: u64,
    errors: u64,
    /// First and last degraded decision, ns since the run started.
    degraded_span: Option<(u64, u64)>,
}

fn merge_span(a: Option<(u64, u64)>, b: Option<(u64, u64)>) -> Option<(u64, u64)> {
    match (a, b) {
        (Some((a0, a1)), Some((b0, b1))) => Some((a0.min(b0), a1.max(b1))),
        (x, None) | (None, x) => x,
    }
}

/// Runs the experiment; the limiter's own errors (e.g. wrong type at a key) are counted, not fatal.
pub async fn run_load(limiter: Arc<RedisLimiter>, config: &LoadConfig) -> LoadReport {
    let clients = config.clients.clamp(1, MAX_CLIENTS);
    let keys = config.keys.clamp(1, MAX_KEYS);
    let duration = Duration::from_millis(config.duration_ms.min(MAX_DURATION_MS));
    let names: Arc<Vec<String>> = Arc::new(
        (0..keys)
            .map(|k| format!("load:{}:{k}", config.run_tag))
            .collect(),
    );
    let admitted: Arc<Vec<AtomicU64>> = Arc::new((0..keys).map(|_| AtomicU64::new(0)).collect());
    let started = Instant::now();
    let deadline = started + duration;
    let mut tasks = Vec::with_capacity(clients as usize);
    for c in 0..clients {
        let limiter = Arc::clone(&limiter);
        let names = Arc::clone(&names);
        let admitted = Arc::clone(&admitted);
        let mut rng = SplitMix64::new(config.seed ^ (u64::from(c) + 1).wrapping_mul(0x9e37_79b9));
        tasks.push(tokio::spawn(async move {
            let mut tally = ClientTally::default();
            while Instant::now() < deadline {
                let k = rng.below(u64::from(keys)) as usize;
                let t0 = Instant::now();
                let result = limiter.check(&names[k], 1).await;
                let latency_ns = u64::try_from(t0.elapsed().as_nanos()).unwrap_or(u64::MAX);
                tally.histogram.record(latency_ns);
                match result {
                    Ok(o) => {
                        if o.decision.allowed {
                            tally.allowed += 1;
                            admitted[k].fetch_add(1, Ordering::Relaxed);
                        } else {
                            tally.denied += 1;
                        }
                        if o.source.is_degraded() {
                            tally.degraded += 1;
                            let at =
                                u64::try_from(started.elapsed().as_nanos()).unwrap_or(u64::MAX);
                            tally.degraded_span = merge_span(tally.degraded_span, Some((at, at)));
                        }
                    }
                    Err(_) => tally.errors += 1,
                }
                // A degraded answer is immediate (no await inside), so a client on a failed
                // shard would otherwise loop without yielding and hold a runtime thread,
                // starving the connections' tasks that every other client waits on.
                tokio::task::yield_now().await;
            }
            tally
        }));
    }
    let mut total = ClientTally::default();
    for t in tasks {
        // A client task can only fail by panicking, which the limiter never does; count it.
        match t.await {
            Ok(tally) => {
                total.histogram.merge(&tally.histogram);
                total.allowed += tally.allowed;
                total.denied += tally.denied;
                total.degraded += tally.degraded;
                total.errors += tally.errors;
                total.degraded_span = merge_span(total.degraded_span, tally.degraded_span);
            }
            Err(_) => total.errors += 1,
        }
    }
    let elapsed_ns = u64::try_from(started.elapsed().as_nanos()).unwrap_or(u64::MAX);
    let bound = exact_bound(limiter.params(), elapsed_ns);
    let over: Vec<u64> = admitted
        .iter()
        .map(|a| a.load(Ordering::Relaxed).saturating_sub(bound))
        .filter(|&o| o > 0)
        .collect();
    let decisions = total.allowed + total.denied;
    LoadReport {
        clients,
        keys,
        elapsed_ms: elapsed_ns / 1_000_000,
        decisions,
        decisions_per_s: u64::try_from(
            u128::from(decisions) * u128::from(NS_PER_S) / u128::from(elapsed_ns.max(1)),
        )
        .unwrap_or(u64::MAX),
        latency_us_p50: total.histogram.quantile_permille(500) / 1000,
        latency_us_p99: total.histogram.quantile_permille(990) / 1000,
        allowed: total.allowed,
        denied: total.denied,
        degraded: total.degraded,
        errors: total.errors,
        exact_limit: bound.saturating_mul(u64::from(keys)),
        keys_over_limit: over.len() as u32,
        admitted_over_limit: over.iter().sum(),
        degraded_window_ms: total
            .degraded_span
            .map_or(0, |(first, last)| (last - first) / 1_000_000),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exact_bounds() {
        let g = ScriptParams::Gcra {
            emission_interval_ns: 10_000_000,
            burst: 5,
        };
        assert_eq!(exact_bound(g, 0), 5);
        assert_eq!(exact_bound(g, 1_000_000_000), 105);
        let s = ScriptParams::SlidingWindow {
            window_us: 1_000_000,
            limit: 10,
        };
        assert_eq!(exact_bound(s, 1), 10);
        assert_eq!(exact_bound(s, 2_500_000_000), 30);
    }
}
