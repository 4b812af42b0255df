//! Sliding log (exact): keeps the timestamp of every admitted cost unit of the last window and
//! admits a request iff the units in `(t - W, t]` plus its cost stay within `limit`. Any half-open
//! interval `[s, s + W)` therefore holds at most `limit` admitted units.
//!
//! Fast paths: the inline four-slot layout and the heap ring below, and `decide_hot`'s ring
//! walk. `ring_layout_decides_exactly_like_a_plain_deque` and
//! `extreme_times_match_the_plain_deque` below hold both layouts, decision and stored log, to a
//! plain `VecDeque` of timestamps; `tests/hot_path.rs::hot_path_decides_like_the_table_path`
//! holds `decide_hot` to `decide`.
//!
//! Layout: a key's state is 24 bytes (32 with its key in the table). Up to
//! [`SLIDING_LOG_INLINE`] = 4 timestamps live inside it: the newest in full and the three
//! before it as u32 distances to it, absent or expired ones marked. With a limit above four
//! (the usual case) every cost-1 decision on an inline log admits, so what it stores — the
//! slots aged by the time since the newest — never waits for the live count: with many keys
//! the decision runs right after the entry's cache miss, and the work between that load and
//! the store is paid in full. A log that needs a fifth slot (or whose distances do not fit in
//! u32, possible only for windows over 4.29 s) moves to a heap ring referenced from the state,
//! and back inline (freeing the ring) once it fits again.
//!
//! Memory bound: the log never holds more than `limit` timestamps (expired ones are dropped
//! before each decision, and only admitted units are pushed), and `limit` is capped at
//! `SLIDING_LOG_MAX_LIMIT`. The heap ring starts at 8 slots and doubles, a power of two so that
//! its indices wrap with a mask, and never grows past the power of two that holds `limit`: one
//! key owns at most `8 × limit.next_power_of_two()` heap bytes (under `16 × limit`, plus
//! allocator rounding).

use crate::config::{LimitConfig, SLIDING_LOG_MAX_LIMIT};
use crate::decision::{Algorithm, Decision, RETRY_NEVER_NS};
use crate::error::ConfigError;
use std::fmt;
use std::hint::select_unpredictable;

/// Timestamps a log can hold inside the state itself.
pub const SLIDING_LOG_INLINE: usize = 4;
/// Distance slot of an absent (or expired) inline timestamp; live distances are below it.
const ABSENT: u32 = u32::MAX;

#[derive(Debug, Clone, Copy)]
pub struct SlidingLog {
    window_ns: u64,
    limit: u64,
    /// Cost-1 decisions on an inline log take [`SlidingLog::admit_inline`]: the limit exceeds
    /// the inline slots (so they always admit) and the window is at most `ABSENT` ns (so an
    /// aged distance that reaches it has expired).
    inline_admits: bool,
}

/// Admitted unit timestamps, oldest first, at most `limit` of them; 24 bytes.
#[derive(Clone, Default)]
pub struct SlidingLogState(Log);

/// Whether an inline log holds its newest timestamp (only an empty log does not). Its unused
/// byte values give [`Log`] its tag without another field.
#[derive(Clone, Copy, PartialEq, Eq)]
#[repr(u8)]
enum Newest {
    Absent = 1,
    Present = 2,
}

#[derive(Clone)]
enum Log {
    /// The timestamps `newest_ns - d[i]` of the slots not `ABSENT` (oldest first: absent slots
    /// come first, then `d[0] >= d[1] >= d[2]`), then `newest_ns` itself if present.
    Inline {
        newest_ns: u64,
        d: [u32; SLIDING_LOG_INLINE - 1],
        newest: Newest,
    },
    /// `last + 1` timestamps in a ring from `head`; `ring.len()` (its capacity) is a power of
    /// two of at most `2^16` (`limit <= 2^16`), so both indices fit u16.
    Spilled {
        ring: Box<[u64]>,
        head: u16,
        last: u16,
    },
}

impl Default for Log {
    fn default() -> Self {
        Log::Inline {
            newest_ns: 0,
            d: [ABSENT; SLIDING_LOG_INLINE - 1],
            newest: Newest::Absent,
        }
    }
}

