//! The fast path of [`crate::wire::parse_into`]: one forward pass over a `book` message in the
//! shape Kraken (and the simulated venue) writes it, straight into a caller-owned
//! [`BookMessage`], with no allocation once that message's buffers have grown.
//!
//! Why: serde_json alone needs about 190 ns to walk one of `md-bench`'s 171-byte updates (into
//! `IgnoredAny`, before any field is read), the whole per-message budget of 5 M msgs/s; this
//! pass reads the message, decimals included, in about 80 ns.
//!
//! The rule it implements is `crate::wire::parse_serde`, and it never decides against it: the
//! scanner only ever answers "this is the message" or "not mine" (`None`), and every `None`
//! goes to the serde path, which gives the message or its typed error. So the scanner accepts a
//! strict subset of JSON — no whitespace, no escapes, `channel`, `type` and `data` on the
//! envelope; `symbol`, `bids`, `asks`, `checksum`, `seq` and `timestamp` on the one entry, each
//! at most once, in any order; levels exactly `{"price":…,"qty":…}` — and whatever it accepts
//! is read exactly as serde reads it. Anything else (another channel, an error of any kind, a
//! value out of range, an unknown key, a truncated line) is `None`. The tests below hold it to
//! the serde path on valid messages, their mutations and arbitrary bytes.

use crate::decimal::{Decimal, MAX_DIGITS};
use crate::wire::{BookMessage, Kind, LevelUpdate, MAX_LEVELS_PER_SIDE, MAX_SYMBOL_BYTES};

/// A key the scanner knows, and a bit of its own to refuse a repeated one.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Key {
    Channel = 1 << 0,
    Type = 1 << 1,
    Data = 1 << 2,
    Symbol = 1 << 3,
    Bids = 1 << 4,
    Asks = 1 << 5,
    Checksum = 1 << 6,
    Seq = 1 << 7,
    Timestamp = 1 << 8,
}

/// The envelope's key at the start of `rest`: its length with quotes and colon (so that
/// `"channelX":` or an escaped key matches none). Each literal's length is a constant, so its
/// comparison is a few word compares rather than a `memcmp` call.
fn envelope_key(rest: &[u8]) -> Option<(usize, Key)> {
    match rest.get(1)? {
        b'c' => known(rest, b"\"channel\":", Key::Channel),
        b't' => known(rest, b"\"type\":", Key::Type),
        b'd' => known(rest, b"\"data\":", Key::Data),
        _ => None,
    }
}

/// The entry's key at the start of `rest`, as [`envelope_key`].
fn entry_key(rest: &[u8]) -> Option<(usize, Key)> {
    match (rest.get(1)?, rest.get(2)?) {
        (b's', b'y') => known(rest, b"\"symbol\":", Key::Symbol),
        (b'b', _) => known(rest, b"\"bids\":", Key::Bids),
        (b'a', _) => known(rest, b"\"asks\":", Key::Asks),
        (b'c', _) => known(rest, b"\"checksum\":", Key::Checksum),
        (b's', _) => known(rest, b"\"seq\":", Key::Seq),
        (b't', _) => known(rest, b"\"timestamp\":", Key::Timestamp),
        _ => None,
    }
}

#[inline(always)]
fn known<const N: usize>(rest: &[u8], literal: &[u8; N], key: Key) -> Option<(usize, Key)> {
    (rest.get(..N)? == literal).then_some((N, key))
}

/// Whether two short byte strings (symbols) are equal: a loop the compiler keeps inline, where
/// `==` on slices is a library call that costs more than the few bytes it compares.
#[inline(always)]
pub(crate) fn same_bytes(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).all(|(x, y)| x == y)
}

/// Digits that always fit a u64 (10^19 - 1 < 2^64); a longer integer is checked by `str::parse`.
const U64_SAFE_DIGITS: usize = 19;
/// A level, as Kraken writes it: these two keys, in this order.
const PRICE_KEY: &[u8; 9] = b"{\"price\":";
const QTY_KEY: &[u8; 7] = b",\"qty\":";

