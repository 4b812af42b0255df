//! Keyed limiting with bounded memory: a set-associative table of `capacity` slots (sets of
//! [`WAYS`] ways) holding one algorithm state per key, and an eviction rule that never hands an
//! evicted key extra allowance.
//!
//! The rule: while the table holds a key, the key decides on its own state exactly as a
//! `HashMap<u64, A::State>` of default-started states would; a key that was evicted comes back
//! no less restricted than it left (below).
//!
//! Fast path: a lookup matches 7-bit tags of both candidate sets in a few word operations (SWAR)
//! and picks the entry without a branch on which set matched; a tag collision or a new key takes
//! the slow path. Held to the rule by `decides_like_a_map_of_states_while_nothing_is_evicted` and
//! `tag_words_find_exactly_the_matching_bytes` below; the eviction rule by
//! `evicted_keys_gain_no_allowance_and_the_naive_rule_would` below and by
//! `tests/keyed_bounds.rs::per_key_bounds_survive_eviction`.
//!
//! # Eviction rule and why it is safe
//! A key hashes (seeded SplitMix64 finaliser) to two candidate sets and lives in one of them
//! (two-choice placement into the emptier set keeps sets evenly filled: with random keys, 0.7 % of
//! insertions evict at 90 % load and 4.1 % at 100 %). When a new key finds both sets full, the way whose state
//! becomes fresh soonest (`Algorithm::full_at_ns`) across the two sets is evicted. If that
//! state is already fresh, nothing is lost. Otherwise the set remembers a *ghost*:
//! `ghost_full_at_ns = max(ghost, victim.full_at_ns)`. Every key inserted into the set while the
//! ghost is still in the future starts from `Algorithm::make_exhausted(ghost)` (the later ghost of
//! its two candidate sets, since it may have been evicted from either), a state at least as
//! restrictive as any state that is fresh by the ghost time.
//!
//! Argument: between its eviction and its return, an evicted key made no request (a request would
//! have re-inserted it), so its true state at return time is its state at eviction, aged. That
//! state is fresh by `victim.full_at_ns <= ghost`, so the state it gets back is at least as
//! restrictive: its allowance can only shrink. The per-algorithm admission bounds therefore hold
//! per key across any number of evictions — an evicted key gains zero extra allowance, inside the
//! "at most one burst" the spec allows. The price: an unrelated new key landing in a set with a
//! live ghost is treated as exhausted until the ghost time (at most one burst horizon, `burst/rate`
//! or two windows). That only happens when more keys are active than the table holds; the
//! `lossy_evictions` counter reports it.
//!
//! # Layout
//! Per set: one tag word (8 one-byte tags: 0 = empty, otherwise 7 hash bits with the top bit set)
//! kept in a separate dense array that stays in cache, a ghost time in another, and the entries
//! `(key, state)` side by side, each set's 8 entries aligned to a cache line, so a hit touches one
//! entry line (two for a 24-byte entry that straddles a line boundary: 2 of every 8). A lookup
//! compares all 8 tags of both candidate sets at once (SWAR) and reads one entry, chosen without
//! a branch on which set matched (the first tag match of the first set, else of the second); only a tag collision or a
//! key not yet tracked takes the slow path, which checks every matching way of both sets.
//!
//! Keys are `u64`; callers with string keys hash them (the replay tool uses 64-bit FNV-1a +
//! SplitMix64; two of 100 000 keys collide with probability about 2.7e-10).

use crate::decision::{Algorithm, Decision, Limiter};
use crate::error::ConfigError;
use crate::state_view::{Inspect, StateView};
use deterministic::mix64;

/// Ways per set: one set's tags fit in one u64.
pub const WAYS: usize = 8;
/// Upper bound on the table capacity (slots).
pub const MAX_CAPACITY: u64 = 1 << 24;

/// Mixed into a key's hash for its second candidate set.
const SECOND_SET_SALT: u64 = 0x6a09_e667_f3bc_c909;

const LOW_BITS: u64 = 0x0101_0101_0101_0101;
const HIGH_BITS: u64 = 0x8080_8080_8080_8080;
const LOW7_BITS: u64 = 0x7f7f_7f7f_7f7f_7f7f;

