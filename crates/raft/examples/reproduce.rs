//! Prints the case-study "reproduce" figures as JSON lines:
//! `cargo run --release -p raft --example reproduce`.

use raft::experiments::{
    commit_latency, minority_partition_availability, throughput_by_cluster_size,
};
use raft::{LatencySpec, RaftError};

fn main() -> Result<(), RaftError> {
    for lat in [1u32, 2, 5, 10] {
        let spec = LatencySpec {
            min_ticks: lat,
            max_ticks: lat,
            tail_permille: 0,
            tail_ticks: 0,
        };
        let r = commit_latency(1, 5, spec, 2000)?;
        println!(
            "{}",
            serde_json::json!({"experiment": "commit_latency", "result": r})
        );
    }
    for nodes in [3usize, 5, 7] {
        let r = minority_partition_availability(1, nodes, 2000)?;
        println!(
            "{}",
            serde_json::json!({"experiment": "minority_partition", "result": r})
        );
    }
    let r = throughput_by_cluster_size(1, &[3, 5, 7], 3, 2000)?;
    println!(
        "{}",
        serde_json::json!({"experiment": "throughput_by_cluster_size", "result": r})
    );
    Ok(())
}
