//! Configurations at the edges of their integer types are typed errors, never panics or wraps
//! past validation (a schedule or config arrives from the lab's import and from JSON files).

use raft::{
    FaultSchedule, LatencySpec, NodeConfig, RaftError, SimConfig, Simulation,
    MAX_ELECTION_TIMEOUT_TICKS,
};

fn invalid(r: Result<impl Sized, RaftError>) -> String {
    match r {
        Err(RaftError::InvalidConfig(why)) => why,
        Err(other) => panic!("expected InvalidConfig, got {other:?}"),
        Ok(_) => panic!("expected InvalidConfig, got Ok"),
    }
}

#[test]
fn latency_whose_worst_case_passes_u32_is_rejected() {
    let json = r#"{"latency": {"min_ticks": 1, "max_ticks": 4294967295, "tail_permille": 1,
                               "tail_ticks": 1}}"#;
    let schedule = FaultSchedule::from_json(json).unwrap();
    let why = invalid(schedule.validate(3));
    assert!(why.contains("max_ticks + tail_ticks"), "{why}");
    let spec = LatencySpec {
        min_ticks: 1,
        max_ticks: 2,
        tail_permille: 5,
        tail_ticks: u32::MAX,
    };
    invalid(spec.validate());
    let sim = Simulation::new(SimConfig::default(), schedule);
    invalid(sim.map(|_| ()));
    invalid(raft::experiments::commit_latency(1, 3, spec, 100).map(|_| ()));
}

#[test]
fn election_timeout_beyond_its_bound_is_rejected_and_the_bound_runs() {
    let mut cfg = NodeConfig::new(0, 3);
    cfg.election_timeout_ticks = u32::MAX;
    invalid(cfg.validate());
    cfg.election_timeout_ticks = MAX_ELECTION_TIMEOUT_TICKS + 1;
    invalid(cfg.validate());
    let sim = SimConfig {
        election_timeout_ticks: u32::MAX,
        ..SimConfig::default()
    };
    invalid(Simulation::new(sim, FaultSchedule::default()).map(|_| ()));
    // At the bound the randomized timeout `[base, 2*base)` still fits: the run proceeds.
    let sim = SimConfig {
        election_timeout_ticks: MAX_ELECTION_TIMEOUT_TICKS,
        ticks: 50,
        ..SimConfig::default()
    };
    let mut s = Simulation::new(sim, FaultSchedule::default()).unwrap();
    s.run();
}
