//! The Raft lab's contract with the engine: whatever a visitor does to a running cluster is a
//! schedule event, and a fresh run of the recorded schedule reaches the same state — so a link
//! (or `raft-sim --faults`) replays the visitor's run exactly.

use raft::faults::{FaultAction, FaultSchedule};
use raft::kv::OpKind;
use raft::sim::{ClusterView, MsgFields, NodeDetail};
use raft::{run_traced, Role, SimConfig, Simulation};

fn view(sim: &Simulation) -> ClusterView {
    let mut v = ClusterView::default();
    sim.cluster_view(&mut v);
    v
}

fn fresh_to(cfg: &SimConfig, schedule: &FaultSchedule, tick: u64) -> Simulation {
    let mut sim = Simulation::new(cfg.clone(), schedule.clone()).unwrap();
    sim.step_ticks(tick);
    sim
}

/// The actions a visitor can take, by number, aimed at node `n`.
fn action(kind: u64, n: u8, nodes: usize) -> FaultAction {
    let other = ((n as usize + 1) % nodes) as u8;
    match kind % 12 {
        0 => FaultAction::Crash { node: n },
        1 => FaultAction::Restart { node: n },
        2 => FaultAction::TimeoutNow { node: n },
        3 => FaultAction::Partition {
            groups: vec![vec![n]],
        },
        4 => FaultAction::Heal,
        5 => FaultAction::BlockLink { from: n, to: other },
        6 => FaultAction::SetDrop { permille: 80 },
        7 => FaultAction::SetDuplicate { permille: 50 },
        8 => FaultAction::SetReorder {
            permille: 100,
            extra_ticks: 5,
        },
        9 => FaultAction::SetLatency {
            min_ticks: 1,
            max_ticks: 6,
        },
        10 => FaultAction::Request {
            op: [OpKind::Put, OpKind::Get, OpKind::Delete][n as usize % 3],
            key: n % 4,
        },
        _ => FaultAction::RemoveVoter { node: n },
    }
}

#[test]
fn injected_actions_replay_exactly_from_the_recorded_schedule() {
    let cfg = SimConfig {
        seed: 9,
        nodes: 5,
        ..SimConfig::default()
    };
    let base = FaultSchedule::from_json(
        r#"{"events":[{"at":120,"kind":"crash","node":2},{"at":300,"kind":"restart","node":2}]}"#,
    )
    .unwrap();
    let mut live = Simulation::new(cfg.clone(), base).unwrap();
    let mut r = deterministic::SplitMix64::new(4);
    for _ in 0..40 {
        live.step_ticks(1 + r.below_unbiased(40));
        let a = action(r.below_unbiased(12), r.below_unbiased(5) as u8, 5);
        // Refusals (e.g. no leader for a membership change) are fine: they are recorded too.
        let _ = live.inject(a);
    }
    live.step_ticks(50);
    let now = live.now();
    let replay = fresh_to(&cfg, live.schedule(), now);
    assert_eq!(view(&live), view(&replay));
    assert_eq!(live.history(), replay.history());
    assert!(live.schedule().events.len() > 30);
    assert!(view(&live).scheduled_client.is_some());
}

#[test]
fn acting_in_the_past_forks_from_there() {
    let cfg = SimConfig::default();
    let mut first = Simulation::new(cfg.clone(), FaultSchedule::default()).unwrap();
    first.step_ticks(100);
    first.inject(FaultAction::Crash { node: 1 }).unwrap();
    first.step_ticks(100);
    first.inject(FaultAction::Crash { node: 3 }).unwrap();
    // Back to tick 150 and do something else: the crash at 200 is the old future.
    let mut fork = fresh_to(&cfg, first.schedule(), 150);
    fork.drop_events_after_now();
    fork.inject(FaultAction::TimeoutNow { node: 4 }).unwrap();
    let ev = &fork.schedule().events;
    assert_eq!(ev.len(), 2);
    assert_eq!(ev[1].at, 150);
    fork.step_ticks(100);
    assert!(view(&fork).nodes[3].up);
    assert!(!view(&fork).nodes[1].up);
}

