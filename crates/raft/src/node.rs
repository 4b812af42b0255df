//! One Raft node as a pure state machine (etcd/raft style): `tick`, `step`, `propose` go in,
//! a [`Ready`] with messages, entries/hard state to persist and committed entries comes out.
//! It knows nothing about networks, storage or wall-clock time.

use crate::error::RaftError;
use crate::log::{RaftLog, DEFAULT_MAX_LOG_ENTRIES};
use crate::message::{Body, Command, Entry, Message, NodeId, Snapshot};
use crate::rng::Rng;
use serde::{Deserialize, Serialize};
use std::sync::Arc;

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

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct NodeConfig {
    pub id: NodeId,
    pub cluster_size: usize,
    /// Base election timeout; each node draws its timeout from `[base, 2*base)`.
    pub election_timeout_ticks: u32,
    pub heartbeat_interval_ticks: u32,
    pub pre_vote: bool,
    pub check_quorum: bool,
    /// Bound on entries carried by one AppendEntries.
    pub max_entries_per_append: usize,
    /// Bound on entries held in memory after the last snapshot.
    pub max_log_entries: usize,
    /// Voters at the start (bitmask over node ids; 0 means every node of the cluster).
    /// Other nodes are learners until a membership change adds them.
    #[serde(default)]
    pub initial_voters: u16,
    /// TEST-ONLY injected bug: grant votes even after voting for someone else this term.
    /// Exists to prove the Election Safety checker can fail.
    #[serde(default)]
    pub bug_double_vote: bool,
}

impl NodeConfig {
    pub fn new(id: NodeId, cluster_size: usize) -> Self {
        NodeConfig {
            id,
            cluster_size,
            election_timeout_ticks: 20,
            heartbeat_interval_ticks: 3,
            pre_vote: true,
            check_quorum: true,
            max_entries_per_append: 64,
            max_log_entries: DEFAULT_MAX_LOG_ENTRIES,
            initial_voters: 0,
            bug_double_vote: false,
        }
    }

    /// The initial voter bitmask with 0 resolved to "all nodes".
    pub fn voters(&self) -> u16 {
        let all = ((1u32 << self.cluster_size.min(MAX_NODES)) - 1) as u16;
        if self.initial_voters == 0 {
            all
        } else {
            self.initial_voters & all
        }
    }

