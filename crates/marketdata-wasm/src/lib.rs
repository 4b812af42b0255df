//! wasm-bindgen harness for `cargo xtask parity` and `cargo xtask bench wasm`: runs the
//! ingestion workload (`marketdata::workload`, `md-bench`'s work) inside WASM and returns the
//! book's final checksum, for `xtask/parity.mjs` to compare with `md-bench`'s `final_checksum`.
//! It only forwards to `marketdata`; timing is taken on the JS side.
//!
//! The stream is generated on the first call for its arguments and kept for the next calls, so
//! a timed call (every side makes untimed warm-up calls first) is one pass of parse, apply and
//! checksum over all its messages — what `md-bench` times — not the venue's generation.

#![forbid(unsafe_code)]

use serde::Deserialize;
use serde_json::json;
use std::cell::RefCell;
use wasm_bindgen::prelude::*;

/// The workloads, named by `workload` in the arguments; fields are the workload's parameters.
#[derive(Deserialize, Clone, Copy, PartialEq, Eq)]
#[serde(tag = "workload", rename_all = "snake_case", deny_unknown_fields)]
enum Args {
    /// `md-bench --seed SEED --depth DEPTH --messages UPDATES`: one pass.
    Ingest {
        seed: u64,
        depth: usize,
        updates: usize,
    },
}

thread_local! {
    /// The last stream generated, with the arguments it was generated for.
    static STREAM: RefCell<Option<(Args, Vec<String>)>> = const { RefCell::new(None) };
}

fn ingest(args: Args) -> Result<serde_json::Value, String> {
    let Args::Ingest {
        seed,
        depth,
        updates,
    } = args;
    STREAM.with(|cell| {
        let mut cached = cell.borrow_mut();
        if cached.as_ref().is_none_or(|(a, _)| *a != args) {
            *cached = Some((args, marketdata::workload::stream(seed, depth, updates)?));
        }
        let Some((_, lines)) = cached.as_ref() else {
            return Err("no stream".to_string());
        };
        let checksum = marketdata::workload::pass(lines, depth)?;
        Ok(json!({
            "digest": checksum.to_string(),
            "work": { "seed": seed, "depth": depth, "messages": lines.len() },
        }))
    })
}

/// Runs the workload `args_json` names and returns `{"digest": "<final checksum>", "work":
/// {..}}`, or `{"error": ".."}`.
#[wasm_bindgen]
pub fn digest(args_json: &str) -> String {
    let out = match serde_json::from_str::<Args>(args_json) {
        Ok(args) => ingest(args).unwrap_or_else(|e| json!({ "error": e })),
        Err(e) => json!({ "error": e.to_string() }),
    };
    out.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn forwards_the_workload_checksum() {
        let args = r#"{"workload":"ingest","seed":42,"depth":10,"updates":2000}"#;
        let out: serde_json::Value = serde_json::from_str(&digest(args)).unwrap();
        let lines = marketdata::workload::stream(42, 10, 2000).unwrap();
        let checksum = marketdata::workload::pass(&lines, 10).unwrap();
        assert_eq!(out["digest"], checksum.to_string());
        assert_eq!(out["work"]["messages"], 2001);
        // The kept stream gives the same answer.
        assert_eq!(digest(args), out.to_string());
        assert!(
            digest(r#"{"workload":"ingest","seed":1,"depth":11,"updates":5}"#).contains("error")
        );
        assert!(digest(r#"{"workload":"ingest","seed":1}"#).contains("error"));
    }
}