/// High bit of each byte set iff that byte is non-zero (exact: no carries cross bytes).
#[inline]
fn nonzero_bytes(x: u64) -> u64 {
    (((x & LOW7_BITS) + LOW7_BITS) | x) & HIGH_BITS
}

/// Bit `w` set iff byte `w` has its high bit set in `high_bits`.
#[inline]
fn way_mask(high_bits: u64) -> u8 {
    // Gather bits 7, 15, ..., 63 into one byte.
    ((high_bits >> 7).wrapping_mul(0x0102_0408_1020_4080) >> 56) as u8
}

#[derive(Clone, Default)]
struct Entry<S> {
    key: u64,
    state: S,
}

/// One set's entries, aligned to a cache line so that 16- and 32-byte entries never straddle two
/// lines (every entry size here makes a set a whole number of lines; 24-byte entries straddle in
/// 2 of the 8 ways).
#[repr(align(64))]
struct Set<S>([Entry<S>; WAYS]);

/// Counters the table keeps about itself.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct KeyTableStats {
    pub tracked_keys: u64,
    /// Evictions of keys whose state was already fresh (no information lost).
    pub fresh_evictions: u64,
    /// Evictions of keys whose state was not yet fresh (recorded in the set's ghost).
    pub lossy_evictions: u64,
}

/// A fixed-capacity keyed limiter running algorithm `A`.
pub struct KeyTable<A: Algorithm> {
    algorithm: A,
    /// One tag word per set.
    tags: Vec<u64>,
    /// One ghost time per set.
    ghosts_full_at_ns: Vec<u64>,
    /// `WAYS` entries per set.
    sets: Vec<Set<A::State>>,
    set_count: u64,
    hash_seed: u64,
    stats: KeyTableStats,
    #[cfg(test)]
    pub(crate) unsafe_fresh_reinsert: bool,
}

impl<A: Algorithm> KeyTable<A> {
    /// A table of `capacity` slots, rounded up to a multiple of [`WAYS`].
    pub fn new(algorithm: A, capacity: u64, hash_seed: u64) -> Result<Self, ConfigError> {
        if capacity == 0 {
            return Err(ConfigError::ZeroCapacity {
                what: "key table capacity",
            });
        }
        if capacity > MAX_CAPACITY {
            return Err(ConfigError::TooLarge {
                what: "key table capacity",
                value: capacity,
                max: MAX_CAPACITY,
            });
        }
        let set_count = capacity.div_ceil(WAYS as u64);
        Ok(KeyTable {
            algorithm,
            tags: vec![0; set_count as usize],
            ghosts_full_at_ns: vec![0; set_count as usize],
            sets: (0..set_count)
                .map(|_| Set(std::array::from_fn(|_| Entry::default())))
                .collect(),
            set_count,
            hash_seed,
            stats: KeyTableStats::default(),
            #[cfg(test)]
            unsafe_fresh_reinsert: false,
        })
    }

    pub fn algorithm(&self) -> &A {
        &self.algorithm
    }

    /// Slots actually allocated (capacity rounded up to a multiple of [`WAYS`]).
    pub fn capacity(&self) -> u64 {
        self.set_count * WAYS as u64
    }

    pub fn stats(&self) -> KeyTableStats {
        self.stats
    }

    /// Bytes of table memory per tracked key slot (entry, tag byte, share of the set's ghost),
    /// rounded up, not counting heap owned by a state (see [`Self::heap_bytes_per_key_bound`]).
    pub fn bytes_per_key() -> u64 {
        let per_set =
            WAYS * std::mem::size_of::<Entry<A::State>>() + 2 * std::mem::size_of::<u64>();
        per_set.div_ceil(WAYS) as u64
    }

    /// Upper bound on heap bytes one key's state can own (sliding log: `8 × limit`, the limit
    /// rounded up to a power of two).
    pub fn heap_bytes_per_key_bound(&self) -> u64 {
        self.algorithm.heap_bytes_bound()
    }

