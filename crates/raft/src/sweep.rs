//! Chaos sweep support: a random fault schedule per seed and a one-seed run returning the
//! first violation (if any) and the counters. The binary adds threads; this module has none.

use crate::checker::Violation;
use crate::error::RaftError;
use crate::faults::{FaultAction, FaultEvent, FaultSchedule, LatencySpec};
use crate::sim::{InjectedBug, SimConfig, SimStats, Simulation};
use deterministic::SplitMix64;

/// Outcome of one seed.
#[derive(Clone, Debug)]
pub struct SeedReport {
    pub seed: u64,
    pub violation: Option<Violation>,
    pub stats: SimStats,
}

/// A fault that starts at one tick and is undone at a later one: both events, in that order.
fn window(
    events: &mut Vec<FaultEvent>,
    (at, start): (u64, FaultAction),
    (until, undo): (u64, FaultAction),
) {
    events.push(FaultEvent { at, action: start });
    events.push(FaultEvent {
        at: until,
        action: undo,
    });
}

/// A random but seed-determined fault schedule: lossy/duplicating/reordering links, a
/// latency tail, and overlapping episodes of crashes, symmetric partitions and one-way cuts.
pub fn random_schedule(seed: u64, nodes: usize, ticks: u64) -> FaultSchedule {
    let mut r = SplitMix64::new(seed ^ 0xD1B5_4A32_D192_ED03);
    let n = nodes.max(1) as u64;
    let mut s = FaultSchedule {
        drop_permille: r.below_unbiased(40) as u32,
        duplicate_permille: r.below_unbiased(30) as u32,
        reorder_permille: r.below_unbiased(100) as u32,
        reorder_extra_ticks: 1 + r.below_unbiased(10) as u32,
        latency: Some(LatencySpec {
            min_ticks: 1,
            max_ticks: 1 + r.below_unbiased(4) as u32,
            tail_permille: r.below_unbiased(20) as u32,
            tail_ticks: 10 + r.below_unbiased(30) as u32,
        }),
        links: Vec::new(),
        events: Vec::new(),
    };
    let mut t = 30 + r.below_unbiased(150);
    while t + 50 < ticks && n > 1 {
        match r.below_unbiased(5) {
            0 => {
                let node = r.below_unbiased(n) as u8;
                let back = t + 20 + r.below_unbiased(300);
                window(
                    &mut s.events,
                    (t, FaultAction::Crash { node }),
                    (back, FaultAction::Restart { node }),
                );
            }
            1 => {
                let mut order: Vec<u8> = (0..n as u8).collect();
                for i in (1..order.len()).rev() {
                    let j = r.below_unbiased(i as u64 + 1) as usize;
                    order.swap(i, j);
                }
                let cut = 1 + r.below_unbiased(n - 1) as usize;
                let groups = vec![order[..cut].to_vec(), order[cut..].to_vec()];
                let heal = t + 50 + r.below_unbiased(400);
                window(
                    &mut s.events,
                    (t, FaultAction::Partition { groups }),
                    (heal, FaultAction::Heal),
                );
            }
            4 if n >= 3 => {
                // Membership churn: remove a voter, add it back later.
                let node = r.below_unbiased(n) as u8;
                let back = t + 60 + r.below_unbiased(300);
                window(
                    &mut s.events,
                    (t, FaultAction::RemoveVoter { node }),
                    (back, FaultAction::AddVoter { node }),
                );
            }
            2 => {
                let from = r.below_unbiased(n) as u8;
                let to = ((from as u64 + 1 + r.below_unbiased(n - 1)) % n) as u8;
                let back = t + 50 + r.below_unbiased(300);
                window(
                    &mut s.events,
                    (t, FaultAction::BlockLink { from, to }),
                    (back, FaultAction::UnblockLink { from, to }),
                );
            }
            _ => {
                let a = r.below_unbiased(n) as u8;
                let b = ((a as u64 + 1 + r.below_unbiased(n - 1)) % n) as u8;
                for node in [a, b] {
                    let back = t + 10 + r.below_unbiased(200);
                    window(
                        &mut s.events,
                        (t, FaultAction::Crash { node }),
                        (back, FaultAction::Restart { node }),
                    );
                }
            }
        }
        t += 40 + r.below_unbiased(200);
    }
    s
}

