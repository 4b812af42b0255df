//! `limit-digest`: the native side of the WASM parity check. Prints one JSON line with the digest
//! of the fixed workload (`ratelimit::digest`). Usage: `limit-digest [SEED]` (default 1).

use std::io::Write;
use std::process::ExitCode;

fn main() -> ExitCode {
    let seed = match std::env::args().nth(1).map(|s| s.parse::<u64>()) {
        None => 1,
        Some(Ok(s)) => s,
        Some(Err(_)) => {
            eprintln!("limit-digest: usage: limit-digest [SEED]");
            return ExitCode::from(2);
        }
    };
    let start = std::time::Instant::now();
    match ratelimit::digest::fixed_workload_digest(seed) {
        Ok(d) => {
            let ms = start.elapsed().as_secs_f64() * 1000.0;
            let _ = writeln!(
                std::io::stdout().lock(),
                "{{\"side\":\"native\",\"seed\":{seed},\"digest\":\"{:016x}\",\"decisions\":{},\"allowed\":{},\"ms\":{ms:.1}}}",
                d.digest, d.decisions, d.allowed
            );
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("limit-digest: {e}");
            ExitCode::from(1)
        }
    }
}
