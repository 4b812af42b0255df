//! Sliding log (exact): keeps the timestamp of every admitted cost unit of the last window and
//! admits a request iff the units in `(t - W, t]` plus its cost stay within `limit`. Any half-open
//! interval `[s, s + W)` therefore holds at most `limit` admitted units.
//!
//! Layout: a key's state is 24 bytes (32 with its key in the table). Up to
//! [`SLIDING_LOG_INLINE`] = 3 timestamps live inside it: the newest in full and the others as
//! 30-bit distances to it, which always fit when the window is at most 2^30 ns (1.07 s); with
//! many keys most logs are that short, so a decision touches only the table entry. A longer log
//! (or one whose distances do not fit) moves to a heap ring and moves back once it fits again.
//!
//! Memory bound: the log never holds more than `limit` timestamps (expired ones are dropped
//! before each decision, and only admitted units are pushed), and `limit` is capped at
//! `SLIDING_LOG_MAX_LIMIT`. The heap ring grows by doubling but never past `limit` slots, so one
//! key owns at most `8 × limit + 24` heap bytes (the ring plus its 24-byte header; plus allocator
//! rounding). The ring is kept when the log moves back inline or the key table recycles the
//! slot, for reuse.

use crate::config::{LimitConfig, SLIDING_LOG_MAX_LIMIT};
use crate::decision::{Algorithm, Decision, RETRY_NEVER_NS};
use crate::error::ConfigError;
use std::fmt;

/// Timestamps a log can hold inside the state itself.
pub const SLIDING_LOG_INLINE: usize = 3;
/// Bits of an inline timestamp's distance to the newest one.
const DELTA_BITS: u32 = 30;
const DELTA_MAX: u64 = (1 << DELTA_BITS) - 1;
const LEN_MASK: u64 = 0b11;
/// `packed` flag: the log lives in the heap ring.
const SPILLED: u64 = 1 << 63;

#[derive(Debug, Clone, Copy)]
pub struct SlidingLog {
    window_ns: u64,
    limit: u64,
}

/// Admitted unit timestamps, oldest first, at most `limit` of them; 24 bytes.
///
/// Inline (flag clear): `len = packed & 3` timestamps `[newest - d0, newest - d1, newest][..len]`
/// with the distances `d0 >= d1` in 30-bit fields of `packed` (bits 2.. and 32..; a distance that
/// is not stored is 0). A log moves to the heap ring when it would not fit: more than
/// [`SLIDING_LOG_INLINE`] timestamps, or a distance of 2^30 ns or more (only possible when the
/// window exceeds 1.07 s). It moves back inline once it fits again, keeping the ring for reuse.
#[derive(Clone, Default)]
pub struct SlidingLogState {
    newest_ns: u64,
    packed: u64,
    spill: Option<Box<Spill>>,
}

/// The heap ring: `len` timestamps from `head`; `ring.len()` (its capacity) never exceeds `limit`.
#[derive(Clone, Default)]
struct Spill {
    ring: Box<[u64]>,
    head: u32,
    len: u32,
}

impl Spill {
    /// Ring index `i` places after `head` (`i < 2 × capacity`).
    #[inline]
    fn index(&self, i: usize) -> usize {
        let j = self.head as usize + i;
        let cap = self.ring.len();
        if j >= cap {
            j - cap
        } else {
            j
        }
    }

    #[inline]
    fn get(&self, i: usize) -> u64 {
        self.ring[self.index(i)]
    }

    /// Drops the prefix of timestamps `ts` with `ts + window_ns <= now_ns` (saturating).
    #[inline]
    fn expire(&mut self, now_ns: u64, window_ns: u64) {
        while self.len > 0 && self.ring[self.head as usize].saturating_add(window_ns) <= now_ns {
            self.head = self.index(1) as u32;
            self.len -= 1;
        }
    }

    /// Appends `count` copies of `ts`; requires `len + count <= limit`. The ring grows by
    /// doubling (at least 8) but never past `limit`, so the heap bound holds.
    fn push_back(&mut self, ts: u64, count: usize, limit: usize) {
        let len = self.len as usize;
        let needed = len + count;
        debug_assert!(needed <= limit);
        if needed > self.ring.len() {
            let cap = needed.max(self.ring.len() * 2).max(8).min(limit);
            let mut ring = vec![ts; cap].into_boxed_slice();
            for (i, slot) in ring.iter_mut().enumerate().take(len) {
                *slot = self.get(i);
            }
            self.ring = ring;
            self.head = 0;
        } else {
            for i in len..needed {
                let j = self.index(i);
                self.ring[j] = ts;
            }
        }
        self.len = needed as u32;
    }
}

