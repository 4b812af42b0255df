//! Leader election, both sides: the (pre-)candidate that campaigns and counts votes, and the
//! answer every role gives to a vote request (§5.2, §5.4.1; PreVote from §9.6).

use super::{Node, Role};
use crate::message::{Body, Message, NodeId};

impl Node {
    /// Election timeout: a pre-vote round first when PreVote is on (a node that cannot win
    /// does not bump the term), otherwise an election at once.
    pub(super) fn campaign(&mut self) {
        if self.cfg.pre_vote {
            self.become_pre_candidate();
            if self.granted() >= self.quorum() {
                self.start_election();
                return;
            }
            let (li, lt) = (self.log.last_index(), self.log.last_term());
            let t = self.term.saturating_add(1);
            for p in self.voter_peers() {
                self.send(
                    p,
                    Body::PreVote {
                        last_index: li,
                        last_term: lt,
                    },
                    t,
                );
            }
        } else {
            self.start_election();
        }
    }

    /// Becomes a candidate in the next term, votes for itself and asks every voter for its
    /// vote (or leads at once when its own vote is a quorum).
    fn start_election(&mut self) {
        self.become_candidate();
        if self.granted() >= self.quorum() {
            self.become_leader();
            return;
        }
        let (li, lt, t) = (self.log.last_index(), self.log.last_term(), self.term);
        for p in self.voter_peers() {
            self.send(
                p,
                Body::Vote {
                    last_index: li,
                    last_term: lt,
                },
                t,
            );
        }
    }

    fn become_pre_candidate(&mut self) {
        self.start_ballot(Role::PreCandidate);
    }

    fn become_candidate(&mut self) {
        self.term = self.term.saturating_add(1);
        self.vote = Some(self.cfg.id);
        self.start_ballot(Role::Candidate);
    }

    /// Pre-vote or vote round: no known leader, only our own vote counted, a fresh timeout.
    fn start_ballot(&mut self, role: Role) {
        self.role = role;
        self.leader = None;
        self.votes_granted = 1 << self.cfg.id;
        self.votes_rejected = 0;
        self.election_elapsed = 0;
        self.reset_randomized_timeout();
    }

    /// A message of the current term at a pre-candidate or candidate, vote requests excepted.
    pub(super) fn step_candidate(&mut self, m: Message) {
        match m.body {
            Body::PreVoteResp { granted } if self.role == Role::PreCandidate => {
                if self.count_vote(m.from, granted) {
                    self.start_election();
                }
            }
            Body::VoteResp { granted } if self.role == Role::Candidate => {
                if self.count_vote(m.from, granted) {
                    self.become_leader();
                }
            }
            // Someone else won this term: follow it.
            Body::Append { .. } | Body::Snapshot { .. } => self.step_follower(m),
            // Answers to the other kind of round, or to a leadership of an earlier term.
            Body::PreVoteResp { .. }
            | Body::VoteResp { .. }
            | Body::AppendResp { .. }
            | Body::PreVote { .. }
            | Body::Vote { .. } => {}
        }
    }

    /// Grants a (pre-)vote to a candidate whose log is at least as up to date as ours, if we
    /// have not voted for someone else this term and know no leader (a pre-vote for a later
    /// term is granted regardless, since it changes nothing here).
    pub(super) fn handle_vote_request(&mut self, m: &Message, last_index: u64, last_term: u64) {
        let pre = matches!(m.body, Body::PreVote { .. });
        let can_vote = self.vote == Some(m.from)
            || (self.vote.is_none() && self.leader.is_none())
            || (pre && m.term > self.term)
            || (!pre && self.cfg.bug_double_vote && self.role != Role::Leader);
        if can_vote && self.log.is_up_to_date(last_index, last_term) {
            if pre {
                self.send(m.from, Body::PreVoteResp { granted: true }, m.term);
            } else {
                self.vote = Some(m.from);
                self.election_elapsed = 0;
                let t = self.term;
                self.send(m.from, Body::VoteResp { granted: true }, t);
            }
        } else {
            let t = self.term;
            let body = if pre {
                Body::PreVoteResp { granted: false }
            } else {
                Body::VoteResp { granted: false }
            };
            self.send(m.from, body, t);
        }
    }

    /// Counts one answer to the current ballot: true when it is won; a ballot a quorum
    /// refused makes this node a follower again.
    fn count_vote(&mut self, from: NodeId, granted: bool) -> bool {
        if granted {
            self.votes_granted |= 1 << from;
        } else {
            self.votes_rejected |= 1 << from;
        }
        if self.granted() >= self.quorum() {
            return true;
        }
        if self.rejected() >= self.quorum() {
            let t = self.term;
            self.become_follower(t, None);
        }
        false
    }

    pub(super) fn granted(&self) -> u32 {
        (self.votes_granted & self.voters).count_ones()
    }

    pub(super) fn rejected(&self) -> u32 {
        (self.votes_rejected & self.voters).count_ones()
    }
}
