//! Aligned windows `[k·W, (k+1)·W)` for the fixed-window and sliding-window algorithms: where
//! the window holding `now` stands against a state's window start (always a multiple of W),
//! found two ways with the same answer — without a branch for the key table's many keys, with
//! one for a single state decided again and again.

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
