//! The cluster's interactive API: a shard killed, restored, added or removed at the current
//! tick is recorded in the configuration, and a fresh simulation of that configuration replays
//! the run exactly (the lab keeps its state in the address that way).

use ratelimit::cluster::{ClusterConfig, ClusterSim, DegradationPolicy, ShardAction, MAX_SHARDS};

fn demo(policy: DegradationPolicy) -> ClusterConfig {
    let mut c = ClusterConfig::demo(policy, 7);
    c.outages.clear();
    c
}

#[test]
fn live_actions_replay_exactly_from_the_recorded_config() {
    let mut live = ClusterSim::new(demo(DegradationPolicy::LocalFallback {
        share_permille: 400,
    }))
    .unwrap();
    let mut seen = Vec::new();
    for t in 0..80 {
        match t {
            10 => drop(live.act(ShardAction::Kill { shard: 2 }).unwrap()),
            25 => drop(live.act(ShardAction::Add).unwrap()),
            30 => drop(live.act(ShardAction::Restore { shard: 2 }).unwrap()),
            45 => drop(live.act(ShardAction::Remove { shard: 0 }).unwrap()),
            _ => {}
        }
        seen.push(live.step().unwrap());
    }
    assert_eq!(live.config().events.len(), 4);
    let mut replay = ClusterSim::new(live.config().clone()).unwrap();
    let again: Vec<_> = (0..80).map(|_| replay.step().unwrap()).collect();
    assert_eq!(seen, again);
    // The report follows the shards: five ever, shard 0 off the ring, shard 4 on it.
    let last = seen.last().unwrap();
    assert_eq!(last.shards.len(), 5);
    assert!(!last.shards[0].in_ring && last.shards[0].requests == 0);
    assert!(last.shards[4].in_ring && last.shards[4].requests > 0);
    assert!(seen[15].shards[2].requests > 0 && !seen[15].shards[2].up);
}

#[test]
fn a_killed_shard_is_decided_by_the_policy() {
    let denied_on = |policy| {
        let mut sim = ClusterSim::new(demo(policy)).unwrap();
        for _ in 0..10 {
            sim.step();
        }
        let victim = sim.shard_for(5).unwrap();
        sim.act(ShardAction::Kill { shard: victim }).unwrap();
        assert!(!sim.shard_up(victim));
        let r = sim.step().unwrap();
        assert!(r.degraded > 0);
        (
            r.shards[victim as usize].requests,
            r.keys[5].denied,
            r.keys[5].allowed + r.keys[5].denied,
        )
    };
    let (_, denied, sent) = denied_on(DegradationPolicy::FailClosed);
    assert!(
        sent > 0 && denied == sent,
        "fail-closed denies every request of the dead shard's keys"
    );
    let (_, denied, _) = denied_on(DegradationPolicy::FailOpen);
    assert_eq!(denied, 0, "fail-open denies none of them");
}

#[test]
fn adding_a_shard_moves_about_one_key_in_n_and_only_to_it() {
    let mut sim = ClusterSim::new(demo(DegradationPolicy::FailOpen)).unwrap();
    let keys: Vec<u64> = (0..4000).collect();
    let before: Vec<u32> = keys.iter().map(|&k| sim.shard_for(k).unwrap()).collect();
    sim.act(ShardAction::Add).unwrap();
    let after: Vec<u32> = keys.iter().map(|&k| sim.shard_for(k).unwrap()).collect();
    let moved: Vec<usize> = (0..keys.len()).filter(|&i| before[i] != after[i]).collect();
    assert!(moved.iter().all(|&i| after[i] == 4));
    let share = moved.len() as f64 / keys.len() as f64;
    assert!(
        (0.1..0.3).contains(&share),
        "moved {share} of keys, expected about 1/5"
    );
    // Removing it again moves exactly those keys back.
    sim.act(ShardAction::Remove { shard: 4 }).unwrap();
    let back: Vec<u32> = keys.iter().map(|&k| sim.shard_for(k).unwrap()).collect();
    assert_eq!(back, before);
}

#[test]
fn impossible_actions_are_errors_that_change_nothing() {
    let mut sim = ClusterSim::new(demo(DegradationPolicy::FailOpen)).unwrap();
    assert!(sim.act(ShardAction::Kill { shard: 9 }).is_err());
    assert!(sim.act(ShardAction::Remove { shard: 4 }).is_err());
    for s in 0..3 {
        sim.act(ShardAction::Remove { shard: s }).unwrap();
    }
    assert!(
        sim.act(ShardAction::Remove { shard: 3 }).is_err(),
        "the last shard stays"
    );
    assert!(
        sim.act(ShardAction::Kill { shard: 0 }).is_err(),
        "a removed shard is gone"
    );
    assert_eq!(sim.config().events.len(), 3);
    while sim.shard_total() < MAX_SHARDS {
        sim.act(ShardAction::Add).unwrap();
    }
    assert!(sim.act(ShardAction::Add).is_err());
    assert!(sim.step().is_some());
}
