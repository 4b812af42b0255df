//! The `ratelimit` engine on real Redis servers: many application processes enforce one limit
//! through Redis. GCRA and the sliding-window counter run as atomic Lua scripts (EVALSHA, EVAL on
//! NOSCRIPT) that read the time from the Redis server; keys are placed either on independent servers
//! by the engine's consistent-hash ring or on a Redis Cluster by its hash slots; an unreachable or
//! slow server is handled by the engine's degradation policies behind a circuit breaker per shard
//! (per slot range on a cluster). Metrics render in the Prometheus text format; `limit-load`
//! measures either deployment, and [`RedisServer`] / [`RedisCluster`] start real local ones.
//!
//! Invariant: native only (tokio + `redis`), no web deps; decisions come from the server's clock
//! and the engine's configuration types, so they match the in-memory `ratelimit` algorithms on the
//! same trace, and no Redis error or garbage reply ever panics: it is a typed [`LimitError`] or a
//! degraded decision.

#![forbid(unsafe_code)]

pub mod breaker;
pub mod error;
pub mod latency;
pub mod limiter;
pub mod load;
pub mod metrics;
pub mod scripts;
pub mod server;

#[cfg(test)]
mod cluster_tests;
#[cfg(test)]
mod redis_tests;

pub use breaker::{Breaker, BreakerConfig};
pub use error::LimitError;
pub use limiter::{
    cluster_slot, DecisionSource, Deployment, Outcome, RedisLimiter, RedisLimiterConfig,
};
pub use metrics::Metrics;
pub use server::{ClusterNode, RedisCluster, RedisServer, ServerError};
