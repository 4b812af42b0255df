//! The client's L2 book as Kraken specifies it: a snapshot replaces the book, an update sets each
//! level's quantity (zero removes it), and after every message each side is truncated to the
//! subscribed depth (the venue sends no removal for a level pushed out of range). The CRC32
//! checksum covers the top [`CHECKSUM_LEVELS`] asks, low to high, then the top bids, high to
//! low: for each level its price's digits then its quantity's digits, as on the wire with the
//! point and the leading zeros removed.

use crate::decimal::{Decimal, DecimalError, MAX_DIGITS};
use crate::wire::{BookMessage, Kind, LevelUpdate, Side};
use std::fmt;

/// The depths a Kraken `book` subscription may ask for.
pub const DEPTHS: [usize; 5] = [10, 25, 100, 500, 1000];
/// Levels per side the checksum covers, whatever the depth.
pub const CHECKSUM_LEVELS: usize = 10;
/// Longest checksum text of one level: its price's digits then its quantity's, at most
/// [`MAX_DIGITS`] each.
const LEVEL_DIGITS_BYTES: usize = crate::crc::MAX_RUN;
const _: () = assert!(LEVEL_DIGITS_BYTES == 2 * MAX_DIGITS);
/// Longest checksum string: both sides' levels at their longest.
#[cfg(not(target_arch = "wasm32"))]
const CHECKSUM_TEXT_BYTES: usize = 2 * CHECKSUM_LEVELS * LEVEL_DIGITS_BYTES;

/// One level of the book: its price and quantity as last sent, the price's ordering key, and the
/// level's part of the checksum, computed once when the level is set. Natively that is its
/// digits (a checksum copies twenty of them onto the stack and hashes them in one `crc32fast`
/// call, on its carry-less-multiply path); in WebAssembly, which has no such instruction, it is
/// the CRC register the digits produce (a checksum joins twenty of these, see `crc.rs`, instead of
/// hashing up to 720 bytes table by table). Either way, never forty conversions to decimal per
/// checksum. `tests/book_model.rs` holds the checksum to a model that builds the string from the
/// values' text every time; `cargo xtask parity` holds the WebAssembly path to the native one.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct Level {
    pub price: Decimal,
    pub qty: Decimal,
    key: u128,
    /// `price`'s checksum digits then `qty`'s, in `digits[..digits_len]`; zeros after.
    #[cfg(not(target_arch = "wasm32"))]
    digits: [u8; LEVEL_DIGITS_BYTES],
    digits_len: u8,
    /// The CRC register the digits produce from zero.
    #[cfg(target_arch = "wasm32")]
    digits_crc: u32,
}

impl Level {
    fn new(price: Decimal, qty: Decimal, key: u128) -> Level {
        let mut digits = [0u8; LEVEL_DIGITS_BYTES];
        let at = price.write_checksum_digits(&mut digits, 0);
        let len = qty.write_checksum_digits(&mut digits, at);
        // A decimal has at most MAX_DIGITS digits, so both always fit.
        debug_assert_eq!(
            len,
            crate::decimal::digit_count(price.mantissa())
                + crate::decimal::digit_count(qty.mantissa())
        );
        Level {
            price,
            qty,
            key,
            #[cfg(not(target_arch = "wasm32"))]
            digits,
            digits_len: len as u8,
            #[cfg(target_arch = "wasm32")]
            digits_crc: crate::crc::run(&digits[..len]),
        }
    }
}

