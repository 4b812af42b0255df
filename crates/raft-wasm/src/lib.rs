//! WASM harness for the raft engine: runs the fixed workloads and returns the trace digest
//! (and sweep counters) so `check.mjs` under node can compare them with the native binaries.
//! Timing is done on the JS side; this crate has no JS imports.

use raft::sweep::{random_schedule, sweep_range, SWEEP_SNAPSHOT_EVERY_ENTRIES};
use raft::{run_traced, FaultSchedule, SimConfig};
use wasm_bindgen::prelude::*;

/// Same as `raft-sim --seed S --nodes N --ticks T [--sweep-faults] --digest`: a JSON object
/// with the FNV-1a 64 digest of the full trace output (`--sweep-faults` also sets the sweep's
/// snapshot interval).
#[wasm_bindgen]
pub fn trace_digest(seed: u32, nodes: u32, ticks: u32, sweep_faults: bool) -> String {
    let cfg = SimConfig {
        seed: seed as u64,
        nodes: nodes as usize,
        ticks: ticks as u64,
        snapshot_every_entries: if sweep_faults {
            SWEEP_SNAPSHOT_EVERY_ENTRIES
        } else {
            0
        },
        ..SimConfig::default()
    };
    let schedule = if sweep_faults {
        random_schedule(seed as u64, nodes as usize, ticks as u64)
    } else {
        FaultSchedule::default()
    };
    match run_traced(cfg, schedule, |_| {}) {
        Ok(d) => format!(
            "{{\"digest\":\"{:016x}\",\"lines\":{},\"deliveries\":{}}}",
            d.digest, d.lines, d.deliveries
        ),
        Err(e) => format!("{{\"error\":{:?}}}", e.to_string()),
    }
}

/// Same work as `raft-sweep --seeds COUNT --first-seed FIRST --nodes N --ticks T --threads 1`:
/// returns seeds, violations and deliveries as JSON.
#[wasm_bindgen]
pub fn sweep(first_seed: u32, count: u32, nodes: u32, ticks: u32) -> String {
    match sweep_range(
        first_seed as u64,
        count as u64,
        nodes as usize,
        ticks as u64,
        None,
        |_| {},
    ) {
        Ok(t) => format!(
            "{{\"seeds\":{},\"violations\":{},\"deliveries\":{}}}",
            t.seeds, t.violations, t.deliveries
        ),
        Err(e) => format!("{{\"error\":{:?}}}", e.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn digest_matches_the_library_directly() {
        let out = trace_digest(42, 5, 300, true);
        let cfg = SimConfig {
            seed: 42,
            nodes: 5,
            ticks: 300,
            snapshot_every_entries: SWEEP_SNAPSHOT_EVERY_ENTRIES,
            ..SimConfig::default()
        };
        let d = run_traced(cfg, random_schedule(42, 5, 300), |_| {}).unwrap();
        assert!(out.contains(&format!("{:016x}", d.digest)));
        assert!(sweep(0, 2, 3, 200).contains("\"violations\":0"));
        assert!(trace_digest(1, 0, 10, false).contains("error"));
    }
}