/// Reads `line` into `out` if it is a well-formed `book` message in the scanner's shape; `None`
/// otherwise (then `out` holds some partial message and must be overwritten).
pub(crate) fn scan(line: &str, out: &mut BookMessage) -> Option<()> {
    let mut s = Scanner {
        text: line,
        bytes: line.as_bytes(),
        at: 0,
        seen: 0,
    };
    out.bids.clear();
    out.asks.clear();
    out.checksum = None;
    out.seq = None;
    let mut kind = None;
    let mut done = false;
    // An update's envelope up to its entry, in the order Kraken writes it, is three comparisons
    // of at most 16 bytes (each a couple of word compares, where one of 42 bytes is a call):
    // the same three keys the loop reads one by one.
    if s.literal(b"{\"channel\":\"book").is_some()
        && s.literal(b"\",\"type\":\"update").is_some()
        && s.literal(b"\",\"data\":").is_some()
    {
        s.seen = Key::Channel as u16 | Key::Type as u16 | Key::Data as u16;
        kind = Some(Kind::Update);
        s.data(out)?;
        done = s.object_ends()?;
    } else {
        s.at = 0;
        s.eat(b'{')?;
    }
    while !done {
        match s.key(envelope_key)? {
            // A string with no escapes is exactly its text between quotes.
            Key::Channel => s.literal(b"\"book\"")?,
            Key::Type => {
                kind = Some(if s.literal(b"\"update\"").is_some() {
                    Kind::Update
                } else {
                    s.literal(b"\"snapshot\"")?;
                    Kind::Snapshot
                })
            }
            Key::Data => s.data(out)?,
            _ => return None,
        }
        done = s.object_ends()?;
    }
    let all = Key::Channel as u16 | Key::Type as u16 | Key::Data as u16 | Key::Symbol as u16;
    (s.seen & all == all && s.at == s.bytes.len()).then_some(())?;
    out.kind = kind?;
    Some(())
}

struct Scanner<'a> {
    text: &'a str,
    bytes: &'a [u8],
    at: usize,
    /// The [`Key`]s read so far.
    seen: u16,
}

