//! Log compaction and InstallSnapshot: the node compacts its applied prefix into a snapshot
//! the application provides, and a follower behind the leader's offset installs the leader's.

use super::Node;
use crate::error::RaftError;
use crate::message::{NodeId, Snapshot};
use std::sync::Arc;

impl Node {
    /// Compacts the log up to `index` (at most the applied index) into a snapshot whose
    /// state-machine `data` the application provides; the snapshot is what lagging followers
    /// receive. The caller persists the same snapshot and drops its stored prefix.
    pub fn compact(&mut self, index: u64, data: Arc<[u8]>) -> Result<Snapshot, RaftError> {
        if index > self.applied || index <= self.log.offset() {
            return Err(RaftError::InvalidSnapshot(format!(
                "compact to {index}: need offset {} < index <= applied {}",
                self.log.offset(),
                self.applied
            )));
        }
        let before = self.invariant_baseline();
        let term = self.log.term_at(index).unwrap_or(0);
        let mut voters = self.base_voters;
        for e in self.log.slice(self.log.offset() + 1, index) {
            voters = e.cmd.apply_to_voters(voters);
        }
        self.log.compact(index);
        self.base_voters = voters;
        self.clamp_unstable_to_offset();
        let snap = Snapshot {
            index,
            term,
            voters,
            data,
        };
        self.snapshot = Some(snap.clone());
        self.debug_check_invariants(before);
        Ok(snap)
    }

    /// The leader's snapshot: replaces the log up to its index (keeping a matching suffix)
    /// and the state machine, which the application restores from `Ready::snapshot`.
    pub(super) fn handle_snapshot(&mut self, from: NodeId, snap: Snapshot) {
        if snap.index <= self.commit {
            self.ack_append(from, self.commit);
            return;
        }
        if self.log.term_at(snap.index) == Some(snap.term) {
            self.log.compact(snap.index);
        } else {
            self.log.reset_to_snapshot(snap.index, snap.term);
        }
        self.base_voters = snap.voters;
        self.recompute_voters();
        self.clamp_unstable_to_offset();
        self.commit = snap.index;
        self.applied = snap.index;
        let index = snap.index;
        self.snapshot = Some(snap.clone());
        self.pending_snapshot = Some(snap);
        self.ack_append(from, index);
    }

    /// Keeps `unstable_from` pointing past the compacted prefix.
    fn clamp_unstable_to_offset(&mut self) {
        let offset = self.log.offset();
        if self.unstable_from != u64::MAX && self.unstable_from <= offset {
            self.unstable_from = if self.log.last_index() > offset {
                offset + 1
            } else {
                u64::MAX
            };
        }
    }
}
