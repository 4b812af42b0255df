//! Sliding-window counter (as Cloudflare describes it): counts for the current and previous
//! aligned window; the estimate at offset `e` into the current window is
//! `prev × (W - e) / W + cur`, and a request is admitted iff `estimate + cost <= limit`.
//!
//! Rounding: none in the decision: the comparison is done exactly as
//! `prev × (W - e) <= limit × W - (cur + cost) × W` in u64 (`limit × W` is checked to fit at
//! construction). `remaining` is floored.
//!
//! Fast paths: `decide` rolls the two counts to the window holding `now` with selects and no
//! divide (`Windows::locate`), `decide_hot` with branches. Held to the rule by
//! `branch_free_roll_decides_like_the_plain_rule` below (`decide` against the rule computed with
//! a divide and u128 arithmetic) and `tests/hot_path.rs::hot_path_decides_like_the_table_path`
//! (`decide_hot` against `decide`).

use crate::config::LimitConfig;
use crate::decision::{Algorithm, Decision, RETRY_NEVER_NS};
use crate::error::ConfigError;
use crate::window::Windows;

#[derive(Debug, Clone, Copy)]
pub struct SlidingWindow {
    window_ns: u64,
    windows: Windows,
    limit: u64,
}

/// 16 bytes per key (counts are at most `limit <= SLIDING_WINDOW_MAX_LIMIT`, so they fit u32).
/// Keeps the window start (not its index); it is always a multiple of the window length.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SlidingWindowState {
    window_start_ns: u64,
    current: u32,
    previous: u32,
}

impl SlidingWindowState {
    #[inline]
    fn cur(&self) -> u64 {
        u64::from(self.current)
    }
    #[inline]
    fn prev(&self) -> u64 {
        u64::from(self.previous)
    }
}

/// Highest per-window limit: the counts are stored as u32.
pub const SLIDING_WINDOW_MAX_LIMIT: u64 = u32::MAX as u64;

impl SlidingWindow {
    pub fn new(config: &LimitConfig) -> Result<Self, ConfigError> {
        let (window_ns, limit) = config.window_limit()?;
        if limit > SLIDING_WINDOW_MAX_LIMIT {
            return Err(ConfigError::TooLarge {
                what: "sliding window limit",
                value: limit,
                max: SLIDING_WINDOW_MAX_LIMIT,
            });
        }
        Ok(SlidingWindow {
            window_ns,
            windows: Windows::new(window_ns),
            limit,
        })
    }

    pub fn limit(&self) -> u64 {
        self.limit
    }

    /// The counter's own estimate scaled by `W` (exact): `prev × (W - e) + cur × W`. Both terms
    /// are at most `limit × W`, which fits in u64 (checked at construction).
    #[inline]
    fn scaled_estimate(&self, state: &SlidingWindowState, offset_ns: u64) -> u64 {
        (state.prev() * (self.window_ns - offset_ns)).saturating_add(state.cur() * self.window_ns)
    }

    /// Ns from `offset_ns` into the current window until `cost` more units fit. Every product
    /// below is at most `limit × W`, which fits in u64 (checked at construction). Inlined, so
    /// that callers reading only `allowed` skip its division.
    #[inline]
    fn wait_ns(&self, state: &SlidingWindowState, offset_ns: u64, cost: u64) -> u64 {
        let w = self.window_ns;
        if state.cur() + cost <= self.limit {
            // Wait in this window for the previous window's weight to shrink enough:
            // prev × (W - e') <= (limit - cur - cost) × W.
            let room = (self.limit - state.cur() - cost) * w;
            let prev = state.prev();
            let need = prev * (w - offset_ns);
            // Denied means need > room, hence prev > 0.
            need.saturating_sub(room).div_ceil(prev.max(1))
        } else {
            // Wait for the next window, where `cur` becomes the previous count:
            // cur × (W - e2) + cost × W <= limit × W.
            let to_next_ns = w - offset_ns;
            let cur = state.cur();
            let over = (cur + cost - self.limit) * w;
            to_next_ns.saturating_add(over.div_ceil(cur.max(1)))
        }
    }