    /// Set index from a 64-bit hash (multiply-high: uniform over `set_count`).
    #[inline]
    fn set_of(&self, h: u64) -> usize {
        deterministic::mul_hi(h, self.set_count) as usize
    }

    /// The way holding `key` in `set`, if any.
    #[inline]
    fn find_way(&self, set: usize, tag: u8, key: u64) -> Option<usize> {
        let mut ways = Self::tag_matches(self.tags[set], tag);
        while ways != 0 {
            let way = ways.trailing_zeros() as usize;
            if self.sets[set].0[way].key == key {
                return Some(way);
            }
            ways &= ways - 1;
        }
        None
    }

    /// Bit `w` set iff way `w` of the set with tag word `tags` carries `tag`.
    #[inline]
    fn tag_matches(tags: u64, tag: u8) -> u8 {
        way_mask(HIGH_BITS & !nonzero_bytes(tags ^ (u64::from(tag) * LOW_BITS)))
    }

    #[inline]
    pub fn check(&mut self, key: u64, now_ns: u64, cost: u64) -> Decision {
        let (first, second, tag) = self.locate(key);
        // Both tag words sit in a small dense array; pick the slot to read without a branch on
        // which set matched (two-choice placement puts about half the keys in their second set,
        // so that branch would mispredict and stall the next decision's loads behind this one's
        // miss). The first tag match of the first set, else of the second, is the key's slot
        // unless a 7-bit tag collides; the slow path below resolves every other case.
        let in_first = Self::tag_matches(self.tags[first], tag);
        let in_second = Self::tag_matches(self.tags[second], tag);
        let way_first = in_first.trailing_zeros() as usize;
        // `| 0x80`: an empty mask still names a way in range (its key check then fails or, if
        // some way matched, that way's tag matched too).
        let way_second = (in_second | 0x80).trailing_zeros() as usize;
        let (set, way) = std::hint::select_unpredictable(
            in_first != 0,
            (first, way_first),
            (second, way_second),
        );
        if (in_first | in_second) != 0 && self.sets[set].0[way].key == key {
            let entry = &mut self.sets[set].0[way];
            return self.algorithm.decide(&mut entry.state, now_ns, cost);
        }
        self.check_slow(key, tag, first, second, now_ns, cost)
    }

    /// Tag collisions and keys not yet tracked.
    #[cold]
    #[inline(never)]
    fn check_slow(
        &mut self,
        key: u64,
        tag: u8,
        first: usize,
        second: usize,
        now_ns: u64,
        cost: u64,
    ) -> Decision {
        let found = [first, second]
            .into_iter()
            .find_map(|set| self.find_way(set, tag, key).map(|way| (set, way)));
        match found {
            Some((set, way)) => {
                let entry = &mut self.sets[set].0[way];
                self.algorithm.decide(&mut entry.state, now_ns, cost)
            }
            None => self.insert(key, tag, first, second, now_ns, cost),
        }
    }

    /// The two candidate sets and the tag of `key`.
    #[inline]
    fn locate(&self, key: u64) -> (usize, usize, u8) {
        let h = mix64(key ^ self.hash_seed);
        // Top bit set so a live tag is never the empty tag 0.
        (
            self.set_of(h),
            self.set_of(mix64(h ^ SECOND_SET_SALT)),
            (h as u8) | 0x80,
        )
    }

    /// The way whose state is fresh soonest, and when.
    fn victim(&self, set: usize) -> (usize, u64) {
        let mut victim = (0, u64::MAX);
        for way in 0..WAYS {
            let full_at_ns = self.algorithm.full_at_ns(&self.sets[set].0[way].state);
            if full_at_ns < victim.1 {
                victim = (way, full_at_ns);
            }
        }
        victim
    }