/// An inline log unpacked: its timestamps, oldest first, are the last `len` slots.
struct InlineLog {
    slots: [u64; SLIDING_LOG_INLINE],
    len: usize,
}

impl InlineLog {
    #[inline]
    fn new(newest_ns: u64, d: [u32; SLIDING_LOG_INLINE - 1], newest: Newest) -> Self {
        let older = d.iter().filter(|&&dist| dist != ABSENT).count();
        InlineLog {
            slots: [
                newest_ns.wrapping_sub(u64::from(d[0])),
                newest_ns.wrapping_sub(u64::from(d[1])),
                newest_ns.wrapping_sub(u64::from(d[2])),
                newest_ns,
            ],
            len: older + usize::from(newest == Newest::Present),
        }
    }

    /// The timestamps, oldest first.
    #[inline]
    fn as_slice(&self) -> &[u64] {
        &self.slots[SLIDING_LOG_INLINE - self.len..]
    }
}

/// The inline form of `log` (oldest first), if it fits.
#[inline]
fn encode_inline(log: &[u64]) -> Option<Log> {
    let Some(&newest_ns) = log.last() else {
        return Some(Log::default());
    };
    if log.len() > SLIDING_LOG_INLINE || newest_ns - log[0] >= u64::from(ABSENT) {
        return None;
    }
    let mut d = [ABSENT; SLIDING_LOG_INLINE - 1];
    let older = &log[..log.len() - 1];
    for (slot, &ts) in d[SLIDING_LOG_INLINE - log.len()..].iter_mut().zip(older) {
        // Below ABSENT: checked against the oldest above.
        *slot = (newest_ns - ts) as u32;
    }
    Some(Log::Inline {
        newest_ns,
        d,
        newest: Newest::Present,
    })
}

/// Slots of a heap ring that must hold `len` timestamps: a power of two, at least 8, and at
/// most the power of two that holds `limit` (so the heap bound holds).
fn ring_capacity(len: usize, limit: usize) -> usize {
    len.max(8)
        .next_power_of_two()
        .min(limit.next_power_of_two())
}

/// A heap ring holding `log` (oldest first) then `count` copies of `ts` (at most `limit`, at
/// least one in all).
fn spilled(log: &[u64], ts: u64, count: usize, limit: usize) -> Log {
    let len = log.len() + count;
    debug_assert!(len <= limit && len > 0);
    let mut ring = vec![ts; ring_capacity(len, limit)].into_boxed_slice();
    ring[..log.len()].copy_from_slice(log);
    Log::Spilled {
        ring,
        head: 0,
        last: (len - 1) as u16,
    }
}

/// Ring index `i` places after `head`, for a ring of `cap` slots (a power of two).
#[inline]
fn ring_index(cap: usize, head: usize, i: usize) -> usize {
    (head + i) & (cap - 1)
}

impl SlidingLogState {
    pub fn len(&self) -> usize {
        match &self.0 {
            Log::Inline {
                newest_ns,
                d,
                newest,
            } => InlineLog::new(*newest_ns, *d, *newest).len,
            Log::Spilled { last, .. } => usize::from(*last) + 1,
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    fn to_vec(&self) -> Vec<u64> {
        match &self.0 {
            Log::Inline {
                newest_ns,
                d,
                newest,
            } => InlineLog::new(*newest_ns, *d, *newest).as_slice().to_vec(),
            Log::Spilled { ring, head, last } => (0..=usize::from(*last))
                .map(|i| ring[ring_index(ring.len(), usize::from(*head), i)])
                .collect(),
        }
    }

    fn back(&self) -> Option<u64> {
        match &self.0 {
            Log::Inline {
                newest_ns, newest, ..
            } => (*newest == Newest::Present).then_some(*newest_ns),
            Log::Spilled { ring, head, last } => {
                Some(ring[ring_index(ring.len(), usize::from(*head), usize::from(*last))])
            }
        }
    }
}

/// Two logs are equal when they hold the same timestamps (storage is not compared).
impl PartialEq for SlidingLogState {
    fn eq(&self, other: &Self) -> bool {
        self.to_vec() == other.to_vec()
    }
}

impl Eq for SlidingLogState {}

impl fmt::Debug for SlidingLogState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(self.to_vec()).finish()
    }
}

