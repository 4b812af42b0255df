//! `md-replay DIR --offset N [--depth D]`: rebuilds the book from the event log in DIR (the
//! `*.seg` files `md-record` writes, in name order) right after the record at offset N, from the
//! log alone (`marketdata::log::replay`, which checks every record on the way), and prints its top levels and its checksum next to the one the record carries.

use marketdata::log::replay;
use marketdata::{L2Book, Level};
use std::process::ExitCode;

const USAGE: &str = "usage: md-replay DIR --offset N [--depth 10|25|100|500|1000]";
/// Levels a side printed.
const SHOWN_LEVELS: usize = 10;

fn fail(msg: impl std::fmt::Display, code: u8) -> ExitCode {
    eprintln!("md-replay: {msg}");
    ExitCode::from(code)
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let mut dir = None;
    let (mut offset, mut depth) = (None, 10usize);
    let mut it = args.iter();
    while let Some(a) = it.next() {
        match a.as_str() {
            "--offset" => offset = it.next().and_then(|v| v.parse::<u64>().ok()),
            "--depth" => match it.next().and_then(|v| v.parse().ok()) {
                Some(d) => depth = d,
                None => return fail(USAGE, 2),
            },
            other if dir.is_none() && !other.starts_with("--") => dir = Some(other.to_string()),
            _ => return fail(USAGE, 2),
        }
    }
    let (Some(dir), Some(offset)) = (dir, offset) else {
        return fail(USAGE, 2);
    };
    let mut names: Vec<_> = match std::fs::read_dir(&dir) {
        Ok(entries) => entries
            .filter_map(Result::ok)
            .map(|e| e.path())
            .filter(|p| p.extension().is_some_and(|x| x == "seg"))
            .collect(),
        Err(e) => return fail(format!("{dir}: {e}"), 1),
    };
    names.sort();
    let mut segments = Vec::with_capacity(names.len());
    for name in &names {
        match std::fs::read(name) {
            Ok(bytes) => segments.push(bytes),
            Err(e) => return fail(format!("{}: {e}", name.display()), 1),
        }
    }
    let book = match L2Book::new(depth) {
        Ok(b) => b,
        Err(e) => return fail(e, 2),
    };
    let (book, record) = match replay(&segments, offset, book) {
        Ok(Some(found)) => found,
        Ok(None) => {
            return fail(
                format!("no record {offset} in {dir} (or no snapshot before it)"),
                1,
            )
        }
        Err(e) => return fail(e, 1),
    };
    let carried = record.checksum;
    let show = |levels: &[Level]| {
        levels
            .iter()
            .take(SHOWN_LEVELS)
            .map(|l| format!("{} x {}", l.price, l.qty))
            .collect::<Vec<_>>()
            .join(", ")
    };
    println!("offset {offset}");
    println!("bids: {}", show(book.bids()));
    println!("asks: {}", show(book.asks()));
    let ours = book.checksum();
    let verdict = if Some(ours) == carried {
        "matches"
    } else {
        "DIFFERS from"
    };
    println!(
        "checksum {ours} {verdict} the record's {}",
        carried.map_or("none".to_string(), |c| c.to_string())
    );
    if Some(ours) == carried {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}
