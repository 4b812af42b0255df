//! The follower: it follows the leader of its term, accepts entries that pass the
//! consistency check (§5.3) and answers with its match index or a fast back-off hint.

use super::{Node, Role};
use crate::message::{Body, Entry, Message, NodeId};

impl Node {
    pub(super) fn become_follower(&mut self, term: u64, leader: Option<NodeId>) {
        if term != self.term {
            self.term = term;
            self.vote = None;
        }
        self.role = Role::Follower;
        self.leader = leader;
        self.election_elapsed = 0;
        self.heartbeat_elapsed = 0;
        self.reset_randomized_timeout();
    }

    /// A message of the current term, vote requests excepted (every role answers those).
    pub(super) fn step_follower(&mut self, m: Message) {
        match m.body {
            Body::Append {
                prev_index,
                prev_term,
                commit,
                entries,
            } => {
                self.follow_leader(m.from);
                self.handle_append(m.from, prev_index, prev_term, commit, &entries);
            }
            Body::Snapshot { snapshot } => {
                self.follow_leader(m.from);
                self.handle_snapshot(m.from, snapshot);
            }
            // Answers to a ballot or to a leadership this node no longer holds.
            Body::PreVote { .. }
            | Body::Vote { .. }
            | Body::PreVoteResp { .. }
            | Body::VoteResp { .. }
            | Body::AppendResp { .. } => {}
        }
    }

    /// An Append or Snapshot from the leader of our term (a follower or candidate receives
    /// it): follow that leader and restart the election timer.
    pub(super) fn follow_leader(&mut self, from: NodeId) {
        debug_assert!(
            self.role != Role::Leader,
            "two leaders in term {}",
            self.term
        );
        if self.role != Role::Follower || self.leader != Some(from) {
            let t = self.term;
            self.become_follower(t, Some(from));
        }
        self.election_elapsed = 0;
    }

    /// Tells the leader this node's log matches its own up to `index`.
    pub(super) fn ack_append(&mut self, to: NodeId, index: u64) {
        let term = self.term;
        let body = Body::AppendResp {
            success: true,
            index,
            hint_index: 0,
            hint_term: 0,
        };
        self.send(to, body, term);
    }

    fn handle_append(
        &mut self,
        from: NodeId,
        prev_index: u64,
        prev_term: u64,
        leader_commit: u64,
        entries: &[Entry],
    ) {
        if prev_index < self.log.offset() {
            // Compacted entries are committed and so match the leader's: report the commit
            // index as matched and let the leader continue from there.
            self.ack_append(from, self.commit);
            return;
        }
        match self.log.term_at(prev_index) {
            Some(pt) if pt == prev_term => {
                let mut last_new = prev_index;
                let mut conf_touched = false;
                for e in entries {
                    if e.index != last_new + 1 {
                        break; // malformed batch: keep the verified prefix only
                    }
                    match self.log.term_at(e.index) {
                        Some(et) if et == e.term => {}
                        Some(_) => {
                            // Never rewrite a committed entry, even on a malformed input.
                            if e.index <= self.commit {
                                break;
                            }
                            // A truncated membership entry must be rolled back.
                            conf_touched = true;
                            self.log.truncate_from(e.index);
                            self.unstable_from = self.unstable_from.min(e.index);
                            self.log.push(*e);
                        }
                        None => {
                            if self.log.len() >= self.cfg.max_log_entries {
                                break;
                            }
                            conf_touched |= e.cmd.is_conf_change();
                            self.unstable_from = self.unstable_from.min(e.index);
                            self.log.push(*e);
                        }
                    }
                    last_new = e.index;
                }
                if conf_touched {
                    self.recompute_voters();
                }
                let new_commit = leader_commit.min(last_new);
                if new_commit > self.commit {
                    self.commit = new_commit;
                }
                self.ack_append(from, last_new);
            }
            Some(conflict_term) => {
                let hint_index = self
                    .log
                    .first_index_of_term_run(prev_index)
                    .max(self.commit + 1);
                self.reject_append(from, prev_index, hint_index, conflict_term);
            }
            None => {
                let hint_index = self.log.last_index() + 1;
                self.reject_append(from, prev_index, hint_index, 0);
            }
        }
    }

    /// Refuses an append at `prev_index` with the fast back-off hint: the first index of the
    /// conflicting term (`hint_term`), or our `last_index + 1` with `hint_term == 0`.
    fn reject_append(&mut self, to: NodeId, prev_index: u64, hint_index: u64, hint_term: u64) {
        let body = Body::AppendResp {
            success: false,
            index: prev_index,
            hint_index,
            hint_term,
        };
        let t = self.term;
        self.send(to, body, t);
    }
}
