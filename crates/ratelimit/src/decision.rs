//! The decision type, the `Limiter` trait callers use, and the `Algorithm` trait each of the five
//! algorithms implements, with its two paths: `decide`, the plain rule of the algorithm, and
//! `decide_hot`, the same decisions for one state decided again and again (held to `decide` by
//! `tests/hot_path.rs::hot_path_decides_like_the_table_path`).
//!
//! Also `Divisor`, the fast path of the algorithms' divisions by a divisor fixed at
//! construction: `floor(x / d)` by multiply-high with a precomputed reciprocal, held to the
//! hardware `/` by `divisor_matches_hardware_division` below.

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
/// Time is expected to be non-decreasing per key. An earlier `now_ns` never creates allowance:
/// the token bucket, GCRA and sliding log treat it as the latest time the key has seen, and the
/// window algorithms as a time in the newest window seen (which, for the sliding-window
/// counter, weights the previous window more, so it can only deny more).
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

    /// The same decision as [`Algorithm::decide`] (tests hold them to it), for a state decided
    /// again and again, such as the one state of [`crate::Direct`]. Its window rolls over at
    /// predictable times, so the window algorithms branch on the roll here: `decide` must not,
    /// because across many keys the same branch is a coin toss taken right after the state's
    /// cache miss, while here it spares a division on the path of every decision.
    #[inline(always)]
    fn decide_hot(&self, state: &mut Self::State, now_ns: u64, cost: u64) -> Decision {
        self.decide(state, now_ns, cost)
    }

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
/// "magic" reciprocal and a shift (Granlund and Montgomery's method, in the form libdivide
/// uses for u64): hot paths avoid a hardware divide, and the quotient comes out of a
/// multiply and at most four simple operations, with no correction steps on the data.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Divisor {
    d: u64,
    /// 0 for a power of two (a plain shift); else the low 64 bits of the reciprocal.
    magic: u64,
    shift: u32,
    /// The reciprocal needs 65 bits: its top bit is added back by the `(x - q) / 2 + q` step.
    wide: bool,
}

impl Divisor {
    pub(crate) fn new(d: u64) -> Self {
        debug_assert!(d > 0);
        let d = d.max(1);
        let shift = 63 - d.leading_zeros();
        if d.is_power_of_two() {
            return Divisor {
                d,
                magic: 0,
                shift,
                wide: false,
            };
        }
        // m = floor(2^(64 + shift) / d) < 2^64, because d > 2^shift.
        let numerator = 1u128 << (64 + shift);
        let m = (numerator / u128::from(d)) as u64;
        let rem = (numerator % u128::from(d)) as u64;
        if d - rem < 1 << shift {
            // m + 1 is within the error that `shift` tolerates.
            return Divisor {
                d,
                magic: m + 1,
                shift,
                wide: false,
            };
        }
        // One more bit of precision: floor(2^(65 + shift) / d) + 1, whose top (65th) bit is 1
        // and stays implicit.
        let twice_rem = rem.wrapping_add(rem);
        let carry = u64::from(twice_rem >= d || twice_rem < rem);
        Divisor {
            d,
            magic: m.wrapping_add(m).wrapping_add(carry).wrapping_add(1),
            shift,
            wide: true,
        }
    }

    /// `floor(x / d)`. The two branches test per-divisor constants, so they are always
    /// predicted.
    #[inline]
    pub(crate) fn div(self, x: u64) -> u64 {
        if self.magic == 0 {
            return x >> self.shift;
        }
        let q = deterministic::mul_hi(x, self.magic);
        if self.wide {
            (((x - q) >> 1) + q) >> self.shift
        } else {
            q >> self.shift
        }
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
    use deterministic::SplitMix64;

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
            999_999_937,
            1 << 40,
            (1 << 63) + 1,
            u64::MAX / 3,
            u64::MAX,
        ];
        // Every small divisor (both reciprocal widths and the powers of two), then random ones.
        divisors.extend(4..3_000);
        divisors.extend(
            (0..2_000)
                .map(|_| rng.next_u64() >> rng.below(64))
                .filter(|&d| d > 0),
        );
        for d in divisors {
            let div = Divisor::new(d);
            let mut xs = vec![0, 1, d - 1, d, d.saturating_add(1), u64::MAX, u64::MAX - 1];
            // Multiples of d and their neighbours, where a quotient off by one would show.
            for k in [2, 3, 1_000_003, u64::MAX / d] {
                let m = d.saturating_mul(k);
                xs.extend([m - 1, m, m.saturating_add(1)]);
            }
            xs.extend((0..200).map(|_| rng.next_u64() >> rng.below(64)));
            for x in xs {
                assert_eq!(div.div(x), x / d, "{x} / {d}");
                assert_eq!(div.div_ceil(x), x.div_ceil(d), "ceil {x} / {d}");
            }
        }
    }
}
