//! Deterministic discrete-event cluster simulator: a virtual clock in ticks, one seeded RNG,
//! a timing-wheel network with per-link latency, drop/duplicate/reorder, partitions,
//! crash/restart, closed-loop KV clients with timeouts and retries, and the online invariant
//! checker. Also the interactive API the browser lab drives (step, views, fault injection).

use crate::checker::{Finding, InvariantChecker, LogView, Violation, ViolationKind};
use crate::error::RaftError;
use crate::faults::{FaultAction, FaultSchedule, LatencySpec, MAX_LATENCY_TICKS};
use crate::hash::Fnv64;
use crate::kv::{KvStore, OpKind, MAX_CLIENTS};
use crate::linearizability::{check_history, LinResult, Operation, MAX_HISTORY_OPS};
use crate::message::{Command, Entry, Message, MsgKind, NodeId, Snapshot};
use crate::node::{HardState, Node, NodeConfig, Ready, Role, MAX_NODES};
use crate::rng::Rng;
use crate::trace::TraceEvent;
use serde::{Deserialize, Serialize};
use std::collections::VecDeque;

/// Slots in the timing wheel; must exceed the largest possible delay (latency + reorder).
pub const WHEEL_SLOTS: usize = 1024;
/// Bound on messages in flight; beyond it new messages are dropped and counted.
pub const MAX_IN_FLIGHT: usize = 1 << 17;
/// Bound on client requests a node tracks for replying after apply.
pub const MAX_PENDING_PER_NODE: usize = 1024;
/// Bound on simulated clients.
pub const MAX_SIM_CLIENTS: usize = 16;
/// Bound on trace events buffered between `drain_trace` calls; excess is counted, not kept.
pub const MAX_BUFFERED_TRACE_EVENTS: usize = 1 << 20;

const _: () = assert!(WHEEL_SLOTS > (MAX_LATENCY_TICKS + MAX_LATENCY_TICKS / 2) as usize);
const _: () = assert!(MAX_SIM_CLIENTS <= MAX_CLIENTS);

/// TEST-ONLY bugs that exist to prove the checkers can fail.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum InjectedBug {
    /// Nodes grant a second vote in a term: breaks Election Safety.
    DoubleVote,
    /// A node that believes it is leader answers reads from its local state without
    /// confirming leadership: only the linearizability check sees it.
    StaleLocalRead,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SimConfig {
    pub seed: u64,
    pub nodes: usize,
    pub ticks: u64,
    pub clients: usize,
    /// Keys are drawn from `0..keys`; few keys make reads and writes contend.
    pub keys: u8,
    pub election_timeout_ticks: u32,
    pub heartbeat_interval_ticks: u32,
    pub pre_vote: bool,
    pub check_quorum: bool,
    /// Default latency of every link (the fault schedule may override it).
    pub latency: LatencySpec,
    pub client_think_max_ticks: u32,
    /// A client retries at another node after this long without a reply.
    pub client_attempt_timeout_ticks: u32,
    /// A client gives up on an operation after this long (recorded with `ret: null`).
    pub client_op_timeout_ticks: u32,
    /// Bound on operations per client; keeps the checked history bounded.
    pub max_ops_per_client: u32,
    pub check_linearizability: bool,
    /// Compact a node's log into a snapshot every this many applied entries (0 = never).
    pub snapshot_every_entries: u64,
    /// Nodes `0..initial_voters` start as voters, the rest as learners (0 = all voters).
    pub initial_voters: usize,
    /// TEST-ONLY: see [`InjectedBug`].
    pub injected_bug: Option<InjectedBug>,
}

impl Default for SimConfig {
    fn default() -> Self {
        SimConfig {
            seed: 1,
            nodes: 5,
            ticks: 2000,
            clients: 3,
            keys: 4,
            election_timeout_ticks: 20,
            heartbeat_interval_ticks: 3,
            pre_vote: true,
            check_quorum: true,
            latency: LatencySpec::default(),
            client_think_max_ticks: 8,
            client_attempt_timeout_ticks: 25,
            client_op_timeout_ticks: 200,
            max_ops_per_client: 1000,
            check_linearizability: true,
            snapshot_every_entries: 0,
            initial_voters: 0,
            injected_bug: None,
        }
    }
}

impl SimConfig {
    pub fn validate(&self) -> Result<(), RaftError> {
        let bad = |s: String| Err(RaftError::InvalidConfig(s));
        if self.nodes == 0 || self.nodes > MAX_NODES {
            return bad(format!("nodes must be in 1..={MAX_NODES}"));
        }
        if self.clients > MAX_SIM_CLIENTS {
            return bad(format!("clients must be <= {MAX_SIM_CLIENTS}"));
        }
        if self.keys == 0 {
            return bad("keys must be >= 1".into());
        }
        if self.clients * self.max_ops_per_client as usize > MAX_HISTORY_OPS {
            return bad(format!(
                "clients * max_ops_per_client must be <= {MAX_HISTORY_OPS}"
            ));
        }
        if self.client_attempt_timeout_ticks == 0
            || self.client_op_timeout_ticks < self.client_attempt_timeout_ticks
            || self.client_think_max_ticks == 0
        {
            return bad("client timeouts and think time must be positive".into());
        }
        self.latency.validate()?;
        self.node_config(0).validate()
    }

