//! The event log: every message the client applied, normalized, appended as a record with its
//! offset and a CRC. The log is the source of truth and the book a view of it: replaying the log
//! up to any offset rebuilds the book the client had right after that record.
//!
//! Segment format (all integers little-endian):
//!
//! ```text
//! segment := header record*
//! header  := "MDLOG\0\0\x01" (8 bytes: magic and format version 1) base_offset:u64
//! record  := len:u32 crc:u32 payload[len]          crc = CRC32 (IEEE) of payload
//! payload := kind:u8 (0 snapshot, 1 update) seq:u64 checksum:u32
//!            symbol_len:u8 symbol[symbol_len] bids:u16 asks:u16 level[bids + asks]
//! level   := price_mantissa:u64 price_scale:u8 qty_mantissa:u64 qty_scale:u8
//! ```
//!
//! A record's offset is the segment's base offset plus its index in the segment. A segment is
//! closed once it holds [`SEGMENT_BYTES`]; the next starts at the following offset. Reading stops
//! at the first record whose length, CRC or payload is wrong, with a typed [`LogError`] naming
//! its offset (a torn tail after a crash reads as [`LogError::Truncated`]).

use crate::book::L2Book;
use crate::decimal::Decimal;
use crate::wire::{BookMessage, Kind, LevelUpdate, MAX_LEVELS_PER_SIDE, MAX_SYMBOL_BYTES};
use std::fmt;

/// Magic and version at the start of every segment.
pub const MAGIC: [u8; 8] = *b"MDLOG\0\0\x01";
/// Header size: magic and base offset.
pub const HEADER_BYTES: usize = 16;
/// A segment is closed once it reaches this size.
pub const SEGMENT_BYTES: usize = 1 << 20;
/// Largest record payload: both sides at their bound, plus the fixed fields.
pub const MAX_RECORD_BYTES: usize = 18 + MAX_SYMBOL_BYTES + 2 * MAX_LEVELS_PER_SIDE * 18;

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum LogError {
    /// A segment that does not start with [`MAGIC`].
    BadHeader,
    /// The bytes end inside the record at this offset.
    Truncated { offset: u64 },
    /// The record at this offset fails its CRC.
    BadCrc { offset: u64 },
    /// The record at this offset has a CRC that holds but a payload that does not decode.
    BadRecord { offset: u64, why: &'static str },
    /// A segment whose base offset is not where the previous one ended.
    Discontinuous { expected: u64, found: u64 },
    /// The message cannot be logged (a symbol or side beyond the bounds).
    TooLarge,
}

impl fmt::Display for LogError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            LogError::BadHeader => write!(f, "not a market-data log segment"),
            LogError::Truncated { offset } => write!(f, "record {offset} is truncated"),
            LogError::BadCrc { offset } => write!(f, "record {offset} fails its CRC"),
            LogError::BadRecord { offset, why } => write!(f, "record {offset}: {why}"),
            LogError::Discontinuous { expected, found } => {
                write!(f, "segment starts at {found}, expected {expected}")
            }
            LogError::TooLarge => write!(f, "message beyond the log's bounds"),
        }
    }
}

impl std::error::Error for LogError {}

/// An append-only log in memory, as segments of bytes (what a file-backed log would write).
#[derive(Clone, Debug, Default)]
pub struct EventLog {
    segments: Vec<Vec<u8>>,
    next_offset: u64,
    /// Where the last record starts in the last segment.
    last_record_at: usize,
}

impl EventLog {
    pub fn new() -> EventLog {
        EventLog::default()
    }

    /// The offset the next record gets (the number of records so far).
    pub fn next_offset(&self) -> u64 {
        self.next_offset
    }

    pub fn segments(&self) -> &[Vec<u8>] {
        &self.segments
    }