    #[inline]
    fn insert(
        &mut self,
        key: u64,
        tag: u8,
        first: usize,
        second: usize,
        now_ns: u64,
        cost: u64,
    ) -> Decision {
        // A returning key may have been evicted from either candidate set.
        let mut ghost_ns = self.ghosts_full_at_ns[first].max(self.ghosts_full_at_ns[second]);
        let occupied = |tags: u64| way_mask(nonzero_bytes(tags));
        let load = |set: usize| occupied(self.tags[set]).count_ones();
        let (set, way) = if load(first).min(load(second)) < WAYS as u32 {
            // Two-choice placement: the emptier set keeps the sets evenly filled.
            let set = if load(second) < load(first) {
                second
            } else {
                first
            };
            let way = (!occupied(self.tags[set])).trailing_zeros() as usize;
            self.stats.tracked_keys += 1;
            (set, way)
        } else {
            let a = self.victim(first);
            let b = self.victim(second);
            let (set, (way, full_at_ns)) = if b.1 < a.1 { (second, b) } else { (first, a) };
            if full_at_ns > now_ns {
                let ghost = &mut self.ghosts_full_at_ns[set];
                *ghost = (*ghost).max(full_at_ns);
                ghost_ns = ghost_ns.max(full_at_ns);
                self.stats.lossy_evictions += 1;
            } else {
                self.stats.fresh_evictions += 1;
            }
            (set, way)
        };
        let shift = 8 * way;
        self.tags[set] = (self.tags[set] & !(0xff << shift)) | (u64::from(tag) << shift);
        #[cfg(test)]
        let use_ghost = !self.unsafe_fresh_reinsert;
        #[cfg(not(test))]
        let use_ghost = true;
        let entry = &mut self.sets[set].0[way];
        entry.key = key;
        if use_ghost && ghost_ns > now_ns {
            self.algorithm
                .make_exhausted(&mut entry.state, ghost_ns, now_ns);
        } else {
            self.algorithm.reset(&mut entry.state);
        }
        self.algorithm.decide(&mut entry.state, now_ns, cost)
    }
}

impl<A: Algorithm + Inspect> KeyTable<A> {
    /// The state of `key` as of `now_ns`, if the table tracks it; decides nothing.
    pub fn view(&self, key: u64, now_ns: u64) -> Option<StateView> {
        let (first, second, tag) = self.locate(key);
        [first, second].into_iter().find_map(|set| {
            self.find_way(set, tag, key)
                .map(|way| self.algorithm.view(&self.sets[set].0[way].state, now_ns))
        })
    }
}