/// A heap ring open for a cost-1 fast path: its slots, head and last fields, and the head
/// index and length read from them.
struct FastRing<'a> {
    ring: &'a mut [u64],
    head: &'a mut u16,
    last: &'a mut u16,
    h: usize,
    len: usize,
}

impl<'a> FastRing<'a> {
    /// Ring index arithmetic: the ring's size is a power of two.
    #[inline(always)]
    fn wrap(&self) -> impl Fn(usize) -> usize + use<> {
        let mask = self.ring.len() - 1;
        move |i| i & mask
    }

    /// `log`'s heap ring if a cost-1 fast path applies: the log is longer than the inline
    /// slots by more than one, so after one expiry it stays on the heap.
    #[inline(always)]
    fn of(log: &'a mut Log, cost: u64) -> Option<Self> {
        match log {
            Log::Spilled { ring, head, last } if cost == 1 => {
                let (h, len) = (usize::from(*head), usize::from(*last) + 1);
                (len > SLIDING_LOG_INLINE + 1 && len <= ring.len() && h < ring.len()).then_some(
                    FastRing {
                        ring,
                        head,
                        last,
                        h,
                        len,
                    },
                )
            }
            _ => None,
        }
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
        Ok(SlidingLog {
            window_ns,
            limit,
            inline_admits: limit > SLIDING_LOG_INLINE as u64 && window_ns <= u64::from(ABSENT),
        })
    }

    pub fn limit(&self) -> u64 {
        self.limit
    }

    /// Cost 1 on an inline log with a limit above its slots: always admitted (at most four
    /// timestamps are live), so nothing stored waits for the live count. The new slots are the
    /// old ones aged by the time since the newest, one place to the left, expired ones marked
    /// absent; only a log whose four slots are all live moves to the heap ([`Self::spill`]).
    #[inline(always)]
    fn admit_inline(
        &self,
        state: &mut SlidingLogState,
        newest_ns: u64,
        d: [u32; SLIDING_LOG_INLINE - 1],
        newest: Newest,
        now_ns: u64,
    ) -> Decision {
        let w = self.window_ns;
        // An empty inline log has newest = 0, so this is `max(now, newest or 0)`.
        let now_ns = now_ns.max(newest_ns);
        if now_ns.checked_add(w).is_none() {
            // A window end past u64::MAX: the saturating rule, the slow way.
            let log = InlineLog::new(newest_ns, d, newest);
            return self.decide_small(state, log.as_slice(), now_ns, 1);
        }
        // Capped at W (where everything has expired) so that the sums below fit.
        let elapsed = (now_ns - newest_ns).min(w);
        // A timestamp `dist` before the newest is `dist + elapsed` before now: live iff that
        // is below W. An absent slot never is (ABSENT >= W).
        let age = |dist: u32| {
            let age_ns = u64::from(dist) + elapsed;
            select_unpredictable(age_ns < w, age_ns as u32, ABSENT)
        };
        if age(d[0]) != ABSENT {
            // The oldest slot is live, so all four are: the fifth needs the heap.
            let log = InlineLog::new(newest_ns, d, newest);
            return self.spill(state, log.as_slice(), now_ns, 1);
        }
        let aged = [
            age(d[1]),
            age(d[2]),
            select_unpredictable(newest == Newest::Present, age(0), ABSENT),
        ];
        state.0 = Log::Inline {
            newest_ns: now_ns,
            d: aged,
            newest: Newest::Present,
        };
        let live = aged.iter().filter(|&&dist| dist != ABSENT).count() as u64;
        Decision {
            allowed: true,
            remaining: self.limit - live - 1,
            retry_after_ns: 0,
            reset_ns: w,
        }
    }

    /// Admits `cost` at `now_ns` on top of `live` (oldest first) by moving the log to the heap.
    #[cold]
    #[inline(never)]
    fn spill(&self, state: &mut SlidingLogState, live: &[u64], now_ns: u64, cost: u64) -> Decision {
        state.0 = spilled(live, now_ns, cost as usize, self.limit as usize);
        Decision {
            allowed: true,
            remaining: self.limit - live.len() as u64 - cost,
            retry_after_ns: 0,
            reset_ns: now_ns.saturating_add(self.window_ns) - now_ns,
        }
    }