    fn node_config(&self, id: NodeId) -> NodeConfig {
        let mut c = NodeConfig::new(id, self.nodes);
        c.election_timeout_ticks = self.election_timeout_ticks;
        c.heartbeat_interval_ticks = self.heartbeat_interval_ticks;
        c.pre_vote = self.pre_vote;
        c.check_quorum = self.check_quorum;
        c.bug_double_vote = self.injected_bug == Some(InjectedBug::DoubleVote);
        if self.initial_voters > 0 {
            c.initial_voters = ((1u32 << self.initial_voters.min(self.nodes)) - 1) as u16;
        }
        c
    }
}

/// Counters for one run.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct SimStats {
    pub steps: u64,
    pub deliveries: u64,
    pub drops: u64,
    pub partition_drops: u64,
    pub lost_to_crashed: u64,
    pub queue_overflow_drops: u64,
    pub duplicates: u64,
    pub reorders: u64,
    pub crashes: u64,
    pub restarts: u64,
    pub partitions: u64,
    pub leader_changes: u64,
    pub snapshots_compacted: u64,
    pub conf_changes: u64,
    pub conf_changes_rejected: u64,
    pub snapshots_installed: u64,
    pub entries_committed: u64,
    pub client_ok: u64,
    pub client_abandoned: u64,
    pub trace_events_dropped: u64,
    /// Linearizability verdict was `Unknown` (search bound hit).
    pub linearizability_unknown: bool,
}

/// An endpoint of an in-flight message.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Endpoint {
    Node(u8),
    Client(u8),
}

/// A message in flight, for animation.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct InFlightView {
    pub from: Endpoint,
    pub to: Endpoint,
    pub kind: MsgKind,
    pub send_tick: u64,
    pub arrive_tick: u64,
}

/// Snapshot of one node for the lab (persisted values when the node is down).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct NodeView {
    pub id: u8,
    pub up: bool,
    /// `None` while crashed.
    pub role: Option<Role>,
    pub term: u64,
    pub vote: Option<u8>,
    pub leader: Option<u8>,
    pub commit: u64,
    /// Last log index (compacted entries included).
    pub log_len: u64,
    /// Last index covered by the node's snapshot (0 when none).
    pub snapshot_index: u64,
    /// Voter set in this node's view (bitmask; from persisted state when down).
    pub voters: u16,
}

#[derive(Clone, Copy, Debug)]
enum ReplyResult {
    Ok(Option<u64>),
    NotLeader(Option<u8>),
}

#[derive(Clone, Debug)]
enum Payload {
    Raft(Message),
    Request {
        client: u8,
        node: u8,
        cmd: Command,
    },
    Reply {
        client: u8,
        node: u8,
        seq: u32,
        result: ReplyResult,
    },
}

#[derive(Clone, Debug)]
struct InFlight {
    send_tick: u64,
    arrive_tick: u64,
    payload: Payload,
}

struct NodeSlot {
    node: Option<Node>,
    hard: HardState,
    /// Persisted snapshot; `log` holds the persisted entries after it.
    snapshot: Option<Snapshot>,
    log: Vec<Entry>,
    kv: KvStore,
    pending: VecDeque<(u64, u8, u32)>,
    leader_term: Option<u64>,
    commit: u64,
}

#[derive(Clone, Copy, Debug)]
struct Waiting {
    cmd: Command,
    kind: OpKind,
    key: u8,
    value: Option<u64>,
    call: u64,
    target: u8,
    attempt_deadline: u64,
    op_deadline: u64,
}

#[derive(Clone, Copy, Debug)]
enum ClientState {
    Idle,
    Waiting(Waiting),
    Finished,
}

struct Client {
    id: u8,
    rng: Rng,
    seq: u32,
    leader_guess: u8,
    state: ClientState,
    next_action: u64,
    ops_started: u32,
}

pub struct Simulation {
    cfg: SimConfig,
    events: Vec<crate::faults::FaultEvent>,
    next_fault: usize,
    rng: Rng,
    now: u64,
    slots: Vec<NodeSlot>,
    clients: Vec<Client>,
    wheel: Vec<Vec<InFlight>>,
    in_flight: usize,
    link_latency: Vec<LatencySpec>,
    client_latency: LatencySpec,
    blocked: [u16; MAX_NODES],
    drop_permille: u32,
    duplicate_permille: u32,
    reorder_permille: u32,
    reorder_extra_ticks: u32,
    checker: InvariantChecker,
    history: Vec<Operation>,
    tracing: bool,
    trace: Vec<TraceEvent>,
    stats: SimStats,
    ready: Ready,
    violation: Option<Violation>,
    proposed_at: Vec<(u64, u64)>,
    commit_latencies: Vec<u32>,
    finished: bool,
}

impl NodeSlot {
    fn view(&self) -> LogView<'_> {
        let (offset, offset_term) = self.snapshot.as_ref().map_or((0, 0), |s| (s.index, s.term));
        LogView {
            offset,
            offset_term,
            entries: &self.log,
        }
    }

    fn offset(&self) -> u64 {
        self.snapshot.as_ref().map_or(0, |s| s.index)
    }

    /// Storage side of a snapshot: keep the suffix after it if the entry at its index
    /// matches, otherwise drop the whole log (mirrors the node).
    fn store_snapshot(&mut self, snap: Snapshot) {
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
}

