//! `cargo xtask setup`: installs every tool the project needs, each at the exact version it needs,
//! skipping what is already present. Safe to run any number of times.

use crate::cmd::{self, root, Result};
use std::{fs, path::Path, process::Command};

const TRUNK_VERSION: &str = "0.21.14";
/// binaryen's wasm-opt, as printed by `wasm-opt --version`; Trunk.toml pins the same version.
const WASM_OPT_VERSION: &str = "version 132";
/// Debian packages the project needs, by the file each installs.
const APT_PACKAGES: &[(&str, &str)] = &[
    // Browser for the e2e suite (Playwright's own browser download is not reachable).
    ("/usr/bin/chromium", "chromium"),
    // Real Redis servers for crates/ratelimit-redis's tests and its load benchmark.
    ("/usr/bin/redis-server", "redis-server"),
    // redis-cli joins the Redis Cluster those tests start (`--cluster create`).
    ("/usr/bin/redis-cli", "redis-tools"),
    // NATS with JetStream: the market-data pipeline's journal and its tests (bookworm: 2.9.10).
    ("/usr/bin/nats-server", "nats-server"),
];

pub fn run() -> Result {
    wasm_target()?;
    trunk()?;
    wasm_bindgen()?;
    npm_packages("tools")?;
    check_wasm_opt()?;
    apt_packages()?;
    npm_packages("tests/e2e")?;
    npm_packages("solidity")?;
    eprintln!("xtask: setup complete");
    Ok(())
}

fn wasm_target() -> Result {
    let installed = cmd::output(Command::new("rustup").args(["target", "list", "--installed"]));
    if installed.is_some_and(|list| list.lines().any(|l| l.trim() == "wasm32-unknown-unknown")) {
        return Ok(());
    }
    cmd::run(Command::new("rustup").args(["target", "add", "wasm32-unknown-unknown"]))
}

fn trunk() -> Result {
    let want = format!("trunk {TRUNK_VERSION}");
    if cmd::output(cmd::new("trunk").arg("--version")).as_deref() == Some(want.as_str()) {
        return Ok(());
    }
    // 0.22 needs a newer rustc than the project's 1.95; --locked keeps its tested dependency set.
    cmd::run(cmd::new("cargo").args(["install", "trunk", "--version", TRUNK_VERSION, "--locked"]))
}

/// wasm-bindgen's CLI must match the `wasm-bindgen` crate in Cargo.lock exactly.
fn wasm_bindgen() -> Result {
    let version = locked_version("wasm-bindgen")?;
    let want = format!("wasm-bindgen {version}");
    if cmd::output(cmd::new("wasm-bindgen").arg("--version")).as_deref() == Some(want.as_str()) {
        return Ok(());
    }
    // Not --locked: the CLI's own lock file names a crate version the registry no longer serves.
    cmd::run(cmd::new("cargo").args(["install", "wasm-bindgen-cli", "--version", &version]))
}

/// The version of `package` recorded in the workspace's Cargo.lock.
pub fn locked_version(package: &str) -> Result<String> {
    let lock =
        fs::read_to_string(root().join("Cargo.lock")).map_err(|e| format!("Cargo.lock: {e}"))?;
    let needle = format!("name = \"{package}\"\nversion = \"");
    let start = lock
        .find(&needle)
        .ok_or_else(|| format!("{package} is not in Cargo.lock"))?
        + needle.len();
    let end = lock[start..]
        .find('"')
        .ok_or_else(|| "Cargo.lock is malformed".to_string())?;
    Ok(lock[start..start + end].to_string())
}

/// `npm ci` in `dir` unless its node_modules was installed from the same lock file.
fn npm_packages(dir: &str) -> Result {
    let dir = root().join(dir);
    let lock = fs::read(dir.join("package-lock.json"))
        .map_err(|e| format!("{}/package-lock.json: {e}", dir.display()))?;
    let stamp_path = dir.join("node_modules/.xtask-lock-stamp");
    // A fingerprint that only detects change, so FNV-1a suffices.
    let stamp = format!("{:016x}", deterministic::fnv1a(&lock));
    if fs::read_to_string(&stamp_path).ok().as_deref() == Some(stamp.as_str()) {
        return Ok(());
    }
    cmd::run(
        cmd::new("npm")
            .args(["ci", "--no-audit", "--no-fund"])
            .current_dir(&dir),
    )?;
    fs::write(&stamp_path, stamp).map_err(|e| format!("{}: {e}", stamp_path.display()))
}

fn check_wasm_opt() -> Result {
    let bin = cmd::tools_bin().join("wasm-opt");
    let version = cmd::output(Command::new(&bin).arg("--version")).unwrap_or_default();
    if version.contains(WASM_OPT_VERSION) {
        Ok(())
    } else {
        Err(format!(
            "{} reports {version:?}, expected {WASM_OPT_VERSION}",
            bin.display()
        ))
    }
}

fn apt_packages() -> Result {
    let missing: Vec<&str> = APT_PACKAGES
        .iter()
        .filter(|(file, _)| !Path::new(file).exists())
        .map(|(_, package)| *package)
        .collect();
    if missing.is_empty() {
        return Ok(());
    }
    let uid = cmd::output(Command::new("id").arg("-u")).unwrap_or_default();
    if uid != "0" {
        return Err(format!(
            "missing Debian packages; install them with: sudo apt-get install -y {}",
            missing.join(" ")
        ));
    }
    cmd::run(Command::new("apt-get").arg("update"))?;
    cmd::run(
        Command::new("apt-get")
            .args(["install", "-y", "--no-install-recommends"])
            .args(&missing),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_locked_wasm_bindgen_version() {
        let version = locked_version("wasm-bindgen").expect("locked");
        assert!(version.starts_with("0.2."), "{version}");
    }
}
