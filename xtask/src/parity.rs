//! `cargo xtask parity`: proves each engine computes the same thing natively and compiled to
//! WASM. Each engine has a `<engine>-wasm` harness crate with a `check.mjs` that runs a fixed
//! workload under node (wasm-bindgen's nodejs target) and compares its digest with the native
//! one, which a native binary of the engine prints as a JSON line.

use crate::cmd::{self, root, Result};

/// One engine's parity check.
struct Parity {
    engine: &'static str,
    /// The native binary and its arguments; its last stdout line is JSON.
    native_bin: &'static str,
    native_args: &'static [&'static str],
    /// The JSON field of the native line that the WASM run must reproduce.
    field: &'static str,
    /// Arguments for check.mjs between the bindings directory and the expected value.
    check_args: &'static [&'static str],
}

const CHECKS: &[Parity] = &[
    Parity {
        engine: "orderbook",
        native_bin: "book-bench",
        native_args: &["--flow", "300000", "--seed", "42"],
        field: "checksum",
        check_args: &["300000", "42"],
    },
    Parity {
        engine: "ratelimit",
        native_bin: "limit-digest",
        native_args: &["7"],
        field: "digest",
        check_args: &["7"],
    },
    Parity {
        engine: "raft",
        native_bin: "raft-sim",
        native_args: &[
            "--seed",
            "42",
            "--nodes",
            "5",
            "--ticks",
            "2000",
            "--sweep-faults",
            "--digest",
        ],
        field: "digest",
        check_args: &[],
    },
];

pub fn run() -> Result {
    for check in CHECKS {
        let wasm_crate = format!("{}-wasm", check.engine);
        cmd::run(cmd::new("cargo").args([
            "build",
            "--release",
            "--locked",
            "--target",
            "wasm32-unknown-unknown",
            "-p",
            &wasm_crate,
        ]))?;
        let out_dir = root().join("target/parity").join(&wasm_crate);
        let wasm = root()
            .join("target/wasm32-unknown-unknown/release")
            .join(format!("{}.wasm", wasm_crate.replace('-', "_")));
        cmd::run(
            cmd::new("wasm-bindgen")
                .args(["--target", "nodejs", "--out-dir"])
                .arg(&out_dir)
                .arg(&wasm),
        )?;

        let native = cmd::output(
            cmd::new("cargo")
                .args([
                    "run",
                    "--release",
                    "--locked",
                    "-q",
                    "-p",
                    check.engine,
                    "--bin",
                    check.native_bin,
                    "--",
                ])
                .args(check.native_args),
        )
        .ok_or_else(|| format!("the native {} run failed", check.native_bin))?;
        let last = native.lines().next_back().unwrap_or_default();
        let line: serde_json::Value = serde_json::from_str(last)
            .map_err(|e| format!("native output is not JSON ({e}): {last}"))?;
        let expected = match &line[check.field] {
            serde_json::Value::String(s) => s.clone(),
            other => other.to_string(),
        };
        eprintln!("xtask: native {}: {last}", check.engine);
        let script = root().join("crates").join(&wasm_crate).join("check.mjs");
        // check.mjs exits non-zero when the WASM digest differs from `expected`.
        cmd::run(
            cmd::new("node")
                .arg(&script)
                .arg(&out_dir)
                .args(check.check_args)
                .arg(&expected),
        )?;
    }
    Ok(())
}