impl Simulation {
    pub fn new(cfg: SimConfig, schedule: FaultSchedule) -> Result<Self, RaftError> {
        cfg.validate()?;
        schedule.validate(cfg.nodes)?;
        let n = cfg.nodes;
        let mut rng = Rng::new(cfg.seed);
        let default_latency = schedule.latency.unwrap_or(cfg.latency);
        let mut link_latency = vec![default_latency; n * n];
        for l in &schedule.links {
            link_latency[l.from as usize * n + l.to as usize] = l.latency;
        }
        let mut slots = Vec::with_capacity(n);
        for id in 0..n as u8 {
            let node = Node::new(cfg.node_config(id), rng.fork())?;
            slots.push(NodeSlot {
                node: Some(node),
                hard: HardState::default(),
                snapshot: None,
                log: Vec::new(),
                kv: KvStore::default(),
                pending: VecDeque::new(),
                leader_term: None,
                commit: 0,
            });
        }
        let mut clients = Vec::with_capacity(cfg.clients);
        for id in 0..cfg.clients as u8 {
            let mut crng = rng.fork();
            let guess = crng.below(n as u64) as u8;
            let first = 1 + crng.below(cfg.client_think_max_ticks as u64);
            clients.push(Client {
                id,
                rng: crng,
                seq: 0,
                leader_guess: guess,
                state: ClientState::Idle,
                next_action: first,
                ops_started: 0,
            });
        }
        let mut events = schedule.events.clone();
        events.sort_by_key(|e| e.at); // stable: same-tick events keep file order
        Ok(Simulation {
            events,
            next_fault: 0,
            rng,
            now: 0,
            slots,
            clients,
            wheel: (0..WHEEL_SLOTS).map(|_| Vec::new()).collect(),
            in_flight: 0,
            link_latency,
            client_latency: default_latency,
            blocked: [0; MAX_NODES],
            drop_permille: schedule.drop_permille,
            duplicate_permille: schedule.duplicate_permille,
            reorder_permille: schedule.reorder_permille,
            reorder_extra_ticks: schedule.reorder_extra_ticks,
            checker: InvariantChecker::default(),
            history: Vec::new(),
            tracing: false,
            trace: Vec::new(),
            stats: SimStats::default(),
            ready: Ready::default(),
            violation: None,
            proposed_at: Vec::new(),
            commit_latencies: Vec::new(),
            finished: false,
            cfg,
        })
    }

    pub fn config(&self) -> &SimConfig {
        &self.cfg
    }
    pub fn now(&self) -> u64 {
        self.now
    }
    pub fn stats(&self) -> &SimStats {
        &self.stats
    }
    pub fn violation(&self) -> Option<&Violation> {
        self.violation.as_ref()
    }
    pub fn history(&self) -> &[Operation] {
        &self.history
    }
    pub fn set_tracing(&mut self, on: bool) {
        self.tracing = on;
    }

    /// Moves buffered trace events into `out` (appending).
    pub fn drain_trace(&mut self, out: &mut Vec<TraceEvent>) {
        out.append(&mut self.trace);
    }

    /// Commit latency (propose at leader -> first commit anywhere): (mean in milli-ticks, p99).
    pub fn commit_latency_ticks(&self) -> (u64, u64) {
        let n = self.commit_latencies.len() as u64;
        if n == 0 {
            return (0, 0);
        }
        let sum: u64 = self.commit_latencies.iter().map(|&x| x as u64).sum();
        let mut v = self.commit_latencies.clone();
        v.sort_unstable();
        let rank = (n * 99).div_ceil(100).max(1) as usize;
        (sum * 1000 / n, v[rank - 1] as u64)
    }

    fn trace_event(&mut self, ev: TraceEvent) {
        if self.tracing {
            if self.trace.len() < MAX_BUFFERED_TRACE_EVENTS {
                self.trace.push(ev);
            } else {
                self.stats.trace_events_dropped += 1;
            }
        }
    }

    fn fail(&mut self, f: Finding) {
        if self.violation.is_none() {
            self.violation = Some(Violation {
                kind: f.0,
                seed: self.cfg.seed,
                step: self.stats.steps,
                tick: self.now,
                detail: f.1,
            });
        }
    }

    // ---- running ----

    /// Runs to `cfg.ticks` (or the first violation), then checks linearizability.
    pub fn run(&mut self) -> Option<&Violation> {
        while self.now < self.cfg.ticks && self.violation.is_none() {
            self.step_tick();
        }
        self.finish();
        self.violation.as_ref()
    }

    /// Advances `n` ticks (stops early on a violation). For interactive stepping.
    pub fn step_ticks(&mut self, n: u64) -> Option<&Violation> {
        for _ in 0..n {
            if self.violation.is_some() {
                break;
            }
            self.step_tick();
        }
        self.violation.as_ref()
    }

    /// Runs the end-of-run linearizability check once (no-op when disabled or already done).
    pub fn finish(&mut self) {
        if self.finished {
            return;
        }
        self.finished = true;
        // Operations still outstanding at the end may or may not have taken effect: record
        // them as abandoned so the history (and the trace) explains every applied write.
        for ci in 0..self.clients.len() {
            if let ClientState::Waiting(w) = self.clients[ci].state {
                self.clients[ci].state = ClientState::Finished;
                let value = if w.kind == OpKind::Put { w.value } else { None };
                self.complete_op(ci as u8, w, value, None);
            }
        }
        if !self.cfg.check_linearizability || self.violation.is_some() {
            return;
        }
        match check_history(&self.history) {
            Ok(LinResult::Linearizable) => {}
            Ok(LinResult::Violation { key, ops_on_key }) => self.fail((
                ViolationKind::Linearizability,
                format!("history of key {key} ({ops_on_key} ops) is not linearizable"),
            )),
            Ok(LinResult::Unknown { .. }) => self.stats.linearizability_unknown = true,
            Err(e) => self.fail((ViolationKind::Linearizability, e.to_string())),
        }
    }

