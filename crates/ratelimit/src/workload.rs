//! The decision benchmark's workload, shared by `limit-bench` (native) and the rate limiter lab's
//! in-browser benchmark, so both time the same decisions: the limit, the key sequences and the
//! time step per decision. Only the loop around it and the clock that times it differ by side.

use crate::config::LimitConfig;
use crate::decision::Limiter;
use crate::keyed_limiter::KeyedLimiter;
use deterministic::SplitMix64;

pub const RATE_PER_S: u64 = 1_000;
pub const BURST: u64 = 50;
/// Decisions per timed run (how often each of the many keys is revisited depends on it, so both
/// sides must use the same count).
pub const DECISIONS_PER_RUN: usize = 2_000_000;
/// Keys of the many-keys run.
pub const MANY_KEYS: u64 = 100_000;
/// Key table capacity for the many-keys run: slack so that sets rarely overflow.
pub const MANY_KEYS_CAPACITY: u64 = 131_072;
/// Key table capacity for the single-key run through the table.
pub const SINGLE_KEY_CAPACITY: u64 = 8;
/// Time between decisions: single key (a mix of allows and denies at 1000/s)...
pub const SINGLE_STEP_NS: u64 = 700_000;
/// ...and across 100 k keys (each key is visited about every second).
pub const MANY_STEP_NS: u64 = 10_000;
/// Seed of the many-keys sequence and of the key table's hash.
pub const KEY_SEED: u64 = 7;
pub const HASH_SEED: u64 = 1;

/// The benchmark's limit (window algorithms: 1000 per 1 s window).
pub fn config() -> LimitConfig {
    LimitConfig {
        rate_per_s: RATE_PER_S,
        burst: BURST,
        window_ms: 1000,
    }
}

/// `n` keys drawn uniformly from `0..keys`.
pub fn key_sequence(n: usize, keys: u64) -> Vec<u64> {
    let mut rng = SplitMix64::new(KEY_SEED);
    (0..n).map(|_| rng.below(keys)).collect()
}

/// One decision per key, `step_ns` apart; returns how many were allowed. Not generic and not
/// inlined, so it is compiled here, with the engine's own optimisation settings, whoever calls it.
#[inline(never)]
pub fn decide_all(limiter: &mut KeyedLimiter, keys: &[u64], step_ns: u64) -> u64 {
    let mut now_ns = 0u64;
    let mut allowed = 0;
    for &key in keys {
        now_ns += step_ns;
        allowed += u64::from(limiter.check(key, now_ns, 1).allowed);
    }
    allowed
}
