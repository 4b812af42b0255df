//! A fixed, seeded workload over every part of the engine folded into one 64-bit digest, so that
//! a native build and a WASM build can be checked for identical behaviour.

use crate::accuracy::AccuracyExperiment;
use crate::cluster::{ClusterConfig, ClusterSim, DegradationPolicy};
use crate::config::{AlgorithmKind, LimitConfig};
use crate::decision::{Decision, Limiter};
use crate::error::ConfigError;
use crate::keyed_limiter::KeyedLimiter;
use deterministic::{Fnv1a, SplitMix64};

/// Decisions per algorithm in the fixed workload.
pub const DIGEST_DECISIONS_PER_ALGORITHM: u64 = 200_000;

/// Feeds a decision's four fields, in declaration order, as little-endian words.
fn feed_decision(h: &mut Fnv1a, d: &Decision) {
    for w in [
        u64::from(d.allowed),
        d.remaining,
        d.retry_after_ns,
        d.reset_ns,
    ] {
        h.write_u64_le(w);
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
    let mut h = Fnv1a::new();
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
            feed_decision(&mut h, &d);
            decisions += 1;
            allowed += u64::from(d.allowed);
        }
        let s = limiter.stats();
        h.write_u64_le(s.tracked_keys);
        h.write_u64_le(s.fresh_evictions);
        h.write_u64_le(s.lossy_evictions);
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
            h.write_u64_le(w);
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
                h.write_u64_le(w);
            }
            for s in &r.shards {
                h.write_u64_le(s.requests);
                h.write_u64_le(s.timeouts);
                h.write_u64_le(s.latency_ns_max);
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
