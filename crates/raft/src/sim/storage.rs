//! A node's stable storage: what survives a crash (hard state, the latest snapshot and the
//! entries after it). The simulator writes it from each `Ready` before sending anything.

use crate::checker::LogView;
use crate::message::{Entry, Snapshot};
use crate::node::HardState;

#[derive(Debug, Default)]
pub(super) struct Storage {
    pub(super) hard: HardState,
    /// The latest snapshot; `log` holds the entries after it.
    pub(super) snapshot: Option<Snapshot>,
    pub(super) log: Vec<Entry>,
}

impl Storage {
    pub(super) fn view(&self) -> LogView<'_> {
        let (offset, offset_term) = self.snapshot.as_ref().map_or((0, 0), |s| (s.index, s.term));
        LogView {
            offset,
            offset_term,
            entries: &self.log,
        }
    }

    /// Last index covered by the snapshot (0 when none).
    pub(super) fn offset(&self) -> u64 {
        self.snapshot.as_ref().map_or(0, |s| s.index)
    }

    pub(super) fn last_index(&self) -> u64 {
        self.offset() + self.log.len() as u64
    }

    /// Drops the stored entries from `first` on and appends `entries` (which start there).
    pub(super) fn persist_entries(&mut self, first: u64, entries: &[Entry]) {
        let keep = first.saturating_sub(1).saturating_sub(self.offset());
        self.log.truncate(keep as usize);
        self.log.extend_from_slice(entries);
    }

    /// Keeps the suffix after the snapshot if the entry at its index matches, otherwise
    /// drops the whole log (as the node does).
    pub(super) fn store_snapshot(&mut self, snap: Snapshot) {
        let view = self.view();
        if snap.index >= view.offset {
            if view.term(snap.index) == Some(snap.term) {
                let drop = (snap.index - view.offset) as usize;
                self.log.drain(..drop.min(self.log.len()));
            } else {
                self.log.clear();
            }
            self.snapshot = Some(snap);
        }
    }

    /// The voter set the stored state implies: the snapshot's (or `initial`) with every
    /// stored membership entry applied.
    pub(super) fn voters(&self, initial: u16) -> u16 {
        let base = self.snapshot.as_ref().map_or(initial, |s| s.voters);
        self.log.iter().fold(base, |v, e| e.cmd.apply_to_voters(v))
    }
}
