//! `raft-sweep`: chaos sweep over many seeds with random fault schedules. Prints one JSON line
//! per failing seed and a final summary line. Uses `--threads` OS threads (default 2, this
//! machine's core count) over disjoint seed ranges; the library itself is single-threaded.
//!
//! Usage: raft-sweep --seeds N [--nodes K] [--ticks T] [--first-seed S] [--threads J]
//!                   [--inject-bug double-vote|stale-local-read]

use raft::sweep::{sweep_range, violation_json, SweepTotals};
use raft::{InjectedBug, RaftError};
use std::time::Instant;

struct Args {
    seeds: u64,
    nodes: usize,
    ticks: u64,
    first: u64,
    threads: u64,
    bug: Option<InjectedBug>,
}

fn parse_num<T: std::str::FromStr>(flag: &str, v: Option<String>) -> Result<T, RaftError> {
    let v = v.ok_or_else(|| RaftError::Parse(format!("{flag} needs a value")))?;
    v.parse()
        .map_err(|_| RaftError::Parse(format!("{flag}: bad number {v:?}")))
}

fn parse_args() -> Result<Args, RaftError> {
    let mut a = Args {
        seeds: 100,
        nodes: 5,
        ticks: 2000,
        first: 0,
        threads: 2,
        bug: None,
    };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        match flag.as_str() {
            "--seeds" => a.seeds = parse_num(&flag, it.next())?,
            "--nodes" => a.nodes = parse_num(&flag, it.next())?,
            "--ticks" => a.ticks = parse_num(&flag, it.next())?,
            "--first-seed" => a.first = parse_num(&flag, it.next())?,
            "--threads" => a.threads = parse_num::<u64>(&flag, it.next())?.clamp(1, 64),
            "--inject-bug" => {
                a.bug = Some(match it.next().as_deref() {
                    Some("double-vote") => InjectedBug::DoubleVote,
                    Some("stale-local-read") => InjectedBug::StaleLocalRead,
                    other => {
                        return Err(RaftError::Parse(format!("--inject-bug: unknown {other:?}")))
                    }
                })
            }
            other => return Err(RaftError::Parse(format!("unknown flag {other:?}"))),
        }
    }
    Ok(a)
}

fn run() -> Result<(), RaftError> {
    let a = parse_args()?;
    let start = Instant::now();
    let per = a.seeds.div_ceil(a.threads);
    let results: Vec<Result<(SweepTotals, Vec<String>), RaftError>> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..a.threads)
            .map(|k| {
                let first = a.first + k * per;
                let count = per.min(a.seeds.saturating_sub(k * per));
                let (nodes, ticks, bug) = (a.nodes, a.ticks, a.bug);
                s.spawn(move || {
                    let mut lines = Vec::new();
                    let totals = sweep_range(first, count, nodes, ticks, bug, |r| {
                        lines.push(violation_json(r))
                    })?;
                    Ok((totals, lines))
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| {
                h.join()
                    .unwrap_or_else(|_| Err(RaftError::Parse("worker panicked".into())))
            })
            .collect()
    });
    let mut totals = SweepTotals::default();
    for r in results {
        let (t, lines) = r?;
        for l in lines {
            println!("{l}");
        }
        totals.merge(&t);
    }
    let wall_s = start.elapsed().as_secs_f64();
    let per_s = if wall_s > 0.0 {
        totals.deliveries as f64 / wall_s
    } else {
        0.0
    };
    println!(
        "{}",
        serde_json::json!({
            "ev": "summary",
            "seeds": totals.seeds,
            "nodes": a.nodes,
            "ticks": a.ticks,
            "threads": a.threads,
            "violations": totals.violations,
            "deliveries": totals.deliveries,
            "deliveries_per_sec": per_s.round() as u64,
            "wall_s": (wall_s * 1000.0).round() / 1000.0,
            "crashes": totals.crashes,
            "partitions": totals.partitions,
            "drops": totals.drops,
            "duplicates": totals.duplicates,
            "linearizability_unknown": totals.linearizability_unknown,
            "snapshots_installed": totals.snapshots_installed,
            "conf_changes": totals.conf_changes,
            "injected_bug": a.bug.map(|b| format!("{b:?}")),
        })
    );
    Ok(())
}

fn main() {
    if let Err(e) = run() {
        println!(
            "{}",
            serde_json::json!({"ev": "error", "message": e.to_string()})
        );
        std::process::exit(2);
    }
}
