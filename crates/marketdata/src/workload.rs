//! The ingestion benchmark's workload, shared by the lab's in-browser benchmark and the
//! `marketdata-wasm` harness (so `cargo xtask bench wasm` times the same work): the venue's
//! stream generated first as wire text — a snapshot, then its updates — and then passes that
//! parse, apply and checksum every message on a fresh book, each checksum held to the venue's.
//! The defaults are `md-bench`'s, so the figures compare with its record.

use crate::venue::{to_json, Venue};
use crate::{parse_into, BookMessage, L2Book};

/// `md-bench`'s defaults: the venue's seed, the depth, and the updates after the snapshot.
pub const SEED: u64 = 42;
pub const DEPTH: usize = 10;
pub const UPDATES: usize = 200_000;
/// Most updates one stream may hold.
pub const MAX_UPDATES: usize = 5_000_000;

/// The venue's stream: a snapshot, then up to `updates` updates (at most [`MAX_UPDATES`]).
pub fn stream(seed: u64, depth: usize, updates: usize) -> Result<Vec<String>, String> {
    let mut venue = Venue::new(seed, depth).map_err(|e| e.to_string())?;
    let mut lines = vec![to_json(&venue.snapshot())];
    lines.extend((0..updates.min(MAX_UPDATES)).map_while(|_| venue.step().map(|m| to_json(&m))));
    Ok(lines)
}

/// One pass over `lines` on a fresh book: the checksum after the last message, or the first
/// error (a message that does not parse or apply, or whose checksum is not the book's).
pub fn pass(lines: &[String], depth: usize) -> Result<u32, String> {
    let mut book = L2Book::new(depth).map_err(|e| e.to_string())?;
    pass_with(lines, &mut book, &mut BookMessage::default())
}

/// [`pass`] through a caller's book and message, as the client's `on_frame` does it
/// ([`parse_into`] one reused message, applied to one book): once both have grown, a pass
/// allocates nothing. The stream starts with a snapshot, so every pass rebuilds the book.
pub fn pass_with(
    lines: &[String],
    book: &mut L2Book,
    msg: &mut BookMessage,
) -> Result<u32, String> {
    let mut last = 0;
    for line in lines {
        parse_into(line, msg).map_err(|e| e.to_string())?;
        book.apply(msg).map_err(|e| e.to_string())?;
        last = book.checksum();
        if msg.checksum != Some(last) {
            return Err("a checksum differs from the venue's".into());
        }
    }
    Ok(last)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_pass_checks_every_message_and_a_damaged_one_fails() {
        let mut lines = stream(SEED, DEPTH, 500).unwrap();
        assert_eq!(lines.len(), 501);
        let first = pass(&lines, DEPTH).unwrap();
        assert_eq!(pass(&lines, DEPTH).unwrap(), first);
        lines[100] = lines[100].replacen("\"qty\":", "\"qty\":9", 1);
        assert!(pass(&lines, DEPTH).is_err());
        assert!(stream(SEED, 11, 5).is_err());
    }
}