    /// One tick: scheduled faults, then deliveries due now, then node ticks, then clients.
    pub fn step_tick(&mut self) {
        while self.next_fault < self.events.len() && self.events[self.next_fault].at <= self.now {
            let action = self.events[self.next_fault].action.clone();
            self.next_fault += 1;
            self.stats.steps += 1;
            // Schedules are validated up front, so node ids are in range.
            let _ = self.apply_fault(&action);
        }
        let slot = (self.now % WHEEL_SLOTS as u64) as usize;
        let mut bucket = std::mem::take(&mut self.wheel[slot]);
        for ev in bucket.drain(..) {
            debug_assert_eq!(ev.arrive_tick, self.now);
            self.in_flight -= 1;
            self.deliver(ev);
        }
        debug_assert!(self.wheel[slot].is_empty());
        self.wheel[slot] = bucket;
        for i in 0..self.slots.len() {
            if let Some(node) = self.slots[i].node.as_mut() {
                node.tick();
                self.stats.steps += 1;
                self.process_ready(i);
            }
        }
        for c in 0..self.clients.len() {
            self.client_tick(c);
        }
        self.now += 1;
    }

    fn deliver(&mut self, ev: InFlight) {
        match ev.payload {
            Payload::Raft(m) => {
                if self.blocked[m.from as usize] & (1 << m.to) != 0 {
                    self.stats.partition_drops += 1;
                    return;
                }
                let to = m.to as usize;
                let Some(node) = self.slots[to].node.as_mut() else {
                    self.stats.lost_to_crashed += 1;
                    return;
                };
                self.stats.deliveries += 1;
                self.stats.steps += 1;
                // Messages are built by nodes of this cluster, so addressing is valid.
                let _ = node.step(m);
                self.process_ready(to);
            }
            Payload::Request { client, node, cmd } => {
                if self.slots[node as usize].node.is_none() {
                    self.stats.lost_to_crashed += 1;
                    return;
                }
                self.stats.deliveries += 1;
                self.stats.steps += 1;
                self.handle_request(client, node, cmd);
            }
            Payload::Reply {
                client,
                node,
                seq,
                result,
            } => {
                self.stats.deliveries += 1;
                self.stats.steps += 1;
                self.handle_reply(client, node, seq, result);
            }
        }
    }

    fn send(&mut self, latency: LatencySpec, payload: Payload) {
        if self.rng.chance_permille(self.drop_permille) {
            self.stats.drops += 1;
            return;
        }
        if self.rng.chance_permille(self.duplicate_permille) {
            self.stats.duplicates += 1;
            let copy = payload.clone();
            self.enqueue(latency, copy);
        }
        self.enqueue(latency, payload);
    }

    fn enqueue(&mut self, latency: LatencySpec, payload: Payload) {
        if self.in_flight >= MAX_IN_FLIGHT {
            self.stats.queue_overflow_drops += 1;
            return;
        }
        let mut delay = latency.sample(&mut self.rng) as u64;
        if self.rng.chance_permille(self.reorder_permille) && self.reorder_extra_ticks > 0 {
            self.stats.reorders += 1;
            delay += self.rng.range_inclusive(1, self.reorder_extra_ticks as u64);
        }
        let arrive_tick = self.now + delay;
        self.in_flight += 1;
        self.wheel[(arrive_tick % WHEEL_SLOTS as u64) as usize].push(InFlight {
            send_tick: self.now,
            arrive_tick,
            payload,
        });
    }

    fn process_ready(&mut self, i: usize) {
        let mut ready = std::mem::take(&mut self.ready);
        let (term, role, commit) = {
            let Some(node) = self.slots[i].node.as_mut() else {
                self.ready = ready;
                return;
            };
            if !node.has_ready() {
                self.ready = ready;
                return;
            }
            node.ready(&mut ready);
            (node.term(), node.role(), node.commit())
        };
        let id = i as NodeId;

        // Persist before anything is sent: an installed snapshot first, then entries.
        if let Some(snap) = ready.snapshot.take() {
            if let Err(f) = self.checker.on_snapshot(id, snap.index, snap.term) {
                self.fail(f);
            }
            match KvStore::decode_snapshot(&snap.data) {
                Ok(kv) => self.slots[i].kv = kv,
                Err(e) => self.fail((ViolationKind::StateMachineSafety, e.to_string())),
            }
            let (index, term) = (snap.index, snap.term);
            let slot = &mut self.slots[i];
            while slot.pending.front().is_some_and(|p| p.0 <= index) {
                slot.pending.pop_front();
            }
            slot.store_snapshot(snap);
            self.stats.snapshots_installed += 1;
            self.trace_event(TraceEvent::Snapshot {
                t: self.now,
                node: id,
                index,
                term,
                installed: true,
            });
        }
        if !ready.entries.is_empty() {
            let slot = &self.slots[i];
            let leader_same_term = role == Role::Leader && slot.leader_term == Some(term);
            let first = ready.entries_first_index;
            if let Err(f) =
                self.checker
                    .on_persist(id, leader_same_term, slot.view(), first, &ready.entries)
            {
                self.fail(f);
            }
            let slot = &mut self.slots[i];
            let keep = first.saturating_sub(1).saturating_sub(slot.offset());
            slot.log.truncate(keep as usize);
            slot.log.extend_from_slice(&ready.entries);
            if role == Role::Leader {
                for e in &ready.entries {
                    if e.term == term {
                        let k = (e.index - 1) as usize;
                        if self.proposed_at.len() <= k {
                            self.proposed_at.resize(k + 1, (0, 0));
                        }
                        self.proposed_at[k] = (e.term, self.now);
                    }
                }
            }
        }
        if let Some(hs) = ready.hard_state {
            self.slots[i].hard = hs;
        }
        if let Some(ss) = ready.soft_state {
            if ss.role == Role::Leader {
                if self.slots[i].leader_term != Some(term) {
                    self.slots[i].leader_term = Some(term);
                    self.stats.leader_changes += 1;
                    self.trace_event(TraceEvent::Leader {
                        t: self.now,
                        node: id,
                        term,
                    });
                    if let Err(f) = self.checker.on_leader(id, term, self.slots[i].view()) {
                        self.fail(f);
                    }
                }
            } else {
                self.slots[i].leader_term = None;
            }
        }
        if commit > self.slots[i].commit {
            self.observe_commit(i, term, commit);
        }
        for k in 0..ready.committed_entries.len() {
            let e = ready.committed_entries[k];
            self.apply_entry(i, &e);
        }
        self.maybe_compact(i);
        for m in ready.messages.drain(..) {
            let lat = self.link_latency[m.from as usize * self.cfg.nodes + m.to as usize];
            self.send(lat, Payload::Raft(m));
        }
        self.ready = ready;
    }