impl<A: Algorithm> Limiter for KeyTable<A> {
    #[inline]
    fn check(&mut self, key: u64, now_ns: u64, cost: u64) -> Decision {
        KeyTable::check(self, key, now_ns, cost)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::LimitConfig;
    use crate::{FixedWindow, Gcra, SlidingLog, SlidingWindow, TokenBucket};
    use deterministic::SplitMix64;
    use std::collections::HashMap;

    fn cfg(rate_per_s: u64, burst: u64, window_ms: u64) -> LimitConfig {
        LimitConfig {
            rate_per_s,
            burst,
            window_ms,
        }
    }

    /// Many more keys than slots hammering one set; returns admitted times per key.
    fn thrash<A: Algorithm>(
        table: &mut KeyTable<A>,
        seed: u64,
        keys: u64,
    ) -> HashMap<u64, Vec<u64>> {
        let mut rng = SplitMix64::new(seed);
        let mut now = 0u64;
        let mut admitted: HashMap<u64, Vec<u64>> = HashMap::new();
        for _ in 0..4_000 {
            now += rng.below(20_000_000);
            let key = rng.below(keys);
            for _ in 0..rng.range_inclusive(1, 8) {
                if table.check(key, now, 1).allowed {
                    admitted.entry(key).or_default().push(now);
                }
            }
        }
        admitted
    }

    fn worst_excess(admitted: &HashMap<u64, Vec<u64>>, bound: impl Fn(u64) -> u64) -> i64 {
        let mut worst = i64::MIN;
        for times in admitted.values() {
            for i in 0..times.len() {
                for j in i..times.len() {
                    let n = (j - i + 1) as i64;
                    worst = worst.max(n - bound(times[j] - times[i]) as i64);
                }
            }
        }
        worst
    }

    #[test]
    fn evicted_keys_gain_no_allowance_and_the_naive_rule_would() {
        let (rate, burst) = (10, 5);
        let bound = |len: u64| burst + len * rate / 1_000_000_000;
        for seed in 0..4 {
            let mut safe =
                KeyTable::new(TokenBucket::new(&cfg(rate, burst, 1000)).unwrap(), 8, seed).unwrap();
            let admitted = thrash(&mut safe, seed, 40);
            assert!(safe.stats().lossy_evictions > 100);
            assert!(worst_excess(&admitted, bound) <= 0, "seed {seed}");

            let mut naive =
                KeyTable::new(TokenBucket::new(&cfg(rate, burst, 1000)).unwrap(), 8, seed).unwrap();
            naive.unsafe_fresh_reinsert = true;
            let admitted = thrash(&mut naive, seed, 40);
            // Re-inserting evicted keys fresh hands out extra bursts: the check above can fail.
            assert!(worst_excess(&admitted, bound) > 0, "seed {seed}");
        }
    }

    #[test]
    fn eviction_keeps_gcra_and_window_bounds_per_key() {
        let g = Gcra::new(&cfg(10, 3, 1000)).unwrap();
        let mut t = KeyTable::new(g, 8, 3).unwrap();
        let admitted = thrash(&mut t, 3, 30);
        assert!(worst_excess(&admitted, |len| 3 + len / 100_000_000) <= 0);

        // Windows of 200 ms with limit 2.
        let w = cfg(10, 1, 200);
        let window_ns = 200_000_000;
        let mut t = KeyTable::new(SlidingLog::new(&w).unwrap(), 8, 5).unwrap();
        let admitted = thrash(&mut t, 5, 30);
        assert!(t.stats().lossy_evictions > 0);
        for times in admitted.values() {
            for i in 0..times.len() {
                let n = times[i..]
                    .iter()
                    .take_while(|&&s| s < times[i] + window_ns)
                    .count();
                assert!(n <= 2);
            }
        }
        let mut t = KeyTable::new(FixedWindow::new(&w).unwrap(), 8, 6).unwrap();
        let admitted = thrash(&mut t, 6, 30);
        for times in admitted.values() {
            let mut per_window: HashMap<u64, u64> = HashMap::new();
            for &s in times {
                *per_window.entry(s / window_ns).or_default() += 1;
            }
            assert!(per_window.values().all(|&n| n <= 2));
        }
        let mut t = KeyTable::new(SlidingWindow::new(&w).unwrap(), 8, 7).unwrap();
        let admitted = thrash(&mut t, 7, 30);
        for times in admitted.values() {
            for i in 0..times.len() {
                // The counter's estimate caps real admissions at 2 × limit per sliding window.
                let n = times[i..]
                    .iter()
                    .take_while(|&&s| s < times[i] + window_ns)
                    .count();
                assert!(n <= 4);
            }
        }
    }

    #[test]
    fn decides_like_a_map_of_states_while_nothing_is_evicted() {
        fn agree<A: Algorithm>(algorithm: A, seed: u64) {
            let mut rng = SplitMix64::new(seed);
            // 160 keys in 32 sets of 8 (62 % load): two-choice placement keeps every key, and
            // 7-bit tags collide often enough to exercise the slow path.
            let keys: Vec<u64> = (0..160).map(|_| rng.next_u64()).collect();
            let mut table = KeyTable::new(algorithm, 256, seed).unwrap();
            let mut map: HashMap<u64, A::State> = HashMap::new();
            let mut now = 0u64;
            for step in 0..40_000 {
                now += rng.below(2_000_000);
                let key = keys[rng.below(keys.len() as u64) as usize];
                let cost = 1 + rng.below(2);
                let want = table
                    .algorithm
                    .decide(map.entry(key).or_default(), now, cost);
                assert_eq!(table.check(key, now, cost), want, "step {step}");
            }
            let s = table.stats();
            assert_eq!(
                (s.tracked_keys, s.fresh_evictions + s.lossy_evictions),
                (160, 0)
            );
        }
        let (rate, window) = (cfg(50, 4, 1000), cfg(50, 1, 100));
        agree(TokenBucket::new(&rate).unwrap(), 1);
        agree(Gcra::new(&rate).unwrap(), 2);
        agree(FixedWindow::new(&window).unwrap(), 3);
        agree(SlidingLog::new(&window).unwrap(), 4);
        agree(SlidingWindow::new(&window).unwrap(), 5);
    }

    #[test]
    fn keys_within_capacity_are_never_evicted() {
        let mut t = KeyTable::new(Gcra::new(&cfg(1, 1, 1000)).unwrap(), 1024, 9).unwrap();
        for key in 0..200 {
            assert!(t.check(key, 0, 1).allowed);
        }
        // Every key is still tracked: a second request is denied.
        for key in 0..200 {
            assert!(!t.check(key, 1, 1).allowed);
        }
        let s = t.stats();
        assert_eq!(s.tracked_keys, 200);
        assert_eq!(s.fresh_evictions + s.lossy_evictions, 0);
    }

    #[test]
    fn two_choice_placement_fills_the_table_before_evicting() {
        let mut t = KeyTable::new(Gcra::new(&cfg(1, 1, 1000)).unwrap(), 100_000, 4).unwrap();
        let mut rng = SplitMix64::new(1);
        for _ in 0..100_000 {
            t.check(rng.next_u64(), 0, 1);
        }
        let s = t.stats();
        // Measured: 4.1 % of keys evicted at 100 % load, 0.7 % at 90 %.
        eprintln!("{s:?}");
        assert!(s.lossy_evictions < 5_000, "{s:?}");
        let mut t = KeyTable::new(Gcra::new(&cfg(1, 1, 1000)).unwrap(), 100_000, 4).unwrap();
        for _ in 0..90_000 {
            t.check(rng.next_u64(), 0, 1);
        }
        assert!(t.stats().lossy_evictions < 900, "{:?}", t.stats());
    }

    #[test]
    fn idle_keys_are_evicted_first_and_losslessly() {
        let mut t = KeyTable::new(Gcra::new(&cfg(10, 1, 1000)).unwrap(), 8, 11).unwrap();
        for key in 0..8 {
            t.check(key, 0, 1);
        }
        // Long after all are fresh, a new key evicts one without a ghost.
        assert!(t.check(100, 10_000_000_000, 1).allowed);
        assert_eq!(t.stats().fresh_evictions, 1);
        assert_eq!(t.stats().lossy_evictions, 0);
    }

    #[test]
    fn tag_words_find_exactly_the_matching_bytes() {
        let tags = 0x00_81_92_00_81_ff_00_81u64;
        assert_eq!(way_mask(nonzero_bytes(tags)), 0b0110_1101);
        let m = HIGH_BITS & !nonzero_bytes(tags ^ (0x81 * LOW_BITS));
        assert_eq!(way_mask(m), 0b0100_1001);
        assert_eq!(way_mask(HIGH_BITS & !nonzero_bytes(0)), 0xff);
    }

    #[test]
    fn bytes_per_key_meet_the_goal() {
        assert!(KeyTable::<TokenBucket>::bytes_per_key() <= 32);
        assert!(KeyTable::<Gcra>::bytes_per_key() <= 32);
        let log = KeyTable::new(SlidingLog::new(&cfg(100, 1, 1000)).unwrap(), 8, 1).unwrap();
        // Limit 100: a ring of at most 128 (the power of two that holds 100) 8-byte slots.
        assert_eq!(log.heap_bytes_per_key_bound(), 1024);
    }

    #[test]
    fn capacity_is_rounded_to_whole_sets_and_bounded() {
        let t = KeyTable::new(Gcra::new(&cfg(1, 1, 1000)).unwrap(), 100_000, 0).unwrap();
        assert_eq!(t.capacity(), 100_000);
        let t = KeyTable::new(Gcra::new(&cfg(1, 1, 1000)).unwrap(), 3, 0).unwrap();
        assert_eq!(t.capacity(), 8);
        assert!(KeyTable::new(Gcra::new(&cfg(1, 1, 1000)).unwrap(), MAX_CAPACITY + 1, 0).is_err());
    }
}
