//! `orderbook`: a price-time priority limit order book matching engine.
//!
//! It supports limit orders (GTC, IOC, FOK, post-only), market orders, cancel, modify with the
//! queue-priority rule, and self-trade prevention (cancel resting), and reports every state change
//! through an allocation-free [`EventSink`]. It also ships the replay text protocol
//! ([`protocol`], [`replay`]) and a deterministic seeded order-flow generator ([`flow`]) that the
//! benchmarks, the WASM parity check and the browser lab share.
//!
//! Architecture invariant: pure Rust with no web dependencies, no I/O and no wall clock in the
//! library; given the same commands (or the same flow seed) every build target produces the same
//! events, and no input makes it panic.

#![forbid(unsafe_code)]

pub mod adversarial;
pub mod book;
pub mod command;
pub mod event;
pub mod flow;
mod key_index;
mod ladder;
pub mod protocol;
pub mod replay;

pub use book::{
    Book, InvariantCursor, LevelInfo, MemoryStats, OrderInfo, SampledCheck, DEFAULT_HASH_SEED,
};
pub use command::{Command, OrderType, Side, Tif};
pub use event::{Event, EventChecksum, EventCounter, EventSink, RejectReason};
pub use flow::{run_flow, FlowDigest, FlowGen, FlowParams};
pub use protocol::{ParseError, Request};
pub use replay::ReplaySession;
