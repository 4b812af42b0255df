//! Rate limiter engine: five algorithms behind one [`Limiter`] trait (token bucket, GCRA, fixed
//! window, sliding log, sliding-window counter), keyed limiting in a fixed-capacity table, the
//! `limit-replay` protocol, a sliding-window accuracy experiment, and a sharded cluster simulation
//! with graceful degradation.
//!
//! Invariant: no web deps, no I/O, no clock. Time is always passed in as integer nanoseconds and
//! every random choice comes from the seeded integer-only [`deterministic::SplitMix64`], so
//! native and WASM builds produce identical decisions.

#![forbid(unsafe_code)]

pub mod accuracy;
pub mod cluster;
pub mod config;
pub mod decision;
pub mod digest;
pub mod direct;
pub mod error;
pub mod fixed_window;
pub mod gcra;
pub mod hash_ring;
pub mod key_table;
pub mod keyed_limiter;
pub mod replay;
pub mod sliding_log;
pub mod sliding_window;
pub mod state_view;
pub mod token_bucket;
pub mod traffic;
mod window;
pub mod workload;

pub use config::{AlgorithmKind, LimitConfig};
pub use decision::{Algorithm, Decision, Limiter, RETRY_NEVER_NS};
pub use direct::Direct;
pub use error::ConfigError;
pub use fixed_window::FixedWindow;
pub use gcra::Gcra;
pub use key_table::KeyTable;
pub use keyed_limiter::KeyedLimiter;
pub use sliding_log::SlidingLog;
pub use sliding_window::SlidingWindow;
pub use state_view::{Inspect, StateDetail, StateView};
pub use token_bucket::TokenBucket;
