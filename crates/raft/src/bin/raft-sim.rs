//! `raft-sim`: runs one simulation and prints one JSON object per observable event, then a
//! summary line. Same seed and flags => same bytes.
//!
//! Usage: raft-sim --seed S --nodes N --ticks T [--faults FILE] [--clients C] [--digest]
//!                 [--latency TICKS] [--election-timeout TICKS] [--heartbeat TICKS]
//!                 [--pre-vote on|off] [--check-quorum on|off] [--initial-voters V]
//!                 [--sweep-faults] [--inject-bug double-vote|stale-local-read]
//! `--sweep-faults` replays the random schedule (and snapshot interval) `raft-sweep` used
//! for that seed. `--snapshot-every N` compacts logs every N applied entries (default off).
//! `--digest` prints only `{"digest":"<fnv1a64 of the full output>","lines":..,...}`.

use raft::{run_traced, FaultSchedule, InjectedBug, RaftError, SimConfig};
use std::io::Write;

struct Args {
    cfg: SimConfig,
    faults: Option<String>,
    sweep_faults: bool,
    snapshot_every: Option<u64>,
    digest: bool,
}

fn parse_num<T: std::str::FromStr>(flag: &str, v: Option<String>) -> Result<T, RaftError> {
    let v = v.ok_or_else(|| RaftError::Parse(format!("{flag} needs a value")))?;
    v.parse()
        .map_err(|_| RaftError::Parse(format!("{flag}: bad number {v:?}")))
}

fn parse_switch(flag: &str, v: Option<String>) -> Result<bool, RaftError> {
    match v.as_deref() {
        Some("on") => Ok(true),
        Some("off") => Ok(false),
        other => Err(RaftError::Parse(format!(
            "{flag}: on or off, not {other:?}"
        ))),
    }
}

fn parse_bug(v: Option<String>) -> Result<InjectedBug, RaftError> {
    match v.as_deref() {
        Some("double-vote") => Ok(InjectedBug::DoubleVote),
        Some("stale-local-read") => Ok(InjectedBug::StaleLocalRead),
        other => Err(RaftError::Parse(format!("--inject-bug: unknown {other:?}"))),
    }
}

fn parse_args() -> Result<Args, RaftError> {
    let mut a = Args {
        cfg: SimConfig::default(),
        faults: None,
        sweep_faults: false,
        snapshot_every: None,
        digest: false,
    };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        match flag.as_str() {
            "--seed" => a.cfg.seed = parse_num(&flag, it.next())?,
            "--nodes" => a.cfg.nodes = parse_num(&flag, it.next())?,
            "--ticks" => a.cfg.ticks = parse_num(&flag, it.next())?,
            "--clients" => a.cfg.clients = parse_num(&flag, it.next())?,
            "--election-timeout" => a.cfg.election_timeout_ticks = parse_num(&flag, it.next())?,
            "--pre-vote" => a.cfg.pre_vote = parse_switch(&flag, it.next())?,
            "--check-quorum" => a.cfg.check_quorum = parse_switch(&flag, it.next())?,
            "--initial-voters" => a.cfg.initial_voters = parse_num(&flag, it.next())?,
            "--heartbeat" => a.cfg.heartbeat_interval_ticks = parse_num(&flag, it.next())?,
            "--latency" => {
                let v: u32 = parse_num(&flag, it.next())?;
                a.cfg.latency = raft::LatencySpec {
                    min_ticks: v,
                    max_ticks: v,
                    tail_permille: 0,
                    tail_ticks: 0,
                };
            }
            "--faults" => {
                a.faults = Some(
                    it.next()
                        .ok_or_else(|| RaftError::Parse("--faults needs a file".into()))?,
                )
            }
            "--digest" => a.digest = true,
            "--sweep-faults" => a.sweep_faults = true,
            "--snapshot-every" => a.snapshot_every = Some(parse_num(&flag, it.next())?),
            "--inject-bug" => a.cfg.injected_bug = Some(parse_bug(it.next())?),
            other => return Err(RaftError::Parse(format!("unknown flag {other:?}"))),
        }
    }
    Ok(a)
}

fn run() -> Result<(), RaftError> {
    let mut args = parse_args()?;
    args.cfg.snapshot_every_entries = match (args.snapshot_every, args.sweep_faults) {
        (Some(n), _) => n,
        (None, true) => raft::sweep::SWEEP_SNAPSHOT_EVERY_ENTRIES,
        (None, false) => 0,
    };
    let schedule = match &args.faults {
        Some(path) => {
            let text = std::fs::read_to_string(path)
                .map_err(|e| RaftError::Parse(format!("reading {path}: {e}")))?;
            FaultSchedule::from_json(&text)?
        }
        None if args.sweep_faults => {
            raft::sweep::random_schedule(args.cfg.seed, args.cfg.nodes, args.cfg.ticks)
        }
        None => FaultSchedule::default(),
    };
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    let mut io_err = None;
    let digest = args.digest;
    let d = run_traced(args.cfg, schedule, |line| {
        if !digest && io_err.is_none() {
            if let Err(e) = writeln!(out, "{line}") {
                io_err = Some(e);
            }
        }
    })?;
    if digest {
        let _ = writeln!(
            out,
            "{{\"digest\":\"{:016x}\",\"lines\":{},\"deliveries\":{}}}",
            d.digest, d.lines, d.deliveries
        );
    }
    let _ = out.flush();
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
