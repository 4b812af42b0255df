//! The client's L2 book as Kraken specifies it: a snapshot replaces the book, an update sets each
//! level's quantity (zero removes it), and after every message each side is truncated to the
//! subscribed depth (the venue sends no removal for a level pushed out of range). The CRC32
//! checksum covers the top [`CHECKSUM_LEVELS`] asks, low to high, then the top bids, high to
//! low: for each level its price's digits then its quantity's digits, as on the wire with the
//! point and the leading zeros removed.

use crate::decimal::{Decimal, DecimalError};
use crate::wire::{BookMessage, Kind, LevelUpdate, Side};
use std::fmt;

/// The depths a Kraken `book` subscription may ask for.
pub const DEPTHS: [usize; 5] = [10, 25, 100, 500, 1000];
/// Levels per side the checksum covers, whatever the depth.
pub const CHECKSUM_LEVELS: usize = 10;
/// Longest checksum string: both sides' levels, two values each, at most 19 digits a value (a
/// mantissa below 10^18 has at most 18; one more of room).
const CHECKSUM_TEXT_BYTES: usize = 2 * CHECKSUM_LEVELS * 2 * 19;

/// One level of the book: its price and quantity as last sent, and the price's ordering key.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Level {
    pub price: Decimal,
    pub qty: Decimal,
    key: u128,
}

/// Why a message was not applied (the book is left exactly as it was).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum BookError {
    /// An update arrived before any snapshot.
    UpdateBeforeSnapshot,
    /// The message is for another symbol than the book's.
    OtherSymbol { book: String, message: String },
    /// A value cannot be written at the book's precision within the decimal bounds.
    Precision {
        side: Side,
        index: usize,
        error: DecimalError,
    },
}

impl fmt::Display for BookError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            BookError::UpdateBeforeSnapshot => write!(f, "update before any snapshot"),
            BookError::OtherSymbol { book, message } => {
                write!(f, "update for {message:?} on the book of {book:?}")
            }
            BookError::Precision { side, index, error } => {
                write!(
                    f,
                    "{}[{index}] at the book's precision: {error}",
                    side.name()
                )
            }
        }
    }
}

impl std::error::Error for BookError {}

/// Decimal places the venue prints a pair's prices and quantities with (Kraken's `instrument`
/// channel: `price_precision`, `qty_precision`). Kraken's v2 wire sends JSON numbers, which drop
/// trailing zeros (`0.566` for `0.5660`), while its checksum is computed on the values at full
/// precision; with a precision set, every value is padded to it. Without one, the digits are the
/// wire's as they are (right for values sent as strings, or numbers that kept their zeros).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct Precision {
    pub price: u8,
    pub qty: u8,
}

/// A depth Kraken does not offer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BadDepth(pub usize);

impl fmt::Display for BadDepth {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "depth {} is not one of {DEPTHS:?}", self.0)
    }
}

impl std::error::Error for BadDepth {}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct L2Book {
    depth: usize,
    precision: Precision,
    symbol: Option<String>,
    /// Best (highest) first.
    bids: Vec<Level>,
    /// Best (lowest) first.
    asks: Vec<Level>,
}

impl L2Book {
    pub fn new(depth: usize) -> Result<L2Book, BadDepth> {
        if !DEPTHS.contains(&depth) {
            return Err(BadDepth(depth));
        }
        Ok(L2Book {
            depth,
            precision: Precision::default(),
            symbol: None,
            bids: Vec::with_capacity(depth + 1),
            asks: Vec::with_capacity(depth + 1),
        })
    }

    /// Pads every value applied from now on to `precision` (see [`Precision`]).
    pub fn with_precision(mut self, precision: Precision) -> L2Book {
        self.precision = precision;
        self
    }

    pub fn depth(&self) -> usize {
        self.depth
    }

    /// The symbol of the last snapshot, if any.
    pub fn symbol(&self) -> Option<&str> {
        self.symbol.as_deref()
    }

