//! The node's output: what changed since the last `ready` call, in the order the caller must
//! act on it (persist, then send, then apply), and the read-only status for inspection.

use super::{Node, Role};
use crate::message::{Entry, Message, NodeId, Snapshot};
use serde::{Deserialize, Serialize};

/// State that must be on stable storage before messages of the same Ready are sent.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct HardState {
    pub term: u64,
    pub vote: Option<NodeId>,
    pub commit: u64,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SoftState {
    pub role: Role,
    pub leader: Option<NodeId>,
}

/// Output of a node since the last `ready` call. Reused buffers: the caller keeps one and
/// passes it back each time, so steady-state operation does not allocate.
#[derive(Debug, Default)]
pub struct Ready {
    pub messages: Vec<Message>,
    /// Changed hard state, to persist.
    pub hard_state: Option<HardState>,
    /// Storage must drop entries `>= entries_first_index` and then append `entries`.
    pub entries_first_index: u64,
    pub entries: Vec<Entry>,
    /// Newly committed entries, in order, to apply to the state machine.
    pub committed_entries: Vec<Entry>,
    /// Changed role/leader.
    pub soft_state: Option<SoftState>,
    /// A snapshot received from the leader: persist it (storage drops the log up to its
    /// index, or all of it if the entry there differs) and restore the state machine from it
    /// before applying `committed_entries`.
    pub snapshot: Option<Snapshot>,
}

impl Ready {
    pub fn clear(&mut self) {
        self.messages.clear();
        self.hard_state = None;
        self.entries_first_index = 0;
        self.entries.clear();
        self.committed_entries.clear();
        self.soft_state = None;
        self.snapshot = None;
    }
}

/// Read-only view for inspection and the browser lab.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct NodeStatus {
    pub id: NodeId,
    pub role: Role,
    pub term: u64,
    pub vote: Option<NodeId>,
    pub leader: Option<NodeId>,
    pub commit: u64,
    pub applied: u64,
    pub last_index: u64,
    /// Last index covered by the node's snapshot (0 when none).
    pub snapshot_index: u64,
    /// Current voter set (bitmask over node ids).
    pub voters: u16,
    /// Ticks since the election timer was last reset, and the (randomized) timeout at which it
    /// fires; a leader's timer counts toward its CheckQuorum round instead.
    pub election_elapsed: u32,
    pub election_timeout: u32,
}

impl Node {
    pub fn status(&self) -> NodeStatus {
        NodeStatus {
            id: self.cfg.id,
            role: self.role,
            term: self.term,
            vote: self.vote,
            leader: self.leader,
            commit: self.commit,
            applied: self.applied,
            last_index: self.log.last_index(),
            snapshot_index: self.log.offset(),
            voters: self.voters,
            election_elapsed: self.election_elapsed,
            election_timeout: self.randomized_timeout,
        }
    }

    /// A leader's replication progress for `peer`: `(next_index, match_index)`; `None` on
    /// other roles (the arrays are only meaningful while leading).
    pub fn progress(&self, peer: NodeId) -> Option<(u64, u64)> {
        let p = peer as usize;
        (self.role == Role::Leader && p < self.cfg.cluster_size)
            .then(|| (self.next_index[p], self.match_index[p]))
    }

    pub fn has_ready(&self) -> bool {
        !self.msgs.is_empty()
            || self.unstable_from != u64::MAX
            || self.applied < self.commit
            || self.pending_snapshot.is_some()
            || self.hard_state() != self.last_hard
            || self.soft_state() != self.last_soft
    }

    pub(super) fn hard_state(&self) -> HardState {
        HardState {
            term: self.term,
            vote: self.vote,
            commit: self.commit,
        }
    }

    pub(super) fn soft_state(&self) -> SoftState {
        SoftState {
            role: self.role,
            leader: self.leader,
        }
    }

    /// Moves pending output into `out` (cleared first) and marks it handed over. The caller
    /// must persist `entries`/`hard_state` before sending `messages`.
    pub fn ready(&mut self, out: &mut Ready) {
        let before = self.invariant_baseline();
        out.clear();
        std::mem::swap(&mut out.messages, &mut self.msgs);
        out.snapshot = self.pending_snapshot.take();
        if self.unstable_from != u64::MAX {
            out.entries_first_index = self.unstable_from;
            out.entries
                .extend_from_slice(self.log.slice(self.unstable_from, self.log.last_index()));
            self.unstable_from = u64::MAX;
        }
        let hs = self.hard_state();
        if hs != self.last_hard {
            out.hard_state = Some(hs);
            self.last_hard = hs;
        }
        let ss = self.soft_state();
        if ss != self.last_soft {
            out.soft_state = Some(ss);
            self.last_soft = ss;
        }
        if self.applied < self.commit {
            out.committed_entries
                .extend_from_slice(self.log.slice(self.applied + 1, self.commit));
            self.applied = self.commit;
        }
        self.debug_check_invariants(before);
    }
}
