//! One Raft node as a pure state machine (etcd/raft style): `tick`, `step`, `propose` go in,
//! a [`Ready`] with messages, entries/hard state to persist and committed entries comes out.
//! It knows nothing about networks, storage or wall-clock time.
//!
//! `step` does the term handling every role shares and answers vote requests, then hands the
//! message to the role: [`follower`], [`election`] (pre-candidates and candidates) or
//! [`leader`]. [`snapshot`] holds compaction and InstallSnapshot, [`ready`] the output, and
//! [`invariants`] the node's own invariants, asserted after every input in debug builds.

mod config;
mod election;
mod follower;
mod invariants;
mod leader;
mod ready;
mod snapshot;

pub use config::{NodeConfig, MAX_ELECTION_TIMEOUT_TICKS};
pub use ready::{HardState, NodeStatus, Ready, SoftState};

use crate::error::RaftError;
use crate::log::RaftLog;
use crate::message::{Body, Command, Entry, Message, NodeId, Snapshot};
use deterministic::SplitMix64;
use serde::{Deserialize, Serialize};

/// Largest supported cluster; vote sets are `u16` bitmasks and progress arrays are fixed.
pub const MAX_NODES: usize = 15;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Follower,
    PreCandidate,
    Candidate,
    Leader,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Follower => "follower",
            Role::PreCandidate => "pre_candidate",
            Role::Candidate => "candidate",
            Role::Leader => "leader",
        }
    }
}

#[derive(Clone, Debug)]
pub struct Node {
    cfg: NodeConfig,
    term: u64,
    vote: Option<NodeId>,
    log: RaftLog,
    commit: u64,
    applied: u64,
    role: Role,
    leader: Option<NodeId>,
    election_elapsed: u32,
    heartbeat_elapsed: u32,
    randomized_timeout: u32,
    votes_granted: u16,
    votes_rejected: u16,
    next_index: [u64; MAX_NODES],
    match_index: [u64; MAX_NODES],
    /// Peers heard from since the last CheckQuorum round (bitmask).
    recent_active: u16,
    rng: SplitMix64,
    msgs: Vec<Message>,
    /// Lowest log index changed since the last `ready` (u64::MAX when none).
    unstable_from: u64,
    last_hard: HardState,
    last_soft: SoftState,
    /// Latest snapshot (own compaction or installed); sent to followers that lag behind it.
    snapshot: Option<Snapshot>,
    /// Snapshot installed since the last `ready`, to hand to the application.
    pending_snapshot: Option<Snapshot>,
    /// Voter set as of the log offset (initial config or the snapshot's).
    base_voters: u16,
    /// Current voter set: `base_voters` with every membership entry in the log applied
    /// (a change takes effect once appended, not once committed).
    voters: u16,
    /// Index of the last membership entry in the log (0 when none).
    pending_conf_index: u64,
}

impl Node {
    /// A fresh node with empty persistent state.
    pub fn new(cfg: NodeConfig, rng: SplitMix64) -> Result<Self, RaftError> {
        Self::restart(cfg, HardState::default(), &[], rng)
    }

    /// [`Node::restart_with_snapshot`] without a snapshot.
    pub fn restart(
        cfg: NodeConfig,
        hard: HardState,
        entries: &[Entry],
        rng: SplitMix64,
    ) -> Result<Self, RaftError> {
        Self::restart_with_snapshot(cfg, hard, None, entries, rng)
    }