    /// The decision once `state` holds the window of `now` (or a later one, if time went
    /// backwards). Always inlined, so that a caller reading only `allowed` (as a rate-limiting
    /// gate does) lets the compiler drop the other fields' arithmetic.
    #[inline(always)]
    fn decide_in_window(&self, state: &mut SlidingWindowState, now_ns: u64, cost: u64) -> Decision {
        let now_ns = now_ns.max(state.window_start_ns);
        let offset_ns = now_ns - state.window_start_ns;
        let limit_scaled = self.limit * self.window_ns;
        // cur + cost <= limit first, so (cur + cost) × W and prev × (W - e) each fit in u64.
        let allowed = cost <= self.limit - state.cur()
            && state.prev() * (self.window_ns - offset_ns)
                <= limit_scaled - (state.cur() + cost) * self.window_ns;
        let retry_after_ns = if allowed {
            // cur + cost <= limit <= u32::MAX.
            state.current = (state.cur() + cost) as u32;
            0
        } else if cost > self.limit {
            RETRY_NEVER_NS
        } else {
            self.wait_ns(state, offset_ns, cost)
        };
        let estimate = self.scaled_estimate(state, offset_ns);
        // At most `limit × W` while time moves forward: admissions keep it there and it only
        // falls as the window advances. A time earlier than one already seen weights the
        // previous window more and can push it above (then `remaining` is 0).
        let window_end_ns = state.window_start_ns.saturating_add(self.window_ns);
        let reset_ns = if state.current > 0 {
            window_end_ns.saturating_add(self.window_ns) - now_ns
        } else if state.previous > 0 {
            window_end_ns - now_ns
        } else {
            0
        };
        Decision {
            allowed,
            remaining: self.windows.whole(limit_scaled.saturating_sub(estimate)),
            retry_after_ns,
            reset_ns,
        }
    }
}

impl Algorithm for SlidingWindow {
    type State = SlidingWindowState;

    #[inline(always)]
    fn decide(&self, state: &mut SlidingWindowState, now_ns: u64, cost: u64) -> Decision {
        // Selects, not branches (see `Windows::locate`); the current count becomes the previous
        // one only in the very next window.
        let select = std::hint::select_unpredictable;
        let rollover = self.windows.locate(state.window_start_ns, now_ns);
        let carried = select(rollover.next, state.current, 0);
        state.previous = select(rollover.rolled, carried, state.previous);
        state.current = select(rollover.rolled, 0, state.current);
        state.window_start_ns = rollover.start_ns;
        self.decide_in_window(state, now_ns, cost)
    }

    #[inline(always)]
    fn decide_hot(&self, state: &mut SlidingWindowState, now_ns: u64, cost: u64) -> Decision {
        let rollover = self.windows.locate_hot(state.window_start_ns, now_ns);
        if rollover.rolled {
            state.previous = if rollover.next { state.current } else { 0 };
            state.current = 0;
            state.window_start_ns = rollover.start_ns;
        }
        self.decide_in_window(state, now_ns, cost)
    }

    fn full_at_ns(&self, state: &SlidingWindowState) -> u64 {
        let end = |windows: u64| {
            state
                .window_start_ns
                .saturating_add(deterministic::saturating_mul(windows, self.window_ns))
        };
        if state.current > 0 {
            end(2)
        } else if state.previous > 0 {
            end(1)
        } else {
            0
        }
    }

    fn reset(&self, state: &mut SlidingWindowState) {
        *state = SlidingWindowState::default();
    }

    fn make_exhausted(&self, state: &mut SlidingWindowState, full_at_ns: u64, now_ns: u64) {
        // A state fresh by `full_at_ns` has, after rolling to now, previous <= limit and a
        // non-zero current only if `full_at_ns` lies beyond the end of the current window.
        state.window_start_ns = now_ns - now_ns % self.window_ns;
        // Either the current window is full (then the previous count no longer matters while in
        // it, and becomes `limit` after), or only a previous-window count can remain: `limit`
        // dominates it. Both keep the estimate within `limit`.
        if full_at_ns > state.window_start_ns.saturating_add(self.window_ns) {
            state.previous = 0;
            state.current = self.limit as u32;
        } else {
            state.previous = self.limit as u32;
            state.current = 0;
        }
    }
}