/// `(newest_ns, packed)` holding `log` (oldest first) inline, if it fits.
#[inline]
fn encode_inline(log: &[u64]) -> Option<(u64, u64)> {
    let Some(&newest) = log.last() else {
        return Some((0, 0));
    };
    if log.len() > SLIDING_LOG_INLINE || newest - log[0] > DELTA_MAX {
        return None;
    }
    let mut packed = log.len() as u64;
    for (i, &ts) in log[..log.len() - 1].iter().enumerate() {
        packed |= (newest - ts) << (2 + DELTA_BITS * i as u32);
    }
    Some((newest, packed))
}

impl SlidingLogState {
    pub fn len(&self) -> usize {
        match self.spill_ring() {
            Some(spill) => spill.len as usize,
            None => (self.packed & LEN_MASK) as usize,
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The heap ring, if the log lives there.
    #[inline]
    fn spill_ring(&self) -> Option<&Spill> {
        self.spill.as_deref().filter(|_| self.packed & SPILLED != 0)
    }

    /// The inline timestamps `[newest - d0, newest - d1, newest]` (the first `len` are the log).
    #[inline]
    fn inline_slots(&self) -> [u64; SLIDING_LOG_INLINE] {
        let d0 = (self.packed >> 2) & DELTA_MAX;
        let d1 = (self.packed >> (2 + DELTA_BITS)) & DELTA_MAX;
        [
            self.newest_ns.wrapping_sub(d0),
            self.newest_ns.wrapping_sub(d1),
            self.newest_ns,
        ]
    }

    /// Stores `log` (oldest first) inline; false (state unchanged) if it does not fit.
    #[inline]
    fn set_inline(&mut self, log: &[u64]) -> bool {
        match encode_inline(log) {
            Some((newest_ns, packed)) => {
                self.newest_ns = newest_ns;
                self.packed = packed;
                true
            }
            None => false,
        }
    }

    fn to_vec(&self) -> Vec<u64> {
        match self.spill_ring() {
            Some(spill) => (0..spill.len as usize).map(|i| spill.get(i)).collect(),
            None => self.inline_slots()[..self.len()].to_vec(),
        }
    }

    fn back(&self) -> Option<u64> {
        match self.spill_ring() {
            Some(spill) => (spill.len > 0).then(|| spill.get(spill.len as usize - 1)),
            None => (self.packed & LEN_MASK != 0).then_some(self.newest_ns),
        }
    }

    /// Moves `log` (oldest first, at most `limit` long, not fitting inline) with `count` copies of
    /// `ts` appended into the heap ring, reusing a kept ring.
    #[cold]
    fn spill_with(&mut self, log: &[u64], ts: u64, count: usize, limit: usize) {
        let spill = self.spill.get_or_insert_with(Box::default);
        spill.head = 0;
        spill.len = 0;
        for &t in log {
            spill.push_back(t, 1, limit);
        }
        spill.push_back(ts, count, limit);
        self.packed = SPILLED;
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

    /// Cost 1, log inline: decided and stored without data-dependent branches (with many keys,
    /// a branch on how many timestamps a key holds or how many expired would mispredict right
    /// after the state's cache miss and hold up the next decisions' loads). Only a log that no
    /// longer fits inline takes [`Self::spill`].
    #[inline]
    fn decide_inline_one(&self, state: &mut SlidingLogState, now_ns: u64) -> Decision {
        let w = self.window_ns;
        let len = state.packed & LEN_MASK;
        let newest = state.newest_ns;
        let [t0, t1, t2] = state.inline_slots();
        let now_ns = now_ns.max(if len > 0 { newest } else { 0 });
        // Live timestamps are sorted, so the expired ones are a prefix: count them.
        let expired = u64::from((len > 0) & (t0.saturating_add(w) <= now_ns))
            + u64::from((len > 1) & (t1.saturating_add(w) <= now_ns))
            + u64::from((len > 2) & (t2.saturating_add(w) <= now_ns));
        let live = len - expired;
        let allowed = live < self.limit;
        // The log after this decision: the live timestamps, then `now` if admitted, with the
        // distances to its newest. The oldest live one is `slots[expired]`.
        let select = std::hint::select_unpredictable;
        let second = select(expired == 0, t1, t2);
        let oldest = select(expired == 0, t0, select(expired == 1, t1, t2));
        let new_len = live + u64::from(allowed);
        let base = std::hint::select_unpredictable(allowed, now_ns, newest);
        let d0 = if new_len > 1 { base - oldest } else { 0 };
        let d1 = if new_len > 2 { base - second } else { 0 };
        if new_len > SLIDING_LOG_INLINE as u64 || d0 > DELTA_MAX {
            // Only an admission can outgrow the inline slots.
            let slots = [t0, t1, t2];
            return self.spill(state, &slots[expired as usize..len as usize], now_ns, 1);
        }
        state.newest_ns = base;
        state.packed = new_len | d0 << 2 | d1 << (2 + DELTA_BITS);
        // Denied at cost 1 means the log is full (live = limit >= 1): the oldest must expire.
        let retry_after_ns = oldest.saturating_add(w).wrapping_sub(now_ns);
        Decision {
            allowed,
            remaining: self.limit - new_len,
            retry_after_ns: std::hint::select_unpredictable(allowed, 0, retry_after_ns),
            // new_len >= 1: `base` is the newest timestamp, not expired.
            reset_ns: base.saturating_add(w).wrapping_sub(now_ns),
        }
    }

    /// Admits `cost` at `now_ns` on top of `live` (oldest first) by moving the log to the heap.
    #[cold]
    #[inline(never)]
    fn spill(&self, state: &mut SlidingLogState, live: &[u64], now_ns: u64, cost: u64) -> Decision {
        state.spill_with(live, now_ns, cost as usize, self.limit as usize);
        let w = self.window_ns;
        Decision {
            allowed: true,
            remaining: self.limit - live.len() as u64 - cost,
            retry_after_ns: 0,
            reset_ns: now_ns.saturating_add(w) - now_ns,
        }
    }

    /// The log is inline, any cost: the plain rule. Expiry is counted without branches (the
    /// inline timestamps are sorted, so the expired ones are a prefix).
    #[inline]
    fn decide_inline(&self, state: &mut SlidingLogState, now_ns: u64, cost: u64) -> Decision {
        if cost == 1 {
            return self.decide_inline_one(state, now_ns);
        }
        let w = self.window_ns;
        let len = (state.packed & LEN_MASK) as usize;
        let slots = state.inline_slots();
        let now_ns = now_ns.max(if len > 0 { state.newest_ns } else { 0 });
        let mut expired = 0;
        for (i, &ts) in slots.iter().enumerate() {
            expired += usize::from((i < len) & (ts.saturating_add(w) <= now_ns));
        }
        let live = &slots[expired.min(len)..len];
        let used = live.len() as u64;
        let allowed = cost <= self.limit - used;
        let (retry_after_ns, newest) = if allowed {
            let mut log = [now_ns; SLIDING_LOG_INLINE];
            log[..live.len()].copy_from_slice(live);
            let new_len = live.len() + cost as usize;
            if new_len > SLIDING_LOG_INLINE || !state.set_inline(&log[..new_len]) {
                state.spill_with(live, now_ns, cost as usize, self.limit as usize);
            }
            (
                0,
                if cost > 0 {
                    Some(now_ns)
                } else {
                    live.last().copied()
                },
            )
        } else {
            // Dropping expired timestamps keeps the distances of the rest (set_inline succeeds).
            state.set_inline(live);
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

    /// The log is in the heap ring. At cost 1 with the ring not needing to grow, one expiry and
    /// the push are done without data-dependent branches (a log at its limit typically loses its
    /// oldest entry on a coin toss).
    fn decide_spilled(&self, state: &mut SlidingLogState, now_ns: u64, cost: u64) -> Decision {
        let w = self.window_ns;
        let Some(spill) = state.spill.as_deref_mut() else {
            // Unreachable (the flag is only set with a ring); an empty log is the safe reading.
            state.packed = 0;
            return self.decide_inline(state, now_ns, cost);
        };
        let len = spill.len as usize;
        let back = spill.get(len.saturating_sub(1));
        let now_ns = now_ns.max(if len > 0 { back } else { 0 });
        let first_expired = len > 0 && spill.ring[spill.head as usize].saturating_add(w) <= now_ns;
        spill.head = spill.index(usize::from(first_expired)) as u32;
        spill.len -= u32::from(first_expired);
        spill.expire(now_ns, w);
        let len = spill.len as usize;
        if len <= SLIDING_LOG_INLINE {
            let mut log = [0; SLIDING_LOG_INLINE];
            for (i, slot) in log.iter_mut().enumerate().take(len) {
                *slot = spill.get(i);
            }
            if let Some((newest_ns, packed)) = encode_inline(&log[..len]) {
                state.newest_ns = newest_ns;
                state.packed = packed;
                return self.decide_inline(state, now_ns, cost);
            }
        }
        let used = len as u64;
        let allowed = cost <= self.limit - used;
        if cost == 1 && !(allowed && len == spill.ring.len()) {
            // The slot after the newest is free unless the ring is full, and then this is a
            // denial: write the slot only if admitted.
            let tail = spill.index(len);
            spill.ring[tail] = std::hint::select_unpredictable(allowed, now_ns, spill.ring[tail]);
            spill.len += u32::from(allowed);
            // Denied at cost 1 means the log is full (len = limit >= 1): the oldest must expire.
            let retry_after_ns = spill.ring[spill.head as usize]
                .saturating_add(w)
                .wrapping_sub(now_ns);
            let newest = std::hint::select_unpredictable(allowed, now_ns, back);
            return Decision {
                allowed,
                remaining: self.limit - u64::from(spill.len),
                retry_after_ns: std::hint::select_unpredictable(allowed, 0, retry_after_ns),
                // len > SLIDING_LOG_INLINE >= 1: `back` is live.
                reset_ns: newest.saturating_add(w) - now_ns,
            };
        }
        let retry_after_ns = if allowed {
            spill.push_back(now_ns, cost as usize, self.limit as usize);
            0
        } else if cost > self.limit {
            RETRY_NEVER_NS
        } else {
            // The (used + cost - limit)-th oldest entry must expire first.
            let must_expire = (used + cost - self.limit) as usize;
            spill.get(must_expire - 1).saturating_add(w) - now_ns
        };
        let newest = spill.get(spill.len as usize - 1);
        Decision {
            allowed,
            remaining: self.limit - u64::from(spill.len),
            retry_after_ns,
            reset_ns: newest.saturating_add(w) - now_ns,
        }
    }
}

impl Algorithm for SlidingLog {
    type State = SlidingLogState;

    #[inline]
    fn decide(&self, state: &mut SlidingLogState, now_ns: u64, cost: u64) -> Decision {
        if state.packed & SPILLED == 0 {
            self.decide_inline(state, now_ns, cost)
        } else {
            self.decide_spilled(state, now_ns, cost)
        }
    }

    fn full_at_ns(&self, state: &SlidingLogState) -> u64 {
        state
            .back()
            .map_or(0, |ts| ts.saturating_add(self.window_ns))
    }

    fn reset(&self, state: &mut SlidingLogState) {
        // Keeps the heap ring, if any, for reuse.
        state.packed = 0;
    }

    fn make_exhausted(&self, state: &mut SlidingLogState, full_at_ns: u64, _now_ns: u64) {
        // `limit` phantom entries that expire at `full_at_ns` outlive every entry of any log that
        // is empty by then, so they block at least as much.
        let ts = full_at_ns.saturating_sub(self.window_ns);
        let limit = self.limit as usize;
        if limit > SLIDING_LOG_INLINE || !state.set_inline(&[ts; SLIDING_LOG_INLINE][..limit]) {
            state.spill_with(&[], ts, limit, limit);
        }
    }

    /// The heap ring (at most `limit` timestamps) plus its small header.
    fn heap_bytes_bound(&self) -> u64 {
        self.limit * std::mem::size_of::<u64>() as u64 + std::mem::size_of::<Spill>() as u64
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::SplitMix64;
    use std::collections::VecDeque;

    /// The plain `VecDeque` sliding log this module's ring layout replaced, kept as the oracle.
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
            // Windows over 2^30 ns: inline distances can overflow and force the heap ring.
            (3, 3_000),
            (5, 5_000),
            (2, 2_000),
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
                assert!(state.to_vec().iter().eq(oracle.log_ns.iter()));
                assert!(state
                    .spill
                    .as_ref()
                    .is_none_or(|s| s.ring.len() as u64 <= limit));
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
        assert_eq!(std::mem::size_of::<Spill>(), 24);
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