/// Snapshot interval used by sweeps, so every sweep also exercises compaction and
/// InstallSnapshot (lagging and restarted nodes fall behind the leader's snapshot).
pub const SWEEP_SNAPSHOT_EVERY_ENTRIES: u64 = 64;

/// Configuration used by the sweep for `seed`.
pub fn sweep_config(seed: u64, nodes: usize, ticks: u64, bug: Option<InjectedBug>) -> SimConfig {
    SimConfig {
        seed,
        nodes,
        ticks,
        injected_bug: bug,
        snapshot_every_entries: SWEEP_SNAPSHOT_EVERY_ENTRIES,
        ..SimConfig::default()
    }
}

/// Runs one seed of the sweep with its random schedule.
pub fn run_seed(
    seed: u64,
    nodes: usize,
    ticks: u64,
    bug: Option<InjectedBug>,
) -> Result<SeedReport, RaftError> {
    let cfg = sweep_config(seed, nodes, ticks, bug);
    let mut sim = Simulation::new(cfg, random_schedule(seed, nodes, ticks))?;
    let violation = sim.run().cloned();
    Ok(SeedReport {
        seed,
        violation,
        stats: sim.stats().clone(),
    })
}

/// Totals over a range of seeds.
#[derive(Clone, Debug, Default)]
pub struct SweepTotals {
    pub seeds: u64,
    pub violations: u64,
    pub deliveries: u64,
    pub crashes: u64,
    pub partitions: u64,
    pub drops: u64,
    pub duplicates: u64,
    pub linearizability_unknown: u64,
    pub snapshots_installed: u64,
    pub conf_changes: u64,
}

impl SweepTotals {
    pub fn add(&mut self, r: &SeedReport) {
        self.seeds += 1;
        self.violations += r.violation.is_some() as u64;
        self.deliveries += r.stats.deliveries;
        self.crashes += r.stats.crashes;
        self.partitions += r.stats.partitions;
        self.drops += r.stats.drops;
        self.duplicates += r.stats.duplicates;
        self.linearizability_unknown += r.stats.linearizability_unknown as u64;
        self.snapshots_installed += r.stats.snapshots_installed;
        self.conf_changes += r.stats.conf_changes;
    }

    pub fn merge(&mut self, o: &SweepTotals) {
        self.seeds += o.seeds;
        self.violations += o.violations;
        self.deliveries += o.deliveries;
        self.crashes += o.crashes;
        self.partitions += o.partitions;
        self.drops += o.drops;
        self.duplicates += o.duplicates;
        self.linearizability_unknown += o.linearizability_unknown;
        self.snapshots_installed += o.snapshots_installed;
        self.conf_changes += o.conf_changes;
    }
}

/// Runs seeds `first..first+count` sequentially, calling `on_violation` for each failing seed.
pub fn sweep_range(
    first: u64,
    count: u64,
    nodes: usize,
    ticks: u64,
    bug: Option<InjectedBug>,
    mut on_violation: impl FnMut(&SeedReport),
) -> Result<SweepTotals, RaftError> {
    let mut totals = SweepTotals::default();
    for seed in first..first + count {
        let r = run_seed(seed, nodes, ticks, bug)?;
        if r.violation.is_some() {
            on_violation(&r);
        }
        totals.add(&r);
    }
    Ok(totals)
}

/// One JSON line for a failing seed.
pub fn violation_json(r: &SeedReport) -> String {
    match &r.violation {
        Some(v) => serde_json::json!({
            "seed": r.seed,
            "violation": v.kind.as_str(),
            "step": v.step,
            "t": v.tick,
            "detail": v.detail,
        })
        .to_string(),
        None => format!("{{\"seed\":{},\"violation\":null}}", r.seed),
    }
}