    pub fn bids(&self) -> &[Level] {
        &self.bids
    }

    pub fn asks(&self) -> &[Level] {
        &self.asks
    }

    /// Applies one message: all its levels, then the truncation to depth.
    pub fn apply(&mut self, msg: &BookMessage) -> Result<(), BookError> {
        // Everything that can fail is checked before the book changes.
        for (side, levels) in [(Side::Bid, &msg.bids), (Side::Ask, &msg.asks)] {
            for (index, u) in levels.iter().enumerate() {
                padded(self.precision, *u).map_err(|error| BookError::Precision {
                    side,
                    index,
                    error,
                })?;
            }
        }
        match msg.kind {
            Kind::Snapshot => {
                self.bids.clear();
                self.asks.clear();
                self.symbol = Some(msg.symbol.clone());
            }
            Kind::Update => match &self.symbol {
                None => return Err(BookError::UpdateBeforeSnapshot),
                Some(s) if *s != msg.symbol => {
                    return Err(BookError::OtherSymbol {
                        book: s.clone(),
                        message: msg.symbol.clone(),
                    })
                }
                Some(_) => {}
            },
        }
        let precision = self.precision;
        for u in &msg.bids {
            set(
                &mut self.bids,
                Side::Bid,
                padded(precision, *u).unwrap_or(*u),
            );
        }
        for u in &msg.asks {
            set(
                &mut self.asks,
                Side::Ask,
                padded(precision, *u).unwrap_or(*u),
            );
        }
        self.bids.truncate(self.depth);
        self.asks.truncate(self.depth);
        debug_assert!(sorted(&self.bids, Side::Bid) && sorted(&self.asks, Side::Ask));
        Ok(())
    }

    /// Kraken's CRC32 of the top of this book. The checksum string (at most 2 × 10 levels × 2
    /// values × 19 digits) is built on the stack and hashed in one call, which lets `crc32fast`
    /// use its wide (PCLMULQDQ) path instead of forty tiny updates.
    pub fn checksum(&self) -> u32 {
        let mut text = [0u8; CHECKSUM_TEXT_BYTES];
        let mut len = 0;
        let levels = self.asks.iter().take(CHECKSUM_LEVELS);
        for l in levels.chain(self.bids.iter().take(CHECKSUM_LEVELS)) {
            len = l.price.write_checksum_digits(&mut text, len);
            len = l.qty.write_checksum_digits(&mut text, len);
        }
        crc32fast::hash(&text[..len])
    }
}

fn padded(precision: Precision, u: LevelUpdate) -> Result<LevelUpdate, DecimalError> {
    Ok(LevelUpdate {
        price: u.price.with_min_scale(precision.price)?,
        qty: u.qty.with_min_scale(precision.qty)?,
    })
}

/// Where `key` sits on `side` (best first): `Ok` at an existing level, `Err` where it would go.
fn position(levels: &[Level], side: Side, key: u128) -> Result<usize, usize> {
    match side {
        Side::Bid => levels.binary_search_by(|l| key.cmp(&l.key)),
        Side::Ask => levels.binary_search_by(|l| l.key.cmp(&key)),
    }
}

fn set(levels: &mut Vec<Level>, side: Side, u: LevelUpdate) {
    let key = u.price.key();
    match (position(levels, side, key), u.qty.is_zero()) {
        (Ok(i), true) => {
            levels.remove(i);
        }
        (Ok(i), false) => {
            levels[i] = Level {
                price: u.price,
                qty: u.qty,
                key,
            }
        }
        (Err(_), true) => {}
        (Err(i), false) => levels.insert(
            i,
            Level {
                price: u.price,
                qty: u.qty,
                key,
            },
        ),
    }
}

fn sorted(levels: &[Level], side: Side) -> bool {
    levels.windows(2).all(|w| match side {
        Side::Bid => w[0].key > w[1].key,
        Side::Ask => w[0].key < w[1].key,
    })
}