/// The cached digits follow from the values, so they are left out.
impl fmt::Debug for Level {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Level")
            .field("price", &self.price)
            .field("qty", &self.qty)
            .field("key", &self.key)
            .finish()
    }
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
    /// In WebAssembly: the CRC register after the checksum's asks (they come first), kept as the
    /// asks change, so a checksum after an update of the bids alone joins ten levels, not twenty.
    /// A function of `asks`, so equal books have equal registers.
    #[cfg(target_arch = "wasm32")]
    asks_register: u32,
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
            #[cfg(target_arch = "wasm32")]
            asks_register: crate::crc::Joiner::new().register(),
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
        // Everything that can fail is checked before the book changes. Only padding can fail,
        // and without a precision there is none.
        if self.precision != Precision::default() {
            for (side, levels) in [(Side::Bid, &msg.bids), (Side::Ask, &msg.asks)] {
                for (index, u) in levels.iter().enumerate() {
                    padded(self.precision, *u).map_err(|error| BookError::Precision {
                        side,
                        index,
                        error,
                    })?;
                }
            }
        }
        match msg.kind {
            Kind::Snapshot => {
                self.bids.clear();
                self.asks.clear();
                // In place: a resync's snapshot of the same symbol costs no allocation.
                match &mut self.symbol {
                    Some(s) => s.clone_from(&msg.symbol),
                    None => self.symbol = Some(msg.symbol.clone()),
                }
            }
            Kind::Update => match &self.symbol {
                None => return Err(BookError::UpdateBeforeSnapshot),
                Some(s) if !crate::scan::same_bytes(s.as_bytes(), msg.symbol.as_bytes()) => {
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
        #[cfg(target_arch = "wasm32")]
        if msg.kind == Kind::Snapshot || !msg.asks.is_empty() {
            let mut crc = crate::crc::Joiner::new();
            for l in &self.asks[..self.asks.len().min(CHECKSUM_LEVELS)] {
                crc.push(usize::from(l.digits_len), l.digits_crc);
            }
            self.asks_register = crc.register();
        }
        Ok(())
    }

    /// Kraken's CRC32 of the top of this book: the top ten asks low to high, then the top ten
    /// bids high to low, each level's digits as cached (see [`Level`]). Natively the digits are
    /// copied onto the stack — each level's whole fixed-size buffer, a constant-size copy, the
    /// end advanced by its length — and hashed in one `crc32fast` call.
    #[cfg(not(target_arch = "wasm32"))]
    pub fn checksum(&self) -> u32 {
        let mut text = [0u8; CHECKSUM_TEXT_BYTES];
        let mut len = 0;
        for side in [&self.asks, &self.bids] {
            for l in &side[..side.len().min(CHECKSUM_LEVELS)] {
                // At most 2 × CHECKSUM_LEVELS levels of at most LEVEL_DIGITS_BYTES: in bounds.
                if let Some(dst) = text.get_mut(len..len + LEVEL_DIGITS_BYTES) {
                    dst.copy_from_slice(&l.digits);
                    len += usize::from(l.digits_len);
                }
            }
        }
        crc32fast::hash(&text[..len])
    }

    /// Kraken's CRC32 of the top of this book, in WebAssembly: the levels' cached CRC registers
    /// joined in order (`crc.rs`), from the register kept after the asks.
    #[cfg(target_arch = "wasm32")]
    pub fn checksum(&self) -> u32 {
        let mut crc = crate::crc::Joiner::resume(self.asks_register);
        for l in &self.bids[..self.bids.len().min(CHECKSUM_LEVELS)] {
            crc.push(usize::from(l.digits_len), l.digits_crc);
        }
        crc.finish()
    }
}

#[inline]
fn padded(precision: Precision, u: LevelUpdate) -> Result<LevelUpdate, DecimalError> {
    if precision == Precision::default() {
        return Ok(u);
    }
    Ok(LevelUpdate {
        price: u.price.with_min_scale(precision.price)?,
        qty: u.qty.with_min_scale(precision.qty)?,
    })
}

/// Sides at most this deep are searched by counting the better levels (no early exit, so no
/// mispredicted branch per step) rather than by binary search.
const COUNT_SEARCH_MAX_LEVELS: usize = 32;

/// Where `key` sits on `side` (best first): `Ok` at an existing level, `Err` where it would go.
fn position(levels: &[Level], side: Side, key: u128) -> Result<usize, usize> {
    if levels.len() > COUNT_SEARCH_MAX_LEVELS {
        return match side {
            Side::Bid => levels.binary_search_by(|l| key.cmp(&l.key)),
            Side::Ask => levels.binary_search_by(|l| l.key.cmp(&key)),
        };
    }
    // Sorted best first, so the levels better than `key` are a prefix: its length is the place.
    let at = match side {
        Side::Bid => levels.iter().filter(|l| l.key > key).count(),
        Side::Ask => levels.iter().filter(|l| l.key < key).count(),
    };
    match levels.get(at) {
        Some(l) if l.key == key => Ok(at),
        _ => Err(at),
    }
}

fn set(levels: &mut Vec<Level>, side: Side, u: LevelUpdate) {
    let key = u.price.key();
    match (position(levels, side, key), u.qty.is_zero()) {
        (Ok(i), true) => {
            levels.remove(i);
        }
        (Ok(i), false) => levels[i] = Level::new(u.price, u.qty, key),
        (Err(_), true) => {}
        (Err(i), false) => levels.insert(i, Level::new(u.price, u.qty, key)),
    }
}

fn sorted(levels: &[Level], side: Side) -> bool {
    levels.windows(2).all(|w| match side {
        Side::Bid => w[0].key > w[1].key,
        Side::Ask => w[0].key < w[1].key,
    })
}
