//! `book-replay`: reads replay-protocol commands from stdin (one per line) and writes events to
//! stdout. Malformed lines become `ERROR <line> <message>` and processing continues; no input
//! makes it panic. Lines longer than `protocol::MAX_LINE_BYTES` are never buffered whole.
//!
//! `--hash-seed N` keys the book's hash indexes with `N` instead of
//! [`orderbook::DEFAULT_HASH_SEED`]. The output is the same for every seed; for input from an
//! untrusted author pass a seed they cannot know (e.g. `--hash-seed $(od -An -N8 -tu8
//! /dev/urandom)`), so that ids cannot be crafted to collide in the id index.

use std::io::{self, BufRead, Write};
use std::process::ExitCode;

use orderbook::protocol::MAX_LINE_BYTES;
use orderbook::ReplaySession;

/// Output is flushed once this many bytes are pending (bounds the output buffer).
const OUT_FLUSH_BYTES: usize = 64 * 1024;

const USAGE: &str = "usage: book-replay [--hash-seed N] < session.txt";

/// The hash seed from the command line (`--hash-seed N`), or the default.
fn parse_args() -> Result<u64, String> {
    let mut seed = orderbook::DEFAULT_HASH_SEED;
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        match flag.as_str() {
            "--hash-seed" => {
                let value = it.next().ok_or("--hash-seed needs a value")?;
                seed = value
                    .trim()
                    .parse()
                    .map_err(|_| format!("--hash-seed: not a u64: {value}"))?;
            }
            _ => return Err(format!("unknown argument {flag}")),
        }
    }
    Ok(seed)
}

fn run(hash_seed: u64) -> io::Result<()> {
    let stdin = io::stdin();
    let mut input = stdin.lock();
    let stdout = io::stdout();
    let mut output = io::BufWriter::new(stdout.lock());
    let mut session = ReplaySession::with_hash_seed(hash_seed);
    let mut line: Vec<u8> = Vec::with_capacity(MAX_LINE_BYTES + 1);
    let mut overlong = false;
    let mut out = String::new();
    loop {
        let buf = input.fill_buf()?;
        if buf.is_empty() {
            // End of input: a final line without a newline still counts.
            if overlong {
                session.process_overlong_line(&mut out);
            } else if !line.is_empty() {
                session.process_line(&line, &mut out);
            }
            output.write_all(out.as_bytes())?;
            break;
        }
        let (chunk, newline) = match buf.iter().position(|&b| b == b'\n') {
            Some(i) => (&buf[..i], Some(i)),
            None => (buf, None),
        };
        if !overlong {
            if line.len() + chunk.len() > MAX_LINE_BYTES {
                overlong = true;
                line.clear();
            } else {
                line.extend_from_slice(chunk);
            }
        }
        let consumed = match newline {
            Some(i) => i + 1,
            None => chunk.len(),
        };
        input.consume(consumed);
        if newline.is_some() {
            if overlong {
                session.process_overlong_line(&mut out);
            } else {
                session.process_line(&line, &mut out);
            }
            line.clear();
            overlong = false;
            if out.len() >= OUT_FLUSH_BYTES {
                output.write_all(out.as_bytes())?;
                out.clear();
            }
        }
    }
    output.flush()
}

fn main() -> ExitCode {
    let hash_seed = match parse_args() {
        Ok(seed) => seed,
        Err(e) => {
            eprintln!("book-replay: {e}\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    match run(hash_seed) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) if e.kind() == io::ErrorKind::BrokenPipe => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("book-replay: I/O error: {e}");
            ExitCode::FAILURE
        }
    }
}
