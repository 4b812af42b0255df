//! A replay session: feeds protocol lines to a [`Book`] and renders the output lines. The
//! `book-replay` binary wraps it with stdin/stdout; the browser lab uses it to import sessions.
//! Line numbers are 1-based and count every line, blank ones included.

use crate::book::Book;
use crate::event::{Event, EventSink};
use crate::protocol::{self, ParseError, Request, MAX_LINE_BYTES};

/// Renders events straight into the output text (no per-event buffering).
struct TextSink<'a> {
    out: &'a mut String,
}

impl EventSink for TextSink<'_> {
    fn on_event(&mut self, event: Event) {
        // Writing to a String cannot fail.
        let _ = protocol::write_event(self.out, &event);
        self.out.push('\n');
    }
}

/// Replays protocol lines against one book.
#[derive(Clone, Debug, Default)]
pub struct ReplaySession {
    book: Book,
    line_no: u64,
}

impl ReplaySession {
    /// A session on a [`Book::new`] (hashed with [`crate::DEFAULT_HASH_SEED`]).
    pub fn new() -> Self {
        Self::default()
    }

    /// A session on a [`Book::with_seed`]: the same output for every seed; a seed the input's
    /// author cannot know keeps chosen ids from colliding in the book's hash indexes.
    pub fn with_hash_seed(seed: u64) -> Self {
        ReplaySession {
            book: Book::with_seed(seed),
            line_no: 0,
        }
    }

    /// The book being replayed into.
    pub fn book(&self) -> &Book {
        &self.book
    }

    /// Lines consumed so far.
    pub fn lines(&self) -> u64 {
        self.line_no
    }

    /// Processes one line (without its newline), appending its output lines to `out`.
    /// Lines longer than [`MAX_LINE_BYTES`] or not UTF-8 produce an `ERROR` line.
    pub fn process_line(&mut self, line: &[u8], out: &mut String) {
        self.line_no = self.line_no.saturating_add(1);
        let parsed = if line.len() > MAX_LINE_BYTES {
            Err(ParseError::LineTooLong)
        } else {
            match std::str::from_utf8(line) {
                Ok(text) => protocol::parse_line(text),
                Err(_) => Err(ParseError::NotUtf8),
            }
        };
        self.render(parsed, out);
    }

    /// Counts a line the caller dropped because it exceeded [`MAX_LINE_BYTES`] (a reader that
    /// never buffers a whole over-long line) and writes its `ERROR`.
    pub fn process_overlong_line(&mut self, out: &mut String) {
        self.line_no = self.line_no.saturating_add(1);
        self.render(Err(ParseError::LineTooLong), out);
    }

    fn render(&mut self, parsed: Result<Option<Request>, ParseError>, out: &mut String) {
        match parsed {
            Err(e) => {
                let _ = protocol::write_error(out, self.line_no, &e);
            }
            Ok(None) => {}
            Ok(Some(Request::Print)) => {
                let _ = protocol::write_l2(out, &self.book);
            }
            Ok(Some(Request::Command(cmd))) => {
                self.book.apply(&cmd, &mut TextSink { out });
            }
        }
    }

    /// Replays a whole text (split on `\n`; a trailing `\r` is whitespace) and returns the output.
    pub fn run_text(text: &str) -> String {
        let mut s = ReplaySession::new();
        let mut out = String::new();
        let body = text.strip_suffix('\n').unwrap_or(text);
        if text.is_empty() {
            return out;
        }
        for line in body.split('\n') {
            s.process_line(line.as_bytes(), &mut out);
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_hash_seed_changes_no_output() {
        let text = "LIMIT 1 BUY 99 5\nLIMIT 2 BUY 98 3\nLIMIT 3 SELL 101 4\nPRINT\nLIMIT 4 SELL 98 6 IOC\nCANCEL 3\nPRINT\n";
        let expect = ReplaySession::run_text(text);
        for seed in [0, 1, u64::MAX, 0x5eed] {
            let mut s = ReplaySession::with_hash_seed(seed);
            let mut out = String::new();
            for line in text.lines() {
                s.process_line(line.as_bytes(), &mut out);
            }
            assert_eq!(out, expect, "seed {seed}");
            assert_eq!(s.book().hash_seed(), seed);
        }
    }

    #[test]
    fn spec_print_example() {
        let out = ReplaySession::run_text(
            "LIMIT 1 BUY 99 5\nLIMIT 2 BUY 99 3\nLIMIT 3 SELL 101 4\nPRINT\n",
        );
        assert_eq!(
            out,
            "ACCEPT 1\nACCEPT 2\nACCEPT 3\nBID 99 8 2\nASK 101 4 1\nEND\n"
        );
    }

    #[test]
    fn errors_carry_one_based_line_numbers_counting_blank_lines() {
        let out = ReplaySession::run_text("\nLIMIT 1 BUY -5 1\n\nFOO\nPRINT\n");
        assert_eq!(
            out,
            "ERROR 2 price is not a decimal u64\nERROR 4 unknown command\nEND\n"
        );
    }

    #[test]
    fn non_utf8_and_overlong_lines_are_errors() {
        let mut s = ReplaySession::new();
        let mut out = String::new();
        s.process_line(&[0xff, 0xfe], &mut out);
        s.process_line(&vec![b'1'; MAX_LINE_BYTES + 1], &mut out);
        s.process_overlong_line(&mut out);
        assert_eq!(
            out,
            format!(
                "ERROR 1 line is not valid UTF-8\nERROR 2 line longer than {MAX_LINE_BYTES} bytes\nERROR 3 line longer than {MAX_LINE_BYTES} bytes\n"
            )
        );
    }
}