    /// `log` (oldest first, at most `limit` long) inline if it fits, else in a new heap ring.
    fn store(&self, log: &[u64]) -> Log {
        encode_inline(log).unwrap_or_else(|| spilled(log, 0, 0, self.limit as usize))
    }

    /// The plain rule on a log that fits inline (oldest first, not yet
    /// expired against `now_ns`), any cost; stores the result inline or spilled.
    fn decide_small(
        &self,
        state: &mut SlidingLogState,
        log: &[u64],
        now_ns: u64,
        cost: u64,
    ) -> Decision {
        let w = self.window_ns;
        let now_ns = now_ns.max(log.last().copied().unwrap_or(0));
        let expired = log
            .iter()
            .take_while(|&&ts| ts.saturating_add(w) <= now_ns)
            .count();
        let live = &log[expired..];
        let used = live.len() as u64;
        let allowed = cost <= self.limit - used;
        let (retry_after_ns, newest) = if allowed {
            if cost == 0 {
                state.0 = self.store(live);
                (0, live.last().copied())
            } else {
                let mut grown = [now_ns; SLIDING_LOG_INLINE];
                grown[..live.len()].copy_from_slice(live);
                let new_len = live.len() + cost as usize;
                match (new_len <= SLIDING_LOG_INLINE)
                    .then(|| encode_inline(&grown[..new_len]))
                    .flatten()
                {
                    Some(inline) => state.0 = inline,
                    None => state.0 = spilled(live, now_ns, cost as usize, self.limit as usize),
                }
                (0, Some(now_ns))
            }
        } else {
            // Dropping expired timestamps keeps the distances of the rest: it still fits.
            state.0 = self.store(live);
            let retry_after_ns = if cost > self.limit {
                RETRY_NEVER_NS
            } else {
                // The (used + cost - limit)-th oldest entry must expire first.
                live[(used + cost - self.limit) as usize - 1].saturating_add(w) - now_ns
            };
            (retry_after_ns, live.last().copied())
        };
        let new_len = if allowed { used + cost } else { used };
        Decision {
            allowed,
            remaining: self.limit - new_len,
            retry_after_ns,
            reset_ns: newest.map_or(0, |ts| ts.saturating_add(w) - now_ns),
        }
    }

    /// The log is in the heap ring. The common case — cost 1, time not going backwards, a log
    /// longer than the inline slots, at most one timestamp expiring and the ring not needing
    /// to grow — is decided without data-dependent branches (a log at its limit loses its
    /// oldest timestamp on a coin toss); everything else goes to
    /// [`Self::decide_spilled_general`].
    #[inline(always)]
    fn decide_spilled(&self, state: &mut SlidingLogState, now_ns: u64, cost: u64) -> Decision {
        let w = self.window_ns;
        let Some(r) = FastRing::of(&mut state.0, cost) else {
            return self.decide_spilled_general(state, now_ns, cost);
        };
        let FastRing { h, len, .. } = r;
        let (cap, wrap) = (r.ring.len(), r.wrap());
        // Load the newest and the two oldest at once rather than one after another.
        let (back, oldest, second) = (r.ring[wrap(h + len - 1)], r.ring[h], r.ring[wrap(h + 1)]);
        let expired = oldest.saturating_add(w) <= now_ns;
        let front = select_unpredictable(expired, second, oldest);
        let h = wrap(h + usize::from(expired));
        let len = len - usize::from(expired);
        let allowed = (len as u64) < self.limit;
        // (The newest only serves the check that time has not gone backwards, which is
        // predicted, so its load is not waited for.)
        if now_ns < back || front.saturating_add(w) <= now_ns || allowed && len == cap {
            return self.decide_spilled_general(state, now_ns, cost);
        }
        // The slot after the newest is free unless the ring was full, and then it holds the
        // oldest: writing `oldest` back there keeps a denial's log intact without reading the
        // slot again.
        let tail = wrap(h + len);
        r.ring[tail] = select_unpredictable(allowed, now_ns, oldest);
        let new_len = len + usize::from(allowed);
        *r.head = h as u16;
        *r.last = (new_len - 1) as u16;
        // Denied at cost 1 means the log is full: the oldest must expire first.
        let retry_after_ns = front.saturating_add(w) - now_ns;
        Decision {
            allowed,
            remaining: self.limit - new_len as u64,
            retry_after_ns: select_unpredictable(allowed, 0, retry_after_ns),
            // `back` and `now` are live.
            reset_ns: select_unpredictable(allowed, now_ns, back).saturating_add(w) - now_ns,
        }
    }

