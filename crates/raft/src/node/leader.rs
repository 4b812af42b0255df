//! The leader: heartbeats and CheckQuorum on ticks, log replication with optimistic
//! pipelining and fast back-off, commitment by counting current-term replicas (§5.3, §5.4),
//! and the single-server membership rule.

use super::{Node, Role, MAX_NODES};
use crate::error::RaftError;
use crate::message::{Body, Command, Entry, Message, NodeId};

impl Node {
    pub(super) fn become_leader(&mut self) {
        self.role = Role::Leader;
        self.leader = Some(self.cfg.id);
        self.election_elapsed = 0;
        self.heartbeat_elapsed = 0;
        self.recent_active = 0;
        let next = self.log.last_index() + 1;
        self.next_index = [next; MAX_NODES];
        self.match_index = [0; MAX_NODES];
        // A leader's own match index is its last index; `append_local` keeps it so.
        self.match_index[self.cfg.id as usize] = self.log.last_index();
        // A no-op of the new term lets earlier-term entries commit (paper §5.4.2, Figure 8).
        // If the log is full the leader still leads but cannot commit new entries.
        let _ = self.append_local(Command::Noop);
        self.maybe_commit();
        self.broadcast_append();
    }

    /// A leader's tick: CheckQuorum once per election timeout (a leader cut off from a
    /// majority steps down, §6.2), heartbeats every heartbeat interval.
    pub(super) fn tick_leader(&mut self) {
        if self.election_elapsed >= self.cfg.election_timeout_ticks {
            self.election_elapsed = 0;
            if self.cfg.check_quorum {
                let active = ((self.recent_active | (1 << self.cfg.id)) & self.voters).count_ones();
                self.recent_active = 0;
                if active < self.quorum() {
                    let t = self.term;
                    self.become_follower(t, None);
                    return;
                }
            }
        }
        self.heartbeat_elapsed += 1;
        if self.heartbeat_elapsed >= self.cfg.heartbeat_interval_ticks {
            self.heartbeat_elapsed = 0;
            self.broadcast_append();
        }
    }

    /// A message of the current term at the leader, vote requests excepted. Append and
    /// Snapshot cannot come from another leader of this term (Election Safety) and vote
    /// answers are late, so only replication answers matter.
    pub(super) fn step_leader(&mut self, m: Message) {
        match m.body {
            Body::AppendResp {
                success,
                index,
                hint_index,
                hint_term,
            } => {
                self.recent_active |= 1 << m.from;
                self.handle_append_resp(m.from, success, index, hint_index, hint_term);
            }
            Body::Append { .. }
            | Body::Snapshot { .. }
            | Body::PreVoteResp { .. }
            | Body::VoteResp { .. }
            | Body::PreVote { .. }
            | Body::Vote { .. } => {}
        }
    }

    /// Appends `cmd` as an entry of the current term; errors when the log is full.
    pub(super) fn append_local(&mut self, cmd: Command) -> Result<u64, RaftError> {
        if self.log.len() >= self.cfg.max_log_entries {
            return Err(RaftError::LogFull {
                max_log_entries: self.cfg.max_log_entries,
            });
        }
        let index = self.log.last_index() + 1;
        self.log.push(Entry {
            term: self.term,
            index,
            cmd,
        });
        self.unstable_from = self.unstable_from.min(index);
        self.match_index[self.cfg.id as usize] = index;
        self.next_index[self.cfg.id as usize] = index + 1;
        if cmd.is_conf_change() {
            self.voters = cmd.apply_to_voters(self.voters);
            self.pending_conf_index = index;
        }
        Ok(index)
    }

    /// Sends a freshly appended entry at `index` to every peer that is caught up to it (the
    /// others get it with their next append).
    pub(super) fn replicate_new_entry(&mut self, index: u64) {
        for p in 0..self.cfg.cluster_size as u8 {
            if p != self.cfg.id && self.next_index[p as usize] == index {
                self.send_append(p);
            }
        }
    }

