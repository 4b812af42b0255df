//! u64 key -> slab slot map (order id -> order slot, price -> level slot): open addressing with
//! linear probing and backward-shift deletion.
//!
//! Each entry is 8 bytes: 32 hash bits (the "tag") and the 32-bit slab slot. The key itself is
//! not stored; a tag match is confirmed by reading the key from the slab, which the caller reads
//! anyway. This keeps the index at 8 bytes x capacity (capacity <= 4 x live orders at load <= 1/2
//! just after a doubling), which is what makes the <= 64 B per live order budget reachable.

const EMPTY: u64 = u64::MAX;
/// Smallest table (entries); the table never shrinks below this.
const MIN_CAPACITY_BITS: u32 = 4;
/// Largest table (entries): 2^32, because tags carry 32 hash bits.
const MAX_CAPACITY_BITS: u32 = 32;

/// Where an absent key would be inserted (valid until the table is modified).
#[derive(Clone, Copy, Debug)]
pub(crate) struct Vacancy {
    pos: usize,
    tag: u32,
}

/// Outcome of [`KeyIndex::probe`].
#[derive(Clone, Copy, Debug)]
pub(crate) enum Probe {
    Found { pos: usize, slot: u32 },
    Vacant(Vacancy),
}

#[derive(Clone, Debug)]
pub(crate) struct KeyIndex {
    entries: Vec<u64>,
    bits: u32,
    /// `entries.len() - 1`.
    mask: usize,
    len: usize,
}

/// Hash of a key: its low 16 bits kept as they are, everything above mixed in by a multiply.
///
/// Keeping the low bits makes runs of nearby keys (sequential order ids, neighbouring prices)
/// land in neighbouring entries, so the duplicate-id probe for a fresh id hits the cache line
/// the previous insert just touched. The multiply scatters blocks of 2^16 keys (and strided
/// keys, whose high part changes every few keys) across the table. Adversarial keys can still
/// collide, which costs probe time, never correctness.
#[inline(always)]
fn tag_of(key: u64) -> u32 {
    let x = (key ^ (key >> 29)).wrapping_mul(0x9E37_79B9_7F4A_7C15);
    (x >> 32) as u32
}

impl KeyIndex {
    pub(crate) fn new() -> Self {
        Self::with_bits(MIN_CAPACITY_BITS)
    }

    pub(crate) fn with_capacity(live: usize) -> Self {
        let mut bits = MIN_CAPACITY_BITS;
        while bits < MAX_CAPACITY_BITS && (1usize << bits) < live.saturating_mul(2) {
            bits += 1;
        }
        Self::with_bits(bits)
    }

    fn with_bits(bits: u32) -> Self {
        KeyIndex {
            entries: vec![EMPTY; 1 << bits],
            bits,
            mask: (1 << bits) - 1,
            len: 0,
        }
    }

    #[inline(always)]
    fn home(&self, tag: u32) -> usize {
        tag as usize & self.mask()
    }

    #[inline(always)]
    fn mask(&self) -> usize {
        self.mask
    }

    /// Looks `key` up, where `key_at(slot)` returns the key stored in the slab at `slot`.
    /// The returned position stays valid until the table is next modified.
    #[inline]
    pub(crate) fn probe(&self, key: u64, key_at: impl Fn(u32) -> u64) -> Probe {
        let tag = tag_of(key);
        let mask = self.mask();
        let mut i = self.home(tag);
        loop {
            let e = self.entries[i];
            if e == EMPTY {
                return Probe::Vacant(Vacancy { pos: i, tag });
            }
            if (e >> 32) as u32 == tag {
                let slot = e as u32;
                if key_at(slot) == key {
                    return Probe::Found { pos: i, slot };
                }
            }
            i = (i + 1) & mask;
        }
    }

    /// Slot of `key`, where `key_at(slot)` returns the key stored in the slab at `slot`.
    #[inline]
    pub(crate) fn find(&self, key: u64, key_at: impl Fn(u32) -> u64) -> Option<u32> {
        match self.probe(key, key_at) {
            Probe::Found { slot, .. } => Some(slot),
            Probe::Vacant(_) => None,
        }
    }

