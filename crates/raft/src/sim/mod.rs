//! Deterministic discrete-event cluster simulator: a virtual clock in ticks, one seeded RNG,
//! and the online invariant checker watching every node output. A tick runs the scheduled
//! faults, then the deliveries due, then the node ticks, then the clients.
//!
//! - [`config`]: [`SimConfig`] and the injected bugs.
//! - [`network`]: the timing-wheel network (latency, loss, duplication, reordering, cuts).
//! - [`replica`] and [`storage`]: one server (node, stable storage, KV store, pending
//!   replies) and the persist → check → apply → send pipeline for its output.
//! - [`client`]: closed-loop KV clients with timeouts, redirects and retries.
//! - [`control`]: crash/restart, partitions and link cuts, rates, proposals and membership
//!   changes, for fault schedules (`crate::faults`) and the lab alike.
//! - [`view`]: the snapshots a UI draws from; the lab's only boundary with the engine.
//! - [`latency`] and [`report`]: commit latency, the trace buffer, the summary line and
//!   [`run_traced`].

mod client;
mod config;
mod control;
mod latency;
mod network;
mod replica;
mod report;
mod storage;
mod view;

pub use client::MAX_QUEUED_REQUESTS;
pub use client::MAX_SIM_CLIENTS;
pub use config::{InjectedBug, SimConfig};
pub use control::Injected;
pub use latency::{CommitLatencySummary, MAX_EXACT_COMMIT_LATENCY_TICKS, MAX_TRACKED_PROPOSALS};
pub use network::{MAX_IN_FLIGHT, WHEEL_SLOTS};
pub use replica::MAX_PENDING_PER_NODE;
pub use report::{run_traced, TraceDigest, MAX_BUFFERED_TRACE_EVENTS};
pub use view::{
    ClientOpView, ClientView, ClusterView, CutLink, Endpoint, EntryView, InFlightView, LogTail,
    MsgFields, NodeDetail, NodeView, PeerProgress, MAX_DETAIL_ENTRIES, MAX_LOG_TAIL,
};

use crate::checker::{Finding, InvariantChecker, Violation, ViolationKind};
use crate::error::RaftError;
use crate::faults::{FaultAction, FaultEvent, FaultSchedule, LatencySpec, MAX_FAULT_EVENTS};
use crate::linearizability::{check_history, LinResult, Operation};
use crate::node::{Node, Ready};
use client::Client;
use deterministic::SplitMix64;
use latency::CommitLatency;
use network::{InFlight, Network, Payload};
use replica::Replica;
use report::TraceBuffer;
use serde::Serialize;

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

/// The run's schedule, its events in time order (same-tick events in file order), and the
/// next one due.
struct ScheduledFaults {
    schedule: FaultSchedule,
    next: usize,
}

impl ScheduledFaults {
    fn new(schedule: &FaultSchedule) -> Self {
        let mut schedule = schedule.clone();
        schedule.events.sort_by_key(|e| e.at); // stable: same-tick events keep file order
        ScheduledFaults { schedule, next: 0 }
    }

    /// The next action due at or before `now`, if any.
    fn next_due(&mut self, now: u64) -> Option<FaultAction> {
        let e = self
            .schedule
            .events
            .get(self.next)
            .filter(|e| e.at <= now)?;
        self.next += 1;
        Some(e.action.clone())
    }

    fn check_room(&self) -> Result<(), RaftError> {
        if self.schedule.events.len() >= MAX_FAULT_EVENTS {
            return Err(RaftError::InvalidConfig(format!(
                "more than {MAX_FAULT_EVENTS} fault events"
            )));
        }
        Ok(())
    }

    /// Records an event applied at its tick before that tick was stepped: it goes before the
    /// events still due (all of them are at its tick or later), and counts as applied.
    fn insert_now(&mut self, event: FaultEvent) {
        debug_assert!(self.schedule.events[self.next..]
            .iter()
            .all(|e| e.at >= event.at));
        self.schedule.events.insert(self.next, event);
        self.next += 1;
    }
}

