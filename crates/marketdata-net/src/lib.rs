//! The market-data engine on real parts (native only). A [`feed`] server publishes the seeded
//! venue's book over a real WebSocket on loopback in Kraken v2's shape, with the engine's fault
//! model applied to the frames on the wire (and connections cut); the [`ingest`] task — one
//! owner of the socket, the parser and the client's state, as in the article — keeps the book,
//! mirrors its log to segment files, feeds the [`journal`] (NATS JetStream, the durable stream)
//! and fans typed events out to consumers through a bounded channel whose lag is measured; the
//! [`metrics`] render in the Prometheus text format. [`nats_server`] runs a real `nats-server`
//! for the tests and the pipeline tool.
//!
//! Invariant: the ingestion task never waits on a consumer of the fan-out: a consumer that falls
//! behind the channel's bound is told how many events it missed (and the log has them all).

pub mod account;
pub mod feed;
pub mod ingest;
pub mod journal;
pub mod metrics;
pub mod nats_server;
pub mod protocol;
