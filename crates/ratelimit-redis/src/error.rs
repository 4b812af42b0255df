//! Typed errors of the Redis limiter: rejected configurations, bad keys, and what a shard that
//! answered said when the answer was not a decision (wrong type at the key, corrupt state, garbage).

use ratelimit::config::AlgorithmKind;
use ratelimit::ConfigError;
use std::fmt;

/// Why a check or a construction failed. An unreachable or slow shard is *not* an error: the
/// degradation policy decides instead (see [`crate::limiter::DecisionSource`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LimitError {
    /// The limit, ring or policy configuration was rejected by the engine.
    Config(ConfigError),
    /// Only GCRA and the sliding-window counter have Redis scripts.
    UnsupportedAlgorithm(AlgorithmKind),
    /// A shard URL the `redis` crate cannot parse.
    InvalidUrl { url: String, reason: String },
    /// No shards, or more than [`crate::limiter::MAX_SHARDS`].
    ShardCount { count: usize, max: usize },
    /// A key longer than [`crate::limiter::MAX_KEY_BYTES`].
    KeyTooLong { len: usize, max: usize },
    /// The Redis key holds a value of another type (Redis said WRONGTYPE).
    WrongType { shard: u32, key: String },
    /// The Redis key is a hash whose fields are not a state the script wrote.
    CorruptState { shard: u32, key: String },
    /// The script answered something that is not a decision.
    BadReply { shard: u32, detail: String },
    /// Any other error the server returned (e.g. NOPERM, a script error).
    Server {
        shard: u32,
        code: String,
        detail: String,
    },
}

impl fmt::Display for LimitError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            LimitError::Config(e) => write!(f, "invalid limiter configuration: {e}"),
            LimitError::UnsupportedAlgorithm(k) => write!(
                f,
                "algorithm '{}' has no Redis script (use gcra or sliding-window)",
                k.name()
            ),
            LimitError::InvalidUrl { url, reason } => {
                write!(f, "invalid Redis URL '{url}': {reason}")
            }
            LimitError::ShardCount { count, max } => {
                write!(f, "{count} shards given; 1 to {max} are supported")
            }
            LimitError::KeyTooLong { len, max } => {
                write!(f, "key of {len} bytes exceeds the maximum of {max}")
            }
            LimitError::WrongType { shard, key } => write!(
                f,
                "shard {shard}: key '{key}' holds a value of the wrong type (WRONGTYPE)"
            ),
            LimitError::CorruptState { shard, key } => {
                write!(
                    f,
                    "shard {shard}: key '{key}' holds a corrupt limiter state"
                )
            }
            LimitError::BadReply { shard, detail } => {
                write!(f, "shard {shard}: unexpected reply: {detail}")
            }
            LimitError::Server {
                shard,
                code,
                detail,
            } => write!(f, "shard {shard}: server error {code}: {detail}"),
        }
    }
}

impl std::error::Error for LimitError {}

impl From<ConfigError> for LimitError {
    fn from(e: ConfigError) -> Self {
        LimitError::Config(e)
    }
}