    /// Compacts a node's log into a snapshot once enough applied entries have accumulated.
    fn maybe_compact(&mut self, i: usize) {
        let every = self.cfg.snapshot_every_entries;
        let slot = &mut self.slots[i];
        let Some(node) = slot.node.as_mut() else {
            return;
        };
        if every == 0 || node.applied() < node.log().offset() + every {
            return;
        }
        let data: std::sync::Arc<[u8]> = slot.kv.encode_snapshot().into();
        let Ok(snap) = node.compact(node.applied(), data) else {
            return;
        };
        let (index, term) = (snap.index, snap.term);
        slot.store_snapshot(snap);
        self.stats.snapshots_compacted += 1;
        if let Err(f) = self.checker.on_snapshot(i as NodeId, index, term) {
            self.fail(f);
        }
        self.trace_event(TraceEvent::Snapshot {
            t: self.now,
            node: i as u8,
            index,
            term,
            installed: false,
        });
    }

    fn observe_commit(&mut self, i: usize, term: u64, commit: u64) {
        let old = self.slots[i].commit;
        let before = self.checker.committed_len();
        let entry_term = self.slots[i].view().term(commit).unwrap_or(0);
        self.trace_event(TraceEvent::Commit {
            t: self.now,
            node: i as u8,
            index: commit,
            term: entry_term,
        });
        let mut leaders: [(NodeId, u64, LogView); MAX_NODES] =
            [(0, 0, LogView::full(&[])); MAX_NODES];
        let mut nl = 0;
        for (j, s) in self.slots.iter().enumerate() {
            if let (Some(lt), Some(_)) = (s.leader_term, s.node.as_ref()) {
                leaders[nl] = (j as NodeId, lt, s.view());
                nl += 1;
            }
        }
        let res = self.checker.on_commit(
            i as NodeId,
            term,
            old,
            commit,
            self.slots[i].view(),
            &leaders[..nl],
        );
        if let Err(f) = res {
            self.fail(f);
        }
        self.slots[i].commit = commit;
        let after = self.checker.committed_len();
        for idx in before + 1..=after {
            let k = (idx - 1) as usize;
            if let (Some(&(pt, at)), Some(e)) =
                (self.proposed_at.get(k), self.slots[i].view().get(idx))
            {
                if pt == e.term && pt != 0 {
                    self.commit_latencies.push((self.now - at) as u32);
                }
            }
        }
        self.stats.entries_committed = after;
    }

    fn apply_entry(&mut self, i: usize, e: &Entry) {
        if let Err(f) = self.checker.on_apply(i as NodeId, e) {
            self.fail(f);
        }
        self.trace_event(TraceEvent::Apply {
            t: self.now,
            node: i as u8,
            index: e.index,
            term: e.term,
            cmd: e.cmd,
        });
        let slot = &mut self.slots[i];
        let reply = slot.kv.apply(&e.cmd);
        while let Some(&(idx, _, _)) = slot.pending.front() {
            if idx < e.index {
                slot.pending.pop_front();
            } else {
                break;
            }
        }
        if let Some(&(idx, client, seq)) = slot.pending.front() {
            if idx == e.index {
                slot.pending.pop_front();
                if let Some(r) = reply {
                    if r.client == client && r.seq == seq {
                        let payload = Payload::Reply {
                            client,
                            node: i as u8,
                            seq,
                            result: ReplyResult::Ok(r.value),
                        };
                        self.send(self.client_latency, payload);
                    }
                }
            }
        }
    }

    fn handle_request(&mut self, client: u8, node: u8, cmd: Command) {
        let i = node as usize;
        let seq = cmd.origin().map_or(0, |(_, s)| s);
        let Some(n) = self.slots[i].node.as_mut() else {
            return;
        };
        if let (Some(InjectedBug::StaleLocalRead), Command::Get { key, .. }) =
            (self.cfg.injected_bug, cmd)
        {
            if n.is_leader() {
                let v = self.slots[i].kv.read_local(key);
                let payload = Payload::Reply {
                    client,
                    node,
                    seq,
                    result: ReplyResult::Ok(v),
                };
                self.send(self.client_latency, payload);
                return;
            }
        }
        let result = match n.propose(cmd) {
            Ok(index) => {
                let slot = &mut self.slots[i];
                if slot.pending.len() < MAX_PENDING_PER_NODE {
                    slot.pending.push_back((index, client, seq));
                }
                None
            }
            Err(RaftError::NotLeader { leader_hint }) => Some(ReplyResult::NotLeader(leader_hint)),
            Err(_) => Some(ReplyResult::NotLeader(None)),
        };
        self.process_ready(i);
        if let Some(result) = result {
            self.send(
                self.client_latency,
                Payload::Reply {
                    client,
                    node,
                    seq,
                    result,
                },
            );
        }
    }

