//! The lab's session, outside the reactive graph: the run's configuration, the simulation at
//! the tick shown, the furthest tick reached (the timeline's end) and the recent messages for
//! the space-time diagram. Every visitor action goes through [`Session::act`], which records it
//! in the simulation's schedule, so the run is always `(RunConfig, schedule)` and replays
//! exactly — here after a seek, in the worker for the digest, or natively with `raft-sim`.

use raft::faults::{FaultAction, FaultSchedule};
use raft::linearizability::Operation;
use raft::sim::{ClusterView, Endpoint, InFlightView, NodeDetail};
use raft::{RaftError, Role, SimConfig, Simulation};
use serde::{Deserialize, Serialize};
use std::collections::VecDeque;

/// Cluster sizes the lab offers (a ring of 3 to 7 nodes).
pub const MIN_NODES: usize = 3;
pub const MAX_NODES: usize = 7;
/// The furthest tick a run may reach in the page (the timeline's bound, and the bound on a
/// link's `until`): about 2¾ hours at 1×.
pub const MAX_RUN_TICKS: u64 = 100_000;
/// Ticks the space-time diagram shows.
pub const DIAGRAM_TICKS: u64 = 60;
/// Bound on the messages kept for the diagram.
pub const MAX_DIAGRAM_MESSAGES: usize = 2_000;
/// Operations of the history drawn.
pub const MAX_HISTORY_SHOWN: usize = 48;

/// What a run is besides its schedule; the lab's defaults are `raft-sim`'s.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RunConfig {
    pub seed: u64,
    pub nodes: usize,
    pub pre_vote: bool,
    pub check_quorum: bool,
    /// Nodes `0..initial_voters` start as voters, the rest as learners (0 = all voters).
    pub initial_voters: usize,
    /// Compact logs every this many applied entries (0 = never), as `--snapshot-every`.
    pub snapshot_every: u64,
}

impl Default for RunConfig {
    fn default() -> Self {
        let d = SimConfig::default();
        RunConfig {
            seed: d.seed,
            nodes: d.nodes,
            pre_vote: d.pre_vote,
            check_quorum: d.check_quorum,
            initial_voters: d.initial_voters,
            snapshot_every: d.snapshot_every_entries,
        }
    }
}

impl RunConfig {
    /// The simulator's configuration for a run of `ticks` ticks.
    pub fn sim_config(&self, ticks: u64) -> SimConfig {
        SimConfig {
            seed: self.seed,
            nodes: self.nodes,
            ticks,
            pre_vote: self.pre_vote,
            check_quorum: self.check_quorum,
            initial_voters: self.initial_voters,
            snapshot_every_entries: self.snapshot_every,
            ..SimConfig::default()
        }
    }

    /// The `raft-sim` command that prints the digest of this run to tick `until` (with the
    /// schedule saved as `faults`, when there is one).
    pub fn native_command(&self, until: u64, faults: Option<&str>) -> String {
        let mut cmd = format!(
            "raft-sim --seed {} --nodes {} --ticks {until}",
            self.seed, self.nodes
        );
        if let Some(file) = faults {
            cmd.push_str(&format!(" --faults {file}"));
        }
        let d = RunConfig::default();
        if self.pre_vote != d.pre_vote {
            cmd.push_str(" --pre-vote off");
        }
        if self.check_quorum != d.check_quorum {
            cmd.push_str(" --check-quorum off");
        }
        if self.initial_voters != d.initial_voters {
            cmd.push_str(&format!(" --initial-voters {}", self.initial_voters));
        }
        if self.snapshot_every != d.snapshot_every {
            cmd.push_str(&format!(" --snapshot-every {}", self.snapshot_every));
        }
        cmd.push_str(" --digest");
        cmd
    }
}

/// A finished or outstanding operation, as the history draws it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct HistoryBar {
    pub op: Operation,
    /// Still waiting for its reply (drawn open to the right).
    pub outstanding: bool,
}

/// Everything the views draw, as of one tick.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Frame {
    pub run: RunConfig,
    pub view: ClusterView,
    pub frontier: u64,
    /// The highest term any node has seen, and the live leader of the highest term.
    pub max_term: u64,
    pub leader: Option<u8>,
    pub detail: Option<(u8, NodeDetail)>,
    /// Messages sent within the diagram's window, oldest first.
    pub diagram: Vec<InFlightView>,
    pub history: Vec<HistoryBar>,
    /// The schedule is not empty (a native run then needs `--faults`).
    pub has_faults: bool,
}

impl Frame {
    /// The detail of node `id`, if it is the one selected.
    pub fn detail_of(&self, id: u8) -> Option<&NodeDetail> {
        self.detail
            .as_ref()
            .filter(|(d, _)| *d == id)
            .map(|(_, d)| d)
    }
}