    /// Appends `msg`; returns its offset.
    pub fn append(&mut self, msg: &BookMessage) -> Result<u64, LogError> {
        let record = encode_record(msg)?;
        let full = self
            .segments
            .last()
            .is_none_or(|s| s.len() >= SEGMENT_BYTES);
        if full {
            let mut header = Vec::with_capacity(SEGMENT_BYTES + 4096);
            header.extend_from_slice(&MAGIC);
            header.extend_from_slice(&self.next_offset.to_le_bytes());
            self.segments.push(header);
        }
        let seg = self.segments.last_mut().ok_or(LogError::TooLarge)?;
        self.last_record_at = seg.len();
        seg.extend_from_slice(&record);
        let offset = self.next_offset;
        self.next_offset += 1;
        Ok(offset)
    }

    /// Forgets every sealed segment (all but the one being appended to) and returns how many:
    /// for an owner whose segments are also written to files, so memory stays at one segment.
    /// The log then starts at the remaining segment's base offset; readers take offsets from the
    /// segment headers, and an offset before it is no longer in the log.
    pub fn release_sealed(&mut self) -> usize {
        let sealed = self.segments.len().saturating_sub(1);
        self.segments.drain(..sealed);
        sealed
    }

    /// The last record appended, with its offset, as its bytes (`len crc payload`): what a log
    /// shipper hands on after each append, in O(1).
    pub fn last_record(&self) -> Option<(u64, &[u8])> {
        let seg = self.segments.last()?;
        let offset = self.next_offset.checked_sub(1)?;
        Some((offset, seg.get(self.last_record_at..)?))
    }

    /// The book right after the record at `offset`, rebuilt from the log alone; `None` if
    /// `offset` is not in the log, no snapshot precedes it, or `depth` is not one Kraken offers.
    pub fn book_at(&self, offset: u64, depth: usize) -> Result<Option<L2Book>, LogError> {
        let Ok(book) = L2Book::new(depth) else {
            return Ok(None);
        };
        Ok(replay(&self.segments, offset, book)?.map(|(book, _)| book))
    }
}

/// Replays `segments` onto `book` up to and including the record at `offset`, from the first
/// snapshot on (each later snapshot replaces the book, so this equals starting at the last one
/// before `offset`); returns the book and that record, or `None` if the log holds no record at
/// `offset` or no snapshot before it.
pub fn replay(
    segments: &[Vec<u8>],
    offset: u64,
    mut book: L2Book,
) -> Result<Option<(L2Book, BookMessage)>, LogError> {
    let mut started = false;
    for record in read(segments) {
        let (at, msg) = record?;
        if at > offset {
            break;
        }
        started |= msg.kind == Kind::Snapshot;
        if started && book.apply(&msg).is_err() {
            return Err(LogError::BadRecord {
                offset: at,
                why: "does not apply to the book before it",
            });
        }
        if at == offset {
            return Ok(started.then_some((book, msg)));
        }
    }
    Ok(None)
}

fn encode(msg: &BookMessage) -> Result<Vec<u8>, LogError> {
    let symbol = msg.symbol.as_bytes();
    let sym_len = u8::try_from(symbol.len()).map_err(|_| LogError::TooLarge)?;
    let bids = u16::try_from(msg.bids.len()).map_err(|_| LogError::TooLarge)?;
    let asks = u16::try_from(msg.asks.len()).map_err(|_| LogError::TooLarge)?;
    if symbol.len() > MAX_SYMBOL_BYTES
        || msg.bids.len() > MAX_LEVELS_PER_SIDE
        || msg.asks.len() > MAX_LEVELS_PER_SIDE
    {
        return Err(LogError::TooLarge);
    }
    let mut p = Vec::with_capacity(18 + symbol.len() + 18 * (msg.bids.len() + msg.asks.len()));
    p.push(match msg.kind {
        Kind::Snapshot => 0,
        Kind::Update => 1,
    });
    p.extend_from_slice(&msg.seq.unwrap_or(0).to_le_bytes());
    p.extend_from_slice(&msg.checksum.unwrap_or(0).to_le_bytes());
    p.push(sym_len);
    p.extend_from_slice(symbol);
    p.extend_from_slice(&bids.to_le_bytes());
    p.extend_from_slice(&asks.to_le_bytes());
    for l in msg.bids.iter().chain(&msg.asks) {
        p.extend_from_slice(&l.price.mantissa().to_le_bytes());
        p.push(l.price.scale());
        p.extend_from_slice(&l.qty.mantissa().to_le_bytes());
        p.push(l.qty.scale());
    }
    Ok(p)
}