    fn handle_reply(&mut self, client: u8, node: u8, seq: u32, result: ReplyResult) {
        let n = self.cfg.nodes as u64;
        let now = self.now;
        let c = &mut self.clients[client as usize];
        let ClientState::Waiting(mut w) = c.state else {
            return;
        };
        if seq != c.seq {
            return;
        }
        match result {
            ReplyResult::Ok(v) => {
                let value = match w.kind {
                    OpKind::Put => w.value,
                    OpKind::Get => v,
                    OpKind::Delete => None,
                };
                c.leader_guess = node;
                c.state = ClientState::Idle;
                c.next_action = now + 1 + c.rng.below(self.cfg.client_think_max_ticks as u64);
                self.complete_op(client, w, value, Some(now));
            }
            ReplyResult::NotLeader(hint) => {
                let next = hint.unwrap_or(((node as u64 + 1) % n) as u8);
                c.leader_guess = next;
                w.target = next;
                w.attempt_deadline = now + 1;
                c.state = ClientState::Waiting(w);
            }
        }
    }

    fn complete_op(&mut self, client: u8, w: Waiting, value: Option<u64>, ret: Option<u64>) {
        if ret.is_some() {
            self.stats.client_ok += 1;
        } else {
            self.stats.client_abandoned += 1;
        }
        self.history.push(Operation {
            client,
            kind: w.kind,
            key: w.key,
            value,
            call: w.call,
            ret,
        });
        self.trace_event(TraceEvent::Client {
            t: self.now,
            client,
            op: w.kind,
            key: w.key,
            value,
            call: w.call,
            ret,
        });
    }

    fn client_tick(&mut self, ci: usize) {
        let now = self.now;
        let n = self.cfg.nodes as u64;
        let c = &mut self.clients[ci];
        match c.state {
            ClientState::Finished => {}
            ClientState::Idle => {
                if now < c.next_action {
                    return;
                }
                if c.ops_started >= self.cfg.max_ops_per_client {
                    c.state = ClientState::Finished;
                    return;
                }
                c.ops_started += 1;
                c.seq += 1;
                let key = c.rng.below(self.cfg.keys as u64) as u8;
                let r = c.rng.below(100);
                let (client, seq) = (c.id, c.seq);
                let (kind, cmd, value) = if r < 40 {
                    let value = (client as u64 + 1) * 1_000_000 + seq as u64;
                    (
                        OpKind::Put,
                        Command::Put {
                            client,
                            seq,
                            key,
                            value,
                        },
                        Some(value),
                    )
                } else if r < 85 {
                    (OpKind::Get, Command::Get { client, seq, key }, None)
                } else {
                    (OpKind::Delete, Command::Delete { client, seq, key }, None)
                };
                let target = c.leader_guess;
                c.state = ClientState::Waiting(Waiting {
                    cmd,
                    kind,
                    key,
                    value,
                    call: now,
                    target: ((target as u64 + 1) % n) as u8,
                    attempt_deadline: now + self.cfg.client_attempt_timeout_ticks as u64,
                    op_deadline: now + self.cfg.client_op_timeout_ticks as u64,
                });
                self.stats.steps += 1;
                self.send(
                    self.client_latency,
                    Payload::Request {
                        client,
                        node: target,
                        cmd,
                    },
                );
            }
            ClientState::Waiting(mut w) => {
                if now >= w.op_deadline {
                    c.state = ClientState::Idle;
                    c.next_action = now + 1 + c.rng.below(self.cfg.client_think_max_ticks as u64);
                    let client = c.id;
                    self.stats.steps += 1;
                    self.complete_op(
                        client,
                        w,
                        if w.kind == OpKind::Put { w.value } else { None },
                        None,
                    );
                } else if now >= w.attempt_deadline {
                    let target = w.target;
                    w.target = ((target as u64 + 1) % n) as u8;
                    w.attempt_deadline = now + self.cfg.client_attempt_timeout_ticks as u64;
                    c.state = ClientState::Waiting(w);
                    let client = c.id;
                    self.stats.steps += 1;
                    self.send(
                        self.client_latency,
                        Payload::Request {
                            client,
                            node: target,
                            cmd: w.cmd,
                        },
                    );
                }
            }
        }
    }

    // ---- faults (scheduled or interactive) ----

    pub fn apply_fault(&mut self, action: &FaultAction) -> Result<(), RaftError> {
        match action {
            FaultAction::Crash { node } => self.crash(*node),
            FaultAction::Restart { node } => self.restart(*node),
            FaultAction::Partition { groups } => self.partition(groups),
            FaultAction::Heal => {
                self.heal();
                Ok(())
            }
            FaultAction::BlockLink { from, to } => self.block_link(*from, *to),
            FaultAction::UnblockLink { from, to } => self.unblock_link(*from, *to),
            FaultAction::SetDrop { permille } => self.set_drop_permille(*permille),
            FaultAction::SetDuplicate { permille } => self.set_duplicate_permille(*permille),
            FaultAction::AddVoter { node } => self
                .change_membership(Command::AddVoter { node: *node })
                .map(|_| ()),
            FaultAction::RemoveVoter { node } => self
                .change_membership(Command::RemoveVoter { node: *node })
                .map(|_| ()),
        }
    }

