//! The bounded in-memory Raft log (1-based indices). A prefix may be compacted into a
//! snapshot: then `offset` is the snapshot's last index and `offset_term` its term, and
//! entries start at `offset + 1`. Index 0 is the empty prefix with term 0.

use crate::message::Entry;

/// Default bound on log length (entries kept after the last snapshot).
pub const DEFAULT_MAX_LOG_ENTRIES: usize = 1 << 16;

#[derive(Clone, Debug, Default)]
pub struct RaftLog {
    entries: Vec<Entry>,
    offset: u64,
    offset_term: u64,
}

impl RaftLog {
    /// A log whose compacted prefix ends at (`offset`, `offset_term`) followed by `entries`.
    pub fn with_snapshot(offset: u64, offset_term: u64, entries: &[Entry]) -> Self {
        RaftLog {
            entries: entries.to_vec(),
            offset,
            offset_term,
        }
    }

    pub fn from_entries(entries: &[Entry]) -> Self {
        Self::with_snapshot(0, 0, entries)
    }

    /// Index of the last compacted entry (0 when nothing is compacted).
    pub fn offset(&self) -> u64 {
        self.offset
    }

    pub fn offset_term(&self) -> u64 {
        self.offset_term
    }

    /// Entries held in memory (after the snapshot).
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    pub fn last_index(&self) -> u64 {
        self.offset + self.entries.len() as u64
    }

    pub fn last_term(&self) -> u64 {
        self.entries.last().map_or(self.offset_term, |e| e.term)
    }

    /// Term of the entry at `index`: `Some` for the snapshot point and held entries, `None`
    /// past the end or inside the compacted prefix.
    pub fn term_at(&self, index: u64) -> Option<u64> {
        if index == self.offset {
            return Some(self.offset_term);
        }
        if index < self.offset {
            return None;
        }
        self.entries
            .get((index - self.offset - 1) as usize)
            .map(|e| e.term)
    }

    pub fn entry(&self, index: u64) -> Option<&Entry> {
        if index <= self.offset {
            return None;
        }
        self.entries.get((index - self.offset - 1) as usize)
    }

    /// Held entries `from..=to` (clamped to what is held).
    pub fn slice(&self, from: u64, to: u64) -> &[Entry] {
        let from = from.max(self.offset + 1);
        let to = to.min(self.last_index());
        if from > to {
            return &[];
        }
        &self.entries[(from - self.offset - 1) as usize..(to - self.offset) as usize]
    }

    pub fn push(&mut self, e: Entry) {
        debug_assert_eq!(e.index, self.last_index() + 1);
        self.entries.push(e);
    }

    /// Drops every held entry with index >= `from` (never the compacted prefix).
    pub fn truncate_from(&mut self, from: u64) {
        let from = from.max(self.offset + 1);
        self.entries.truncate((from - self.offset - 1) as usize);
    }

    /// Compacts entries up to `index` (which must be held or the snapshot point).
    pub fn compact(&mut self, index: u64) -> bool {
        let Some(term) = self.term_at(index) else {
            return false;
        };
        if index <= self.offset {
            return index == self.offset;
        }
        self.entries.drain(..(index - self.offset) as usize);
        self.offset = index;
        self.offset_term = term;
        true
    }

    /// Replaces the whole log by a snapshot point.
    pub fn reset_to_snapshot(&mut self, index: u64, term: u64) {
        self.entries.clear();
        self.offset = index;
        self.offset_term = term;
    }

    /// First index of the run of entries with the same term as `index` (for fast back-off).
    pub fn first_index_of_term_run(&self, index: u64) -> u64 {
        let Some(t) = self.term_at(index) else {
            return index;
        };
        let mut i = index;
        while i > self.offset + 1 && self.term_at(i - 1) == Some(t) {
            i -= 1;
        }
        i
    }

    /// Last index `<= upto` whose term is `term`, if any (searching held entries and the
    /// snapshot point).
    pub fn last_index_of_term(&self, term: u64, upto: u64) -> Option<u64> {
        let mut i = upto.min(self.last_index());
        while i >= self.offset.max(1) {
            let t = self.term_at(i)?;
            if t == term {
                return Some(i);
            }
            if t < term {
                return None;
            }
            i -= 1;
        }
        None
    }

    /// Held entries (after the snapshot point).
    pub fn entries(&self) -> &[Entry] {
        &self.entries
    }

    /// True when (`last_term`, `last_index`) is at least as up to date as this log (§5.4.1).
    pub fn is_up_to_date(&self, last_index: u64, last_term: u64) -> bool {
        last_term > self.last_term()
            || (last_term == self.last_term() && last_index >= self.last_index())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::message::Command;

    fn log(terms: &[u64]) -> RaftLog {
        let es: Vec<Entry> = terms
            .iter()
            .enumerate()
            .map(|(i, &t)| Entry {
                term: t,
                index: i as u64 + 1,
                cmd: Command::Noop,
            })
            .collect();
        RaftLog::from_entries(&es)
    }

    #[test]
    fn compaction_keeps_absolute_indices() {
        let mut l = log(&[1, 1, 2, 2, 3]);
        assert!(l.compact(3));
        assert_eq!(
            (l.offset(), l.offset_term(), l.last_index(), l.len()),
            (3, 2, 5, 2)
        );
        assert_eq!(l.term_at(3), Some(2));
        assert_eq!(l.term_at(2), None);
        assert_eq!(l.term_at(5), Some(3));
        assert_eq!(l.entry(4).map(|e| e.index), Some(4));
        assert_eq!(l.slice(1, 9).len(), 2);
        assert_eq!(l.first_index_of_term_run(4), 4);
        assert_eq!(l.last_index_of_term(2, 5), Some(4));
        assert_eq!(l.last_index_of_term(1, 5), None);
        l.truncate_from(2);
        assert_eq!(l.last_index(), 3);
        assert!(!l.compact(9));
    }
}
