//! `cargo xtask test`: the one command CI runs. Static checks, unit tests, a release build at the
//! root and under a sub-path, then the e2e suite in Chromium against a plain static file server.

use crate::{
    bench_wasm, bundle,
    cmd::{self, root, Result},
    content, parity, setup, site_build,
    static_server::{self, Site},
};
use std::{fs, time::Instant};

/// Where the sub-path build is served, exercising `--public-url`.
const SUB_PATH: &str = "/sub/";

pub fn run() -> Result {
    let started = Instant::now();
    setup::run()?;
    cmd::run(cmd::new("cargo").args(["fmt", "--all", "--check"]))?;
    cmd::run(cmd::new("cargo").args([
        "clippy",
        "--workspace",
        "--all-targets",
        "--all-features",
        "--locked",
        "--",
        "-D",
        "warnings",
    ]))?;
    // A lab's worker is built without the site's `ui` feature: hold that build to the same lints.
    cmd::run(cmd::new("cargo").args([
        "clippy",
        "-p",
        "site",
        "--no-default-features",
        "--all-targets",
        "--locked",
        "--",
        "-D",
        "warnings",
    ]))?;
    cmd::run(cmd::new("cargo").args(["test", "--workspace", "--locked"]))?;
    // Engines must compute the same results natively and in the browser.
    parity::run()?;
    // ... and run in Chromium's module worker the way the labs build them (the speed gate itself
    // is `cargo xtask bench wasm`; this one call each checks that it runs and agrees).
    bench_wasm::run(&["--quick".to_string()])?;
    // The home page's contract: compiled by solc with zero warnings, then run on an EVM.
    cmd::run(
        cmd::new("npm")
            .args(["test"])
            .current_dir(root().join("solidity")),
    )?;

    let out = root().join("target/e2e");
    let dist = root().join("dist");
    let dist_sub = out.join("dist-sub");
    // Each build is made for the address it is served at, so its canonical links are real.
    let root_port = static_server::reserve()?;
    let sub_port = static_server::reserve()?;
    site_build::release("/", &dist, &root_port.origin)?;
    site_build::release(SUB_PATH, &dist_sub, &sub_port.origin)?;
    write_e2e_data(&out)?;

    bundle::run(&dist)?;
    let base_url = static_server::spawn(
        root_port,
        Site {
            dir: dist,
            mount: "/".into(),
        },
    );
    let sub_url = static_server::spawn(
        sub_port,
        Site {
            dir: dist_sub,
            mount: SUB_PATH.into(),
        },
    );
    eprintln!("xtask: static servers at {base_url} and {sub_url}");
    cmd::run(
        cmd::new("npx")
            .args(["playwright", "test"])
            .current_dir(root().join("tests/e2e"))
            .env("E2E_BASE_URL", &base_url)
            .env("E2E_SUB_URL", &sub_url)
            .env("E2E_OUT", &out),
    )?;
    // Lighthouse on the root build, after the suite: its scores need an otherwise idle machine.
    cmd::run(
        cmd::new("node")
            .arg("lighthouse.mjs")
            .current_dir(root().join("tests/e2e"))
            .env("E2E_BASE_URL", &base_url)
            .env("E2E_OUT", &out)
            .env("CHROME_PATH", "/usr/bin/chromium"),
    )?;
    eprintln!(
        "xtask: all checks passed in {:.0} s",
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

/// What the e2e suite reads besides the site (`cargo xtask e2e-data` writes it on its own, to run
/// single specs against a build served by `serve-dist`).
pub fn write_e2e_data(out: &std::path::Path) -> Result {
    write_content(out)?;
    write_hostile_fixture(out)?;
    write_raft_digests(out)?;
    write_tools(out)
}

/// The e2e suite checks the pages against the content and visits every known route; it reads
/// both from the same source the site is built from.
fn write_content(out: &std::path::Path) -> Result {
    let site = content::load()?;
    let mut json = serde_json::to_value(&site).map_err(|e| e.to_string())?;
    json["routes"] = serde_json::to_value(site.routes()).map_err(|e| e.to_string())?;
    let json = json.to_string();
    fs::create_dir_all(out).map_err(|e| format!("{}: {e}", out.display()))?;
    let path = out.join("content.json");
    fs::write(&path, json).map_err(|e| format!("{}: {e}", path.display()))
}

/// The hostile feed fixture, imported and sanitized exactly as `import-feed` does, for the e2e
/// test that renders it in Chromium and checks that nothing in it can run.
fn write_hostile_fixture(out: &std::path::Path) -> Result {
    let fixture = root().join("crates/content-build/tests/fixtures/hostile.xml");
    let xml = fs::read(&fixture).map_err(|e| format!("{}: {e}", fixture.display()))?;
    let entries = content_build::feed::import(&xml, "Site Owner").map_err(|e| e.to_string())?;
    let json = serde_json::to_string(&entries).map_err(|e| e.to_string())?;
    let path = out.join("hostile.json");
    fs::write(&path, json).map_err(|e| format!("{}: {e}", path.display()))
}

/// One replay case of the Raft lab: a run, the extra `raft-sim` flags, and its schedule.
struct RaftCase {
    name: &'static str,
    seed: u64,
    nodes: usize,
    until: u64,
    flags: &'static [&'static str],
    faults: Option<&'static str>,
}

/// The third case is what the e2e test does by hand: the leader of seed 1 crashed at tick 150.
const RAFT_CASES: &[RaftCase] = &[
    RaftCase {
        name: "plain",
        seed: 7,
        nodes: 5,
        until: 300,
        flags: &[],
        faults: None,
    },
    RaftCase {
        name: "faults",
        seed: 3,
        nodes: 3,
        until: 500,
        flags: &["--pre-vote", "off"],
        faults: Some(
            r#"{"drop_permille":20,"events":[{"at":120,"kind":"crash","node":1},{"at":260,"kind":"restart","node":1},{"at":300,"kind":"timeout_now","node":2},{"at":310,"kind":"request","op":"put","key":1},{"at":320,"kind":"set_latency","min_ticks":1,"max_ticks":5}]}"#,
        ),
    },
    RaftCase {
        name: "crash-clicked",
        seed: 1,
        nodes: 5,
        until: 300,
        flags: &[],
        faults: Some(r#"{"events":[{"at":150,"kind":"crash","node":3}]}"#),
    },
];

/// The rate limiter lab's contract: an exported trace, fed to `limit-replay` with the arguments
/// its first line names, prints the lab's exported decisions. The e2e suite runs the binary
/// itself; its path goes into `target/e2e/tools.json`.
fn write_tools(out: &std::path::Path) -> Result {
    cmd::run(cmd::new("cargo").args([
        "build",
        "-q",
        "--locked",
        "-p",
        "ratelimit",
        "--bin",
        "limit-replay",
    ]))?;
    let bin = root().join("target/debug/limit-replay");
    let json = serde_json::json!({ "limit_replay": bin.display().to_string() });
    let path = out.join("tools.json");
    fs::write(&path, json.to_string()).map_err(|e| format!("{}: {e}", path.display()))
}

/// The Raft lab's contract: the digest a link shows is the one `raft-sim --digest` prints for
/// the same run. The e2e suite talks only to static files, so the native digests it compares
/// with are computed here, by the `raft-sim` binary itself, into `target/e2e/raft-digests.json`.
fn write_raft_digests(out: &std::path::Path) -> Result {
    let dir = out.join("raft");
    fs::create_dir_all(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    let mut cases = Vec::new();
    for RaftCase {
        name,
        seed,
        nodes,
        until,
        flags,
        faults,
    } in RAFT_CASES
    {
        let mut args: Vec<String> = [
            "run", "-q", "--locked", "-p", "raft", "--bin", "raft-sim", "--",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        for (flag, value) in [
            ("--seed", seed.to_string()),
            ("--nodes", nodes.to_string()),
            ("--ticks", until.to_string()),
        ] {
            args.push(flag.into());
            args.push(value);
        }
        args.extend(flags.iter().map(|f| f.to_string()));
        if let Some(json) = faults {
            let path = dir.join(format!("{name}.json"));
            fs::write(&path, json).map_err(|e| format!("{}: {e}", path.display()))?;
            args.push("--faults".into());
            args.push(path.display().to_string());
        }
        args.push("--digest".into());
        let line = cmd::output(cmd::new("cargo").args(&args))
            .ok_or_else(|| format!("raft-sim failed for case {name}"))?;
        let printed: serde_json::Value =
            serde_json::from_str(&line).map_err(|e| format!("raft-sim printed {line:?}: {e}"))?;
        cases.push(serde_json::json!({
            "name": name,
            "seed": seed,
            "nodes": nodes,
            "until": until,
            "pre_vote": !flags.contains(&"--pre-vote"),
            "faults": faults,
            "digest": printed["digest"],
        }));
    }
    let path = out.join("raft-digests.json");
    fs::write(&path, serde_json::Value::Array(cases).to_string())
        .map_err(|e| format!("{}: {e}", path.display()))
}
