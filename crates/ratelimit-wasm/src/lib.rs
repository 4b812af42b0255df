//! wasm-bindgen harness for `cargo xtask parity`: runs the rate limiter's fixed workload
//! (`ratelimit::digest`) inside WASM and returns its digest, for `xtask/parity.mjs` to compare
//! with the native `limit-digest`. It only forwards to `ratelimit`; timing is taken on the JS side.

#![forbid(unsafe_code)]

use serde::Deserialize;
use serde_json::json;
use wasm_bindgen::prelude::*;

/// The workloads, named by `workload` in the arguments; fields are the workload's parameters.
#[derive(Deserialize)]
#[serde(tag = "workload", rename_all = "snake_case", deny_unknown_fields)]
enum Args {
    /// `limit-digest SEED`.
    Fixed { seed: u64 },
}

/// Runs the workload `args_json` names and returns `{"digest": "<16 hex digits>", "work": {..}}`,
/// or `{"error": ".."}`.
#[wasm_bindgen]
pub fn digest(args_json: &str) -> String {
    let out = match serde_json::from_str(args_json) {
        Ok(Args::Fixed { seed }) => match ratelimit::digest::fixed_workload_digest(seed) {
            Ok(d) => json!({
                "digest": format!("{:016x}", d.digest),
                "work": { "seed": seed, "decisions": d.decisions, "allowed": d.allowed },
            }),
            Err(e) => json!({ "error": e.to_string() }),
        },
        Err(e) => json!({ "error": e.to_string() }),
    };
    out.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn forwards_the_fixed_workload_digest() {
        let out: serde_json::Value =
            serde_json::from_str(&digest(r#"{"workload":"fixed","seed":1}"#)).unwrap();
        let d = ratelimit::digest::fixed_workload_digest(1).unwrap();
        assert_eq!(out["digest"], format!("{:016x}", d.digest));
        assert_eq!(out["work"]["decisions"], d.decisions);
        assert!(digest(r#"{"workload":"fixed","seed":1,"extra":2}"#).contains("error"));
    }
}