    /// Inserts at a vacancy returned by [`KeyIndex::probe`] with no modification since.
    #[inline]
    pub(crate) fn insert_vacant(&mut self, vacancy: Vacancy, slot: u32) {
        if (self.len + 1) * 2 > self.entries.len() && self.bits < MAX_CAPACITY_BITS {
            self.grow();
            self.place(vacancy.tag, slot);
        } else {
            debug_assert_eq!(self.entries[vacancy.pos], EMPTY);
            self.entries[vacancy.pos] = ((vacancy.tag as u64) << 32) | slot as u64;
        }
        self.len += 1;
    }

    /// Inserts `id -> slot`; the caller guarantees `id` is absent.
    #[inline]
    pub(crate) fn insert(&mut self, id: u64, slot: u32) {
        if (self.len + 1) * 2 > self.entries.len() && self.bits < MAX_CAPACITY_BITS {
            self.grow();
        }
        let tag = tag_of(id);
        self.place(tag, slot);
        self.len += 1;
    }

    #[inline(always)]
    fn place(&mut self, tag: u32, slot: u32) {
        let mask = self.mask();
        let mut i = self.home(tag);
        while self.entries[i] != EMPTY {
            i = (i + 1) & mask;
        }
        self.entries[i] = ((tag as u64) << 32) | slot as u64;
    }

    #[cold]
    #[inline(never)]
    fn grow(&mut self) {
        let len = self.len;
        let old = std::mem::replace(self, Self::with_bits(self.bits + 1)).entries;
        self.len = len;
        for e in old {
            if e != EMPTY {
                self.place((e >> 32) as u32, e as u32);
            }
        }
    }

    /// Removes `key`; returns its slot if it was present.
    #[inline]
    pub(crate) fn remove(&mut self, key: u64, key_at: impl Fn(u32) -> u64) -> Option<u32> {
        match self.probe(key, key_at) {
            Probe::Found { pos, slot } => {
                self.remove_at(pos);
                Some(slot)
            }
            Probe::Vacant(_) => None,
        }
    }

    /// Removes the entry at a position returned by [`KeyIndex::probe`] with no modification
    /// since.
    #[inline]
    pub(crate) fn remove_at(&mut self, i: usize) {
        debug_assert_ne!(self.entries[i], EMPTY);
        let mask = self.mask();
        // Backward-shift deletion: pull later entries of the probe run into the hole when their
        // home position does not lie cyclically in (hole, j].
        let mut hole = i;
        let mut j = (i + 1) & mask;
        loop {
            let e = self.entries[j];
            if e == EMPTY {
                break;
            }
            let home = self.home((e >> 32) as u32);
            let dist_home = j.wrapping_sub(home) & mask;
            let dist_hole = j.wrapping_sub(hole) & mask;
            if dist_home >= dist_hole {
                self.entries[hole] = e;
                hole = j;
            }
            j = (j + 1) & mask;
        }
        self.entries[hole] = EMPTY;
        self.len -= 1;
    }

    pub(crate) fn len(&self) -> usize {
        self.len
    }

    pub(crate) fn capacity_bytes(&self) -> usize {
        self.entries.capacity() * std::mem::size_of::<u64>()
    }

    /// Releases storage back to the fresh-table size when empty; otherwise keeps it.
    pub(crate) fn shrink_if_empty(&mut self) {
        if self.len == 0 {
            *self = KeyIndex::new();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    #[test]
    fn insert_find_remove_match_a_hashmap() {
        let mut ids: Vec<u64> = Vec::new();
        let mut idx = KeyIndex::new();
        let mut model: HashMap<u64, u32> = HashMap::new();
        let mut x: u64 = 12345;
        for step in 0..20_000u64 {
            x = x
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            let id = (x >> 40) % 3000;
            if let Some(&slot) = model.get(&id) {
                let ids_ref = &ids;
                assert_eq!(idx.find(id, |s| ids_ref[s as usize]), Some(slot));
                if step % 2 == 0 {
                    assert_eq!(idx.remove(id, |s| ids_ref[s as usize]), Some(slot));
                    model.remove(&id);
                }
            } else {
                let ids_ref = &ids;
                assert_eq!(idx.find(id, |s| ids_ref[s as usize]), None);
                let slot = ids.len() as u32;
                ids.push(id);
                idx.insert(id, slot);
                model.insert(id, slot);
            }
            assert_eq!(idx.len(), model.len());
        }
        for (&id, &slot) in &model {
            assert_eq!(idx.find(id, |s| ids[s as usize]), Some(slot));
        }
    }
}