    /// [`Algorithm::decide_hot`] on a heap ring: one state decided again and again, whose
    /// oldest timestamp expires in a regular pattern, so branches predict where
    /// [`Self::decide_spilled`] selects. A cost-1 request that expires nothing either fills
    /// the free slot after the newest or, at the limit, is denied without a write; one that
    /// expires the oldest (and only it) replaces it. Anything else takes the plain rule.
    #[inline(always)]
    fn decide_spilled_hot(&self, state: &mut SlidingLogState, now_ns: u64, cost: u64) -> Decision {
        let w = self.window_ns;
        let Some(r) = FastRing::of(&mut state.0, cost) else {
            return self.decide_spilled_general(state, now_ns, cost);
        };
        let FastRing { h, len, .. } = r;
        let (cap, wrap) = (r.ring.len(), r.wrap());
        let (oldest, back) = (r.ring[h], r.ring[wrap(h + len - 1)]);
        let limit = self.limit as usize;
        if now_ns >= back && now_ns.checked_add(w).is_some() {
            if oldest + w > now_ns {
                if len < limit && len < cap {
                    r.ring[wrap(h + len)] = now_ns;
                    // The new last index is the old length.
                    *r.last = len as u16;
                    return Decision {
                        allowed: true,
                        remaining: (limit - len - 1) as u64,
                        retry_after_ns: 0,
                        reset_ns: w,
                    };
                }
                if len == limit {
                    return Decision {
                        allowed: false,
                        remaining: 0,
                        retry_after_ns: oldest + w - now_ns,
                        reset_ns: back + w - now_ns,
                    };
                }
            } else if r.ring[wrap(h + 1)] + w > now_ns {
                // The slot after the newest is the oldest's own when the ring is full.
                r.ring[wrap(h + len)] = now_ns;
                *r.head = wrap(h + 1) as u16;
                return Decision {
                    allowed: true,
                    remaining: (limit - len) as u64,
                    retry_after_ns: 0,
                    reset_ns: w,
                };
            }
        }
        self.decide_spilled_general(state, now_ns, cost)
    }

    /// The log is in the heap ring, any cost: the plain rule.
    #[inline(never)]
    fn decide_spilled_general(
        &self,
        state: &mut SlidingLogState,
        now_ns: u64,
        cost: u64,
    ) -> Decision {
        let w = self.window_ns;
        let now_ns = now_ns.max(state.back().unwrap_or(0));
        let Log::Spilled { ring, head, last } = &mut state.0 else {
            return self.decide_small(state, &[], now_ns, cost);
        };
        let cap = ring.len();
        let mut h = usize::from(*head);
        let mut len = usize::from(*last) + 1;
        while len > 0 && ring[h].saturating_add(w) <= now_ns {
            h = ring_index(cap, h, 1);
            len -= 1;
        }
        if len <= SLIDING_LOG_INLINE {
            let mut log = [0; SLIDING_LOG_INLINE];
            for (i, slot) in log.iter_mut().enumerate().take(len) {
                *slot = ring[ring_index(cap, h, i)];
            }
            // A short log whose distances do not fit inline stays in its ring.
            if encode_inline(&log[..len]).is_some() {
                return self.decide_small(state, &log[..len], now_ns, cost);
            }
        }
        let used = len as u64;
        let allowed = cost <= self.limit - used;
        let retry_after_ns = if allowed {
            let needed = len + cost as usize;
            if needed > cap {
                // Grow by doubling, never past the power of two that holds `limit`.
                let new_cap = ring_capacity(needed.max(cap * 2), self.limit as usize);
                let mut grown = vec![now_ns; new_cap].into_boxed_slice();
                for (i, slot) in grown.iter_mut().enumerate().take(len) {
                    *slot = ring[ring_index(cap, h, i)];
                }
                *ring = grown;
                h = 0;
            } else {
                for i in len..needed {
                    ring[ring_index(cap, h, i)] = now_ns;
                }
            }
            len = needed;
            0
        } else if cost > self.limit {
            RETRY_NEVER_NS
        } else {
            // The (used + cost - limit)-th oldest entry must expire first.
            let must_expire = (used + cost - self.limit) as usize;
            ring[ring_index(cap, h, must_expire - 1)].saturating_add(w) - now_ns
        };
        *head = h as u16;
        *last = (len - 1) as u16;
        let newest = ring[ring_index(ring.len(), h, len - 1)];
        Decision {
            allowed,
            remaining: self.limit - len as u64,
            retry_after_ns,
            reset_ns: newest.saturating_add(w) - now_ns,
        }
    }
}