impl<'a> Scanner<'a> {
    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.at).copied()
    }

    fn eat(&mut self, byte: u8) -> Option<()> {
        (self.peek()? == byte).then(|| self.at += 1)
    }

    /// After an object member: `true` at its closing `}`, `false` at a `,` (both consumed).
    fn object_ends(&mut self) -> Option<bool> {
        let b = self.peek()?;
        self.at += 1;
        match b {
            b'}' => Some(true),
            b',' => Some(false),
            _ => None,
        }
    }

    /// A string with no escapes and no control characters (what serde would read as the same
    /// text): where its text is in the line (both ends next to an ASCII quote, so on character
    /// boundaries); the cursor after its closing quote.
    #[inline(always)]
    fn string(&mut self) -> Option<std::ops::Range<usize>> {
        self.eat(b'"')?;
        let start = self.at;
        let len = self.bytes[start..]
            .iter()
            .position(|&b| b == b'"' || b == b'\\' || b < 0x20)?;
        let end = start + len;
        (self.bytes[end] == b'"').then_some(())?;
        self.at = end + 1;
        Some(start..end)
    }

    /// Whether `literal` comes next; if so, the cursor after it.
    #[inline(always)]
    fn literal<const N: usize>(&mut self, literal: &[u8; N]) -> Option<()> {
        let next = self.bytes.get(self.at..self.at + N)?;
        (next == literal).then(|| self.at += N)
    }

    /// A key `known` knows and not seen before, and its colon.
    #[inline(always)]
    fn key(&mut self, known: fn(&[u8]) -> Option<(usize, Key)>) -> Option<Key> {
        let (len, key) = known(self.bytes.get(self.at..)?)?;
        (self.seen & key as u16 == 0).then_some(())?;
        self.seen |= key as u16;
        self.at += len;
        Some(key)
    }

    /// `data`'s value: an array of exactly one entry, into `out`.
    fn data(&mut self, out: &mut BookMessage) -> Option<()> {
        self.eat(b'[')?;
        self.entry(out)?;
        self.eat(b']')
    }

    /// The one entry of `data`, into `out`.
    fn entry(&mut self, out: &mut BookMessage) -> Option<()> {
        self.eat(b'{')?;
        loop {
            match self.key(entry_key)? {
                Key::Symbol => {
                    let at = self.string()?;
                    (!at.is_empty() && at.len() <= MAX_SYMBOL_BYTES).then_some(())?;
                    // The stream's symbol is the same every time: compared, not copied.
                    if !same_bytes(out.symbol.as_bytes(), &self.bytes[at.clone()]) {
                        out.symbol.clear();
                        out.symbol.push_str(self.text.get(at)?);
                    }
                }
                Key::Bids => self.levels(&mut out.bids)?,
                Key::Asks => self.levels(&mut out.asks)?,
                Key::Checksum => out.checksum = Some(u32::try_from(self.integer()?).ok()?),
                Key::Seq => out.seq = Some(self.integer()?),
                Key::Timestamp => {
                    self.string()?;
                }
                _ => return None,
            }
            if self.object_ends()? {
                return Some(());
            }
        }
    }

    /// `[{"price":…,"qty":…},…]` into `levels` (cleared first); at most [`MAX_LEVELS_PER_SIDE`].
    #[inline(always)]
    fn levels(&mut self, levels: &mut Vec<LevelUpdate>) -> Option<()> {
        levels.clear();
        self.eat(b'[')?;
        if self.eat(b']').is_some() {
            return Some(());
        }
        loop {
            (levels.len() < MAX_LEVELS_PER_SIDE).then_some(())?;
            self.literal(PRICE_KEY)?;
            let price = self.value()?;
            self.literal(QTY_KEY)?;
            let qty = self.value()?;
            self.eat(b'}')?;
            (!price.is_zero()).then_some(())?;
            levels.push(LevelUpdate { price, qty });
            match self.peek()? {
                b',' => self.at += 1,
                b']' => {
                    self.at += 1;
                    return Some(());
                }
                _ => return None,
            }
        }
    }

    /// A price or quantity: a JSON number, or a string holding one (whose text may have leading
    /// zeros, as [`Decimal::parse`] allows).
    #[inline(always)]
    fn value(&mut self) -> Option<Decimal> {
        if self.eat(b'"').is_some() {
            let d = self.decimal(true)?;
            self.eat(b'"')?;
            Some(d)
        } else {
            self.decimal(false)
        }
    }

    /// Digits, optionally a point and digits, read as [`Decimal::parse`] reads them: the
    /// mantissa is every digit, the scale the digits after the point. Stops at the first other
    /// byte (the caller checks what follows, so `1e5` or `-1` never get past it). A JSON number
    /// may not have a leading zero before another digit. Up to [`MAX_DIGITS`] digits in all
    /// nothing can overflow; a longer text (leading zeros may still make it fit) is left to
    /// [`Decimal::parse`] itself.
    #[inline(always)]
    fn decimal(&mut self, leading_zeros: bool) -> Option<Decimal> {
        let start = self.at;
        let mut mantissa = 0u64;
        let first = self.peek()?;
        let before = self.digits(&mut mantissa);
        (before > 0 && (leading_zeros || first != b'0' || before == 1)).then_some(())?;
        let mut scale = 0;
        if self.eat(b'.').is_some() {
            scale = self.digits(&mut mantissa);
            (scale > 0).then_some(())?;
        }
        if before + scale > MAX_DIGITS {
            return Decimal::parse(self.text.get(start..self.at)?).ok();
        }
        // At most MAX_DIGITS digits: the mantissa is below 10^18 and the scale at most 18.
        Some(Decimal::from_parts(mantissa, scale as u8))
    }

    /// A run of digits appended to `mantissa` (wrapping: the caller only uses it when there
    /// were at most [`MAX_DIGITS`] in all); returns how many there were. Eight bytes at a time
    /// while eight remain ([`swar_digits`]), then byte by byte.
    #[inline(always)]
    fn digits(&mut self, mantissa: &mut u64) -> usize {
        let start = self.at;
        let mut m = *mantissa;
        while let Some(chunk) = self.bytes.get(self.at..self.at + 8) {
            let word = u64::from_le_bytes(chunk.try_into().unwrap_or_default());
            let (n, value) = swar_digits(word);
            if n > 0 {
                m = m.wrapping_mul(POW10[n]).wrapping_add(value);
                self.at += n;
            }
            if n < 8 {
                *mantissa = m;
                return self.at - start;
            }
        }
        while let Some(&b) = self.bytes.get(self.at) {
            let digit = b.wrapping_sub(b'0');
            if digit > 9 {
                break;
            }
            m = m.wrapping_mul(10).wrapping_add(u64::from(digit));
            self.at += 1;
        }
        *mantissa = m;
        self.at - start
    }

    /// An unsigned JSON integer that fits a u64 (what serde reads into `Option<u64>`), not
    /// followed by a fraction or exponent.
    #[inline(always)]
    fn integer(&mut self) -> Option<u64> {
        let start = self.at;
        let mut n = 0u64;
        let len = self.digits(&mut n);
        (len > 0 && (self.bytes[start] != b'0' || len == 1)).then_some(())?;
        if len > U64_SAFE_DIGITS {
            n = self.text.get(start..self.at)?.parse().ok()?;
        }
        matches!(self.peek(), Some(b',' | b'}')).then_some(n)
    }
}

