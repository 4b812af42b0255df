//! The native side of `cargo xtask bench wasm`. Each `<engine>-wasm` harness has one export,
//! `digest(args_json) -> String`; its `<engine>-native` binary calls [`main`] with that same
//! function compiled natively, so both sides of the comparison run the very same Rust on the
//! very same arguments, and only the target differs.
//!
//! Usage: `<engine>-native ARGS_JSON REPS`. One untimed warm-up run, then `REPS` timed runs
//! (`1..=MAX_REPS`); prints ONE JSON line `{"digest": "..", "ms": [..], "work": {..}}` — the
//! same shape `xtask/bench-wasm.mjs` prints for node and Chromium. Exits 1 when the harness
//! reports an error or two runs disagree, 2 on bad usage.

#![forbid(unsafe_code)]

use serde_json::{json, Value};
use std::process::ExitCode;
use std::time::Instant;

/// Most timed runs one call accepts.
pub const MAX_REPS: u32 = 100;

/// Runs the harness function `digest` as the usage above says, reading `std::env::args`.
pub fn main(digest: fn(&str) -> String) -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let reps = match (args.first(), args.get(1).map(|r| r.parse::<u32>())) {
        (Some(_), Some(Ok(r))) if (1..=MAX_REPS).contains(&r) && args.len() == 2 => r,
        _ => {
            eprintln!("usage: <engine>-native ARGS_JSON REPS (1..={MAX_REPS})");
            return ExitCode::from(2);
        }
    };
    match run(digest, &args[0], reps) {
        Ok(line) => {
            println!("{line}");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("{e}");
            ExitCode::from(1)
        }
    }
}

/// The warm-up and the timed runs; the line to print, or why the runs failed.
pub fn run(digest: fn(&str) -> String, args_json: &str, reps: u32) -> Result<Value, String> {
    let parse = |text: String| -> Result<Value, String> {
        let v: Value = serde_json::from_str(&text).map_err(|e| format!("harness output: {e}"))?;
        match v.get("error") {
            Some(e) => Err(format!("harness error: {e}")),
            None => Ok(v),
        }
    };
    let first = parse(digest(args_json))?;
    let mut ms = Vec::with_capacity(reps as usize);
    for _ in 0..reps {
        let start = Instant::now();
        let out = digest(args_json);
        ms.push((start.elapsed().as_secs_f64() * 1e4).round() / 10.0);
        let v = parse(out)?;
        if v["digest"] != first["digest"] {
            return Err(format!(
                "two runs differ: {} then {}",
                first["digest"], v["digest"]
            ));
        }
    }
    Ok(json!({ "digest": first["digest"], "ms": ms, "work": first["work"] }))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn echo(args: &str) -> String {
        json!({ "digest": args.len().to_string(), "work": { "n": 1 } }).to_string()
    }

    fn failing(_: &str) -> String {
        json!({ "error": "bad arguments" }).to_string()
    }

    #[test]
    fn times_each_run_and_keeps_the_digest() {
        let v = run(echo, "abc", 3).unwrap();
        assert_eq!(v["digest"], "3");
        assert_eq!(v["ms"].as_array().unwrap().len(), 3);
        assert_eq!(v["work"]["n"], 1);
    }

    #[test]
    fn a_harness_error_is_an_error() {
        assert!(run(failing, "{}", 1).unwrap_err().contains("bad arguments"));
    }
}