impl Algorithm for SlidingLog {
    type State = SlidingLogState;

    #[inline(always)]
    fn decide(&self, state: &mut SlidingLogState, now_ns: u64, cost: u64) -> Decision {
        match state.0 {
            Log::Inline {
                newest_ns,
                d,
                newest,
            } => {
                if cost == 1 && self.inline_admits {
                    self.admit_inline(state, newest_ns, d, newest, now_ns)
                } else {
                    let log = InlineLog::new(newest_ns, d, newest);
                    self.decide_small(state, log.as_slice(), now_ns, cost)
                }
            }
            Log::Spilled { .. } => self.decide_spilled(state, now_ns, cost),
        }
    }

    #[inline(always)]
    fn decide_hot(&self, state: &mut SlidingLogState, now_ns: u64, cost: u64) -> Decision {
        match state.0 {
            Log::Spilled { .. } => self.decide_spilled_hot(state, now_ns, cost),
            Log::Inline { .. } => self.decide(state, now_ns, cost),
        }
    }

    fn full_at_ns(&self, state: &SlidingLogState) -> u64 {
        state
            .back()
            .map_or(0, |ts| ts.saturating_add(self.window_ns))
    }

    fn reset(&self, state: &mut SlidingLogState) {
        state.0 = Log::default();
    }

    fn make_exhausted(&self, state: &mut SlidingLogState, full_at_ns: u64, _now_ns: u64) {
        // `limit` phantom entries that expire at `full_at_ns` outlive every entry of any log that
        // is empty by then, so they block at least as much.
        let ts = full_at_ns.saturating_sub(self.window_ns);
        let limit = self.limit as usize;
        // A full ring of the right size is refilled in place rather than freed and allocated
        // again (an eviction of a busy key does this on every lossy eviction).
        if let Log::Spilled { ring, head, last } = &mut state.0 {
            if limit > SLIDING_LOG_INLINE && ring.len() == ring_capacity(limit, limit) {
                ring.fill(ts);
                *head = 0;
                *last = (limit - 1) as u16;
                return;
            }
        }
        state.0 = (limit <= SLIDING_LOG_INLINE)
            .then(|| encode_inline(&[ts; SLIDING_LOG_INLINE][..limit]))
            .flatten()
            .unwrap_or_else(|| spilled(&[], ts, limit, limit));
    }

    fn heap_bytes_bound(&self) -> u64 {
        self.limit.next_power_of_two() * std::mem::size_of::<u64>() as u64
    }
}