/// `10^n` for the digits one word can hold.
const POW10: [u64; 9] = [
    1,
    10,
    100,
    1_000,
    10_000,
    100_000,
    1_000_000,
    10_000_000,
    100_000_000,
];

/// The leading ASCII digits of eight bytes (the first byte lowest, as `from_le_bytes` reads
/// them): how many there are, and their value. Byte-wise `b - '0'` and the test `< 10` are done
/// on all eight lanes at once; a borrow or carry only runs from a lane to the lanes after it,
/// so lanes before the first non-digit are exact. The value is then combined pairwise (tens,
/// hundreds, ten-thousands) with the lanes after the digits shifted out.
fn swar_digits(word: u64) -> (usize, u64) {
    const ONES: u64 = 0x0101_0101_0101_0101;
    let t = word.wrapping_sub(b'0' as u64 * ONES);
    // A lane's high bit is set if its byte was below '0' (t wrapped) or above '9' (t + 118 ≥ 128).
    let not_digit = (t.wrapping_add(118 * ONES) | t) & (0x80 * ONES);
    let n = (not_digit.trailing_zeros() / 8) as usize;
    if n == 0 {
        return (0, 0);
    }
    let x = t << (8 * (8 - n));
    let x = ((x & 0x0f00_0f00_0f00_0f00) >> 8) + (x & 0x000f_000f_000f_000f) * 10;
    let x = ((x & 0x00ff_0000_00ff_0000) >> 16) + (x & 0x0000_00ff_0000_00ff) * 100;
    let x = ((x & 0x0000_ffff_0000_0000) >> 32) + (x & 0x0000_0000_0000_ffff) * 10_000;
    (n, x)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::venue::{to_json, Venue};
    use crate::wire::{parse_serde, WireError};
    use proptest::prelude::*;

    /// What the scanner made of `line`, if it took it.
    fn scanned(line: &str) -> Option<BookMessage> {
        let mut out = BookMessage::default();
        scan(line, &mut out).map(|()| out)
    }

    /// The rule: whatever the scanner takes, serde reads the same.
    fn agrees(line: &str) -> Result<(), TestCaseError> {
        if let Some(m) = scanned(line) {
            prop_assert_eq!(Ok(m), parse_serde(line), "{}", line);
        }
        Ok(())
    }

    fn venue_lines(seed: u64, n: usize) -> Vec<String> {
        let mut venue = Venue::new(seed, 10).unwrap();
        let mut lines = vec![to_json(&venue.snapshot())];
        lines.extend((0..n).map_while(|_| venue.step().map(|m| to_json(&m))));
        lines
    }

    /// Lines of a few venue streams, made once for all the cases that mutate them.
    fn some_venue_lines() -> &'static [String] {
        static LINES: std::sync::OnceLock<Vec<String>> = std::sync::OnceLock::new();
        LINES.get_or_init(|| (0..3).flat_map(|seed| venue_lines(seed, 60)).collect())
    }

    #[test]
    fn it_takes_the_venue_s_and_kraken_s_messages() {
        for line in venue_lines(7, 500) {
            let m = scanned(&line).expect("the venue's shape");
            assert_eq!(Ok(m), parse_serde(&line));
        }
        for name in [
            "kraken-v2-book-guide-btc.jsonl",
            "kraken-v2-book-reference-matic.jsonl",
        ] {
            let path = format!("{}/tests/fixtures/{name}", env!("CARGO_MANIFEST_DIR"));
            for line in std::fs::read_to_string(path).unwrap().lines() {
                let m = scanned(line).expect("Kraken's shape");
                assert_eq!(Ok(m), parse_serde(line));
            }
        }
    }

    #[test]
    fn it_leaves_every_error_and_every_unusual_shape_to_serde() {
        let ok = r#"{"channel":"book","type":"update","data":[{"symbol":"A","bids":[{"price":1.5,"qty":"0.10"}],"asks":[],"checksum":7,"seq":9}]}"#;
        assert!(scanned(ok).is_some());
        for line in [
            // Errors serde reports.
            r#"{"channel":"heartbeat"}"#,
            r#"{"channel":"book","type":"other","data":[{"symbol":"A"}]}"#,
            r#"{"channel":"book","type":"update","data":[]}"#,
            r#"{"channel":"book","type":"update","data":[{"symbol":"A"},{"symbol":"B"}]}"#,
            r#"{"channel":"book","type":"update","data":[{"symbol":""}]}"#,
            r#"{"channel":"book","type":"update","data":[{"symbol":"A","bids":[{"price":0,"qty":1}]}]}"#,
            r#"{"channel":"book","type":"update","data":[{"symbol":"A","bids":[{"price":-1,"qty":1}]}]}"#,
            r#"{"channel":"book","type":"update","data":[{"symbol":"A","bids":[{"price":1e5,"qty":1}]}]}"#,
            r#"{"channel":"book","type":"update","data":[{"symbol":"A","bids":[{"price":01,"qty":1}]}]}"#,
            r#"{"channel":"book","type":"update","data":[{"symbol":"A","bids":[{"price":1.,"qty":1}]}]}"#,
            r#"{"channel":"book","type":"update","data":[{"symbol":"A","bids":[{"price":1234567890123456789,"qty":1}]}]}"#,
            r#"{"channel":"book","type":"update","data":[{"symbol":"A","checksum":4294967296}]}"#,
            r#"{"channel":"book","type":"update","data":[{"symbol":"A","checksum":1.0}]}"#,
            r#"{"channel":"book","type":"update","data":[{"symbol":"A","seq":18446744073709551616}]}"#,
            r#"{"channel":"book","type":"update","data":[{"symbol":"A","seq":01}]}"#,
            r#"{"channel":"book","type":"update","data":[{"symbol":"A","symbol":"A"}]}"#,
            r#"{"channel":"book","channel":"book","type":"update","data":[{"symbol":"A"}]}"#,
            r#"{"channel":"book","type":"update","data":[{"symbol":"A"}]}x"#,
            r#"{"channel":"book","type":"update","data":[{"symbol":"A"}]"#,
            // Valid, but not the scanner's shape.
            r#" {"channel":"book","type":"update","data":[{"symbol":"A"}]}"#,
            r#"{"channel":"book","type":"update","data":[{"symbol":"A"}]} "#,
            r#"{"channel":"book","type":"update","data":[{"symbol":"A\u0042"}]}"#,
            r#"{"channel":"book","type":"update","data":[{"symbol":"A","other":1}]}"#,
            r#"{"channel":"book","type":"update","data":[{"symbol":"A","checksum":null}]}"#,
            r#"{"channel":"book","type":"update","data":[{"symbol":"A","bids":[{"qty":1,"price":1}]}]}"#,
            r#"{"channel":"book","type":"update","data":[{"symbol":"A","bids":[[1,1]]}]}"#,
        ] {
            assert_eq!(scanned(line), None, "{line}");
        }
        assert!(matches!(
            parse_serde(
                r#"{"channel":"book","type":"update","data":[{"symbol":"A","bids":[{"price":0,"qty":1}]}]}"#
            ),
            Err(WireError::ZeroPrice { .. })
        ));
    }

    #[test]
    fn a_reused_message_carries_nothing_over() {
        let lines = [
            r#"{"channel":"book","type":"snapshot","data":[{"symbol":"LONGER/SYMBOL","bids":[{"price":2,"qty":1},{"price":1,"qty":1}],"asks":[{"price":3,"qty":1}],"checksum":5,"seq":1}]}"#,
            r#"{"channel":"book","type":"update","data":[{"symbol":"A","bids":[]}]}"#,
            // Through serde (whitespace), then the scanner again.
            r#"{"channel": "book","type":"update","data":[{"symbol":"B","asks":[{"price":"4.0","qty":2}],"seq":3}]}"#,
            r#"{"type":"snapshot","data":[{"asks":[],"symbol":"C","checksum":9}],"channel":"book"}"#,
            "not json",
            r#"{"channel":"book","type":"update","data":[{"symbol":"A","bids":[{"price":1,"qty":0}],"timestamp":"2023-10-06T17:35:55.440295Z"}]}"#,
        ];
        let mut out = BookMessage::default();
        for line in lines {
            let got = crate::wire::parse_into(line, &mut out).map(|()| out.clone());
            assert_eq!(got, parse_serde(line), "{line}");
        }
    }

    #[test]
    fn a_side_is_bounded() {
        let level = r#"{"price":1,"qty":1}"#;
        let side = |n: usize| vec![level; n].join(",");
        let line = |n| {
            format!(
                r#"{{"channel":"book","type":"snapshot","data":[{{"symbol":"A","bids":[{}]}}]}}"#,
                side(n)
            )
        };
        assert_eq!(
            scanned(&line(MAX_LEVELS_PER_SIDE)).map(|m| m.bids.len()),
            Some(MAX_LEVELS_PER_SIDE)
        );
        assert_eq!(scanned(&line(MAX_LEVELS_PER_SIDE + 1)), None);
    }

    /// Bytes that matter to the scanner, to mutate valid lines with.
    const PIECES: &[&str] = &[
        "\"",
        "{",
        "}",
        "[",
        "]",
        ",",
        ":",
        "0",
        "1",
        "9",
        ".",
        "-",
        "e",
        " ",
        "\\",
        "\u{1}",
        "\"price\":",
        "\"qty\":",
        "\"seq\":",
        "null",
        "é",
    ];

    #[test]
    fn eight_bytes_at_a_time_read_as_one_at_a_time() {
        let scalar = |b: &[u8; 8]| {
            let n = b.iter().take_while(|b| b.is_ascii_digit()).count();
            let v = b[..n]
                .iter()
                .fold(0u64, |v, d| v * 10 + u64::from(d - b'0'));
            (n, v)
        };
        for text in [
            *b"12345678",
            *b"0.123456",
            *b"1000.1,\"",
            *b"}]}\"\"\"\"\"",
            *b"9999999/",
            *b"00000000",
            *b"1:345678",
            *b"\xff9999999",
            *b"90000000",
        ] {
            assert_eq!(
                swar_digits(u64::from_le_bytes(text)),
                scalar(&text),
                "{text:?}"
            );
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2_000))]

        #[test]
        fn swar_digits_agree_with_a_byte_loop(bytes in any::<[u8; 8]>(), digits in 0usize..=8) {
            // Mostly digits, so every count of leading digits comes up.
            let mut b = bytes;
            for (i, x) in b.iter_mut().enumerate().take(digits) {
                *x = b'0' + (bytes[i] % 10);
            }
            let n = b.iter().take_while(|b| b.is_ascii_digit()).count();
            let v = b[..n].iter().fold(0u64, |v, d| v * 10 + u64::from(d - b'0'));
            prop_assert_eq!(swar_digits(u64::from_le_bytes(b)), (n, v));
        }

        #[test]
        fn mutations_of_valid_lines_agree_with_serde(
            pick in any::<prop::sample::Index>(),
            edits in prop::collection::vec((any::<prop::sample::Index>(), 0usize..3, 0..PIECES.len()), 1..4),
        ) {
            let lines = some_venue_lines();
            let mut line = lines[pick.index(lines.len())].clone();
            for (at, op, piece) in edits {
                let mut i = at.index(line.len() + 1);
                while !line.is_char_boundary(i) {
                    i -= 1;
                }
                match op {
                    0 => line.insert_str(i, PIECES[piece]),
                    1 => {
                        let end = (i + 1..=line.len()).find(|&j| line.is_char_boundary(j)).unwrap_or(i);
                        line.replace_range(i..end, "");
                    }
                    _ => line.truncate(i),
                }
            }
            agrees(&line)?;
        }

        #[test]
        fn arbitrary_text_agrees_with_serde(line in "\\PC{0,200}") {
            agrees(&line)?;
        }

        #[test]
        fn book_like_text_agrees_with_serde(
            line in r#"\{"channel":"book","type":"(update|snapshot)","data":\[\{"symbol":"[A-Z/]{0,3}","(bids|asks)":\[(\{"price":"?[-0-9.e]{0,6}"?,"qty":"?[-0-9.]{0,6}"?\},?){0,3}\](,"(checksum|seq)":[-0-9.]{0,11})?\}\]\}"#,
        ) {
            agrees(&line)?;
        }

        #[test]
        fn decimals_read_as_decimal_parse_reads_them(text in "[0-9]{0,20}(\\.[0-9]{0,20})?") {
            for (quoted, line) in [(false, text.clone()), (true, format!("\"{text}\""))] {
                let mut s = Scanner { text: &line, bytes: line.as_bytes(), at: 0, seen: 0 };
                let got = s.value().filter(|_| s.at == line.len());
                let want = Decimal::parse(&text).ok().filter(|_| {
                    quoted || !(text.len() > 1 && text.starts_with('0') && text.as_bytes()[1].is_ascii_digit())
                });
                prop_assert_eq!(got, want, "{}", line);
            }
        }
    }
}
