//! Market-data engine. Kraken WebSocket v2 `book` messages are parsed exactly ([`wire`]: prices
//! and quantities as [`decimal::Decimal`]s read from their text, never through `f64`) and applied
//! to the client's L2 book ([`book`]) with Kraken's depth truncation and CRC32 checksum. A seeded
//! [`venue`] runs the order book engine and publishes its top levels in that format, a seeded
//! [`network`] drops, duplicates, reorders, delays and corrupts frames, the [`client`] state
//! machine recovers from all of it and records every applied message in its [`log`], and a
//! [`session`] runs the three in ticks. [`workload`] is the ingestion benchmark's work.
//!
//! Invariant: pure — no I/O, no clock, randomness only from seeds; every input is either applied or a typed
//! error, and nothing panics.

#![forbid(unsafe_code)]

pub mod book;
pub mod client;
#[cfg_attr(not(target_arch = "wasm32"), allow(dead_code))]
mod crc;
pub mod decimal;
pub mod log;
pub mod network;
mod scan;
pub mod session;
pub mod venue;
pub mod wire;
pub mod workload;

pub use book::{BookError, L2Book, Level, Precision, CHECKSUM_LEVELS, DEPTHS};
pub use decimal::{Decimal, DecimalError};
pub use wire::{parse, parse_into, BookMessage, Kind, LevelUpdate, Side, WireError};
