//! `md-checksum [--depth N]`: Kraken WebSocket v2 `book` messages, one JSON object per line on
//! stdin, applied in order to one book of depth N (10, 25, 100, 500 or 1000; default 10). Prints
//! one line per input line: the book's CRC32 (unsigned decimal) after a snapshot or update —
//! whether or not it equals the message's own `checksum` — or `ERROR <line> <reason>`, in which
//! case the book is left as it was. `--price-precision P --qty-precision Q` pads every value to
//! the pair's precision first, as Kraken's checksum sees values its JSON numbers sent without
//! their trailing zeros.

use marketdata::{parse, L2Book, Precision};
use std::io::{self, BufRead, BufWriter, Write};
use std::process::ExitCode;

/// Longest line read (a depth-1000 snapshot is ~80 KB); the rest of a longer one is skipped.
const MAX_LINE_BYTES: usize = 4 << 20;

const USAGE: &str = "usage: md-checksum [--depth 10|25|100|500|1000] [--price-precision P] \
[--qty-precision Q] < messages.jsonl";

fn args() -> Result<(usize, Precision), String> {
    let mut depth = 10;
    let mut precision = Precision::default();
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        let mut value = |flag: &str| {
            let v = args.next().ok_or(format!("{flag} needs a value"))?;
            v.parse::<usize>()
                .map_err(|_| format!("{flag}: {v:?} is not a number"))
        };
        let places = |n: usize, flag: &str| {
            u8::try_from(n)
                .ok()
                .filter(|&p| p <= marketdata::decimal::MAX_SCALE)
                .ok_or(format!(
                    "{flag}: at most {} places",
                    marketdata::decimal::MAX_SCALE
                ))
        };
        match a.as_str() {
            "--depth" => depth = value("--depth")?,
            "--price-precision" => {
                precision.price = places(value("--price-precision")?, "--price-precision")?
            }
            "--qty-precision" => {
                precision.qty = places(value("--qty-precision")?, "--qty-precision")?
            }
            "--help" | "-h" => return Err(USAGE.into()),
            other => return Err(format!("unknown argument {other:?}\n{USAGE}")),
        }
    }
    Ok((depth, precision))
}

/// Reads one line of at most `MAX_LINE_BYTES` into `buf` (without its newline); `Ok(None)` at
/// the end, `Ok(Some(false))` for a line that was longer (its rest is discarded).
fn read_line(input: &mut impl BufRead, buf: &mut Vec<u8>) -> io::Result<Option<bool>> {
    buf.clear();
    let mut fits = true;
    let mut any = false;
    loop {
        let chunk = input.fill_buf()?;
        if chunk.is_empty() {
            return Ok(any.then_some(fits));
        }
        any = true;
        let (part, done) = match chunk.iter().position(|&b| b == b'\n') {
            Some(i) => (&chunk[..i], Some(i + 1)),
            None => (chunk, None),
        };
        if fits && buf.len() + part.len() <= MAX_LINE_BYTES {
            buf.extend_from_slice(part);
        } else {
            fits = false;
        }
        let used = done.unwrap_or(chunk.len());
        input.consume(used);
        if done.is_some() {
            if buf.last() == Some(&b'\r') {
                buf.pop();
            }
            return Ok(Some(fits));
        }
    }
}

fn main() -> ExitCode {
    let (depth, precision) = match args() {
        Ok(a) => a,
        Err(e) => {
            eprintln!("{e}");
            return ExitCode::from(2);
        }
    };
    let mut book = match L2Book::new(depth) {
        Ok(b) => b.with_precision(precision),
        Err(e) => {
            eprintln!("--depth: {e}");
            return ExitCode::from(2);
        }
    };
    let stdin = io::stdin();
    let mut input = stdin.lock();
    let mut out = BufWriter::new(io::stdout().lock());
    let mut buf = Vec::new();
    let mut line_no = 0u64;
    loop {
        let fits = match read_line(&mut input, &mut buf) {
            Ok(Some(fits)) => fits,
            Ok(None) => break,
            Err(e) => {
                eprintln!("stdin: {e}");
                return ExitCode::FAILURE;
            }
        };
        line_no += 1;
        let result = if !fits {
            Err(format!("line longer than {MAX_LINE_BYTES} bytes"))
        } else {
            match std::str::from_utf8(&buf) {
                Err(_) => Err("not UTF-8".to_string()),
                Ok(text) => parse(text)
                    .map_err(|e| e.to_string())
                    .and_then(|msg| book.apply(&msg).map_err(|e| e.to_string()))
                    .map(|()| book.checksum()),
            }
        };
        let written = match result {
            Ok(crc) => writeln!(out, "{crc}"),
            Err(reason) => writeln!(out, "ERROR {line_no} {reason}"),
        };
        if written.is_err() {
            // The reader went away (a closed pipe): stop quietly.
            return ExitCode::SUCCESS;
        }
    }
    let _ = out.flush();
    ExitCode::SUCCESS
}
