//! Kraken WebSocket v2 `book` messages, parsed into typed, exact events.
//!
//! ```json
//! {"channel":"book","type":"snapshot","data":[{"symbol":"BTC/USD",
//!   "bids":[{"price":45283.5,"qty":0.10000000}],"asks":[…],"checksum":2439117997,
//!   "timestamp":"2023-10-06T17:35:55.440295Z"}]}
//! ```
//!
//! Prices and quantities are JSON numbers on Kraken's wire (its guide also shows them as strings;
//! both are accepted). Each is read from its raw JSON text ([`serde_json::value::RawValue`]) into a
//! [`Decimal`] with the text's own scale, so nothing passes through `f64`. Anything that is not a
//! well-formed book message of one symbol is a typed [`WireError`]; nothing panics.
//!
//! Two paths give the same answers. The rule is `parse_serde`: serde's derived structs, then
//! the checks in a fixed order. [`parse_into`] (and [`parse`], on a fresh message) first tries
//! the scanner in `scan.rs`, which reads messages in the shape Kraken writes them straight into a
//! reused [`BookMessage`] without allocating, and hands anything else — every error included —
//! to the rule; `scan.rs`'s tests hold the two to each other.

use crate::decimal::{Decimal, DecimalError};
use serde::Deserialize;
use serde_json::value::RawValue;
use std::borrow::Cow;
use std::fmt;

/// Most price levels one side of one message may carry (Kraken's deepest subscription is 1000;
/// an update can repeat a level, so the bound leaves room).
pub const MAX_LEVELS_PER_SIDE: usize = 4_096;
/// Longest symbol accepted.
pub const MAX_SYMBOL_BYTES: usize = 64;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    Snapshot,
    Update,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Side {
    Bid,
    Ask,
}

impl Side {
    pub fn name(self) -> &'static str {
        match self {
            Side::Bid => "bids",
            Side::Ask => "asks",
        }
    }
}

/// One price level as sent: a quantity of zero removes the level.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LevelUpdate {
    pub price: Decimal,
    pub qty: Decimal,
}

/// A parsed `book` message (its one `data` entry). [`BookMessage::default`] is an empty update,
/// a buffer for [`parse_into`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BookMessage {
    pub kind: Kind,
    pub symbol: String,
    pub bids: Vec<LevelUpdate>,
    pub asks: Vec<LevelUpdate>,
    /// The venue's CRC32 of its book after this message, if the message carries one.
    pub checksum: Option<u32>,
    /// The venue's sequence number of this message: an extension of this project's simulated
    /// venue (Kraken's v2 `book` messages carry none; their gaps show as checksum mismatches).
    pub seq: Option<u64>,
}

impl Default for BookMessage {
    fn default() -> BookMessage {
        BookMessage {
            kind: Kind::Update,
            symbol: String::new(),
            bids: Vec::new(),
            asks: Vec::new(),
            checksum: None,
            seq: None,
        }
    }
}

impl BookMessage {
    /// Makes `self` equal to `other`, keeping `self`'s buffers.
    fn assign(&mut self, other: &BookMessage) {
        self.kind = other.kind;
        self.symbol.clone_from(&other.symbol);
        self.bids.clone_from(&other.bids);
        self.asks.clone_from(&other.asks);
        self.checksum = other.checksum;
        self.seq = other.seq;
    }
}

/// Why a line is not a usable `book` message.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum WireError {
    /// Not JSON, or not the shape of a Kraken v2 message.
    Json(String),
    /// A message of another channel (`heartbeat`, `status`, …) or a method reply.
    NotBook { channel: String },
    /// A `book` message whose `type` is neither `snapshot` nor `update`.
    UnknownType(String),
    /// `data` with no entry, or with several (this engine keeps one book per message).
    Entries(usize),
    /// A symbol that is empty or longer than [`MAX_SYMBOL_BYTES`].
    BadSymbol,
    /// More than [`MAX_LEVELS_PER_SIDE`] levels on one side.
    TooManyLevels { side: Side, count: usize },
    /// A price or quantity that is not an exact non-negative decimal.
    BadLevel {
        side: Side,
        index: usize,
        field: &'static str,
        error: DecimalError,
    },
    /// A price of zero.
    ZeroPrice { side: Side, index: usize },
    /// A checksum outside the unsigned 32-bit range.
    BadChecksum,
}

impl fmt::Display for WireError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            WireError::Json(e) => write!(f, "malformed message: {e}"),
            WireError::NotBook { channel } => write!(f, "not a book message (channel {channel:?})"),
            WireError::UnknownType(t) => write!(f, "unknown book message type {t:?}"),
            WireError::Entries(0) => write!(f, "no data entry"),
            WireError::Entries(n) => write!(f, "{n} data entries (one symbol per message)"),
            WireError::BadSymbol => write!(f, "empty or over-long symbol"),
            WireError::TooManyLevels { side, count } => write!(
                f,
                "{count} {} levels (at most {MAX_LEVELS_PER_SIDE})",
                side.name()
            ),
            WireError::BadLevel {
                side,
                index,
                field,
                error,
            } => write!(f, "{}[{index}].{field}: {error}", side.name()),
            WireError::ZeroPrice { side, index } => {
                write!(f, "{}[{index}].price: zero", side.name())
            }
            WireError::BadChecksum => write!(f, "checksum is not an unsigned 32-bit integer"),
        }
    }
}