    /// Rebuilds a node from persisted state after a crash; volatile state starts empty. The
    /// application restores its state machine from `snapshot` (if any) and the node then
    /// re-emits entries after it up to the persisted commit index for re-applying.
    pub fn restart_with_snapshot(
        cfg: NodeConfig,
        hard: HardState,
        snapshot: Option<Snapshot>,
        entries: &[Entry],
        rng: SplitMix64,
    ) -> Result<Self, RaftError> {
        cfg.validate()?;
        let (offset, offset_term) = snapshot.as_ref().map_or((0, 0), |s| (s.index, s.term));
        for (i, e) in entries.iter().enumerate() {
            if e.index != offset + i as u64 + 1 {
                return Err(RaftError::InvalidConfig(format!(
                    "persisted entry at position {i} has index {}",
                    e.index
                )));
            }
        }
        if entries.len() > cfg.max_log_entries {
            return Err(RaftError::LogFull {
                max_log_entries: cfg.max_log_entries,
            });
        }
        let commit = hard.commit.max(offset).min(offset + entries.len() as u64);
        let mut n = Node {
            term: hard.term,
            vote: hard.vote,
            log: RaftLog::with_snapshot(offset, offset_term, entries),
            commit,
            applied: offset,
            role: Role::Follower,
            leader: None,
            election_elapsed: 0,
            heartbeat_elapsed: 0,
            randomized_timeout: cfg.election_timeout_ticks,
            votes_granted: 0,
            votes_rejected: 0,
            next_index: [1; MAX_NODES],
            match_index: [0; MAX_NODES],
            recent_active: 0,
            rng,
            msgs: Vec::new(),
            unstable_from: u64::MAX,
            last_hard: HardState {
                term: hard.term,
                vote: hard.vote,
                commit,
            },
            last_soft: SoftState {
                role: Role::Follower,
                leader: None,
            },
            base_voters: 0,
            voters: 0,
            pending_conf_index: 0,
            snapshot,
            pending_snapshot: None,
            cfg,
        };
        n.base_voters = n.snapshot.as_ref().map_or(n.cfg.voters(), |s| s.voters);
        n.recompute_voters();
        n.reset_randomized_timeout();
        n.debug_check_invariants(n.invariant_baseline());
        Ok(n)
    }

    pub fn id(&self) -> NodeId {
        self.cfg.id
    }
    pub fn role(&self) -> Role {
        self.role
    }
    pub fn term(&self) -> u64 {
        self.term
    }
    pub fn leader(&self) -> Option<NodeId> {
        self.leader
    }
    pub fn commit(&self) -> u64 {
        self.commit
    }
    pub fn applied(&self) -> u64 {
        self.applied
    }
    pub fn log(&self) -> &RaftLog {
        &self.log
    }
    pub fn snapshot(&self) -> Option<&Snapshot> {
        self.snapshot.as_ref()
    }
    pub fn config(&self) -> &NodeConfig {
        &self.cfg
    }
    pub fn is_leader(&self) -> bool {
        self.role == Role::Leader
    }

    /// Current voter set (bitmask over node ids).
    pub fn voters(&self) -> u16 {
        self.voters
    }

    pub fn is_voter(&self, id: NodeId) -> bool {
        self.voters & (1 << id) != 0
    }

    /// Advances logical time by one tick.
    pub fn tick(&mut self) {
        let before = self.invariant_baseline();
        self.election_elapsed = self.election_elapsed.saturating_add(1);
        if self.role == Role::Leader {
            self.tick_leader();
        } else if self.election_elapsed >= self.randomized_timeout {
            if self.is_voter(self.cfg.id) {
                self.campaign();
            } else {
                // Learners and removed nodes never start elections.
                self.election_elapsed = 0;
            }
        }
        self.debug_check_invariants(before);
    }

    /// The election timer fires now (a visitor's "time out now"): the node campaigns exactly
    /// as it would when its timeout passes. Leaders and learners ignore it.
    pub fn timeout_now(&mut self) {
        if self.role == Role::Leader || !self.is_voter(self.cfg.id) {
            return;
        }
        let before = self.invariant_baseline();
        self.campaign();
        self.debug_check_invariants(before);
    }

    /// Appends a client command if this node is leader; returns its log index.
    pub fn propose(&mut self, cmd: Command) -> Result<u64, RaftError> {
        if self.role != Role::Leader {
            return Err(RaftError::NotLeader {
                leader_hint: self.leader,
            });
        }
        if cmd.is_conf_change() {
            self.check_conf_change(&cmd)?;
        }
        let before = self.invariant_baseline();
        let index = self.append_local(cmd)?;
        self.maybe_commit();
        self.replicate_new_entry(index);
        self.debug_check_invariants(before);
        Ok(index)
    }

