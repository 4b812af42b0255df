//! `cargo xtask parity`: proves each engine computes the same thing natively and compiled to
//! WASM. Every workload is one row of [`CHECKS`], the only place its parameters are written: a
//! native binary of the engine runs it and prints a JSON line, and `xtask/parity.mjs` runs it in
//! the engine's `<engine>-wasm` harness under node (wasm-bindgen's nodejs target) through the
//! harness's one export, `digest(args_json)`, and fails unless the two agree.

use crate::cmd::{self, root, Result};
use std::collections::BTreeSet;

/// A workload parameter: a number, or a switch.
#[derive(Clone, Copy)]
enum Param {
    Num(u64),
    /// On the native command line `--<name with dashes>` when true, nothing when false.
    Flag(bool),
}

use Param::{Flag, Num};

/// One workload of one engine.
struct Parity {
    engine: &'static str,
    /// The harness's name for the workload (the `workload` field of its arguments).
    workload: &'static str,
    params: &'static [(&'static str, Param)],
    /// The native binary and its arguments; `{name}` stands for parameter `name`. Its last stdout
    /// line is JSON.
    native_bin: &'static str,
    native_args: &'static [&'static str],
    /// The JSON field of the native line that the harness's `digest` must reproduce.
    field: &'static str,
}

const CHECKS: &[Parity] = &[
    Parity {
        engine: "orderbook",
        workload: "flow",
        params: &[("seed", Num(42)), ("ops", Num(300_000))],
        native_bin: "book-bench",
        native_args: &["--flow", "{ops}", "--seed", "{seed}"],
        field: "checksum",
    },
    Parity {
        engine: "ratelimit",
        workload: "fixed",
        params: &[("seed", Num(7))],
        native_bin: "limit-digest",
        native_args: &["{seed}"],
        field: "digest",
    },
    Parity {
        engine: "raft",
        workload: "trace",
        params: &[
            ("seed", Num(42)),
            ("nodes", Num(5)),
            ("ticks", Num(2000)),
            ("sweep_faults", Flag(true)),
        ],
        native_bin: "raft-sim",
        native_args: &[
            "--seed",
            "{seed}",
            "--nodes",
            "{nodes}",
            "--ticks",
            "{ticks}",
            "{sweep_faults}",
            "--digest",
        ],
        field: "digest",
    },
    Parity {
        engine: "raft",
        workload: "sweep",
        params: &[
            ("first_seed", Num(0)),
            ("seeds", Num(200)),
            ("nodes", Num(5)),
            ("ticks", Num(2000)),
        ],
        native_bin: "raft-sweep",
        // One thread, like the WASM run, so the two timings compare (the totals do not depend
        // on it).
        native_args: &[
            "--seeds",
            "{seeds}",
            "--first-seed",
            "{first_seed}",
            "--nodes",
            "{nodes}",
            "--ticks",
            "{ticks}",
            "--threads",
            "1",
        ],
        field: "deliveries",
    },
    Parity {
        engine: "marketdata",
        workload: "ingest",
        params: &[
            ("seed", Num(42)),
            ("depth", Num(10)),
            ("updates", Num(50_000)),
        ],
        native_bin: "md-bench",
        native_args: &[
            "--seed",
            "{seed}",
            "--depth",
            "{depth}",
            "--messages",
            "{updates}",
            "--reps",
            "1",
        ],
        field: "final_checksum",
    },
];

impl Parity {
    fn harness(&self) -> String {
        format!("{}-wasm", self.engine)
    }

    fn param(&self, name: &str) -> Result<Param> {
        self.params
            .iter()
            .find(|(n, _)| *n == name)
            .map(|&(_, p)| p)
            .ok_or_else(|| format!("{} {}: no parameter {name:?}", self.engine, self.workload))
    }

    /// The native command line, with every `{name}` replaced by its parameter.
    fn native_args(&self) -> Result<Vec<String>> {
        let mut args = Vec::new();
        for &arg in self.native_args {
            let Some(name) = arg.strip_prefix('{').and_then(|a| a.strip_suffix('}')) else {
                args.push(arg.to_string());
                continue;
            };
            match self.param(name)? {
                Num(n) => args.push(n.to_string()),
                Flag(true) => args.push(format!("--{}", name.replace('_', "-"))),
                Flag(false) => {}
            }
        }
        Ok(args)
    }

    /// The harness's arguments: the workload's name and every parameter.
    fn wasm_args(&self) -> String {
        let mut args = serde_json::Map::new();
        args.insert("workload".into(), self.workload.into());
        for &(name, param) in self.params {
            let value = match param {
                Num(n) => n.into(),
                Flag(b) => b.into(),
            };
            args.insert(name.into(), value);
        }
        serde_json::Value::Object(args).to_string()
    }
}

pub fn run() -> Result {
    let harnesses: BTreeSet<String> = CHECKS.iter().map(Parity::harness).collect();
    let mut build = cmd::new("cargo");
    build.args([
        "build",
        "--release",
        "--locked",
        "--target",
        "wasm32-unknown-unknown",
        "--lib",
    ]);
    for harness in &harnesses {
        build.args(["-p", harness]);
    }
    cmd::run(&mut build)?;
    for harness in &harnesses {
        let wasm = root()
            .join("target/wasm32-unknown-unknown/release")
            .join(format!("{}.wasm", harness.replace('-', "_")));
        cmd::run(
            cmd::new("wasm-bindgen")
                .args(["--target", "nodejs", "--out-dir"])
                .arg(root().join("target/parity").join(harness))
                .arg(&wasm),
        )?;
    }

    for check in CHECKS {
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
                .args(check.native_args()?),
        )
        .ok_or_else(|| format!("the native {} run failed", check.native_bin))?;
        let last = native.lines().next_back().unwrap_or_default();
        let line: serde_json::Value = serde_json::from_str(last)
            .map_err(|e| format!("native output is not JSON ({e}): {last}"))?;
        let expected = match &line[check.field] {
            serde_json::Value::String(s) => s.clone(),
            serde_json::Value::Null => {
                return Err(format!("native output has no {:?}: {last}", check.field))
            }
            other => other.to_string(),
        };
        eprintln!("xtask: native {} {}: {last}", check.engine, check.workload);
        let harness = check.harness();
        let bindings = root()
            .join("target/parity")
            .join(&harness)
            .join(format!("{}.js", harness.replace('-', "_")));
        // parity.mjs prints one JSON line and exits non-zero unless the WASM digest is `expected`.
        cmd::run(
            cmd::new("node")
                .arg(root().join("xtask/parity.mjs"))
                .arg(check.engine)
                .arg(&bindings)
                .arg(check.wasm_args())
                .arg(&expected),
        )?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_parameter_reaches_both_sides_once() {
        for check in CHECKS {
            for &(name, _) in check.params {
                let uses = check
                    .native_args
                    .iter()
                    .filter(|a| **a == format!("{{{name}}}"))
                    .count();
                assert_eq!(uses, 1, "{} {}: {name}", check.engine, check.workload);
            }
            check.native_args().expect("every {name} is a parameter");
            let args: serde_json::Value = serde_json::from_str(&check.wasm_args()).unwrap();
            assert_eq!(args["workload"], check.workload);
            assert_eq!(args.as_object().unwrap().len(), check.params.len() + 1);
        }
    }

    #[test]
    fn flags_become_switches() {
        let raft = &CHECKS[2];
        let args = raft.native_args().unwrap();
        assert!(args.contains(&"--sweep-faults".to_string()));
        assert!(raft.wasm_args().contains(r#""sweep_faults":true"#));
    }
}