impl std::error::Error for WireError {}

#[derive(Deserialize)]
struct Envelope<'a> {
    #[serde(borrow, default)]
    channel: Option<Cow<'a, str>>,
    #[serde(borrow, default, rename = "type")]
    kind: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    data: Option<Vec<Entry<'a>>>,
}

#[derive(Deserialize)]
struct Entry<'a> {
    #[serde(borrow)]
    symbol: Cow<'a, str>,
    #[serde(borrow, default)]
    bids: Vec<RawLevel<'a>>,
    #[serde(borrow, default)]
    asks: Vec<RawLevel<'a>>,
    #[serde(default)]
    checksum: Option<u64>,
    #[serde(default)]
    seq: Option<u64>,
}

#[derive(Deserialize)]
struct RawLevel<'a> {
    #[serde(borrow)]
    price: &'a RawValue,
    #[serde(borrow)]
    qty: &'a RawValue,
}

/// The decimal in a raw JSON value: a number's text, or a string's content (no escapes).
fn raw_decimal(raw: &RawValue) -> Result<Decimal, DecimalError> {
    let text = raw.get();
    let inner = text
        .strip_prefix('"')
        .and_then(|t| t.strip_suffix('"'))
        .unwrap_or(text);
    Decimal::parse(inner)
}

fn levels(raw: &[RawLevel<'_>], side: Side) -> Result<Vec<LevelUpdate>, WireError> {
    if raw.len() > MAX_LEVELS_PER_SIDE {
        return Err(WireError::TooManyLevels {
            side,
            count: raw.len(),
        });
    }
    raw.iter()
        .enumerate()
        .map(|(index, l)| {
            let field = |field, r: &RawValue| {
                raw_decimal(r).map_err(|error| WireError::BadLevel {
                    side,
                    index,
                    field,
                    error,
                })
            };
            let price = field("price", l.price)?;
            let qty = field("qty", l.qty)?;
            if price.is_zero() {
                return Err(WireError::ZeroPrice { side, index });
            }
            Ok(LevelUpdate { price, qty })
        })
        .collect()
}

/// Parses one message (one line of the wire).
pub fn parse(line: &str) -> Result<BookMessage, WireError> {
    let mut msg = BookMessage::default();
    parse_into(line, &mut msg)?;
    Ok(msg)
}

/// Parses one message into `out`, reusing its buffers: once they have grown to the stream's
/// largest message, a message in Kraken's shape costs no allocation. The result is always
/// [`parse`]'s: on `Ok`, `out` equals what `parse` returns; on `Err`, the error is `parse`'s and
/// `out` holds no meaningful message.
pub fn parse_into(line: &str, out: &mut BookMessage) -> Result<(), WireError> {
    if crate::scan::scan(line, out).is_some() {
        return Ok(());
    }
    out.assign(&parse_serde(line)?);
    Ok(())
}

/// The rule [`parse_into`]'s fast path is held to: the line through serde's derived structs
/// (numbers kept as raw text), then the checks in a fixed order.
pub(crate) fn parse_serde(line: &str) -> Result<BookMessage, WireError> {
    let env: Envelope<'_> =
        serde_json::from_str(line).map_err(|e| WireError::Json(e.to_string()))?;
    let channel = env.channel.unwrap_or_default();
    if channel != "book" {
        return Err(WireError::NotBook {
            channel: channel.into_owned(),
        });
    }
    let kind = match env.kind.as_deref() {
        Some("snapshot") => Kind::Snapshot,
        Some("update") => Kind::Update,
        other => return Err(WireError::UnknownType(other.unwrap_or("").to_string())),
    };
    let mut data = env.data.unwrap_or_default();
    if data.len() != 1 {
        return Err(WireError::Entries(data.len()));
    }
    let entry = data.remove(0);
    if entry.symbol.is_empty() || entry.symbol.len() > MAX_SYMBOL_BYTES {
        return Err(WireError::BadSymbol);
    }
    let checksum = entry
        .checksum
        .map(|c| u32::try_from(c).map_err(|_| WireError::BadChecksum))
        .transpose()?;
    Ok(BookMessage {
        kind,
        symbol: entry.symbol.into_owned(),
        bids: levels(&entry.bids, Side::Bid)?,
        asks: levels(&entry.asks, Side::Ask)?,
        checksum,
        seq: entry.seq,
    })
}