pub struct Simulation {
    cfg: SimConfig,
    faults: ScheduledFaults,
    /// The run's one random source; nodes, clients and restarts get forks of it.
    rng: SplitMix64,
    now: u64,
    replicas: Vec<Replica>,
    clients: Vec<Client>,
    net: Network,
    checker: InvariantChecker,
    /// Finished and abandoned client operations; bounded by `SimConfig::validate`
    /// (`clients * max_ops_per_client <= MAX_HISTORY_OPS`).
    history: Vec<Operation>,
    trace: TraceBuffer,
    stats: SimStats,
    /// Reused for every node output.
    ready: Ready,
    violation: Option<Violation>,
    latency: CommitLatency,
    finished: bool,
}

impl Simulation {
    pub fn new(cfg: SimConfig, schedule: FaultSchedule) -> Result<Self, RaftError> {
        cfg.validate()?;
        schedule.validate(cfg.nodes)?;
        let n = cfg.nodes;
        let mut rng = SplitMix64::new(cfg.seed);
        let default_latency: LatencySpec = schedule.latency.unwrap_or(cfg.latency);
        let mut replicas = Vec::with_capacity(n);
        for id in 0..n as u8 {
            replicas.push(Replica::new(Node::new(cfg.node_config(id), rng.fork())?));
        }
        let clients = (0..cfg.clients as u8)
            .map(|id| Client::new(id, rng.fork(), n, cfg.client_think_max_ticks))
            .collect();
        Ok(Simulation {
            faults: ScheduledFaults::new(&schedule),
            rng,
            now: 0,
            replicas,
            clients,
            net: Network::new(n, default_latency, &schedule),
            checker: InvariantChecker::default(),
            history: Vec::new(),
            trace: TraceBuffer::default(),
            stats: SimStats::default(),
            ready: Ready::default(),
            violation: None,
            latency: CommitLatency::default(),
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

    /// Records the first violation (with seed, step and tick); later ones add nothing.
    fn fail(&mut self, f: Finding) {
        if self.violation.is_none() {
            self.violation = Some(Violation {
                kind: f.kind,
                seed: self.cfg.seed,
                step: self.stats.steps,
                tick: self.now,
                detail: f.detail,
            });
        }
    }

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
        self.abandon_outstanding_ops();
        if !self.cfg.check_linearizability || self.violation.is_some() {
            return;
        }
        match check_history(&self.history) {
            Ok(LinResult::Linearizable) => {}
            Ok(LinResult::Violation { key, ops_on_key }) => self.fail(Finding::new(
                ViolationKind::Linearizability,
                format!("history of key {key} ({ops_on_key} ops) is not linearizable"),
            )),
            Ok(LinResult::Unknown { .. }) => self.stats.linearizability_unknown = true,
            Err(e) => self.fail(Finding::new(ViolationKind::Linearizability, e.to_string())),
        }
    }

    /// One tick: scheduled faults, then deliveries due now, then node ticks, then clients.
    pub fn step_tick(&mut self) {
        while let Some(action) = self.faults.next_due(self.now) {
            self.stats.steps += 1;
            // Schedules are validated up front, so node ids are in range.
            let _ = self.apply_fault(&action);
        }
        let mut due = self.net.take_due(self.now);
        for ev in due.drain(..) {
            debug_assert_eq!(ev.arrive_tick, self.now);
            self.net.landed();
            self.deliver(ev);
        }
        self.net.put_back(self.now, due);
        for i in 0..self.replicas.len() {
            if let Some(node) = self.replicas[i].node.as_mut() {
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
                if self.net.is_blocked(m.from, m.to) {
                    self.stats.partition_drops += 1;
                    return;
                }
                let to = m.to as usize;
                let Some(node) = self.replicas[to].node.as_mut() else {
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
                if self.replicas[node as usize].node.is_none() {
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

    /// Sends over the network with the run's RNG and counters.
    fn send(&mut self, latency: LatencySpec, payload: Payload) {
        self.net
            .send(&mut self.rng, &mut self.stats, self.now, latency, payload);
    }

    /// Sends a client request or reply (client links have their own latency and are never
    /// cut).
    fn send_client(&mut self, payload: Payload) {
        let latency = self.net.client_latency;
        self.send(latency, payload);
    }
}
