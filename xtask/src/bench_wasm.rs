//! `cargo xtask bench wasm [--rounds N] [--quick]`: every engine's fixed workload natively, under
//! node and in a module worker of headless Chromium, in one run, round after round, so the three
//! sides share the machine's good and bad moments; then the ratios, written to
//! `content/measurements/wasm.json` (the site and the README quote them).
//!
//! All three sides run one function: the `<engine>-wasm` harness's `digest(args_json)`. Natively
//! it is the harness's `<engine>-native` binary (`crates/bench-native`); in WASM it is the harness
//! built the way the labs' engine workers are built — the `wasm-engine` profile, wasm-bindgen's
//! web target, `wasm-opt` at [`ENGINE_WASM_OPT`] — and driven by `xtask/bench-wasm.mjs`. Each
//! side's process makes [`WARMUP_CALLS`] untimed calls, then times `reps` calls; a side's figure
//! for a round is the median of its calls, and the figure quoted is the median over rounds, with
//! the range. Every call on every side must produce the same digest.
//!
//! The warm-up matters in V8: a module starts in its baseline compiler (Liftoff) and hot
//! functions are optimised (TurboFan) in the background, on the same two cores; measured, the
//! order book's first calls in Chromium took 1.5–3× its steady time. A lab's sustained run
//! executes the optimised code, so that is what is compared with native.
//!
//! The gate: each engine in Chromium at [`GATE`]× its native speed or better, or the command
//! fails. `--quick` (what `cargo xtask test` runs) makes one round of one call each: it checks
//! that the three sides run and agree, prints the ratios, and neither gates nor writes.

use crate::bench::{machine, utc_now};
use crate::cmd::{self, root, Result};
use std::{fs, path::PathBuf, process::Stdio};

/// In Chromium, every engine runs at this fraction of its native speed or better.
pub const GATE: f64 = 0.7;
/// The `wasm-opt` level of the labs' engine workers (index.html), used on the harnesses too.
pub const ENGINE_WASM_OPT: &str = "3";
/// The cargo profile Trunk builds the labs' engine workers with (index.html's
/// `data-cargo-profile-release`).
const PROFILE: &str = "wasm-engine";
const DEFAULT_ROUNDS: u32 = 5;
/// Untimed calls before the timed ones, on every side (one in `--quick`).
const WARMUP_CALLS: u32 = 3;
/// Most rounds one run accepts.
const MAX_ROUNDS: u32 = 50;

/// One engine's fixed workload.
struct Workload {
    engine: &'static str,
    /// The harness's arguments (its `Args`), passed as this text to every side.
    args: &'static str,
    /// Timed calls per process in a full run.
    reps: u32,
}

const WORKLOADS: &[Workload] = &[
    // `book-bench --flow 1000000 --seed 42`.
    Workload {
        engine: "orderbook",
        args: r#"{"workload":"flow","seed":42,"ops":1000000}"#,
        reps: 5,
    },
    // `limit-digest 7`: 1 M decisions over all five algorithms, the accuracy experiment and the
    // cluster demo.
    Workload {
        engine: "ratelimit",
        args: r#"{"workload":"fixed","seed":7}"#,
        reps: 5,
    },
    // `raft-sweep --seeds 200 --first-seed 0 --nodes 5 --ticks 2000 --threads 1`.
    Workload {
        engine: "raft",
        args: r#"{"workload":"sweep","first_seed":0,"seeds":200,"nodes":5,"ticks":2000}"#,
        reps: 3,
    },
    // `md-bench` (seed 42, depth 10, 200 000 updates): one parse + apply + checksum pass per
    // call over the stream the harness generated on its first (untimed) call.
    Workload {
        engine: "marketdata",
        args: r#"{"workload":"ingest","seed":42,"depth":10,"updates":200000}"#,
        reps: 5,
    },
];

const SIDES: [Side; 3] = [Side::Native, Side::Node, Side::Chromium];

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Side {
    Native,
    Node,
    Chromium,
}

impl Side {
    fn name(self) -> &'static str {
        match self {
            Side::Native => "native",
            Side::Node => "node",
            Side::Chromium => "chromium",
        }
    }
}

impl Workload {
    fn harness(&self) -> String {
        format!("{}-wasm", self.engine)
    }

