//! `limit-replay`: reads `<time_ns> <key>` lines on stdin and prints one decision line per input line.

use ratelimit::replay::{parse_args, Replay};
use std::io::{BufRead, Write};
use std::process::ExitCode;

fn main() -> ExitCode {
    let args = match parse_args(std::env::args().skip(1)) {
        Ok(args) => args,
        Err(e) => {
            eprintln!("limit-replay: {e}");
            return ExitCode::from(2);
        }
    };
    let mut replay = match Replay::new(&args) {
        Ok(r) => r,
        Err(e) => {
            eprintln!("limit-replay: invalid configuration: {e}");
            return ExitCode::from(2);
        }
    };
    let stdin = std::io::stdin();
    let mut input = stdin.lock();
    let stdout = std::io::stdout();
    let mut output = std::io::BufWriter::new(stdout.lock());
    let mut line = Vec::new();
    let mut out = String::new();
    loop {
        line.clear();
        match input.read_until(b'\n', &mut line) {
            Ok(0) => break,
            Ok(_) => {}
            Err(e) => {
                let _ = output.flush();
                eprintln!("limit-replay: reading stdin failed: {e}");
                return ExitCode::from(1);
            }
        }
        let text = line.strip_suffix(b"\n").unwrap_or(&line);
        out.clear();
        replay.process_line(text, &mut out);
        if output.write_all(out.as_bytes()).is_err() {
            // Downstream closed (e.g. piped into `head`): stop quietly.
            return ExitCode::SUCCESS;
        }
    }
    if output.flush().is_err() {
        return ExitCode::SUCCESS;
    }
    ExitCode::SUCCESS
}