/// A cursor over a payload; every read is bounds-checked.
struct Bytes<'a>(&'a [u8]);

impl<'a> Bytes<'a> {
    fn take(&mut self, n: usize) -> Option<&'a [u8]> {
        let (head, rest) = (self.0.get(..n)?, self.0.get(n..)?);
        self.0 = rest;
        Some(head)
    }
    fn u8(&mut self) -> Option<u8> {
        self.take(1).map(|b| b[0])
    }
    fn u16(&mut self) -> Option<u16> {
        self.take(2)?.try_into().ok().map(u16::from_le_bytes)
    }
    fn u32(&mut self) -> Option<u32> {
        self.take(4)?.try_into().ok().map(u32::from_le_bytes)
    }
    fn u64(&mut self) -> Option<u64> {
        self.take(8)?.try_into().ok().map(u64::from_le_bytes)
    }
}

fn decode(payload: &[u8]) -> Result<BookMessage, &'static str> {
    let mut b = Bytes(payload);
    let short = "payload too short";
    let kind = match b.u8().ok_or(short)? {
        0 => Kind::Snapshot,
        1 => Kind::Update,
        _ => return Err("unknown kind"),
    };
    let seq = b.u64().ok_or(short)?;
    let checksum = b.u32().ok_or(short)?;
    let sym_len = usize::from(b.u8().ok_or(short)?);
    let symbol = std::str::from_utf8(b.take(sym_len).ok_or(short)?)
        .map_err(|_| "symbol is not UTF-8")?
        .to_string();
    let (nb, na) = (
        usize::from(b.u16().ok_or(short)?),
        usize::from(b.u16().ok_or(short)?),
    );
    if nb > MAX_LEVELS_PER_SIDE || na > MAX_LEVELS_PER_SIDE {
        return Err("too many levels");
    }
    let mut level = || -> Result<LevelUpdate, &'static str> {
        let bad = "value beyond the decimal bounds";
        let price = Decimal::new(b.u64().ok_or(short)?, b.u8().ok_or(short)?).ok_or(bad)?;
        let qty = Decimal::new(b.u64().ok_or(short)?, b.u8().ok_or(short)?).ok_or(bad)?;
        Ok(LevelUpdate { price, qty })
    };
    let bids = (0..nb).map(|_| level()).collect::<Result<Vec<_>, _>>()?;
    let asks = (0..na).map(|_| level()).collect::<Result<Vec<_>, _>>()?;
    if !b.0.is_empty() {
        return Err("trailing bytes");
    }
    Ok(BookMessage {
        kind,
        symbol,
        bids,
        asks,
        checksum: Some(checksum),
        seq: Some(seq),
    })
}

/// Every record of `segments` in order, with its offset, decoded as it is reached; stops after
/// the first error.
pub fn read(segments: &[Vec<u8>]) -> Records<'_> {
    Records {
        raw: read_raw(segments, 0),
    }
}

/// Every record of `segments` from offset `from` on, as its bytes (`len crc payload`, what
/// [`decode_record`] takes), without decoding; segments wholly before `from` are skipped by
/// their base offsets. Stops after the first error. A log shipper reads its new records with it.
pub fn read_raw(segments: &[Vec<u8>], from: u64) -> RawRecords<'_> {
    // The last segment whose base offset is at or before `from` holds it (if any does).
    let skip = segments
        .iter()
        .skip(1)
        .take_while(|seg| segment_base(seg).is_some_and(|base| base <= from))
        .count();
    RawRecords {
        segments: segments[skip.min(segments.len())..].iter(),
        from,
        rest: &[],
        offset: 0,
        in_segment: false,
        done: false,
    }
}

/// A segment's base offset (the offset of its first record), if it starts with a valid header.
pub fn segment_base(segment: &[u8]) -> Option<u64> {
    if segment.len() < HEADER_BYTES || segment[..8] != MAGIC {
        return None;
    }
    segment[8..16].try_into().ok().map(u64::from_le_bytes)
}

