//! The node's own invariants, checked in debug builds at the end of every input (`tick`,
//! `step`, `propose`, `compact`, `ready`). They hold for any input, malformed messages
//! included; the cluster-wide safety properties are the simulator's checker's job.

use super::{Node, Role};
use crate::message::NodeId;

/// What an input may only move forward, captured before it runs.
#[derive(Clone, Copy, Debug)]
pub(super) struct Baseline {
    term: u64,
    vote: Option<NodeId>,
    commit: u64,
    applied: u64,
    offset: u64,
}

impl Node {
    pub(super) fn invariant_baseline(&self) -> Baseline {
        Baseline {
            term: self.term,
            vote: self.vote,
            commit: self.commit,
            applied: self.applied,
            offset: self.log.offset(),
        }
    }

    /// Asserts the invariants in debug builds; compiles to nothing in release builds.
    #[inline]
    pub(super) fn debug_check_invariants(&self, before: Baseline) {
        if cfg!(debug_assertions) {
            self.assert_invariants(before);
        }
    }

    fn assert_invariants(&self, before: Baseline) {
        let me = self.cfg.id;
        let (offset, last) = (self.log.offset(), self.log.last_index());
        // Durable state only moves forward (§5.1 for the term; commitment is permanent).
        assert!(self.term >= before.term, "term went back: {self:?}");
        assert!(self.commit >= before.commit, "commit went back: {self:?}");
        assert!(
            self.applied >= before.applied,
            "applied went back: {self:?}"
        );
        assert!(offset >= before.offset, "snapshot went back: {self:?}");
        // At most one vote per term (the injected double-vote bug breaks this on purpose).
        if self.term == before.term && before.vote.is_some() && !self.cfg.bug_double_vote {
            assert_eq!(self.vote, before.vote, "second vote in term {}", self.term);
        }
        // The snapshot, the applied prefix and the commit index nest inside the log.
        assert!(
            offset <= self.applied,
            "applied below the snapshot: {self:?}"
        );
        assert!(
            self.applied <= self.commit,
            "applied beyond commit: {self:?}"
        );
        assert!(self.commit <= last, "commit beyond the log: {self:?}");
        assert_eq!(
            self.snapshot.as_ref().map_or(0, |s| s.index),
            offset,
            "snapshot and log offset disagree"
        );
        assert!(
            self.unstable_from == u64::MAX || self.unstable_from > offset,
            "unstable entries inside the snapshot: {self:?}"
        );
        assert!(self.pending_conf_index <= last);
        assert_eq!(
            self.voters,
            self.membership_from_log().0,
            "voter set out of date"
        );
        // The role and what it implies.
        assert_eq!(self.role == Role::Leader, self.leader == Some(me));
        match self.role {
            Role::Follower => {}
            Role::PreCandidate | Role::Candidate => {
                assert!(self.leader.is_none());
                assert!(
                    self.votes_granted & (1 << me) != 0,
                    "did not vote for itself"
                );
            }
            Role::Leader => {
                assert_eq!(self.match_index[me as usize], last);
                assert_eq!(self.next_index[me as usize], last + 1);
                for p in (0..self.cfg.cluster_size).filter(|&p| p != me as usize) {
                    assert!(
                        self.match_index[p] < self.next_index[p] && self.next_index[p] <= last + 1,
                        "progress of {p} out of range: {self:?}"
                    );
                }
            }
        }
        if matches!(self.role, Role::Candidate | Role::Leader) && !self.cfg.bug_double_vote {
            assert_eq!(self.vote, Some(me), "a candidate votes for itself");
        }
    }
}
