//! `book-replay`: reads replay-protocol commands from stdin (one per line) and writes events to
//! stdout. Malformed lines become `ERROR <line> <message>` and processing continues; no input
//! makes it panic. Lines longer than `protocol::MAX_LINE_BYTES` are never buffered whole.

use std::io::{self, BufRead, Write};
use std::process::ExitCode;

use orderbook::protocol::MAX_LINE_BYTES;
use orderbook::ReplaySession;

/// Output is flushed once this many bytes are pending (bounds the output buffer).
const OUT_FLUSH_BYTES: usize = 64 * 1024;

fn run() -> io::Result<()> {
    let stdin = io::stdin();
    let mut input = stdin.lock();
    let stdout = io::stdout();
    let mut output = io::BufWriter::new(stdout.lock());
    let mut session = ReplaySession::new();
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
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) if e.kind() == io::ErrorKind::BrokenPipe => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("book-replay: I/O error: {e}");
            ExitCode::FAILURE
        }
    }
}