    /// Single-server changes are safe only one at a time, and only once the leader has
    /// committed an entry of its own term (the fix for the single-server change bug).
    pub(super) fn check_conf_change(&self, cmd: &Command) -> Result<(), RaftError> {
        let reject = |s: String| Err(RaftError::ConfChangeRejected(s));
        if self.pending_conf_index > self.commit {
            return reject(format!(
                "change at {} not committed yet",
                self.pending_conf_index
            ));
        }
        if self.log.term_at(self.commit) != Some(self.term) {
            return reject("leader has not committed an entry of its term yet".into());
        }
        match *cmd {
            Command::AddVoter { node } if (node as usize) >= self.cfg.cluster_size => {
                reject(format!("node {node} outside cluster"))
            }
            Command::AddVoter { node } if self.is_voter(node) => {
                reject(format!("node {node} already a voter"))
            }
            Command::RemoveVoter { node } if !self.is_voter(node) => {
                reject(format!("node {node} is not a voter"))
            }
            Command::RemoveVoter { .. } if self.voters.count_ones() <= 1 => {
                reject("cannot remove the last voter".into())
            }
            _ => Ok(()),
        }
    }

    fn handle_append_resp(
        &mut self,
        from: NodeId,
        success: bool,
        index: u64,
        hint_index: u64,
        hint_term: u64,
    ) {
        let f = from as usize;
        let last = self.log.last_index();
        if success {
            let index = index.min(last);
            if index > self.match_index[f] {
                self.match_index[f] = index;
                if self.next_index[f] <= index {
                    self.next_index[f] = index + 1;
                }
                self.maybe_commit();
            }
            if self.next_index[f] <= last {
                self.send_append(from);
            }
        } else {
            if index <= self.match_index[f] || index == 0 {
                return; // stale rejection (pipelining, duplicates)
            }
            // Fast back-off: skip the follower's whole conflicting term at once.
            let mut next = if hint_term != 0 {
                match self.log.last_index_of_term(hint_term, index) {
                    Some(i) => i + 1,
                    None => hint_index,
                }
            } else {
                hint_index
            };
            next = next
                .min(self.next_index[f])
                .min(last + 1)
                .max(self.match_index[f] + 1);
            self.next_index[f] = next;
            self.send_append(from);
        }
    }

    /// Commits the highest index a quorum of voters holds, if it is of the current term.
    pub(super) fn maybe_commit(&mut self) {
        let mut idx = [0u64; MAX_NODES];
        let mut n = 0;
        for p in 0..self.cfg.cluster_size {
            if self.voters & (1 << p) != 0 {
                idx[n] = if p == self.cfg.id as usize {
                    self.log.last_index()
                } else {
                    self.match_index[p]
                };
                n += 1;
            }
        }
        if n == 0 {
            return;
        }
        let s = &mut idx[..n];
        s.sort_unstable_by(|a, b| b.cmp(a));
        let candidate = s[self.quorum() as usize - 1];
        // Only entries of the current term commit by counting replicas (§5.4.2).
        if candidate > self.commit && self.log.term_at(candidate) == Some(self.term) {
            self.commit = candidate;
        }
        if self.role == Role::Leader
            && !self.is_voter(self.cfg.id)
            && self.commit >= self.pending_conf_index
        {
            // The leader's own removal committed: hand over by stepping down (§4.2.2).
            let t = self.term;
            self.become_follower(t, None);
        }
    }

    fn send_append(&mut self, to: NodeId) {
        let t = to as usize;
        let last = self.log.last_index();
        let mut next = self.next_index[t].clamp(1, last + 1);
        if next <= self.log.offset() {
            if let Some(snap) = self.snapshot.clone() {
                // The follower needs entries we compacted away: InstallSnapshot.
                self.next_index[t] = snap.index + 1;
                let term = self.term;
                self.send(to, Body::Snapshot { snapshot: snap }, term);
                return;
            }
            next = self.log.offset() + 1;
        }
        let prev_index = next - 1;
        let prev_term = self.log.term_at(prev_index).unwrap_or(0);
        let upto = last.min(prev_index + self.cfg.max_entries_per_append as u64);
        let entries = self.log.slice(next, upto).to_vec();
        if !entries.is_empty() {
            self.next_index[t] = upto + 1; // optimistic pipelining
        }
        let term = self.term;
        let commit = self.commit;
        self.send(
            to,
            Body::Append {
                prev_index,
                prev_term,
                commit,
                entries,
            },
            term,
        );
    }

    pub(super) fn broadcast_append(&mut self) {
        for p in 0..self.cfg.cluster_size as u8 {
            if p != self.cfg.id {
                self.send_append(p);
            }
        }
    }
}
