//! `cargo xtask bench`: runs every engine's benchmark binaries and records their figures, with the
//! machine, toolchain and date they were measured on, in `content/measurements/<engine>.json`.
//! The site embeds those files, so every figure it shows names the run that produced it.

use crate::cmd::{self, root, Result};
use std::{fs, process::Command, time::SystemTime};

/// One benchmark of an engine crate: a cargo command whose last stdout line is a JSON object.
struct Run {
    package: &'static str,
    cargo_args: &'static [&'static str],
}

const RUNS: &[Run] = &[
    Run {
        package: "orderbook",
        cargo_args: &["run", "--release", "-p", "orderbook", "--bin", "book-bench"],
    },
    // The worst cases the engine is hardened against (200 k lines each, the lab's import limit).
    Run {
        package: "orderbook",
        cargo_args: &[
            "run",
            "--release",
            "-p",
            "orderbook",
            "--bin",
            "book-bench",
            "--",
            "--adversarial",
            "ladder",
        ],
    },
    Run {
        package: "orderbook",
        cargo_args: &[
            "run",
            "--release",
            "-p",
            "orderbook",
            "--bin",
            "book-bench",
            "--",
            "--adversarial",
            "ids",
        ],
    },
    Run {
        package: "marketdata",
        cargo_args: &["run", "--release", "-p", "marketdata", "--bin", "md-bench"],
    },
    Run {
        package: "ratelimit",
        cargo_args: &[
            "run",
            "--release",
            "-p",
            "ratelimit",
            "--features",
            "bench-governor",
            "--bin",
            "limit-bench",
        ],
    },
    Run {
        package: "ratelimit",
        cargo_args: &[
            "run",
            "--release",
            "-p",
            "ratelimit",
            "--bin",
            "limit-accuracy",
        ],
    },
    Run {
        package: "ratelimit",
        cargo_args: &[
            "run",
            "--release",
            "-p",
            "ratelimit",
            "--bin",
            "limit-cluster",
        ],
    },
    Run {
        package: "raft",
        cargo_args: &["bench", "-p", "raft", "--bench", "deliveries"],
    },
    Run {
        package: "raft",
        cargo_args: &[
            "run",
            "--release",
            "-p",
            "raft",
            "--bin",
            "raft-sweep",
            "--",
            "--seeds",
            "10000",
            "--nodes",
            "5",
        ],
    },
    Run {
        package: "raft",
        cargo_args: &["run", "--release", "-p", "raft", "--example", "reproduce"],
    },
    Run {
        package: "ratelimit-redis",
        cargo_args: &[
            "run",
            "--release",
            "-p",
            "ratelimit-redis",
            "--bin",
            "limit-load",
            "--",
            "--shards",
            "2",
            "--clients",
            "32",
            "--keys",
            "16",
            "--duration-ms",
            "3000",
        ],
    },
    // The same limiter on a local Redis Cluster (3 masters + 3 replicas, started by the tool).
    Run {
        package: "ratelimit-redis",
        cargo_args: &[
            "run",
            "--release",
            "-p",
            "ratelimit-redis",
            "--bin",
            "limit-load",
            "--",
            "--cluster",
            "--shards",
            "3",
            "--clients",
            "32",
            "--keys",
            "1000",
            "--duration-ms",
            "3000",
        ],
    },
];

