//! Typed configuration errors: every invalid limiter or simulation config is rejected here, at construction.

use std::fmt;

/// Why a configuration was rejected. Nothing is ever rejected later, at decision time.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ConfigError {
    /// `rate_per_s` was 0.
    ZeroRate,
    /// `rate_per_s` above 1e9 would make the emission interval shorter than 1 ns.
    RateTooHigh { rate_per_s: u64 },
    /// `burst` was 0.
    ZeroBurst,
    /// `window_ms` was 0.
    ZeroWindow,
    /// `rate_per_s × window_ms / 1000` is not a positive integer.
    LimitNotInteger { rate_per_s: u64, window_ms: u64 },
    /// An intermediate quantity does not fit in 64 bits.
    Overflow { what: &'static str },
    /// The sliding log keeps one timestamp per admitted request; its limit is capped.
    LogTooLarge { limit: u64, max_limit: u64 },
    /// A key table, ring or simulation was given a zero size where at least one is needed.
    ZeroCapacity { what: &'static str },
    /// A size above its named bound.
    TooLarge {
        what: &'static str,
        value: u64,
        max: u64,
    },
    /// An algorithm name the replay tool does not know.
    UnknownAlgorithm(String),
    /// A percentage or share outside its valid range.
    InvalidShare { what: &'static str, value: u64 },
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ConfigError::ZeroRate => write!(f, "rate must be at least 1 per second"),
            ConfigError::RateTooHigh { rate_per_s } => {
                write!(f, "rate {rate_per_s} per second exceeds the maximum of 1000000000")
            }
            ConfigError::ZeroBurst => write!(f, "burst must be at least 1"),
            ConfigError::ZeroWindow => write!(f, "window must be at least 1 ms"),
            ConfigError::LimitNotInteger {
                rate_per_s,
                window_ms,
            } => write!(
                f,
                "rate {rate_per_s} x window {window_ms} ms / 1000 is not a positive integer limit"
            ),
            ConfigError::Overflow { what } => write!(f, "{what} overflows 64 bits"),
            ConfigError::LogTooLarge { limit, max_limit } => write!(
                f,
                "sliding log limit {limit} exceeds the maximum of {max_limit} entries per key"
            ),
            ConfigError::ZeroCapacity { what } => write!(f, "{what} must be at least 1"),
            ConfigError::TooLarge { what, value, max } => {
                write!(f, "{what} {value} exceeds the maximum of {max}")
            }
            ConfigError::UnknownAlgorithm(name) => write!(
                f,
                "unknown algorithm '{name}' (expected token-bucket, gcra, fixed-window, sliding-log or sliding-window)"
            ),
            ConfigError::InvalidShare { what, value } => {
                write!(f, "{what} {value} is outside its valid range")
            }
        }
    }
}

impl std::error::Error for ConfigError {}
