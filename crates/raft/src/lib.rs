//! Raft consensus engine and deterministic cluster simulator.
//!
//! Invariant: pure Rust with no web deps, no I/O, no wall clock and no threads in the library;
//! every run is a function of `(seed, SimConfig, FaultSchedule)` and prints the same bytes
//! natively and in WASM (integer-only RNG sampling, hand-written JSON lines).
//!
//! Randomness is `deterministic::SplitMix64`, the engines' shared stream, drawn only with its
//! exact (`_unbiased`, rejection) methods: the digests depend on that rule, and this crate's
//! `clippy.toml` rejects the biased ones.
//!
//! - [`node`]: one Raft node as a pure state machine (`tick`/`step`/`propose` -> [`node::Ready`]),
//!   with PreVote, CheckQuorum and fast log back-off.
//! - [`kv`]: the replicated key-value state machine with client sessions.
//! - [`sim`]: the discrete-event simulator (network faults, crashes, clients) and lab API.
//! - [`checker`] and [`linearizability`]: online safety invariants and the history checker.
//! - [`sweep`] and [`experiments`]: chaos sweeps and case-study figures.

#![forbid(unsafe_code)]

pub mod checker;
pub mod error;
pub mod experiments;
pub mod faults;
pub mod hash;
pub mod kv;
pub mod linearizability;
pub mod log;
pub mod message;
pub mod node;
#[cfg(test)]
mod node_tests;
pub mod sim;
pub mod sweep;
pub mod trace;

pub use checker::{Violation, ViolationKind};
pub use error::RaftError;
pub use faults::{FaultAction, FaultEvent, FaultSchedule, LatencySpec};
pub use message::{Body, Command, Entry, Message, NodeId};
pub use node::{HardState, Node, NodeConfig, Ready, Role, MAX_ELECTION_TIMEOUT_TICKS};
pub use sim::{run_traced, InjectedBug, SimConfig, Simulation, TraceDigest};