    /// Proposes a single-server membership change at the current leader (the live leader of
    /// the highest term). Refusals are counted in `conf_changes_rejected` and returned.
    pub fn change_membership(&mut self, cmd: Command) -> Result<u64, RaftError> {
        let node = match cmd {
            Command::AddVoter { node } | Command::RemoveVoter { node } => node,
            _ => {
                return Err(RaftError::ConfChangeRejected(
                    "not a membership change".into(),
                ))
            }
        };
        self.check_node(node)?;
        let leader = self
            .slots
            .iter()
            .enumerate()
            .filter_map(|(i, s)| {
                s.node
                    .as_ref()
                    .filter(|n| n.is_leader())
                    .map(|n| (n.term(), i))
            })
            .max();
        let result = match leader {
            Some((_, i)) => self.propose(i as u8, cmd),
            None => Err(RaftError::NotLeader { leader_hint: None }),
        };
        let accepted = result.is_ok();
        if accepted {
            self.stats.conf_changes += 1;
        } else {
            self.stats.conf_changes_rejected += 1;
        }
        self.trace_event(TraceEvent::Membership {
            t: self.now,
            cmd,
            accepted,
        });
        result
    }

    fn check_node(&self, node: u8) -> Result<usize, RaftError> {
        if (node as usize) < self.cfg.nodes {
            Ok(node as usize)
        } else {
            Err(RaftError::UnknownNode(node))
        }
    }

    /// Crashes a node: volatile state (role, commit knowledge beyond persisted, state
    /// machine, pending client requests) is lost; persisted term, vote and log survive.
    pub fn crash(&mut self, node: u8) -> Result<(), RaftError> {
        let i = self.check_node(node)?;
        let slot = &mut self.slots[i];
        if slot.node.take().is_some() {
            slot.kv = KvStore::default();
            slot.pending.clear();
            slot.leader_term = None;
            self.stats.crashes += 1;
            self.trace_event(TraceEvent::Crash { t: self.now, node });
        }
        Ok(())
    }

    pub fn restart(&mut self, node: u8) -> Result<(), RaftError> {
        let i = self.check_node(node)?;
        if self.slots[i].node.is_some() {
            return Ok(());
        }
        let cfg = self.cfg.node_config(node);
        let rng = self.rng.fork();
        let slot = &mut self.slots[i];
        let n = Node::restart_with_snapshot(cfg, slot.hard, slot.snapshot.clone(), &slot.log, rng)?;
        slot.kv = match &slot.snapshot {
            Some(snap) => KvStore::decode_snapshot(&snap.data)?,
            None => KvStore::default(),
        };
        slot.commit = n.commit();
        slot.node = Some(n);
        self.stats.restarts += 1;
        self.trace_event(TraceEvent::Restart { t: self.now, node });
        self.process_ready(i);
        Ok(())
    }

    /// Cuts every link between different groups; unlisted nodes form one more group.
    pub fn partition(&mut self, groups: &[Vec<u8>]) -> Result<(), RaftError> {
        let n = self.cfg.nodes;
        let mut group_of = [groups.len(); MAX_NODES];
        for (g, members) in groups.iter().enumerate() {
            for &m in members {
                group_of[self.check_node(m)?] = g;
            }
        }
        for a in 0..n {
            let mut mask = 0u16;
            for b in 0..n {
                if group_of[a] != group_of[b] {
                    mask |= 1 << b;
                }
            }
            self.blocked[a] = mask;
        }
        self.stats.partitions += 1;
        self.trace_event(TraceEvent::Partition {
            t: self.now,
            groups: groups.to_vec(),
        });
        Ok(())
    }

    pub fn heal(&mut self) {
        self.blocked = [0; MAX_NODES];
        self.trace_event(TraceEvent::Heal { t: self.now });
    }

    /// Cuts only the directed link `from -> to`.
    pub fn block_link(&mut self, from: u8, to: u8) -> Result<(), RaftError> {
        let (f, t) = (self.check_node(from)?, self.check_node(to)?);
        self.blocked[f] |= 1 << t;
        self.stats.partitions += 1;
        self.trace_event(TraceEvent::BlockLink {
            t: self.now,
            from,
            to,
        });
        Ok(())
    }

    pub fn unblock_link(&mut self, from: u8, to: u8) -> Result<(), RaftError> {
        let (f, t) = (self.check_node(from)?, self.check_node(to)?);
        self.blocked[f] &= !(1 << t);
        self.trace_event(TraceEvent::UnblockLink {
            t: self.now,
            from,
            to,
        });
        Ok(())
    }

    pub fn set_drop_permille(&mut self, permille: u32) -> Result<(), RaftError> {
        if permille > 1000 {
            return Err(RaftError::InvalidConfig("drop_permille > 1000".into()));
        }
        self.drop_permille = permille;
        Ok(())
    }

    pub fn set_duplicate_permille(&mut self, permille: u32) -> Result<(), RaftError> {
        if permille > 1000 {
            return Err(RaftError::InvalidConfig("duplicate_permille > 1000".into()));
        }
        self.duplicate_permille = permille;
        Ok(())
    }

