//! A fixed, seeded workload over every part of the engine folded into one 64-bit digest, so that
//! a native build and a WASM build can be checked for identical behaviour.

use crate::accuracy::AccuracyExperiment;
use crate::cluster::{ClusterConfig, ClusterSim, DegradationPolicy};
use crate::config::{AlgorithmKind, LimitConfig};
use crate::decision::{Decision, Limiter};
use crate::error::ConfigError;
use crate::keyed_limiter::KeyedLimiter;
use crate::rng::SplitMix64;

/// Decisions per algorithm in the fixed workload.
pub const DIGEST_DECISIONS_PER_ALGORITHM: u64 = 200_000;

/// FNV-1a over 64-bit words.
#[derive(Debug, Clone, Copy)]
pub struct Fnv64(u64);

impl Default for Fnv64 {
    fn default() -> Self {
        Fnv64(0xcbf2_9ce4_8422_2325)
    }
}

impl Fnv64 {
    pub fn word(&mut self, w: u64) {
        for b in w.to_le_bytes() {
            self.0 ^= u64::from(b);
            self.0 = self.0.wrapping_mul(0x0000_0100_0000_01b3);
        }
    }
    fn decision(&mut self, d: &Decision) {
        self.word(u64::from(d.allowed));
        self.word(d.remaining);
        self.word(d.retry_after_ns);
        self.word(d.reset_ns);
    }
    pub fn finish(self) -> u64 {
        self.0
    }
}

/// What the workload produced.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct WorkloadDigest {
    pub digest: u64,
    pub decisions: u64,
    pub allowed: u64,
}

/// Runs the fixed workload: all five algorithms through small key tables (500 keys, 64 slots, so
/// eviction is exercised), the accuracy experiment, and the cluster demo under all three policies.
pub fn fixed_workload_digest(seed: u64) -> Result<WorkloadDigest, ConfigError> {
    let mut h = Fnv64::default();
    let mut decisions = 0;
    let mut allowed = 0;
    let config = LimitConfig {
        rate_per_s: 100,
        burst: 10,
        window_ms: 1000,
    };
    for kind in AlgorithmKind::ALL {
        let mut limiter = KeyedLimiter::new(kind, &config, 64, seed)?;
        let mut rng = SplitMix64::new(seed ^ kind as u64);
        let mut now_ns = 0u64;
        for _ in 0..DIGEST_DECISIONS_PER_ALGORITHM {
            now_ns += rng.below(200_000);
            let key = rng.below(500);
            let cost = 1 + rng.below(3);
            let d = limiter.check(key, now_ns, cost);
            h.decision(&d);
            decisions += 1;
            allowed += u64::from(d.allowed);
        }
        let s = limiter.stats();
        h.word(s.tracked_keys);
        h.word(s.fresh_evictions);
        h.word(s.lossy_evictions);
    }
    let acc = AccuracyExperiment::standard(200, 60_000, seed).run()?;
    for c in std::iter::once(acc.total).chain(acc.by_class) {
        for w in [
            c.requests,
            c.counter_allowed,
            c.log_allowed,
            c.wrongly_allowed,
            c.wrongly_denied,
        ] {
            h.word(w);
        }
    }
    for policy in [
        DegradationPolicy::FailOpen,
        DegradationPolicy::FailClosed,
        DegradationPolicy::LocalFallback {
            share_permille: 333,
        },
    ] {
        let mut sim = ClusterSim::new(ClusterConfig::demo(policy, seed))?;
        while let Some(r) = sim.step() {
            for w in [
                r.allowed,
                r.denied,
                r.wrongly_allowed,
                r.wrongly_denied,
                r.degraded,
                r.load_imbalance_permille,
            ] {
                h.word(w);
            }
            for s in &r.shards {
                h.word(s.requests);
                h.word(s.timeouts);
                h.word(s.latency_ns_max);
            }
        }
    }
    Ok(WorkloadDigest {
        digest: h.finish(),
        decisions,
        allowed,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn digest_is_deterministic_and_seed_dependent() {
        let a = fixed_workload_digest(1).unwrap();
        assert_eq!(a, fixed_workload_digest(1).unwrap());
        assert_ne!(a.digest, fixed_workload_digest(2).unwrap().digest);
        assert_eq!(a.decisions, 5 * DIGEST_DECISIONS_PER_ALGORITHM);
        assert!(a.allowed > 0 && a.allowed < a.decisions);
        // Pinned: the same value the WASM build prints (see INTEGRATION.md). A change here is a
        // behaviour change of some algorithm, the key table, the accuracy run or the cluster sim.
        assert_eq!(a.digest, 0x622c_7bb9_98a1_11f0);
    }
}
