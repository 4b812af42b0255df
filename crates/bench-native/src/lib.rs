//! The native side of `cargo xtask bench wasm`. Each `<engine>-wasm` harness has one export,
//! `digest(args_json) -> String`; its `<engine>-native` binary calls [`main`] with that same
//! function compiled natively, so both sides of the comparison run the very same Rust on the
//! very same arguments, and only the target differs.
//!
//! Usage: `<engine>-native ARGS_JSON WARMUP REPS`. `WARMUP` untimed calls (at least one, so the
//! digest is known), then `REPS` timed ones (`1..=MAX_REPS` each); prints ONE JSON line `{"digest": "..", "ms": [..], "work": {..}}` — the
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
    let count = |i: usize| {
        args.get(i)
            .and_then(|r| r.parse::<u32>().ok())
            .filter(|r| (1..=MAX_REPS).contains(r))
    };
    let (Some(warmup), Some(reps), 3) = (count(1), count(2), args.len()) else {
        eprintln!("usage: <engine>-native ARGS_JSON WARMUP REPS (each 1..={MAX_REPS})");
        return ExitCode::from(2);
    };
    match run(digest, &args[0], warmup, reps) {
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
pub fn run(
    digest: fn(&str) -> String,
    args_json: &str,
    warmup: u32,
    reps: u32,
) -> Result<Value, String> {
    let parse = |text: String| -> Result<Value, String> {
        let v: Value = serde_json::from_str(&text).map_err(|e| format!("harness output: {e}"))?;
        match v.get("error") {
            Some(e) => Err(format!("harness error: {e}")),
            None => Ok(v),
        }
    };
    let first = parse(digest(args_json))?;
    for _ in 1..warmup {
        same(&first, parse(digest(args_json))?)?;
    }
    let mut ms = Vec::with_capacity(reps as usize);
    for _ in 0..reps {
        let start = Instant::now();
        let out = digest(args_json);
        ms.push((start.elapsed().as_secs_f64() * 1e4).round() / 10.0);
        same(&first, parse(out)?)?;
    }
    Ok(json!({ "digest": first["digest"], "ms": ms, "work": first["work"] }))
}

fn same(first: &Value, next: Value) -> Result<(), String> {
    if next["digest"] == first["digest"] {
        Ok(())
    } else {
        Err(format!(
            "two runs differ: {} then {}",
            first["digest"], next["digest"]
        ))
    }
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
        let v = run(echo, "abc", 2, 3).unwrap();
        assert_eq!(v["digest"], "3");
        assert_eq!(v["ms"].as_array().unwrap().len(), 3);
        assert_eq!(v["work"]["n"], 1);
    }

    #[test]
    fn a_harness_error_is_an_error() {
        assert!(run(failing, "{}", 1, 1)
            .unwrap_err()
            .contains("bad arguments"));
    }

    static CALLS: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);

    fn drifting(_: &str) -> String {
        let n = CALLS.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        json!({ "digest": (n / 2).to_string() }).to_string()
    }

    #[test]
    fn a_changing_digest_is_an_error() {
        assert!(run(drifting, "{}", 1, 3)
            .unwrap_err()
            .contains("two runs differ"));
    }
}