    /// Handles one message from a peer: the term rules every role shares, vote requests
    /// (every role answers them), then the role's own handling, as etcd/raft's `Step` does.
    pub fn step(&mut self, m: Message) -> Result<(), RaftError> {
        if m.to != self.cfg.id || m.from as usize >= self.cfg.cluster_size || m.from == m.to {
            return Err(RaftError::InvalidMessage(format!(
                "from {} to {} at node {}",
                m.from, m.to, self.cfg.id
            )));
        }
        let before = self.invariant_baseline();
        if self.observe_term(&m) {
            match m.body {
                Body::PreVote {
                    last_index,
                    last_term,
                }
                | Body::Vote {
                    last_index,
                    last_term,
                } => self.handle_vote_request(&m, last_index, last_term),
                _ => match self.role {
                    Role::Follower => self.step_follower(m),
                    Role::PreCandidate | Role::Candidate => self.step_candidate(m),
                    Role::Leader => self.step_leader(m),
                },
            }
        }
        self.debug_check_invariants(before);
        Ok(())
    }

    /// The term rules (§5.1): a newer term makes this node a follower of it (a pre-vote
    /// round leaves the term alone, and a node that heard from a live leader within the
    /// election timeout ignores vote requests, §4.2.3 / §9.6); an older one is answered so
    /// a stale leader or pre-candidate learns the term, and goes no further. Returns whether
    /// the message goes on to the role.
    fn observe_term(&mut self, m: &Message) -> bool {
        if m.term > self.term {
            let is_vote_req = matches!(m.body, Body::PreVote { .. } | Body::Vote { .. });
            if is_vote_req && self.in_leader_lease() {
                return false;
            }
            match m.body {
                Body::PreVote { .. } => {}
                Body::PreVoteResp { granted: true } => {}
                Body::Append { .. } | Body::Snapshot { .. } => {
                    self.become_follower(m.term, Some(m.from))
                }
                _ => self.become_follower(m.term, None),
            }
            true
        } else if m.term < self.term {
            match m.body {
                Body::Append { .. } | Body::Snapshot { .. }
                    if self.cfg.check_quorum || self.cfg.pre_vote =>
                {
                    // Tell a stale leader about the newer term so it steps down.
                    let t = self.term;
                    self.send(
                        m.from,
                        Body::AppendResp {
                            success: false,
                            index: 0,
                            hint_index: 0,
                            hint_term: 0,
                        },
                        t,
                    );
                }
                Body::PreVote { .. } => {
                    let t = self.term;
                    self.send(m.from, Body::PreVoteResp { granted: false }, t);
                }
                _ => {}
            }
            false
        } else {
            true
        }
    }

    /// Heard from a live leader recently: a returning partitioned node must not be able to
    /// depose it.
    fn in_leader_lease(&self) -> bool {
        self.cfg.check_quorum
            && self.leader.is_some()
            && self.election_elapsed < self.cfg.election_timeout_ticks
    }

    fn quorum(&self) -> u32 {
        self.voters.count_ones() / 2 + 1
    }

    /// The voter set and the index of the last membership entry: `base_voters` with every
    /// membership entry in the log applied.
    fn membership_from_log(&self) -> (u16, u64) {
        let mut v = self.base_voters;
        let mut pending = 0;
        for e in self.log.entries() {
            if e.cmd.is_conf_change() {
                v = e.cmd.apply_to_voters(v);
                pending = e.index;
            }
        }
        (v, pending)
    }

    fn recompute_voters(&mut self) {
        (self.voters, self.pending_conf_index) = self.membership_from_log();
    }

    fn reset_randomized_timeout(&mut self) {
        // `validate` bounds the base by MAX_ELECTION_TIMEOUT_TICKS, so `[base, 2*base)` fits u32.
        debug_assert!(self.cfg.election_timeout_ticks <= config::MAX_ELECTION_TIMEOUT_TICKS);
        let base = u64::from(self.cfg.election_timeout_ticks);
        let drawn = base + self.rng.below_unbiased(base);
        self.randomized_timeout = u32::try_from(drawn).unwrap_or(u32::MAX);
    }

    fn send(&mut self, to: NodeId, body: Body, term: u64) {
        self.msgs.push(Message {
            from: self.cfg.id,
            to,
            term,
            body,
        });
    }

    /// Voters other than this node (vote requests go only to them).
    fn voter_peers(&self) -> impl Iterator<Item = NodeId> {
        let me = self.cfg.id;
        let voters = self.voters;
        (0..self.cfg.cluster_size as u8).filter(move |&p| p != me && voters & (1 << p) != 0)
    }
}