pub struct Session {
    run: RunConfig,
    sim: Simulation,
    frontier: u64,
    diagram: VecDeque<InFlightView>,
    scratch: Vec<InFlightView>,
}

impl Session {
    /// A run of `(run, schedule)` stepped to `until` (bounded by [`MAX_RUN_TICKS`]).
    pub fn new(run: RunConfig, schedule: FaultSchedule, until: u64) -> Result<Session, RaftError> {
        if !(MIN_NODES..=MAX_NODES).contains(&run.nodes) {
            return Err(RaftError::InvalidConfig(format!(
                "nodes must be in {MIN_NODES}..={MAX_NODES}"
            )));
        }
        let sim = Simulation::new(run.sim_config(MAX_RUN_TICKS), schedule)?;
        let mut s = Session {
            run,
            sim,
            frontier: 0,
            diagram: VecDeque::new(),
            scratch: Vec::new(),
        };
        s.advance_to(until.min(MAX_RUN_TICKS));
        s.frontier = s.sim.now();
        Ok(s)
    }

    pub fn run(&self) -> RunConfig {
        self.run
    }
    pub fn now(&self) -> u64 {
        self.sim.now()
    }
    pub fn frontier(&self) -> u64 {
        self.frontier
    }
    pub fn schedule(&self) -> &FaultSchedule {
        self.sim.schedule()
    }

    /// Whether the run can go on: not at the bound, no violation.
    pub fn can_step(&self) -> bool {
        self.sim.now() < MAX_RUN_TICKS && self.sim.violation().is_none()
    }

    /// Advances up to `n` ticks; returns how many ran.
    pub fn step(&mut self, n: u64) -> u64 {
        let mut done = 0;
        while done < n && self.can_step() {
            self.sim.step_tick();
            self.record_sent();
            done += 1;
        }
        self.frontier = self.frontier.max(self.sim.now());
        done
    }

    /// Steps without drawing until the diagram's window, then with it.
    fn advance_to(&mut self, tick: u64) {
        let quiet = tick.saturating_sub(DIAGRAM_TICKS);
        while self.sim.now() < quiet && self.can_step() {
            self.sim.step_tick();
        }
        while self.sim.now() < tick && self.can_step() {
            self.sim.step_tick();
            self.record_sent();
        }
    }

    /// Messages sent during the tick just run, for the diagram.
    fn record_sent(&mut self) {
        let sent_at = self.sim.now().saturating_sub(1);
        self.scratch.clear();
        self.sim.in_flight(&mut self.scratch);
        for m in self.scratch.iter().filter(|m| m.send_tick == sent_at) {
            if self.diagram.len() >= MAX_DIAGRAM_MESSAGES {
                self.diagram.pop_front();
            }
            self.diagram.push_back(*m);
        }
        let horizon = sent_at.saturating_sub(DIAGRAM_TICKS);
        while self.diagram.front().is_some_and(|m| m.send_tick < horizon) {
            self.diagram.pop_front();
        }
    }

    /// Shows tick `tick` (within the timeline): a fresh run of the same configuration and
    /// schedule, stepped to it. The frontier stays, so the visitor can come back.
    pub fn seek(&mut self, tick: u64) -> Result<(), RaftError> {
        let tick = tick.min(self.frontier);
        let schedule = self.sim.schedule().clone();
        self.restart(self.run, schedule, tick)
    }

    /// A new configuration: the same schedule, replayed to the current tick.
    pub fn reconfigure(&mut self, run: RunConfig) -> Result<(), RaftError> {
        let schedule = self.sim.schedule().clone();
        let now = self.sim.now();
        self.restart(run, schedule, now)?;
        self.frontier = self.sim.now();
        Ok(())
    }

    fn restart(
        &mut self,
        run: RunConfig,
        schedule: FaultSchedule,
        tick: u64,
    ) -> Result<(), RaftError> {
        let frontier = self.frontier;
        let mut fresh = Session::new(run, schedule, tick)?;
        fresh.frontier = frontier.max(fresh.frontier);
        *self = fresh;
        Ok(())
    }

    /// Applies a visitor's action at the current tick and records it in the schedule. Acting
    /// before the frontier forks history: the schedule's later events are dropped first.
    /// Returns the cluster's refusal, if it refused (the action is recorded all the same).
    pub fn act(&mut self, action: FaultAction) -> Result<Option<RaftError>, RaftError> {
        if self.sim.now() < self.frontier {
            self.sim.drop_events_after_now();
            self.frontier = self.sim.now();
        }
        let injected = self.sim.inject(action)?;
        Ok(injected.refused)
    }