    pub fn validate(&self) -> Result<(), RaftError> {
        if self.cluster_size == 0 || self.cluster_size > MAX_NODES {
            return Err(RaftError::InvalidConfig(format!(
                "cluster_size {} not in 1..={MAX_NODES}",
                self.cluster_size
            )));
        }
        if self.id as usize >= self.cluster_size {
            return Err(RaftError::InvalidConfig(format!(
                "id {} >= cluster_size {}",
                self.id, self.cluster_size
            )));
        }
        if self.heartbeat_interval_ticks == 0
            || self.election_timeout_ticks <= self.heartbeat_interval_ticks
        {
            return Err(RaftError::InvalidConfig(
                "need 0 < heartbeat_interval_ticks < election_timeout_ticks".into(),
            ));
        }
        if self.initial_voters != 0 && self.voters() == 0 {
            return Err(RaftError::InvalidConfig(
                "initial_voters names no node".into(),
            ));
        }
        if self.max_entries_per_append == 0 || self.max_log_entries == 0 {
            return Err(RaftError::InvalidConfig(
                "max_entries_per_append and max_log_entries must be > 0".into(),
            ));
        }
        Ok(())
    }
}

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
    rng: Rng,
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
    pub fn new(cfg: NodeConfig, rng: Rng) -> Result<Self, RaftError> {
        Self::restart(cfg, HardState::default(), &[], rng)
    }

    /// [`Node::restart_with_snapshot`] without a snapshot.
    pub fn restart(
        cfg: NodeConfig,
        hard: HardState,
        entries: &[Entry],
        rng: Rng,
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
        rng: Rng,
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
    pub fn log(&self) -> &RaftLog {
        &self.log
    }
    pub fn config(&self) -> &NodeConfig {
        &self.cfg
    }
    pub fn is_leader(&self) -> bool {
        self.role == Role::Leader
    }

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
        }
    }

    fn quorum(&self) -> u32 {
        self.voters.count_ones() / 2 + 1
    }

    /// Current voter set (bitmask over node ids).
    pub fn voters(&self) -> u16 {
        self.voters
    }

    pub fn is_voter(&self, id: NodeId) -> bool {
        self.voters & (1 << id) != 0
    }

    fn recompute_voters(&mut self) {
        let mut v = self.base_voters;
        let mut pending = 0;
        for e in self.log.entries() {
            if e.cmd.is_conf_change() {
                v = e.cmd.apply_to_voters(v);
                pending = e.index;
            }
        }
        self.voters = v;
        self.pending_conf_index = pending;
    }

    fn granted(&self) -> u32 {
        (self.votes_granted & self.voters).count_ones()
    }

    fn rejected(&self) -> u32 {
        (self.votes_rejected & self.voters).count_ones()
    }

    fn reset_randomized_timeout(&mut self) {
        let base = self.cfg.election_timeout_ticks as u64;
        self.randomized_timeout = (base + self.rng.below(base)) as u32;
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

    // ---- role transitions ----

    fn become_follower(&mut self, term: u64, leader: Option<NodeId>) {
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

    /// An Append or Snapshot from the leader of our term: follow it and restart the election
    /// timer. Returns false (ignore the message) if we lead this term ourselves, which Election
    /// Safety rules out.
    fn follow_leader(&mut self, from: NodeId) -> bool {
        if self.role == Role::Leader {
            return false;
        }
        if self.role != Role::Follower || self.leader != Some(from) {
            let t = self.term;
            self.become_follower(t, Some(from));
        }
        self.election_elapsed = 0;
        true
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

    fn become_leader(&mut self) {
        self.role = Role::Leader;
        self.leader = Some(self.cfg.id);
        self.election_elapsed = 0;
        self.heartbeat_elapsed = 0;
        self.recent_active = 0;
        let next = self.log.last_index() + 1;
        self.next_index = [next; MAX_NODES];
        self.match_index = [0; MAX_NODES];
        // A no-op of the new term lets earlier-term entries commit (paper §5.4.2, Figure 8).
        // If the log is full the leader still leads but cannot commit new entries.
        let _ = self.append_local(Command::Noop);
        self.maybe_commit();
        self.broadcast_append();
    }

    fn append_local(&mut self, cmd: Command) -> Result<u64, RaftError> {
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

    /// Single-server changes are safe only one at a time, and only once the leader has
    /// committed an entry of its own term (the fix for the single-server change bug).
    fn check_conf_change(&self, cmd: &Command) -> Result<(), RaftError> {
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

    fn campaign(&mut self) {
        if self.cfg.pre_vote {
            self.become_pre_candidate();
            if self.granted() >= self.quorum() {
                self.campaign_real();
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
            self.campaign_real();
        }
    }

    fn campaign_real(&mut self) {
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

    // ---- inputs ----

    /// Advances logical time by one tick.
    pub fn tick(&mut self) {
        self.election_elapsed = self.election_elapsed.saturating_add(1);
        if self.role == Role::Leader {
            if self.election_elapsed >= self.cfg.election_timeout_ticks {
                self.election_elapsed = 0;
                if self.cfg.check_quorum {
                    let active =
                        ((self.recent_active | (1 << self.cfg.id)) & self.voters).count_ones();
                    self.recent_active = 0;
                    if active < self.quorum() {
                        // CheckQuorum: a leader cut off from a majority steps down (§6.2).
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
        } else if self.election_elapsed >= self.randomized_timeout {
            if self.is_voter(self.cfg.id) {
                self.campaign();
            } else {
                // Learners and removed nodes never start elections.
                self.election_elapsed = 0;
            }
        }
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
        let index = self.append_local(cmd)?;
        self.maybe_commit();
        for p in 0..self.cfg.cluster_size as u8 {
            if p != self.cfg.id && self.next_index[p as usize] == index {
                self.send_append(p);
            }
        }
        Ok(index)
    }

    /// Handles one message from a peer.
    pub fn step(&mut self, m: Message) -> Result<(), RaftError> {
        if m.to != self.cfg.id || m.from as usize >= self.cfg.cluster_size || m.from == m.to {
            return Err(RaftError::InvalidMessage(format!(
                "from {} to {} at node {}",
                m.from, m.to, self.cfg.id
            )));
        }
        let is_vote_req = matches!(m.body, Body::PreVote { .. } | Body::Vote { .. });
        if m.term > self.term {
            if is_vote_req {
                let in_lease = self.cfg.check_quorum
                    && self.leader.is_some()
                    && self.election_elapsed < self.cfg.election_timeout_ticks;
                if in_lease {
                    // Heard from a live leader recently: a returning partitioned node must
                    // not be able to depose it (§4.2.3 / §9.6).
                    return Ok(());
                }
            }
            match m.body {
                Body::PreVote { .. } => {}
                Body::PreVoteResp { granted: true } => {}
                Body::Append { .. } | Body::Snapshot { .. } => {
                    self.become_follower(m.term, Some(m.from))
                }
                _ => self.become_follower(m.term, None),
            }
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
            return Ok(());
        }

        match m.body {
            Body::PreVote {
                last_index,
                last_term,
            }
            | Body::Vote {
                last_index,
                last_term,
            } => {
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
            Body::PreVoteResp { granted } => {
                if self.role == Role::PreCandidate {
                    self.record_vote(m.from, granted);
                    if self.granted() >= self.quorum() {
                        self.campaign_real();
                    } else if self.rejected() >= self.quorum() {
                        let t = self.term;
                        self.become_follower(t, None);
                    }
                }
            }
            Body::VoteResp { granted } => {
                if self.role == Role::Candidate {
                    self.record_vote(m.from, granted);
                    if self.granted() >= self.quorum() {
                        self.become_leader();
                    } else if self.rejected() >= self.quorum() {
                        let t = self.term;
                        self.become_follower(t, None);
                    }
                }
            }
            Body::Append {
                prev_index,
                prev_term,
                commit,
                entries,
            } => {
                if self.follow_leader(m.from) {
                    self.handle_append(m.from, prev_index, prev_term, commit, &entries);
                }
            }
            Body::Snapshot { snapshot } => {
                if self.follow_leader(m.from) {
                    self.handle_snapshot(m.from, snapshot);
                }
            }
            Body::AppendResp {
                success,
                index,
                hint_index,
                hint_term,
            } => {
                if self.role == Role::Leader {
                    self.recent_active |= 1 << m.from;
                    self.handle_append_resp(m.from, success, index, hint_index, hint_term);
                }
            }
        }
        Ok(())
    }

    fn record_vote(&mut self, from: NodeId, granted: bool) {
        if granted {
            self.votes_granted |= 1 << from;
        } else {
            self.votes_rejected |= 1 << from;
        }
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

    /// Tells the leader this node's log matches its own up to `index`.
    fn ack_append(&mut self, to: NodeId, index: u64) {
        let term = self.term;
        let body = Body::AppendResp {
            success: true,
            index,
            hint_index: 0,
            hint_term: 0,
        };
        self.send(to, body, term);
    }

    fn handle_snapshot(&mut self, from: NodeId, snap: Snapshot) {
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
        Ok(snap)
    }

    pub fn applied(&self) -> u64 {
        self.applied
    }

    pub fn snapshot(&self) -> Option<&Snapshot> {
        self.snapshot.as_ref()
    }

    fn handle_append(
        &mut self,
        from: NodeId,
        prev_index: u64,
        prev_term: u64,
        leader_commit: u64,
        entries: &[Entry],
    ) {
        let t = self.term;
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
                self.send(
                    from,
                    Body::AppendResp {
                        success: false,
                        index: prev_index,
                        hint_index,
                        hint_term: conflict_term,
                    },
                    t,
                );
            }
            None => {
                let hint_index = self.log.last_index() + 1;
                self.send(
                    from,
                    Body::AppendResp {
                        success: false,
                        index: prev_index,
                        hint_index,
                        hint_term: 0,
                    },
                    t,
                );
            }
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

    fn maybe_commit(&mut self) {
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

    fn broadcast_append(&mut self) {
        for p in 0..self.cfg.cluster_size as u8 {
            if p != self.cfg.id {
                self.send_append(p);
            }
        }
    }

    // ---- output ----

    pub fn has_ready(&self) -> bool {
        !self.msgs.is_empty()
            || self.unstable_from != u64::MAX
            || self.applied < self.commit
            || self.pending_snapshot.is_some()
            || self.hard_state() != self.last_hard
            || self.soft_state() != self.last_soft
    }

    fn hard_state(&self) -> HardState {
        HardState {
            term: self.term,
            vote: self.vote,
            commit: self.commit,
        }
    }

    fn soft_state(&self) -> SoftState {
        SoftState {
            role: self.role,
            leader: self.leader,
        }
    }

    /// Moves pending output into `out` (cleared first) and marks it handed over. The caller
    /// must persist `entries`/`hard_state` before sending `messages`.
    pub fn ready(&mut self, out: &mut Ready) {
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
    }
}