    /// wasm-bindgen's output directory for this harness.
    fn web_dir(&self) -> PathBuf {
        root().join("target/bench-wasm").join(self.harness())
    }

    fn bindings(&self) -> String {
        format!("{}.js", self.harness().replace('-', "_"))
    }
}

/// One process's answer: the digest and each timed call's milliseconds.
struct Answer {
    digest: String,
    ms: Vec<f64>,
    work: serde_json::Value,
}

struct Options {
    rounds: u32,
    quick: bool,
}

fn parse(args: &[String]) -> Result<Options> {
    let mut options = Options {
        rounds: DEFAULT_ROUNDS,
        quick: false,
    };
    let mut it = args.iter();
    while let Some(arg) = it.next() {
        match arg.as_str() {
            "--quick" => options.quick = true,
            "--rounds" => {
                let n = it.next().and_then(|v| v.parse::<u32>().ok());
                match n {
                    Some(n) if (1..=MAX_ROUNDS).contains(&n) => options.rounds = n,
                    _ => return Err(format!("--rounds takes 1..={MAX_ROUNDS}")),
                }
            }
            other => return Err(format!("bench wasm: unknown argument {other:?}")),
        }
    }
    if options.quick {
        options.rounds = 1;
    }
    Ok(options)
}

pub fn run(args: &[String]) -> Result {
    let options = parse(args)?;
    build()?;
    let machine = machine();
    let mut answers: Vec<[Vec<Answer>; 3]> = WORKLOADS.iter().map(|_| Default::default()).collect();
    for round in 1..=options.rounds {
        for (w, workload) in WORKLOADS.iter().enumerate() {
            let (warmup, reps) = if options.quick {
                (1, 1)
            } else {
                (WARMUP_CALLS, workload.reps)
            };
            for (s, side) in SIDES.into_iter().enumerate() {
                let answer = measure(workload, side, warmup, reps)?;
                eprintln!(
                    "xtask: round {round}/{} {} {}: {} ms, digest {}",
                    options.rounds,
                    workload.engine,
                    side.name(),
                    median(&answer.ms),
                    answer.digest
                );
                answers[w][s].push(answer);
            }
        }
    }

    let mut rows = serde_json::Map::new();
    let mut failures = Vec::new();
    for (workload, sides) in WORKLOADS.iter().zip(&answers) {
        let digest = &sides[0][0].digest;
        for (side, runs) in SIDES.iter().zip(sides) {
            if let Some(other) = runs.iter().find(|a| &a.digest != digest) {
                return Err(format!(
                    "{}: {} computed digest {} where native computed {digest}",
                    workload.engine,
                    side.name(),
                    other.digest
                ));
            }
        }
        let figures: Vec<Figure> = sides.iter().map(|runs| Figure::of(runs)).collect();
        if options.quick {
            // One call after one warm-up is mostly V8's baseline code: a check, not a figure.
            println!(
                "{:<10} agrees on {digest}: native {:.1} ms, node {:.1} ms, chromium {:.1} ms (one call each, not a measurement)",
                workload.engine, figures[0].median, figures[1].median, figures[2].median,
            );
            continue;
        }
        let ratio = |s: usize| round3(figures[0].median / figures[s].median);
        let (node, chromium) = (ratio(1), ratio(2));
        println!(
            "{:<10} native {:>8.1} ms ({:.1}–{:.1})   node {:>8.1} ms {:.2}×   chromium {:>8.1} ms ({:.1}–{:.1}) {:.2}×",
            workload.engine,
            figures[0].median,
            figures[0].min,
            figures[0].max,
            figures[1].median,
            node,
            figures[2].median,
            figures[2].min,
            figures[2].max,
            chromium,
        );
        if chromium < GATE {
            failures.push(format!(
                "{} runs at {chromium:.2}× native in Chromium (gate {GATE}×)",
                workload.engine
            ));
        }
        rows.insert(workload.engine.to_string(), serde_json::json!({
            "args": serde_json::from_str::<serde_json::Value>(workload.args).map_err(|e| e.to_string())?,
            "digest": digest,
            "work": sides[0][0].work,
            "reps_per_round": workload.reps,
            "native_ms": figures[0].json(),
            "node_ms": figures[1].json(),
            "chromium_ms": figures[2].json(),
            "ratio_node": node,
            "ratio_chromium": chromium,
        }));
    }
    if options.quick {
        eprintln!("xtask: bench wasm --quick: the three sides agree (one call each; no gate)");
        return Ok(());
    }
    // The shape of the other engines' records (`cargo xtask bench`), so the site's figures can
    // cite it: `engine = "wasm"`, `run = "wasm"`, `field = "result.workloads.<engine>.…"`.
    let record = serde_json::json!({
        "engine": "wasm",
        "measured_at": utc_now(),
        "machine": machine,
        "runs": [{
            "command": "cargo xtask bench wasm",
            "result": {
                "build": { "profile": PROFILE, "wasm_opt": format!("-O{ENGINE_WASM_OPT}") },
                "rounds": options.rounds,
                "warmup_calls": WARMUP_CALLS,
                "gate": GATE,
                "workloads": rows,
            },
        }],
    });
    let path = root().join("content/measurements/wasm.json");
    let text = serde_json::to_string_pretty(&record).map_err(|e| e.to_string())?;
    fs::write(&path, text + "\n").map_err(|e| format!("{}: {e}", path.display()))?;
    eprintln!("xtask: wrote {}", path.display());
    if failures.is_empty() {
        Ok(())
    } else {
        Err(failures.join("; "))
    }
}