    /// Proposes a command directly at a node (for the lab); errors if it is down or not leader.
    pub fn propose(&mut self, node: u8, cmd: Command) -> Result<u64, RaftError> {
        let i = self.check_node(node)?;
        let Some(n) = self.slots[i].node.as_mut() else {
            return Err(RaftError::NotLeader { leader_hint: None });
        };
        let idx = n.propose(cmd)?;
        self.process_ready(i);
        Ok(idx)
    }

    // ---- views ----

    pub fn node_views(&self) -> Vec<NodeView> {
        self.slots
            .iter()
            .enumerate()
            .map(|(i, s)| match &s.node {
                Some(n) => {
                    let st = n.status();
                    NodeView {
                        id: i as u8,
                        up: true,
                        role: Some(st.role),
                        term: st.term,
                        vote: st.vote,
                        leader: st.leader,
                        commit: st.commit,
                        log_len: st.last_index,
                        snapshot_index: st.snapshot_index,
                        voters: st.voters,
                    }
                }
                None => NodeView {
                    id: i as u8,
                    up: false,
                    role: None,
                    term: s.hard.term,
                    vote: s.hard.vote,
                    leader: None,
                    commit: s.hard.commit,
                    log_len: s.offset() + s.log.len() as u64,
                    snapshot_index: s.offset(),
                    voters: s.log.iter().fold(
                        s.snapshot
                            .as_ref()
                            .map_or(self.cfg.node_config(i as u8).voters(), |x| x.voters),
                        |v, e| e.cmd.apply_to_voters(v),
                    ),
                },
            })
            .collect()
    }

    /// Appends every in-flight message to `out`, in arrival order.
    pub fn in_flight(&self, out: &mut Vec<InFlightView>) {
        for d in 0..WHEEL_SLOTS as u64 {
            let slot = ((self.now + d) % WHEEL_SLOTS as u64) as usize;
            for ev in &self.wheel[slot] {
                let (from, to, kind) = match &ev.payload {
                    Payload::Raft(m) => (Endpoint::Node(m.from), Endpoint::Node(m.to), m.kind()),
                    Payload::Request { client, node, .. } => (
                        Endpoint::Client(*client),
                        Endpoint::Node(*node),
                        MsgKind::ClientRequest,
                    ),
                    Payload::Reply { client, node, .. } => (
                        Endpoint::Node(*node),
                        Endpoint::Client(*client),
                        MsgKind::ClientReply,
                    ),
                };
                out.push(InFlightView {
                    from,
                    to,
                    kind,
                    send_tick: ev.send_tick,
                    arrive_tick: ev.arrive_tick,
                });
            }
        }
    }

    /// The spec's last trace line.
    pub fn summary_json(&self) -> String {
        let (mean_milli, p99) = self.commit_latency_ticks();
        let s = &self.stats;
        let violation = match &self.violation {
            Some(v) => format!("\"{}\"", v.kind.as_str()),
            None => "null".into(),
        };
        format!(
            "{{\"ev\":\"summary\",\"seed\":{},\"nodes\":{},\"ticks\":{},\"entries_committed\":{},\
             \"leader_changes\":{},\"deliveries\":{},\"commit_latency_ticks_mean\":{}.{:03},\
             \"commit_latency_ticks_p99\":{},\"client_ok\":{},\"client_abandoned\":{},\
             \"crashes\":{},\"restarts\":{},\"partitions\":{},\"drops\":{},\"duplicates\":{},\
             \"violation\":{}}}",
            self.cfg.seed,
            self.cfg.nodes,
            self.now,
            s.entries_committed,
            s.leader_changes,
            s.deliveries,
            mean_milli / 1000,
            mean_milli % 1000,
            p99,
            s.client_ok,
            s.client_abandoned,
            s.crashes,
            s.restarts,
            s.partitions,
            s.drops,
            s.duplicates,
            violation
        )
    }
}

/// Result of a traced run: FNV-1a 64 over every JSON line (each followed by `\n`), i.e. the
/// digest of `raft-sim`'s stdout for the same flags.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct TraceDigest {
    pub digest: u64,
    pub lines: u64,
    pub deliveries: u64,
    pub summary: String,
}

/// Runs `(cfg, schedule)` with tracing and calls `line` for each JSON line (without newline).
pub fn run_traced(
    cfg: SimConfig,
    schedule: FaultSchedule,
    mut line: impl FnMut(&str),
) -> Result<TraceDigest, RaftError> {
    let mut sim = Simulation::new(cfg, schedule)?;
    sim.set_tracing(true);
    let mut h = Fnv64::default();
    let mut lines = 0u64;
    let mut buf = Vec::new();
    let mut s = String::new();
    let ticks = sim.config().ticks;
    let mut emit = |buf: &mut Vec<TraceEvent>, h: &mut Fnv64, lines: &mut u64| {
        for ev in buf.drain(..) {
            s.clear();
            ev.write_json(&mut s);
            line(&s);
            h.update(s.as_bytes());
            h.update(b"\n");
            *lines += 1;
        }
    };
    while sim.now() < ticks && sim.violation().is_none() {
        sim.step_tick();
        sim.drain_trace(&mut buf);
        emit(&mut buf, &mut h, &mut lines);
    }
    sim.finish();
    sim.drain_trace(&mut buf);
    emit(&mut buf, &mut h, &mut lines);
    let summary = sim.summary_json();
    line(&summary);
    h.update(summary.as_bytes());
    h.update(b"\n");
    lines += 1;
    Ok(TraceDigest {
        digest: h.0,
        lines,
        deliveries: sim.stats().deliveries,
        summary,
    })
}