/// The record bytes (`len crc payload`) for `msg`, as [`EventLog::append`] writes them.
pub fn encode_record(msg: &BookMessage) -> Result<Vec<u8>, LogError> {
    let payload = encode(msg)?;
    let len = u32::try_from(payload.len()).map_err(|_| LogError::TooLarge)?;
    let mut record = Vec::with_capacity(8 + payload.len());
    record.extend_from_slice(&len.to_le_bytes());
    record.extend_from_slice(&crc32fast::hash(&payload).to_le_bytes());
    record.extend_from_slice(&payload);
    Ok(record)
}

/// Decodes one record's bytes (`len crc payload`, exactly), checking its length and CRC;
/// `offset` names it in the errors.
pub fn decode_record(offset: u64, record: &[u8]) -> Result<BookMessage, LogError> {
    let mut b = Bytes(record);
    let payload = framed(&mut b, offset)?;
    if !b.0.is_empty() {
        return Err(LogError::BadRecord {
            offset,
            why: "bytes after the record",
        });
    }
    decode(payload).map_err(|why| LogError::BadRecord { offset, why })
}

/// Reads one record's frame from `b`: its payload, checked against its length bound and CRC.
fn framed<'a>(b: &mut Bytes<'a>, offset: u64) -> Result<&'a [u8], LogError> {
    let (Some(len), Some(crc)) = (b.u32(), b.u32()) else {
        return Err(LogError::Truncated { offset });
    };
    let len = len as usize;
    if len > MAX_RECORD_BYTES {
        return Err(LogError::BadRecord {
            offset,
            why: "length beyond the record bound",
        });
    }
    let payload = b.take(len).ok_or(LogError::Truncated { offset })?;
    if crc32fast::hash(payload) != crc {
        return Err(LogError::BadCrc { offset });
    }
    Ok(payload)
}

/// The iterator [`read`] returns.
pub struct Records<'a> {
    raw: RawRecords<'a>,
}

impl Iterator for Records<'_> {
    type Item = Result<(u64, BookMessage), LogError>;

    fn next(&mut self) -> Option<Self::Item> {
        let item = match self.raw.next()? {
            Ok((offset, record)) => decode_record(offset, record).map(|msg| (offset, msg)),
            Err(e) => Err(e),
        };
        if item.is_err() {
            self.raw.done = true;
        }
        Some(item)
    }
}

/// The iterator [`read_raw`] returns.
pub struct RawRecords<'a> {
    segments: std::slice::Iter<'a, Vec<u8>>,
    /// Records before this offset are passed over.
    from: u64,
    /// The unread records of the current segment.
    rest: &'a [u8],
    /// Offset of the next record.
    offset: u64,
    /// Whether a segment has been opened (so the next must start at `offset`).
    in_segment: bool,
    done: bool,
}

impl<'a> RawRecords<'a> {
    fn fail(&mut self, e: LogError) -> Option<Result<(u64, &'a [u8]), LogError>> {
        self.done = true;
        Some(Err(e))
    }
}

impl<'a> Iterator for RawRecords<'a> {
    type Item = Result<(u64, &'a [u8]), LogError>;

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            if self.done {
                return None;
            }
            while self.rest.is_empty() {
                let seg = self.segments.next()?;
                let Some(base) = segment_base(seg) else {
                    return self.fail(LogError::BadHeader);
                };
                if self.in_segment && base != self.offset {
                    return self.fail(LogError::Discontinuous {
                        expected: self.offset,
                        found: base,
                    });
                }
                self.in_segment = true;
                self.offset = base;
                self.rest = &seg[HEADER_BYTES..];
            }
            let offset = self.offset;
            let start = self.rest;
            let mut b = Bytes(self.rest);
            if let Err(e) = framed(&mut b, offset) {
                return self.fail(e);
            }
            let record = &start[..start.len() - b.0.len()];
            self.rest = b.0;
            self.offset += 1;
            if offset >= self.from {
                return Some(Ok((offset, record)));
            }
        }
    }
}