    /// Fills `out` with what the views draw; `selected` also gets its detail.
    pub fn frame(&self, selected: Option<u8>, out: &mut Frame) {
        out.run = self.run;
        self.sim.cluster_view(&mut out.view);
        out.frontier = self.frontier;
        out.max_term = out.view.nodes.iter().map(|n| n.term).max().unwrap_or(0);
        out.leader = out
            .view
            .nodes
            .iter()
            .filter(|n| n.role == Some(Role::Leader))
            .max_by_key(|n| n.term)
            .map(|n| n.id);
        out.detail = selected.map(|id| {
            let mut d = NodeDetail::default();
            self.sim.node_detail(id, &mut d);
            (id, d)
        });
        let from = self.sim.now().saturating_sub(DIAGRAM_TICKS);
        out.diagram.clear();
        out.diagram
            .extend(self.diagram.iter().filter(|m| m.send_tick >= from).copied());
        out.history.clear();
        let h = self.sim.history();
        let shown = &h[h.len().saturating_sub(MAX_HISTORY_SHOWN)..];
        out.history.extend(shown.iter().map(|op| HistoryBar {
            op: *op,
            outstanding: false,
        }));
        for c in &out.view.clients {
            if let Some(w) = c.waiting {
                out.history.push(HistoryBar {
                    op: Operation {
                        client: c.id,
                        kind: w.kind,
                        key: w.key,
                        value: None,
                        call: w.call_tick,
                        ret: None,
                    },
                    outstanding: true,
                });
            }
        }
        out.has_faults = *self.sim.schedule() != FaultSchedule::default();
    }

    /// The digest run's configuration: the run to the current tick.
    pub fn digest_request(&self) -> (RunConfig, FaultSchedule, u64) {
        (self.run, self.sim.schedule().clone(), self.sim.now())
    }
}

/// Where a message is between its endpoints at visual time `t` (ticks, fractional): 0 at the
/// sender right after it was sent, 1 at the receiver when it is delivered.
pub fn progress(m: &InFlightView, t: f64) -> f64 {
    let span = (m.arrive_tick - m.send_tick).max(1) as f64;
    ((t - (m.send_tick + 1) as f64) / span).clamp(0.0, 1.0)
}

/// Whether an endpoint is a node (and which).
pub fn node_of(e: Endpoint) -> Option<u8> {
    match e {
        Endpoint::Node(n) => Some(n),
        Endpoint::Client(_) => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use raft::run_traced;

    #[test]
    fn a_session_is_its_config_and_schedule() {
        let run = RunConfig::default();
        let mut s = Session::new(run, FaultSchedule::default(), 200).unwrap();
        s.act(FaultAction::Crash { node: 2 }).unwrap();
        s.step(100);
        s.act(FaultAction::Restart { node: 2 }).unwrap();
        s.step(100);
        let mut a = Frame::default();
        s.frame(Some(2), &mut a);
        let mut replay = Session::new(run, s.schedule().clone(), 400).unwrap();
        let mut b = Frame::default();
        replay.frame(Some(2), &mut b);
        assert_eq!(a.view, b.view);
        assert_eq!(a.detail, b.detail);
        // Seeking back and forth keeps the frontier and the state at each tick.
        s.seek(150).unwrap();
        assert_eq!((s.now(), s.frontier()), (150, 400));
        s.seek(400).unwrap();
        let mut c = Frame::default();
        s.frame(Some(2), &mut c);
        assert_eq!(c.view, a.view);
        // Acting in the past drops the old future.
        replay.seek(250).unwrap();
        replay.act(FaultAction::TimeoutNow { node: 0 }).unwrap();
        assert_eq!(replay.frontier(), 250);
        assert_eq!(replay.schedule().events.len(), 2);
        // The digest request is raft-sim's run of the same schedule to the same tick.
        let (cfg, schedule, until) = s.digest_request();
        assert!(run_traced(cfg.sim_config(until), schedule, |_| {}).is_ok());
    }

    #[test]
    fn out_of_range_clusters_are_refused() {
        for nodes in [0, 2, 8, 15] {
            let run = RunConfig {
                nodes,
                ..RunConfig::default()
            };
            assert!(Session::new(run, FaultSchedule::default(), 0).is_err());
        }
    }

    #[test]
    fn the_diagram_keeps_its_window() {
        let mut s = Session::new(RunConfig::default(), FaultSchedule::default(), 500).unwrap();
        s.step(10);
        let mut f = Frame::default();
        s.frame(None, &mut f);
        assert!(!f.diagram.is_empty());
        assert!(f
            .diagram
            .iter()
            .all(|m| m.send_tick + DIAGRAM_TICKS >= s.now()));
        assert_eq!(
            f.leader.map(|l| f.view.nodes[l as usize].role),
            Some(Some(Role::Leader))
        );
    }

    #[test]
    fn native_command_names_only_what_differs() {
        let run = RunConfig {
            pre_vote: false,
            ..RunConfig::default()
        };
        assert_eq!(
            run.native_command(300, Some("schedule.json")),
            "raft-sim --seed 1 --nodes 5 --ticks 300 --faults schedule.json --pre-vote off --digest"
        );
    }
}
