//! Fixed window: at most `limit` cost units per window `[k×W, (k+1)×W)`, windows aligned to
//! multiples of `W` since time 0: a request is admitted iff the window's count plus its cost
//! stays within `limit`. A sliding interval of length `W` straddling a boundary can see up to
//! `2 × limit` (tested in `tests/bounds.rs`).
//!
//! Fast paths: `decide` resets the count on a rollover with a select and no divide
//! (`Windows::locate`), `decide_hot` with a branch. Held to the rule by
//! `locate_and_locate_hot_follow_the_plain_division` in `src/window.rs` (the rollover against a
//! plain divide), `tests/bounds.rs::fixed_window_admits_at_most_limit_per_aligned_window_and_2x_sliding`
//! (the admissions against the per-window limit) and
//! `tests/hot_path.rs::hot_path_decides_like_the_table_path` (`decide_hot` against `decide`).

use crate::config::LimitConfig;
use crate::decision::{Algorithm, Decision, RETRY_NEVER_NS};
use crate::error::ConfigError;
use crate::window::Windows;

#[derive(Debug, Clone, Copy)]
pub struct FixedWindow {
    window_ns: u64,
    windows: Windows,
    limit: u64,
}

/// 16 bytes per key. Keeps the window start (not its index); it is always a multiple of the
/// window length.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct FixedWindowState {
    window_start_ns: u64,
    count: u64,
}

impl FixedWindow {
    pub fn new(config: &LimitConfig) -> Result<Self, ConfigError> {
        let (window_ns, limit) = config.window_limit()?;
        Ok(FixedWindow {
            window_ns,
            windows: Windows::new(window_ns),
            limit,
        })
    }

    pub fn limit(&self) -> u64 {
        self.limit
    }

    /// The decision once `state` holds the window of `now` (or a later one, if time went
    /// backwards).
    #[inline(always)]
    fn decide_in_window(&self, state: &mut FixedWindowState, now_ns: u64, cost: u64) -> Decision {
        // Time going backwards stays in the newest window seen.
        let now_ns = now_ns.max(state.window_start_ns);
        let window_end_ns = state.window_start_ns.saturating_add(self.window_ns);
        let allowed = cost <= self.limit - state.count;
        let retry_after_ns = if allowed {
            state.count += cost;
            0
        } else if cost > self.limit {
            RETRY_NEVER_NS
        } else {
            window_end_ns - now_ns
        };
        Decision {
            allowed,
            remaining: self.limit - state.count,
            retry_after_ns,
            reset_ns: if state.count > 0 {
                window_end_ns - now_ns
            } else {
                0
            },
        }
    }
}

impl Algorithm for FixedWindow {
    type State = FixedWindowState;

    #[inline]
    fn decide(&self, state: &mut FixedWindowState, now_ns: u64, cost: u64) -> Decision {
        // A select, not a branch (see `Windows::locate`).
        let rollover = self.windows.locate(state.window_start_ns, now_ns);
        state.count = std::hint::select_unpredictable(rollover.rolled, 0, state.count);
        state.window_start_ns = rollover.start_ns;
        self.decide_in_window(state, now_ns, cost)
    }

    #[inline]
    fn decide_hot(&self, state: &mut FixedWindowState, now_ns: u64, cost: u64) -> Decision {
        let rollover = self.windows.locate_hot(state.window_start_ns, now_ns);
        if rollover.rolled {
            state.count = 0;
            state.window_start_ns = rollover.start_ns;
        }
        self.decide_in_window(state, now_ns, cost)
    }

    fn full_at_ns(&self, state: &FixedWindowState) -> u64 {
        if state.count == 0 {
            0
        } else {
            state.window_start_ns.saturating_add(self.window_ns)
        }
    }

    fn reset(&self, state: &mut FixedWindowState) {
        *state = FixedWindowState::default();
    }

    fn make_exhausted(&self, state: &mut FixedWindowState, full_at_ns: u64, now_ns: u64) {
        // Only a state with a count in the current window can still be non-fresh; a full count
        // in the current window dominates every such state.
        state.window_start_ns = now_ns - now_ns % self.window_ns;
        state.count = if full_at_ns > state.window_start_ns {
            self.limit
        } else {
            0
        };
    }
}

impl crate::state_view::Inspect for FixedWindow {
    fn view(&self, state: &FixedWindowState, now_ns: u64) -> crate::state_view::StateView {
        let rollover = self.windows.locate(state.window_start_ns, now_ns);
        let count = if rollover.rolled { 0 } else { state.count };
        crate::state_view::StateView {
            available: self.limit - count,
            detail: crate::state_view::StateDetail::FixedWindow {
                window_start_ns: rollover.start_ns,
                window_ns: self.window_ns,
                count,
                limit: self.limit,
            },
        }
    }
}
