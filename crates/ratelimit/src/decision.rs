//! The decision type, the `Limiter` trait callers use, and the `Algorithm` trait each of the five algorithms implements.

/// `retry_after_ns` value meaning "never": the request costs more than the limiter can ever admit at once.
pub const RETRY_NEVER_NS: u64 = u64::MAX;

/// Outcome of one `check`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Decision {
    pub allowed: bool,
    /// How many more cost-1 requests would be allowed at the same instant, after this decision.
    pub remaining: u64,
    /// How long until this request would be allowed (0 when allowed, [`RETRY_NEVER_NS`] when never).
    pub retry_after_ns: u64,
    /// How long until the key's allowance is fully restored if no further request arrives.
    pub reset_ns: u64,
}

/// A rate limiter over 64-bit keys. Time is passed in, never read.
///
/// Time is expected to be non-decreasing per key; an earlier `now_ns` is treated as the latest
/// time that key has seen (so going backwards can never create allowance).
pub trait Limiter {
    fn check(&mut self, key: u64, now_ns: u64, cost: u64) -> Decision;
}

/// One rate-limiting rule applied to a per-key state.
///
/// Besides deciding, an algorithm can say when a state becomes equivalent to a fresh one
/// (`full_at_ns`) and can overwrite a state with one that is at least as restrictive as any state
/// that becomes fresh by a given time (`make_exhausted`). The key table uses both to evict keys
/// without ever handing an evicted key extra allowance (see `key_table`).
pub trait Algorithm {
    type State: Default;

    fn decide(&self, state: &mut Self::State, now_ns: u64, cost: u64) -> Decision;

    /// Absolute time from which `state` behaves exactly like `State::default()` (0 if it already does).
    fn full_at_ns(&self, state: &Self::State) -> u64;

    /// Reset `state` to fresh, keeping any allocation for reuse.
    fn reset(&self, state: &mut Self::State);

    /// Overwrite `state` so that, from `now_ns` on, it admits no more than any state `s` with
    /// `full_at_ns(s) <= full_at_ns` would. Requires `full_at_ns > now_ns`.
    fn make_exhausted(&self, state: &mut Self::State, full_at_ns: u64, now_ns: u64);

    /// Upper bound on the heap bytes one state can own (0 for the fixed-size states).
    fn heap_bytes_bound(&self) -> u64 {
        0
    }
}

/// Exact division by a divisor fixed at construction, by multiply-high with a precomputed
/// reciprocal and at most two correction steps: hot paths avoid a hardware divide per decision.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Divisor {
    d: u64,
    reciprocal: u64,
}

impl Divisor {
    pub(crate) fn new(d: u64) -> Self {
        debug_assert!(d > 0);
        let d = d.max(1);
        Divisor {
            d,
            reciprocal: u64::MAX / d,
        }
    }

    /// `floor(x / d)`.
    #[inline]
    pub(crate) fn div(self, x: u64) -> u64 {
        // reciprocal <= 2^64 / d, so the estimate never exceeds x / d, and it falls short by
        // less than 2 (the reciprocal is short of 2^64 / d by less than 2).
        let mut q = ((u128::from(x) * u128::from(self.reciprocal)) >> 64) as u64;
        let mut r = x - q * self.d;
        // Two branch-free correction steps (the step count is data-dependent, so a loop would
        // mispredict).
        let step = u64::from(r >= self.d);
        q += step;
        r -= step * self.d;
        q + u64::from(r >= self.d)
    }

    /// `ceil(x / d)`.
    #[inline]
    pub(crate) fn div_ceil(self, x: u64) -> u64 {
        let q = self.div(x);
        q + u64::from(q * self.d != x)
    }
}

#[cfg(test)]
mod tests {
    use super::Divisor;
    use crate::rng::SplitMix64;

    #[test]
    fn divisor_matches_hardware_division() {
        let mut rng = SplitMix64::new(3);
        let mut divisors = vec![
            1,
            2,
            3,
            7,
            1_000,
            333_333_333,
            1_000_000_000,
            u64::MAX / 3,
            u64::MAX,
        ];
        divisors.extend(
            (0..200)
                .map(|_| rng.next_u64() >> rng.below(64))
                .filter(|&d| d > 0),
        );
        for d in divisors {
            let div = Divisor::new(d);
            let mut xs = vec![0, 1, d - 1, d, d.saturating_add(1), u64::MAX, u64::MAX - 1];
            xs.extend((0..200).map(|_| rng.next_u64() >> rng.below(64)));
            for x in xs {
                assert_eq!(div.div(x), x / d, "{x} / {d}");
                assert_eq!(div.div_ceil(x), x.div_ceil(d), "ceil {x} / {d}");
            }
        }
    }
}