pub fn run(args: &[String]) -> Result {
    if args.first().map(String::as_str) == Some("wasm") {
        return crate::bench_wasm::run(&args[1..]);
    }
    let only = args.first().map(String::as_str);
    let packages: Vec<&str> = {
        let mut p: Vec<&str> = RUNS.iter().map(|r| r.package).collect();
        p.dedup();
        p
    };
    if let Some(name) = only {
        if !packages.contains(&name) {
            return Err(format!("unknown engine {name:?}; one of {packages:?}"));
        }
    }
    for package in packages
        .into_iter()
        .filter(|p| only.is_none_or(|o| o == *p))
    {
        let machine = machine();
        let mut results = Vec::new();
        for run in RUNS.iter().filter(|r| r.package == package) {
            results.push(measure(run)?);
        }
        let record = serde_json::json!({
            "engine": package,
            "measured_at": utc_now(),
            "machine": machine,
            "runs": results,
        });
        let dir = root().join("content/measurements");
        fs::create_dir_all(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
        let path = dir.join(format!("{package}.json"));
        let text = serde_json::to_string_pretty(&record).map_err(|e| e.to_string())?;
        fs::write(&path, text + "\n").map_err(|e| format!("{}: {e}", path.display()))?;
        eprintln!("xtask: wrote {}", path.display());
    }
    Ok(())
}

fn measure(run: &Run) -> Result<serde_json::Value> {
    let args = run.cargo_args;
    let command = format!("cargo {}", args.join(" "));
    eprintln!("xtask: $ {command}");
    let out = cmd::new("cargo")
        .args(args)
        .output()
        .map_err(|e| format!("{command}: {e}"))?;
    if !out.status.success() {
        return Err(format!(
            "{command} failed ({}): {}",
            out.status,
            String::from_utf8_lossy(&out.stderr)
        ));
    }
    let stdout = String::from_utf8_lossy(&out.stdout);
    let last = stdout
        .lines()
        .rev()
        .find(|l| !l.trim().is_empty())
        .unwrap_or("");
    let figures: serde_json::Value = serde_json::from_str(last)
        .map_err(|e| format!("{command}: last line is not JSON ({e}): {last}"))?;
    // Some runs print one JSON object per experiment; keep them all, in order.
    let lines: Vec<serde_json::Value> = stdout
        .lines()
        .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
        .filter(serde_json::Value::is_object)
        .collect();
    eprintln!("xtask:   {last}");
    Ok(serde_json::json!({ "command": command, "result": figures, "lines": lines }))
}

/// What the figures were measured on: CPU model, logical cores, OS, rustc.
pub(crate) fn machine() -> serde_json::Value {
    let cpuinfo = fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
    let cpu = cpuinfo
        .lines()
        .find_map(|l| {
            l.strip_prefix("model name")
                .and_then(|r| r.split_once(':'))
                .map(|(_, v)| v.trim())
        })
        .unwrap_or("unknown")
        .to_string();
    let cores = std::thread::available_parallelism().map_or(0, |n| n.get());
    let rustc = cmd::output(Command::new("rustc").arg("--version")).unwrap_or_default();
    // Other work on the machine slows a benchmark down; record how busy it was.
    let load = fs::read_to_string("/proc/loadavg").unwrap_or_default();
    let load_1m = load.split_whitespace().next().unwrap_or("").to_string();
    serde_json::json!({
        "load_average_1m_at_start": load_1m,
        "cpu": cpu,
        "logical_cores": cores,
        "os": format!("{}-{}", std::env::consts::OS, std::env::consts::ARCH),
        "rustc": rustc,
    })
}

/// The current time as RFC 3339 UTC, without a date crate.
pub(crate) fn utc_now() -> String {
    let secs = SystemTime::now()
        .duration_since(SystemTime::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    rfc3339(secs)
}

fn rfc3339(unix_secs: u64) -> String {
    let days = unix_secs / 86_400;
    let rem = unix_secs % 86_400;
    let (y, m, d) = civil_from_days(days as i64);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z",
        rem / 3600,
        rem / 60 % 60,
        rem % 60
    )
}

/// Days since 1970-01-01 to a (year, month, day) in the proleptic Gregorian calendar
/// (Howard Hinnant's algorithm).
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_known_instants() {
        assert_eq!(rfc3339(0), "1970-01-01T00:00:00Z");
        assert_eq!(rfc3339(951_782_400), "2000-02-29T00:00:00Z");
        assert_eq!(rfc3339(1_795_434_245), "2026-11-23T11:44:05Z");
    }
}
