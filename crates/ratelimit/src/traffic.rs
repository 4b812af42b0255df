//! Seeded client traffic (steady, bursty, hot key) as integer arrival times, shared by the
//! accuracy experiment and the cluster simulation. Integer-only sampling: the exponential gap uses
//! a fixed-point log2 (Mitchell's approximation), so native and WASM streams are identical.

use deterministic::{saturating_mul, SplitMix64};

/// `ln 2` in Q16 fixed point.
const LN2_Q16: u64 = 45_426;
/// 0.3466 in Q16: curvature term of the log2 approximation.
const LOG2_BEND_Q16: u64 = 22_714;
/// Exponential gaps are capped at this many means (the tail beyond it has probability e^-32).
pub const MAX_GAP_MEANS: u64 = 32;

/// An exponentially distributed gap with mean `mean_ns` (Poisson arrivals), integer-only.
pub fn exponential_gap_ns(rng: &mut SplitMix64, mean_ns: u64) -> u64 {
    let x = rng.next_u64() | 1;
    let lz = u64::from(x.leading_zeros());
    // log2(x) = (63 - lz) + log2(1 + f); log2(1 + f) ≈ f + 0.3466·f·(1 - f) (error < 0.01), in Q16.
    let frac_q16 = ((x << lz) << 1) >> 48;
    let bend_q16 = (((frac_q16 * ((1 << 16) - frac_q16)) >> 16) * LOG2_BEND_Q16) >> 16;
    let log2_x_q16 = ((63 - lz) << 16) + frac_q16 + bend_q16;
    // -log2(U) for U = x / 2^64, then × ln 2 gives -ln U.
    let neg_log2_u_q16 = (64u64 << 16) - log2_x_q16;
    // The factors are below 2^23 and 2^16, so their product fits a word.
    let neg_ln_u_q32 = neg_log2_u_q16 * LN2_Q16;
    let gap = deterministic::mul_wide(mean_ns, neg_ln_u_q32) >> 32;
    (gap as u64).min(mean_ns.saturating_mul(MAX_GAP_MEANS))
}

/// How one client sends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub enum Pattern {
    /// Poisson arrivals at `rate_per_s` (millirequests per second for sub-1/s rates: see `rate_milli_per_s`).
    Steady { rate_milli_per_s: u64 },
    /// Alternates `on_ms` of Poisson arrivals at `rate_milli_per_s` with `off_ms` of silence.
    Bursty {
        rate_milli_per_s: u64,
        on_ms: u64,
        off_ms: u64,
    },
}

/// Upper bound on the arrivals one client may generate per call of [`ClientTraffic::arrivals_until`].
pub const MAX_ARRIVALS_PER_SPAN: usize = 1 << 16;

/// A client's arrival process: yields arrival times in increasing order.
#[derive(Debug, Clone)]
pub struct ClientTraffic {
    pattern: Pattern,
    rng: SplitMix64,
    next_ns: u64,
}

impl ClientTraffic {
    pub fn new(pattern: Pattern, seed: u64) -> Self {
        let mut t = ClientTraffic {
            pattern,
            rng: SplitMix64::new(seed),
            next_ns: 0,
        };
        t.next_ns = t.advance(0);
        t
    }

    fn mean_gap_ns(rate_milli_per_s: u64) -> u64 {
        (1_000_000_000_000 / rate_milli_per_s.max(1)).max(1)
    }

    /// The next arrival strictly after `after_ns` (or at it, for the very first).
    fn advance(&mut self, after_ns: u64) -> u64 {
        match self.pattern {
            Pattern::Steady { rate_milli_per_s } => after_ns.saturating_add(exponential_gap_ns(
                &mut self.rng,
                Self::mean_gap_ns(rate_milli_per_s),
            )),
            Pattern::Bursty {
                rate_milli_per_s,
                on_ms,
                off_ms,
            } => {
                let period_ns = saturating_mul(on_ms.saturating_add(off_ms).max(1), 1_000_000);
                let on_ns = saturating_mul(on_ms, 1_000_000);
                let mut t = after_ns.saturating_add(exponential_gap_ns(
                    &mut self.rng,
                    Self::mean_gap_ns(rate_milli_per_s),
                ));
                if on_ns == 0 {
                    return u64::MAX;
                }
                if t % period_ns >= on_ns {
                    // Silent part: resume at the start of the next on-phase.
                    t = saturating_mul(t / period_ns + 1, period_ns);
                }
                t
            }
        }
    }

    /// Appends every arrival in `[.., end_ns)` not yet returned (at most [`MAX_ARRIVALS_PER_SPAN`]).
    pub fn arrivals_until(&mut self, end_ns: u64, out: &mut Vec<u64>) {
        let mut produced = 0;
        while self.next_ns < end_ns && produced < MAX_ARRIVALS_PER_SPAN {
            out.push(self.next_ns);
            produced += 1;
            self.next_ns = self.advance(self.next_ns);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exponential_gap_has_the_requested_mean() {
        let mut rng = SplitMix64::new(42);
        let n = 200_000u64;
        let mean = 1_000_000u64;
        let sum: u64 = (0..n).map(|_| exponential_gap_ns(&mut rng, mean)).sum();
        let got = sum / n;
        // The corrected log2 is within 0.01 of log2; the mean stays within 2 %.
        assert!(got.abs_diff(mean) < mean / 50, "mean {got}");
    }

    #[test]
    fn traffic_is_deterministic_and_bursty_is_silent_when_off() {
        let pattern = Pattern::Bursty {
            rate_milli_per_s: 200_000,
            on_ms: 100,
            off_ms: 400,
        };
        let mut a = ClientTraffic::new(pattern, 7);
        let mut b = ClientTraffic::new(pattern, 7);
        let (mut xa, mut xb) = (Vec::new(), Vec::new());
        a.arrivals_until(10_000_000_000, &mut xa);
        b.arrivals_until(10_000_000_000, &mut xb);
        assert_eq!(xa, xb);
        assert!(xa.len() > 100);
        assert!(xa.iter().all(|t| t % 500_000_000 < 100_000_000));
        assert!(xa.windows(2).all(|w| w[0] < w[1]));
    }
}