/// The native binaries, and each harness for wasm32 as the labs' workers are built.
fn build() -> Result {
    let mut native = cmd::new("cargo");
    native.args(["build", "--release", "--locked", "--bins"]);
    let mut wasm = cmd::new("cargo");
    wasm.args(["build", "--profile", PROFILE, "--locked"]);
    wasm.args(["--target", "wasm32-unknown-unknown", "--lib"]);
    for w in WORKLOADS {
        native.args(["-p", &w.harness()]);
        wasm.args(["-p", &w.harness()]);
    }
    cmd::run(&mut native)?;
    cmd::run(&mut wasm)?;
    for w in WORKLOADS {
        let name = w.harness().replace('-', "_");
        let module = root()
            .join("target/wasm32-unknown-unknown")
            .join(PROFILE)
            .join(format!("{name}.wasm"));
        let dir = w.web_dir();
        cmd::run(
            cmd::new("wasm-bindgen")
                .args(["--target", "web", "--out-dir"])
                .arg(&dir)
                .arg(&module),
        )?;
        let bg = dir.join(format!("{name}_bg.wasm"));
        cmd::run(
            cmd::new("wasm-opt")
                .arg(format!("-O{ENGINE_WASM_OPT}"))
                .arg(&bg)
                .arg("-o")
                .arg(&bg),
        )?;
    }
    Ok(())
}

/// One process of `side`: `warmup` untimed calls and `reps` timed ones.
fn measure(workload: &Workload, side: Side, warmup: u32, reps: u32) -> Result<Answer> {
    let mut command = match side {
        Side::Native => {
            let bin = root()
                .join("target/release")
                .join(format!("{}-native", workload.engine));
            let mut c = cmd::new(&bin.to_string_lossy());
            c.arg(workload.args)
                .arg(warmup.to_string())
                .arg(reps.to_string());
            c
        }
        Side::Node | Side::Chromium => {
            let mut c = cmd::new("node");
            c.arg(root().join("xtask/bench-wasm.mjs"))
                .arg(side.name())
                .arg(workload.web_dir())
                .arg(workload.bindings())
                .arg(workload.args)
                .arg(warmup.to_string())
                .arg(reps.to_string());
            c
        }
    };
    let what = format!("{} {}", workload.engine, side.name());
    let out = command
        .stderr(Stdio::inherit())
        .output()
        .map_err(|e| format!("{what}: {e}"))?;
    if !out.status.success() {
        return Err(format!("{what} failed ({})", out.status));
    }
    let stdout = String::from_utf8_lossy(&out.stdout);
    let last = stdout.lines().next_back().unwrap_or_default();
    parse_answer(last).map_err(|e| format!("{what}: {e}: {last}"))
}

fn parse_answer(line: &str) -> Result<Answer> {
    let v: serde_json::Value = serde_json::from_str(line).map_err(|e| e.to_string())?;
    let digest = v["digest"].as_str().ok_or("no digest")?.to_string();
    let ms: Vec<f64> = v["ms"]
        .as_array()
        .ok_or("no ms")?
        .iter()
        .filter_map(serde_json::Value::as_f64)
        .collect();
    if ms.is_empty() {
        return Err("no timed call".into());
    }
    Ok(Answer {
        digest,
        ms,
        work: v["work"].clone(),
    })
}