impl crate::state_view::Inspect for SlidingLog {
    fn view(&self, state: &SlidingLogState, now_ns: u64) -> crate::state_view::StateView {
        let mut live = state.to_vec();
        live.retain(|&t| t.saturating_add(self.window_ns) > now_ns);
        let count = live.len() as u64;
        let skip = live
            .len()
            .saturating_sub(crate::state_view::MAX_VIEW_TIMESTAMPS);
        live.drain(..skip);
        crate::state_view::StateView {
            available: self.limit.saturating_sub(count),
            detail: crate::state_view::StateDetail::SlidingLog {
                window_ns: self.window_ns,
                limit: self.limit,
                count,
                recent_ns: live,
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use deterministic::SplitMix64;
    use std::collections::VecDeque;

    /// The rule with a plain `VecDeque` of timestamps: the oracle both layouts are held to.
    struct Reference {
        window_ns: u64,
        limit: u64,
        log_ns: VecDeque<u64>,
    }

    impl Reference {
        fn decide(&mut self, now_ns: u64, cost: u64) -> Decision {
            let log = &mut self.log_ns;
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
                for _ in 0..cost {
                    log.push_back(now_ns);
                }
                0
            } else if cost > self.limit {
                RETRY_NEVER_NS
            } else {
                let must_expire = (used + cost - self.limit) as usize;
                log.get(must_expire - 1)
                    .map_or(0, |&ts| ts.saturating_add(self.window_ns) - now_ns)
            };
            Decision {
                allowed,
                remaining: self.limit - log.len() as u64,
                retry_after_ns,
                reset_ns: log
                    .back()
                    .map_or(0, |&ts| ts.saturating_add(self.window_ns) - now_ns),
            }
        }
    }

    #[test]
    fn ring_layout_decides_exactly_like_a_plain_deque() {
        let mut rng = SplitMix64::new(42);
        for &(limit, window_ms) in &[
            (1, 1),
            (2, 1),
            (3, 2),
            (4, 1),
            (5, 1),
            (6, 3),
            (9, 1),
            (16, 2),
            (100, 1),
            // Windows over 1 s.
            (3, 3_000),
            (5, 5_000),
            (2, 2_000),
            // A window just under u32::MAX ns: the widest that inline distances serve.
            (12, 4_000),
            // Windows over 2^32 ns: inline distances can exceed u32.
            (10, 10_000),
            (6, 6_000),
        ] {
            let cfg = LimitConfig {
                rate_per_s: limit * 1000 / window_ms,
                burst: 1,
                window_ms,
            };
            let sl = SlidingLog::new(&cfg).unwrap();
            assert_eq!(sl.limit, limit);
            let window_ns = sl.window_ns;
            let mut state = SlidingLogState::default();
            let mut oracle = Reference {
                window_ns,
                limit,
                log_ns: VecDeque::new(),
            };
            let mut now = 0u64;
            for step in 0..60_000 {
                // Bursts, idle gaps and (rarely) time going backwards.
                match rng.below(16) {
                    0 => now += window_ns * rng.range_inclusive(1, 3),
                    1 => now = now.saturating_sub(rng.below(window_ns)),
                    2..=9 => now += rng.below(window_ns / limit.max(1) + 1),
                    _ => {}
                }
                if step % 997 == 0 {
                    sl.reset(&mut state);
                    oracle.log_ns.clear();
                }
                if step % 1_499 == 0 {
                    let full_at = now + rng.below(2 * window_ns);
                    sl.make_exhausted(&mut state, full_at, now);
                    oracle.log_ns =
                        std::iter::repeat_n(full_at.saturating_sub(window_ns), limit as usize)
                            .collect();
                }
                let cost = match rng.below(8) {
                    0 => rng.range_inclusive(0, limit + 1),
                    _ => 1,
                };
                let got = sl.decide(&mut state, now, cost);
                let want = oracle.decide(now, cost);
                assert_eq!(
                    got, want,
                    "limit {limit}, step {step}, now {now}, cost {cost}"
                );
                assert!(
                    state.to_vec().iter().eq(oracle.log_ns.iter()),
                    "{state:?} {:?} limit {limit} step {step} cost {cost}",
                    oracle.log_ns
                );
                if let Log::Spilled { ring, .. } = &state.0 {
                    assert!(ring.len().is_power_of_two());
                    assert!(ring.len() as u64 <= limit.next_power_of_two());
                }
                assert_eq!(
                    sl.full_at_ns(&state),
                    oracle.log_ns.back().map_or(0, |&ts| ts + window_ns)
                );
            }
        }
    }

    #[test]
    fn state_and_header_sizes_are_as_documented() {
        assert_eq!(std::mem::size_of::<SlidingLogState>(), 24);
    }

    #[test]
    fn extreme_times_match_the_plain_deque() {
        let sl = SlidingLog::new(&LimitConfig {
            rate_per_s: 6,
            burst: 1,
            window_ms: 1000,
        })
        .unwrap();
        let mut state = SlidingLogState::default();
        let mut oracle = Reference {
            window_ns: sl.window_ns,
            limit: sl.limit,
            log_ns: VecDeque::new(),
        };
        for now in [
            0,
            u64::MAX - 5,
            u64::MAX - 1,
            u64::MAX - 1,
            u64::MAX,
            3,
            u64::MAX,
        ] {
            for cost in [1, 1, 2, 1, 7, 1, 1, 1, 1] {
                assert_eq!(sl.decide(&mut state, now, cost), oracle.decide(now, cost));
            }
        }
    }
}