#[test]
fn timeout_now_starts_an_election_at_once() {
    let cfg = SimConfig {
        pre_vote: false,
        check_quorum: false,
        ..SimConfig::default()
    };
    let mut sim = Simulation::new(cfg, FaultSchedule::default()).unwrap();
    sim.step_ticks(200);
    let v = view(&sim);
    let leader = v
        .nodes
        .iter()
        .find(|n| n.role == Some(Role::Leader))
        .unwrap();
    let follower = v
        .nodes
        .iter()
        .find(|n| n.role == Some(Role::Follower))
        .unwrap();
    let term = leader.term;
    sim.inject(FaultAction::TimeoutNow { node: follower.id })
        .unwrap();
    let after = view(&sim);
    assert_eq!(
        after.nodes[follower.id as usize].role,
        Some(Role::Candidate)
    );
    assert_eq!(after.nodes[follower.id as usize].term, term + 1);
    // A leader ignores it.
    sim.inject(FaultAction::TimeoutNow { node: leader.id })
        .unwrap();
}

#[test]
fn visitor_requests_go_through_a_client_into_the_checked_history() {
    let cfg = SimConfig {
        clients: 1,
        ..SimConfig::default()
    };
    let mut sim = Simulation::new(cfg.clone(), FaultSchedule::default()).unwrap();
    sim.step_ticks(150);
    sim.inject(FaultAction::Request {
        op: OpKind::Put,
        key: 2,
    })
    .unwrap();
    sim.inject(FaultAction::Request {
        op: OpKind::Get,
        key: 2,
    })
    .unwrap();
    sim.step_ticks(150);
    let me = sim.scheduled_client().unwrap();
    assert_eq!(me, 1);
    let mine: Vec<_> = sim.history().iter().filter(|o| o.client == me).collect();
    assert_eq!(mine.len(), 2);
    assert_eq!(mine[0].kind, OpKind::Put);
    assert!(mine[0].ret.is_some());
    // The get reads the put's value unless another client wrote key 2 in between.
    assert!(mine[1].ret.unwrap() > mine[0].ret.unwrap());
    let mut cfg = cfg;
    cfg.ticks = 300;
    let d = run_traced(cfg, sim.schedule().clone(), |_| {}).unwrap();
    assert_eq!(d.violation, None);
    assert!(d.operations >= 2);
    // Keys outside the run's key space are refused and recorded nowhere.
    let n = sim.schedule().events.len();
    assert!(sim
        .inject(FaultAction::Request {
            op: OpKind::Get,
            key: 9
        })
        .is_err());
    assert_eq!(sim.schedule().events.len(), n);
}

#[test]
fn views_carry_logs_timers_progress_and_message_fields() {
    let mut sim = Simulation::new(SimConfig::default(), FaultSchedule::default()).unwrap();
    sim.step_ticks(300);
    let v = view(&sim);
    let leader = v
        .nodes
        .iter()
        .find(|n| n.role == Some(Role::Leader))
        .unwrap();
    assert!(leader.applied > 0 && leader.applied <= leader.commit);
    let tail = &v.logs[leader.id as usize];
    assert_eq!(tail.first + tail.terms.len() as u64 - 1, leader.log_len);
    assert!(tail.terms.windows(2).all(|w| w[0] <= w[1]));
    let f = v
        .nodes
        .iter()
        .find(|n| n.role == Some(Role::Follower))
        .unwrap();
    assert!(f.election_elapsed < f.election_timeout);
    let mut d = NodeDetail::default();
    sim.node_detail(leader.id, &mut d);
    assert_eq!(d.progress.len(), 4);
    assert!(d.progress.iter().all(|p| p.match_index < p.next_index));
    assert_eq!(d.kv.len(), 4);
    assert_eq!(d.entries.last().unwrap().index, leader.log_len);
    assert!(v.in_flight.iter().any(|m| matches!(
        m.fields,
        MsgFields::Append { term, .. } if term == leader.term
    )));
    let json = serde_json::to_string(&v.in_flight[0].fields).unwrap();
    assert!(json.contains("\"term\""), "{json}");
}

#[test]
fn pre_vote_and_check_quorum_are_config_a_replay_keeps() {
    let cfg = SimConfig {
        pre_vote: false,
        check_quorum: false,
        ticks: 400,
        ..SimConfig::default()
    };
    let a = run_traced(cfg.clone(), FaultSchedule::default(), |_| {}).unwrap();
    let b = run_traced(
        SimConfig {
            ticks: 400,
            ..SimConfig::default()
        },
        FaultSchedule::default(),
        |_| {},
    )
    .unwrap();
    assert_ne!(a.digest, b.digest);
    assert_eq!(
        a,
        run_traced(cfg, FaultSchedule::default(), |_| {}).unwrap()
    );
}
