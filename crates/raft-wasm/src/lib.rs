//! wasm-bindgen harness for `cargo xtask parity`: runs the raft simulator's workloads inside WASM
//! and returns what the native binaries print for the same parameters, for `xtask/parity.mjs` to
//! compare. It only forwards to `raft`; timing is taken on the JS side, and it has no JS imports.

#![forbid(unsafe_code)]

use raft::sweep::{random_schedule, sweep_range, SWEEP_SNAPSHOT_EVERY_ENTRIES};
use raft::{run_traced, FaultSchedule, SimConfig};
use serde::Deserialize;
use serde_json::{json, Value};
use wasm_bindgen::prelude::*;

/// The workloads, named by `workload` in the arguments; fields are the workload's parameters.
#[derive(Deserialize)]
#[serde(tag = "workload", rename_all = "snake_case", deny_unknown_fields)]
enum Args {
    /// `raft-sim --seed S --nodes N --ticks T [--sweep-faults] --digest`: the FNV-1a 64 digest
    /// of the full trace output (`sweep_faults` also sets the sweep's snapshot interval).
    Trace {
        seed: u64,
        nodes: usize,
        ticks: u64,
        sweep_faults: bool,
    },
    /// `raft-sweep --seeds SEEDS --first-seed FIRST_SEED --nodes N --ticks T`: the digest is the
    /// sweep's total deliveries, which every seed's run contributes to.
    Sweep {
        first_seed: u64,
        seeds: u64,
        nodes: usize,
        ticks: u64,
    },
}

fn run(args: Args) -> Result<Value, raft::RaftError> {
    Ok(match args {
        Args::Trace {
            seed,
            nodes,
            ticks,
            sweep_faults,
        } => {
            let cfg = SimConfig {
                seed,
                nodes,
                ticks,
                snapshot_every_entries: if sweep_faults {
                    SWEEP_SNAPSHOT_EVERY_ENTRIES
                } else {
                    0
                },
                ..SimConfig::default()
            };
            let schedule = if sweep_faults {
                random_schedule(seed, nodes, ticks)
            } else {
                FaultSchedule::default()
            };
            let d = run_traced(cfg, schedule, |_| {})?;
            json!({
                "digest": format!("{:016x}", d.digest),
                "work": { "lines": d.lines, "deliveries": d.deliveries },
            })
        }
        Args::Sweep {
            first_seed,
            seeds,
            nodes,
            ticks,
        } => {
            let t = sweep_range(first_seed, seeds, nodes, ticks, None, |_| {})?;
            json!({
                "digest": t.deliveries.to_string(),
                "work": { "seeds": t.seeds, "violations": t.violations, "deliveries": t.deliveries },
            })
        }
    })
}

/// Runs the workload `args_json` names and returns `{"digest": "..", "work": {..}}`, or
/// `{"error": ".."}`.
#[wasm_bindgen]
pub fn digest(args_json: &str) -> String {
    let out = match serde_json::from_str(args_json) {
        Ok(args) => run(args).unwrap_or_else(|e| json!({ "error": e.to_string() })),
        Err(e) => json!({ "error": e.to_string() }),
    };
    out.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn call(args: &str) -> Value {
        serde_json::from_str(&digest(args)).unwrap()
    }

    #[test]
    fn forwards_to_the_library() {
        let out =
            call(r#"{"workload":"trace","seed":42,"nodes":5,"ticks":300,"sweep_faults":true}"#);
        let cfg = SimConfig {
            seed: 42,
            nodes: 5,
            ticks: 300,
            snapshot_every_entries: SWEEP_SNAPSHOT_EVERY_ENTRIES,
            ..SimConfig::default()
        };
        let d = run_traced(cfg, random_schedule(42, 5, 300), |_| {}).unwrap();
        assert_eq!(out["digest"], format!("{:016x}", d.digest));
        let out = call(r#"{"workload":"sweep","first_seed":0,"seeds":2,"nodes":3,"ticks":200}"#);
        assert_eq!(out["work"]["violations"], 0);
        let out =
            call(r#"{"workload":"trace","seed":1,"nodes":0,"ticks":10,"sweep_faults":false}"#);
        assert!(out["error"].is_string());
    }
}
