//! wasm-bindgen harness for `cargo xtask parity`: runs the orderbook's seeded flow workload inside
//! WASM and returns its event checksum, for `xtask/parity.mjs` to compare with the native
//! `book-bench --flow`. It only forwards to `orderbook`; timing is taken on the JS side.

#![forbid(unsafe_code)]

use orderbook::{run_flow, FlowParams};
use serde::Deserialize;
use serde_json::json;
use wasm_bindgen::prelude::*;

/// The workloads, named by `workload` in the arguments; fields are the workload's parameters.
#[derive(Deserialize)]
#[serde(tag = "workload", rename_all = "snake_case", deny_unknown_fields)]
enum Args {
    /// `book-bench --flow OPS --seed SEED`: the default flow (10k live-order target).
    Flow { seed: u64, ops: u64 },
}

/// Runs the workload `args_json` names and returns `{"digest": "<16 hex digits>", "work": {..}}`,
/// or `{"error": ".."}` for arguments it does not understand.
#[wasm_bindgen]
pub fn digest(args_json: &str) -> String {
    let out = match serde_json::from_str(args_json) {
        Ok(Args::Flow { seed, ops }) => {
            let d = run_flow(seed, FlowParams::default(), ops);
            json!({
                "digest": format!("{:016x}", d.checksum),
                "work": { "seed": d.seed, "ops": d.ops, "events": d.events, "live_orders": d.live_orders },
            })
        }
        Err(e) => json!({ "error": e.to_string() }),
    };
    out.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn forwards_the_flow_checksum() {
        let out: serde_json::Value =
            serde_json::from_str(&digest(r#"{"workload":"flow","seed":7,"ops":5000}"#)).unwrap();
        let d = run_flow(7, FlowParams::default(), 5_000);
        assert_eq!(out["digest"], format!("{:016x}", d.checksum));
        assert_eq!(out["work"]["events"], d.events);
        assert!(digest(r#"{"workload":"flow","seed":7}"#).contains("error"));
    }
}
