//! `limit-cluster`: runs the demo cluster scenario under each degradation policy and prints a
//! per-policy summary (and, with `--ticks`, one line per tick). Usage:
//! `limit-cluster [--seed S] [--ticks]`. Prints a JSON line last.

use ratelimit::cluster::{ClusterConfig, ClusterSim, DegradationPolicy};
use std::io::Write;
use std::process::ExitCode;

fn emit(line: &str) {
    let _ = writeln!(std::io::stdout().lock(), "{line}");
}

fn main() -> ExitCode {
    let mut seed = 1u64;
    let mut per_tick = false;
    let mut args = std::env::args().skip(1);
    while let Some(flag) = args.next() {
        match flag.as_str() {
            "--ticks" => per_tick = true,
            "--seed" => match args.next().and_then(|v| v.parse().ok()) {
                Some(s) => seed = s,
                None => {
                    eprintln!("limit-cluster: --seed needs an integer");
                    return ExitCode::from(2);
                }
            },
            _ => {
                eprintln!("limit-cluster: usage: limit-cluster [--seed S] [--ticks]");
                return ExitCode::from(2);
            }
        }
    }
    let mut json = String::from("{");
    for (i, (name, policy)) in [
        ("fail-open", DegradationPolicy::FailOpen),
        ("fail-closed", DegradationPolicy::FailClosed),
        (
            "local-fallback",
            DegradationPolicy::LocalFallback {
                share_permille: 333,
            },
        ),
    ]
    .into_iter()
    .enumerate()
    {
        let mut sim = match ClusterSim::new(ClusterConfig::demo(policy, seed)) {
            Ok(s) => s,
            Err(e) => {
                eprintln!("limit-cluster: invalid scenario: {e}");
                return ExitCode::from(2);
            }
        };
        let reports = sim.run();
        let sum =
            |f: fn(&ratelimit::cluster::TickReport) -> u64| reports.iter().map(f).sum::<u64>();
        let (allowed, denied) = (sum(|r| r.allowed), sum(|r| r.denied));
        let (wa, wd, degraded) = (
            sum(|r| r.wrongly_allowed),
            sum(|r| r.wrongly_denied),
            sum(|r| r.degraded),
        );
        let requests = (allowed + denied).max(1);
        let imbalance_mean = sum(|r| r.load_imbalance_permille) / reports.len().max(1) as u64;
        if per_tick {
            for r in &reports {
                let up: String = r
                    .shards
                    .iter()
                    .map(|s| if s.up { 'U' } else { 'D' })
                    .collect();
                emit(&format!(
                    "{name} tick {:>3} shards {up} allowed {:>4} denied {:>4} wrong +{} -{} degraded {} imbalance {}",
                    r.tick, r.allowed, r.denied, r.wrongly_allowed, r.wrongly_denied, r.degraded, r.load_imbalance_permille
                ));
            }
        }
        emit(&format!(
            "{name:<15} requests {requests} allowed {allowed} denied {denied} | vs exact global: wrongly allowed {wa} ({:.2} %), wrongly denied {wd} ({:.2} %) | degraded {degraded} | mean load imbalance {imbalance_mean} per mille",
            wa as f64 * 100.0 / requests as f64,
            wd as f64 * 100.0 / requests as f64
        ));
        if i > 0 {
            json.push(',');
        }
        json.push_str(&format!(
            "\"{name}\":{{\"requests\":{requests},\"allowed\":{allowed},\"denied\":{denied},\"wrongly_allowed\":{wa},\"wrongly_denied\":{wd},\"degraded\":{degraded},\"mean_load_imbalance_permille\":{imbalance_mean}}}"
        ));
    }
    json.push('}');
    emit(&json);
    ExitCode::SUCCESS
}
