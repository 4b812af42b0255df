//! `md-record --out DIR [--seed S] [--ticks T] [--clean]`: runs a session (the venue's flow through
//! the faulty network to the client; `--clean` for a network without faults), lets the wire drain,
//! and writes the client's event log to DIR as segment files named by their base offset
//! (`00000000000000000000.seg`, …), the format `marketdata::log` documents.

use marketdata::network::{NetParams, FAULTY};
use marketdata::session::{Session, SessionConfig, MAX_TICKS};
use std::path::PathBuf;
use std::process::ExitCode;

const USAGE: &str = "usage: md-record --out DIR [--seed S] [--ticks T] [--clean]";

fn main() -> ExitCode {
    let (mut out, mut seed, mut ticks, mut clean) = (None, 1u64, 20_000u64, false);
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        let mut num = |flag: &str| -> Result<u64, String> {
            let v = args.next().ok_or(format!("{flag} needs a value"))?;
            v.parse()
                .map_err(|_| format!("{flag}: {v:?} is not a number"))
        };
        let parsed = match a.as_str() {
            "--out" => args
                .next()
                .map(|v| out = Some(PathBuf::from(v)))
                .ok_or("--out needs a directory".to_string()),
            "--seed" => num("--seed").map(|v| seed = v),
            "--ticks" => num("--ticks").map(|v| ticks = v.min(MAX_TICKS)),
            "--clean" => {
                clean = true;
                Ok(())
            }
            _ => Err(format!("unknown argument {a:?}\n{USAGE}")),
        };
        if let Err(e) = parsed {
            eprintln!("md-record: {e}");
            return ExitCode::from(2);
        }
    }
    let Some(out) = out else {
        eprintln!("{USAGE}");
        return ExitCode::from(2);
    };
    let net = if clean {
        NetParams {
            min_delay_ticks: 1,
            max_delay_ticks: 3,
            ..NetParams::default()
        }
    } else {
        FAULTY
    };
    let config = SessionConfig {
        depth: 10,
        net,
        cut_permille: if clean { 0 } else { 1 },
    };
    let mut session = match Session::new(seed, config) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("md-record: {e:?}");
            return ExitCode::from(2);
        }
    };
    session.run(ticks);
    session.pause_venue(true);
    session.run(500);
    if let Err(e) = std::fs::create_dir_all(&out) {
        eprintln!("md-record: {}: {e}", out.display());
        return ExitCode::FAILURE;
    }
    let log = session.client().log();
    for seg in log.segments() {
        let mut base = [0u8; 8];
        base.copy_from_slice(&seg[8..16]);
        let path = out.join(format!("{:020}.seg", u64::from_le_bytes(base)));
        if let Err(e) = std::fs::write(&path, seg) {
            eprintln!("md-record: {}: {e}", path.display());
            return ExitCode::FAILURE;
        }
    }
    println!(
        "{} records in {} segment(s) to {}; the client ends in sync: {}",
        log.next_offset(),
        log.segments().len(),
        out.display(),
        session.in_sync()
    );
    ExitCode::SUCCESS
}