impl crate::state_view::Inspect for SlidingWindow {
    fn view(&self, state: &SlidingWindowState, now_ns: u64) -> crate::state_view::StateView {
        let rollover = self.windows.locate(state.window_start_ns, now_ns);
        let mut aged = *state;
        if rollover.rolled {
            aged.previous = if rollover.next { state.current } else { 0 };
            aged.current = 0;
        }
        aged.window_start_ns = rollover.start_ns;
        let offset_ns = now_ns.max(aged.window_start_ns) - aged.window_start_ns;
        let scaled = self.scaled_estimate(&aged, offset_ns.min(self.window_ns));
        crate::state_view::StateView {
            available: self
                .windows
                .whole((self.limit * self.window_ns).saturating_sub(scaled)),
            detail: crate::state_view::StateDetail::SlidingWindow {
                window_start_ns: aged.window_start_ns,
                window_ns: self.window_ns,
                previous: aged.prev(),
                current: aged.cur(),
                limit: self.limit,
                estimate_milli: (u128::from(scaled) * 1000 / u128::from(self.window_ns)) as u64,
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use deterministic::SplitMix64;

    /// The plain rule the branch-free roll replaces: divide to find the window holding `now`,
    /// then branch on how far it moved. Returns whether `cost` is admitted.
    fn plain_rule(
        sw: &SlidingWindow,
        state: &mut SlidingWindowState,
        now_ns: u64,
        cost: u64,
    ) -> bool {
        let w = sw.window_ns;
        let aligned_ns = now_ns / w * w;
        if aligned_ns > state.window_start_ns {
            let next = state.window_start_ns.checked_add(w) == Some(aligned_ns);
            state.previous = if next { state.current } else { 0 };
            state.current = 0;
            state.window_start_ns = aligned_ns;
        }
        let offset_ns = now_ns.max(state.window_start_ns) - state.window_start_ns;
        let estimate = u128::from(state.previous) * u128::from(w - offset_ns)
            + (u128::from(state.current) + u128::from(cost)) * u128::from(w);
        let allowed = estimate <= u128::from(sw.limit) * u128::from(w);
        if allowed {
            state.current += cost as u32;
        }
        allowed
    }

    #[test]
    fn branch_free_roll_decides_like_the_plain_rule() {
        let mut rng = SplitMix64::new(11);
        for (limit, window_ms) in [(1, 1), (3, 1), (10, 2), (100, 1), (10, 5_000)] {
            let sw = SlidingWindow::new(&LimitConfig {
                rate_per_s: limit * 1000 / window_ms,
                burst: 1,
                window_ms,
            })
            .unwrap();
            assert_eq!(sw.limit, limit);
            let w = sw.window_ns;
            let (mut state, mut plain) =
                (SlidingWindowState::default(), SlidingWindowState::default());
            // Also start near the end of time, where window ends overflow u64.
            for start_ns in [0, u64::MAX - 3 * w - rng.below(w)] {
                let mut now = start_ns;
                for step in 0..40_000 {
                    match rng.below(16) {
                        0 => now = now.saturating_add(w * rng.range_inclusive(1, 3)),
                        1 => now = now.saturating_sub(rng.below(w)),
                        2..=9 => now = now.saturating_add(rng.below(w / limit + 1)),
                        _ => {}
                    }
                    let cost = match rng.below(8) {
                        0 => rng.range_inclusive(0, limit + 1),
                        _ => 1,
                    };
                    let got = sw.decide(&mut state, now, cost).allowed;
                    let want = plain_rule(&sw, &mut plain, now, cost);
                    assert_eq!(
                        (got, state),
                        (want, plain),
                        "limit {limit}, step {step}, now {now}"
                    );
                }
            }
        }
    }
}
