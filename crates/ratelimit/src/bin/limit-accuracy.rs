//! `limit-accuracy`: the sliding-window counter's error against the exact sliding log on seeded
//! traffic. Usage: `limit-accuracy [--sources N] [--duration-ms D] [--seed S]`. Prints a JSON line last.

use ratelimit::accuracy::{AccuracyCounts, AccuracyExperiment, CLASS_NAMES};
use std::io::Write;
use std::process::ExitCode;

fn emit(line: &str) {
    let _ = writeln!(std::io::stdout().lock(), "{line}");
}

fn counts_json(c: &AccuracyCounts) -> String {
    format!(
        "{{\"sources\":{},\"requests\":{},\"counter_allowed\":{},\"log_allowed\":{},\"wrongly_allowed\":{},\"wrongly_denied\":{},\"wrongly_allowed_percent\":{:.5},\"wrongly_denied_percent\":{:.5},\"net_admission_difference_percent\":{:.5}}}",
        c.sources,
        c.requests,
        c.counter_allowed,
        c.log_allowed,
        c.wrongly_allowed,
        c.wrongly_denied,
        c.wrongly_allowed_percent(),
        c.wrongly_denied_percent(),
        (c.counter_allowed as f64 - c.log_allowed as f64) * 100.0 / c.requests.max(1) as f64
    )
}

fn main() -> ExitCode {
    let mut sources = 20_000u64;
    let mut duration_ms = 600_000u64;
    let mut seed = 1u64;
    let mut args = std::env::args().skip(1);
    while let Some(flag) = args.next() {
        let value = args.next().and_then(|v| v.parse::<u64>().ok());
        match (flag.as_str(), value) {
            ("--sources", Some(v)) => sources = v,
            ("--duration-ms", Some(v)) => duration_ms = v,
            ("--seed", Some(v)) => seed = v,
            _ => {
                eprintln!("limit-accuracy: usage: limit-accuracy [--sources N] [--duration-ms D] [--seed S]");
                return ExitCode::from(2);
            }
        }
    }
    let exp = AccuracyExperiment::standard(sources, duration_ms, seed);
    let report = match exp.run() {
        Ok(r) => r,
        Err(e) => {
            eprintln!("limit-accuracy: invalid experiment: {e}");
            return ExitCode::from(2);
        }
    };
    emit(&format!(
        "limit {} per {} ms; {} sources over {} ms (seed {seed}); Cloudflare reports 0.003 % wrong",
        exp.limit.rate_per_s * exp.limit.window_ms / 1000,
        exp.limit.window_ms,
        sources,
        duration_ms
    ));
    let mut json = format!("{{\"total\":{}", counts_json(&report.total));
    for (name, c) in CLASS_NAMES.iter().zip(&report.by_class) {
        emit(&format!(
            "{name:<12} sources {:>6} requests {:>10}  wrongly allowed {:.4} %  wrongly denied {:.4} %",
            c.sources,
            c.requests,
            c.wrongly_allowed_percent(),
            c.wrongly_denied_percent()
        ));
        json.push_str(&format!(",\"{name}\":{}", counts_json(c)));
    }
    let t = &report.total;
    emit(&format!(
        "total        wrongly allowed {:.4} %  wrongly denied {:.4} %  net admitted vs log {:+.4} %",
        t.wrongly_allowed_percent(),
        t.wrongly_denied_percent(),
        (t.counter_allowed as f64 - t.log_allowed as f64) * 100.0 / t.requests.max(1) as f64
    ));
    json.push('}');
    emit(&json);
    ExitCode::SUCCESS
}
