//! Sliding log (exact): keeps the timestamp of every admitted cost unit of the last window and
//! admits a request iff the units in `(t - W, t]` plus its cost stay within `limit`. Any half-open
//! interval `[s, s + W)` therefore holds at most `limit` admitted units.
//!
//! Memory bound: the log never holds more than `limit` timestamps (expired ones are dropped
//! before each decision, and only admitted units are pushed), and `limit` is capped at
//! `SLIDING_LOG_MAX_LIMIT`, so one key owns at most `8 × limit` heap bytes (plus allocator
//! rounding). The buffer doubles as needed but is never reserved past `limit`, and is reused when
//! the key table recycles the slot.

use crate::config::{LimitConfig, SLIDING_LOG_MAX_LIMIT};
use crate::decision::{Algorithm, Decision, RETRY_NEVER_NS};
use crate::error::ConfigError;
use std::collections::VecDeque;

#[derive(Debug, Clone, Copy)]
pub struct SlidingLog {
    window_ns: u64,
    limit: u64,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SlidingLogState {
    /// Admitted unit timestamps, oldest first; `len() <= limit`.
    log_ns: VecDeque<u64>,
}

impl SlidingLogState {
    pub fn len(&self) -> usize {
        self.log_ns.len()
    }
    pub fn is_empty(&self) -> bool {
        self.log_ns.is_empty()
    }
}

impl SlidingLog {
    pub fn new(config: &LimitConfig) -> Result<Self, ConfigError> {
        let (window_ns, limit) = config.window_limit()?;
        if limit > SLIDING_LOG_MAX_LIMIT {
            return Err(ConfigError::LogTooLarge {
                limit,
                max_limit: SLIDING_LOG_MAX_LIMIT,
            });
        }
        Ok(SlidingLog { window_ns, limit })
    }

    pub fn limit(&self) -> u64 {
        self.limit
    }
}

impl Algorithm for SlidingLog {
    type State = SlidingLogState;

    fn decide(&self, state: &mut SlidingLogState, now_ns: u64, cost: u64) -> Decision {
        let log = &mut state.log_ns;
        let now_ns = now_ns.max(log.back().copied().unwrap_or(0));
        while let Some(&oldest) = log.front() {
            if oldest.saturating_add(self.window_ns) <= now_ns {
                log.pop_front();
            } else {
                break;
            }
        }
        let used = log.len() as u64;
        let allowed = cost <= self.limit - used;
        let retry_after_ns = if allowed {
            let needed = log.len() + cost as usize;
            if log.capacity() < needed {
                // Grow by doubling but never past `limit`, so the heap bound holds.
                let target = needed
                    .max(log.capacity() * 2)
                    .max(4)
                    .min(self.limit as usize);
                log.reserve_exact(target - log.len());
            }
            for _ in 0..cost {
                log.push_back(now_ns);
            }
            0
        } else if cost > self.limit {
            RETRY_NEVER_NS
        } else {
            // The (used + cost - limit)-th oldest entry must expire first.
            let must_expire = (used + cost - self.limit) as usize;
            log.get(must_expire - 1)
                .map_or(0, |&ts| ts.saturating_add(self.window_ns) - now_ns)
        };
        debug_assert!(log.len() as u64 <= self.limit);
        Decision {
            allowed,
            remaining: self.limit - log.len() as u64,
            retry_after_ns,
            reset_ns: log
                .back()
                .map_or(0, |&ts| ts.saturating_add(self.window_ns) - now_ns),
        }
    }

    fn full_at_ns(&self, state: &SlidingLogState) -> u64 {
        state
            .log_ns
            .back()
            .map_or(0, |&ts| ts.saturating_add(self.window_ns))
    }

    fn reset(&self, state: &mut SlidingLogState) {
        state.log_ns.clear();
    }

    fn make_exhausted(&self, state: &mut SlidingLogState, full_at_ns: u64, _now_ns: u64) {
        // `limit` phantom entries that expire at `full_at_ns` outlive every entry of any log that
        // is empty by then, so they block at least as much.
        state.log_ns.clear();
        state.log_ns.reserve_exact(self.limit as usize);
        let ts = full_at_ns.saturating_sub(self.window_ns);
        state
            .log_ns
            .extend(std::iter::repeat_n(ts, self.limit as usize));
    }

    fn heap_bytes_bound(&self) -> u64 {
        self.limit * std::mem::size_of::<u64>() as u64
    }
}
