//! Numbers for the case study's "reproduce" panel: each function runs the simulator and
//! returns figures (no I/O, deterministic per seed).

use crate::error::RaftError;
use crate::faults::{FaultSchedule, LatencySpec};
use crate::kv::OpKind;
use crate::node::Role;
use crate::sim::{SimConfig, Simulation};
use serde::Serialize;

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct CommitLatency {
    pub nodes: usize,
    pub link_latency: LatencySpec,
    /// Mean propose-to-commit latency in milli-ticks (integer so it is exact everywhere).
    pub commit_latency_milli_ticks_mean: u64,
    pub commit_latency_ticks_p99: u64,
    pub entries_committed: u64,
}

/// Commit latency of a fault-free cluster whose links all have `link_latency`. Timeouts are
/// scaled with the worst-case one-way latency so that broadcast time stays well below the
/// election timeout (the paper's timing requirement) and clients do not retry needlessly.
pub fn commit_latency(
    seed: u64,
    nodes: usize,
    link_latency: LatencySpec,
    ticks: u64,
) -> Result<CommitLatency, RaftError> {
    link_latency.validate()?;
    // Validated: the worst one-way latency is at most MAX_LATENCY_TICKS, so 40x fits u32.
    let worst = link_latency.max_ticks + link_latency.tail_ticks;
    let cfg = SimConfig {
        seed,
        nodes,
        ticks,
        latency: link_latency,
        election_timeout_ticks: 20.max(8 * worst),
        client_attempt_timeout_ticks: 25.max(6 * worst),
        client_op_timeout_ticks: 200.max(40 * worst),
        ..SimConfig::default()
    };
    let mut sim = Simulation::new(cfg, FaultSchedule::default())?;
    sim.run();
    let latency = sim.commit_latency_ticks();
    Ok(CommitLatency {
        nodes,
        link_latency,
        commit_latency_milli_ticks_mean: latency.mean_milli_ticks,
        commit_latency_ticks_p99: latency.p99_ticks,
        entries_committed: sim.stats().entries_committed,
    })
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct PartitionAvailability {
    pub nodes: usize,
    /// Leader at partition time, isolated together with `minority_size - 1` followers.
    pub old_leader: Option<u8>,
    pub minority_size: usize,
    pub partition_tick: u64,
    pub heal_tick: u64,
    /// Ticks until a majority-side node became leader (None if it never did).
    pub new_leader_after_ticks: Option<u64>,
    /// Writes (put/delete) called during the partition, and how many completed before heal.
    pub writes_called: u64,
    pub writes_completed: u64,
    pub write_availability_permille: u64,
}

/// Isolates the current leader with a minority at `ticks/4`, heals at `3*ticks/4`, and
/// measures how writes issued meanwhile fare and how fast the majority elects a new leader.
pub fn minority_partition_availability(
    seed: u64,
    nodes: usize,
    ticks: u64,
) -> Result<PartitionAvailability, RaftError> {
    let cfg = SimConfig {
        seed,
        nodes,
        ticks,
        ..SimConfig::default()
    };
    let mut sim = Simulation::new(cfg, FaultSchedule::default())?;
    let start = ticks / 4;
    let heal = 3 * ticks / 4;
    sim.step_ticks(start);
    let views = sim.node_views();
    let old_leader = views
        .iter()
        .find(|v| v.role == Some(Role::Leader))
        .map(|v| v.id);
    let minority_size = (nodes - 1) / 2;
    let mut minority: Vec<u8> = Vec::new();
    if let Some(l) = old_leader {
        minority.push(l);
    }
    let mut id = 0u8;
    while minority.len() < minority_size.max(1) && (id as usize) < nodes {
        if !minority.contains(&id) {
            minority.push(id);
        }
        id += 1;
    }
    let majority: Vec<u8> = (0..nodes as u8).filter(|n| !minority.contains(n)).collect();
    sim.partition(&[minority.clone(), majority.clone()])?;
    let mut new_leader_after_ticks = None;
    while sim.now() < heal && sim.violation().is_none() {
        sim.step_tick();
        if new_leader_after_ticks.is_none() {
            let views = sim.node_views();
            if views
                .iter()
                .any(|v| v.role == Some(Role::Leader) && majority.contains(&v.id))
            {
                new_leader_after_ticks = Some(sim.now() - start);
            }
        }
    }
    sim.heal();
    sim.run();
    let mut writes_called = 0;
    let mut writes_completed = 0;
    for op in sim.history() {
        if op.kind != OpKind::Get && op.call >= start && op.call < heal {
            writes_called += 1;
            if op.ret.is_some_and(|r| r < heal) {
                writes_completed += 1;
            }
        }
    }
    Ok(PartitionAvailability {
        nodes,
        old_leader,
        minority_size: minority.len(),
        partition_tick: start,
        heal_tick: heal,
        new_leader_after_ticks,
        writes_called,
        writes_completed,
        write_availability_permille: (writes_completed * 1000)
            .checked_div(writes_called)
            .unwrap_or(0),
    })
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ThroughputPoint {
    pub nodes: usize,
    pub clients: usize,
    pub entries_committed: u64,
    pub committed_per_1000_ticks: u64,
    pub client_ops_completed: u64,
    pub deliveries: u64,
}

/// Fault-free throughput as the cluster grows (closed-loop clients, default latency).
pub fn throughput_by_cluster_size(
    seed: u64,
    sizes: &[usize],
    clients: usize,
    ticks: u64,
) -> Result<Vec<ThroughputPoint>, RaftError> {
    let mut out = Vec::with_capacity(sizes.len());
    for &nodes in sizes {
        let cfg = SimConfig {
            seed,
            nodes,
            ticks,
            clients,
            ..SimConfig::default()
        };
        let mut sim = Simulation::new(cfg, FaultSchedule::default())?;
        sim.run();
        let s = sim.stats();
        out.push(ThroughputPoint {
            nodes,
            clients,
            entries_committed: s.entries_committed,
            committed_per_1000_ticks: (s.entries_committed * 1000).checked_div(ticks).unwrap_or(0),
            client_ops_completed: s.client_ok,
            deliveries: s.deliveries,
        });
    }
    Ok(out)
}
