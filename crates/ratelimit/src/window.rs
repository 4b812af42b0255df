//! Aligned windows `[k·W, (k+1)·W)` for the fixed-window and sliding-window algorithms.
//!
//! The rule: the window holding `now` starts at `a = floor(now / W) × W`. Against a state whose
//! window starts at `s` (a multiple of `W`), the state has rolled over iff `a > s`, it then
//! keeps `a`, and the new window is the next one iff `a = s + W`; otherwise (`now` in or before
//! the state's window) the state keeps `s`.
//!
//! Fast paths: [`Windows::locate`] computes that without a branch and with a multiply-high
//! reciprocal instead of a divide (for the key table's many keys), [`Windows::locate_hot`] with
//! branches and a divide only when whole windows were skipped (for one state decided again and
//! again). `locate_and_locate_hot_follow_the_plain_division` below holds both to the rule.

use crate::decision::Divisor;

#[derive(Debug, Clone, Copy)]
pub(crate) struct Windows {
    len_ns: u64,
    divisor: Divisor,
}

/// The window holding `now` against a state's window.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Rollover {
    /// Start of the window to keep: the one holding `now`, or the state's own if `now` is not
    /// past it (a time before the state's window stays in it).
    pub(crate) start_ns: u64,
    /// The state's window has ended.
    pub(crate) rolled: bool,
    /// The window holding `now` directly follows the state's window (so its count carries over).
    pub(crate) next: bool,
}

impl Windows {
    pub(crate) fn new(len_ns: u64) -> Self {
        Windows {
            len_ns,
            divisor: Divisor::new(len_ns),
        }
    }

    /// `floor(x / W)`, by the precomputed reciprocal.
    #[inline(always)]
    pub(crate) fn whole(&self, x: u64) -> u64 {
        self.divisor.div(x)
    }

    /// Without a branch or a hardware divide: with many keys, whether and how far a key's
    /// window has moved is a coin toss that would otherwise mispredict right after the state's
    /// cache miss.
    #[inline(always)]
    pub(crate) fn locate(&self, start_ns: u64, now_ns: u64) -> Rollover {
        let aligned_ns = self.divisor.div(now_ns) * self.len_ns;
        Rollover {
            start_ns: start_ns.max(aligned_ns),
            rolled: aligned_ns > start_ns,
            next: aligned_ns == start_ns.wrapping_add(self.len_ns),
        }
    }

    /// The same answer as [`Self::locate`], with branches: one state's window ends at regular
    /// times, so they predict, and the division runs only when whole windows were skipped.
    #[inline(always)]
    pub(crate) fn locate_hot(&self, start_ns: u64, now_ns: u64) -> Rollover {
        let stay = Rollover {
            start_ns,
            rolled: false,
            next: false,
        };
        let Some(end_ns) = start_ns.checked_add(self.len_ns) else {
            return stay;
        };
        if now_ns < end_ns {
            return stay;
        }
        match end_ns.checked_add(self.len_ns) {
            Some(next_end_ns) if now_ns >= next_end_ns => Rollover {
                start_ns: self.divisor.div(now_ns) * self.len_ns,
                rolled: true,
                next: false,
            },
            _ => Rollover {
                start_ns: end_ns,
                rolled: true,
                next: true,
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use deterministic::SplitMix64;

    /// The rule in the module doc, with a plain divide; `next` only means something after a roll.
    fn plain(len_ns: u64, start_ns: u64, now_ns: u64) -> (u64, bool, bool) {
        let aligned_ns = now_ns / len_ns * len_ns;
        if aligned_ns > start_ns {
            let next = start_ns.checked_add(len_ns) == Some(aligned_ns);
            (aligned_ns, true, next)
        } else {
            (start_ns, false, false)
        }
    }

    #[test]
    fn locate_and_locate_hot_follow_the_plain_division() {
        let mut rng = SplitMix64::new(5);
        for len_ns in [
            1,
            2,
            3,
            1_000_000,
            999_999_937,
            5_000_000_000,
            1 << 40,
            u64::MAX / 3,
        ] {
            let windows = Windows::new(len_ns);
            let last_start_ns = u64::MAX / len_ns * len_ns;
            for _ in 0..20_000 {
                // State windows at the start of time, anywhere, and in the last windows of u64.
                let start_ns = match rng.below(3) {
                    0 => len_ns * rng.below(4),
                    1 => rng.next_u64() / len_ns * len_ns,
                    _ => last_start_ns - len_ns.saturating_mul(rng.below(3)).min(last_start_ns),
                };
                // Before, inside, at the end of, just after and far after the state's window.
                let now_ns = match rng.below(5) {
                    0 => start_ns.saturating_sub(rng.below(2 * len_ns)),
                    1 => start_ns.saturating_add(rng.below(len_ns)),
                    2 => start_ns.saturating_add(len_ns),
                    3 => start_ns.saturating_add(len_ns + rng.below(len_ns)),
                    _ => start_ns.saturating_add(len_ns.saturating_mul(rng.range_inclusive(2, 9))),
                };
                let want = plain(len_ns, start_ns, now_ns);
                for (how, r) in [
                    ("locate", windows.locate(start_ns, now_ns)),
                    ("locate_hot", windows.locate_hot(start_ns, now_ns)),
                ] {
                    assert_eq!(
                        (r.start_ns, r.rolled, r.rolled && r.next),
                        want,
                        "{how}: W {len_ns}, start {start_ns}, now {now_ns}"
                    );
                }
            }
        }
    }
}