/// A side's figure: the median over rounds of each round's median call, and their range.
struct Figure {
    median: f64,
    min: f64,
    max: f64,
    rounds: Vec<f64>,
}

impl Figure {
    fn of(answers: &[Answer]) -> Figure {
        let rounds: Vec<f64> = answers.iter().map(|a| median(&a.ms)).collect();
        Figure {
            median: median(&rounds),
            min: rounds.iter().copied().fold(f64::INFINITY, f64::min),
            max: rounds.iter().copied().fold(0.0, f64::max),
            rounds,
        }
    }

    fn json(&self) -> serde_json::Value {
        serde_json::json!({
            "median": self.median,
            "min": self.min,
            "max": self.max,
            "rounds": self.rounds,
        })
    }
}

/// The median (the mean of the middle two for an even count); 0 for none.
fn median(values: &[f64]) -> f64 {
    let mut v = values.to_vec();
    v.sort_by(f64::total_cmp);
    match v.len() {
        0 => 0.0,
        n if n % 2 == 1 => v[n / 2],
        n => (v[n / 2 - 1] + v[n / 2]) / 2.0,
    }
}

fn round3(x: f64) -> f64 {
    (x * 1000.0).round() / 1000.0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn medians_and_ranges() {
        assert_eq!(median(&[3.0, 1.0, 2.0]), 2.0);
        assert_eq!(median(&[4.0, 1.0, 3.0, 2.0]), 2.5);
        assert_eq!(median(&[]), 0.0);
        let answers: Vec<Answer> = [[5.0, 1.0, 9.0], [2.0, 2.0, 2.0], [7.0, 8.0, 6.0]]
            .iter()
            .map(|ms| Answer {
                digest: "d".into(),
                ms: ms.to_vec(),
                work: serde_json::Value::Null,
            })
            .collect();
        let f = Figure::of(&answers);
        assert_eq!(f.rounds, vec![5.0, 2.0, 7.0]);
        assert_eq!((f.median, f.min, f.max), (5.0, 2.0, 7.0));
    }

    #[test]
    fn answers_must_carry_a_digest_and_timings() {
        let a = parse_answer(r#"{"digest":"ab","ms":[1.5,2],"work":{"n":1}}"#).unwrap();
        assert_eq!((a.digest.as_str(), a.ms.len()), ("ab", 2));
        assert!(parse_answer(r#"{"digest":"ab","ms":[]}"#).is_err());
        assert!(parse_answer(r#"{"ms":[1]}"#).is_err());
        assert!(parse_answer("not json").is_err());
    }

    #[test]
    fn options() {
        let o = parse(&["--rounds".into(), "3".into()]).unwrap();
        assert_eq!((o.rounds, o.quick), (3, false));
        let o = parse(&["--quick".into(), "--rounds".into(), "9".into()]).unwrap();
        assert_eq!((o.rounds, o.quick), (1, true));
        assert!(parse(&["--rounds".into(), "0".into()]).is_err());
        assert!(parse(&["--fast".into()]).is_err());
    }

    #[test]
    fn the_harnesses_are_built_like_the_labs_engine_workers() {
        // Every engine worker in index.html uses the profile and wasm-opt level measured here.
        let html = fs::read_to_string(root().join("index.html")).unwrap();
        let workers: Vec<&str> = html
            .lines()
            .filter(|l| l.contains("data-bin=\"lab-") && l.contains("-worker\""))
            .collect();
        assert!(workers.len() >= 3, "{workers:?}");
        for line in workers {
            assert!(
                line.contains(&format!("data-cargo-profile-release=\"{PROFILE}\"")),
                "{line}"
            );
            assert!(
                line.contains(&format!("data-wasm-opt=\"{ENGINE_WASM_OPT}\"")),
                "{line}"
            );
        }
    }

    #[test]
    fn every_workload_is_json_naming_its_workload() {
        for w in WORKLOADS {
            let v: serde_json::Value = serde_json::from_str(w.args).unwrap();
            assert!(v["workload"].is_string(), "{}", w.args);
            assert!(w.reps >= 1);
        }
    }
}
