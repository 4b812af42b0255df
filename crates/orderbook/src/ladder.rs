//! One side's price ladder: the non-empty price levels of that side kept in a sorted vector with
//! the best level at the end, so the touch is the cheapest place to look, insert and remove.
//!
//! Both sides sort ascending by a key in which "better" is larger: bids use the price itself,
//! asks use `u64::MAX - price` (computed as `price ^ u64::MAX`, so the key of either side is one
//! XOR with the ladder's mask and side-generic code needs no branch). Activity concentrates near
//! the touch, so searches scan a few entries back from the end before falling back to binary
//! search, and inserts/removals near the touch move only the few entries between the position
//! and the end.

use crate::command::Side;

/// Entries scanned linearly from the touch before switching to binary search.
const TOUCH_SCAN_ENTRIES: usize = 8;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Rung {
    pub(crate) key: u64,
    pub(crate) level: u32,
}

#[derive(Clone, Debug)]
pub(crate) struct Ladder {
    /// `0` for bids, `u64::MAX` for asks: `key(price) = price ^ flip`.
    flip: u64,
    rungs: Vec<Rung>,
}

impl Ladder {
    pub(crate) fn new(side: Side) -> Self {
        Ladder {
            flip: match side {
                Side::Buy => 0,
                Side::Sell => u64::MAX,
            },
            rungs: Vec::new(),
        }
    }

    /// The ordering key of `price` on this side (larger is better).
    #[inline(always)]
    pub(crate) fn key(&self, price: u64) -> u64 {
        price ^ self.flip
    }

    #[inline(always)]
    pub(crate) fn best(&self) -> Option<Rung> {
        self.rungs.last().copied()
    }

    #[inline(always)]
    pub(crate) fn pop_best(&mut self) {
        self.rungs.pop();
    }

    /// `Ok(index)` of the rung with `key`, or `Err(index)` where it would be inserted.
    #[inline]
    pub(crate) fn search(&self, key: u64) -> Result<usize, usize> {
        let n = self.rungs.len();
        let scan_floor = n.saturating_sub(TOUCH_SCAN_ENTRIES);
        let mut i = n;
        while i > scan_floor {
            let k = self.rungs[i - 1].key;
            if k == key {
                return Ok(i - 1);
            }
            if k < key {
                return Err(i);
            }
            i -= 1;
        }
        if i == 0 {
            return Err(0);
        }
        self.rungs[..i].binary_search_by(|r| r.key.cmp(&key))
    }

    #[inline]
    pub(crate) fn insert(&mut self, at: usize, key: u64, level: u32) {
        self.rungs.insert(at, Rung { key, level });
    }

    #[inline]
    pub(crate) fn remove(&mut self, at: usize) {
        self.rungs.remove(at);
    }

    #[inline]
    pub(crate) fn at(&self, i: usize) -> Rung {
        self.rungs[i]
    }

    pub(crate) fn len(&self) -> usize {
        self.rungs.len()
    }

    /// Rungs best first.
    pub(crate) fn iter_best_first(&self) -> impl Iterator<Item = Rung> + '_ {
        self.rungs.iter().rev().copied()
    }

    pub(crate) fn capacity_bytes(&self) -> usize {
        self.rungs.capacity() * std::mem::size_of::<Rung>()
    }

    pub(crate) fn shrink_to_fit(&mut self) {
        self.rungs.shrink_to_fit();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn search_finds_and_positions_like_binary_search() {
        let mut l = Ladder::new(Side::Buy);
        let keys: Vec<u64> = (0..40).map(|k| k * 3 + 1).collect();
        for (i, &k) in keys.iter().enumerate() {
            l.insert(i, k, i as u32);
        }
        for probe in 0..130u64 {
            let expect = keys.binary_search(&probe);
            assert_eq!(l.search(probe), expect, "probe {probe}");
        }
    }

    #[test]
    fn ask_keys_make_lower_prices_better() {
        let l = Ladder::new(Side::Sell);
        assert!(l.key(100) > l.key(101));
        let b = Ladder::new(Side::Buy);
        assert!(b.key(101) > b.key(100));
    }
}
