//! Limiter configuration shared by all algorithms, its validation, and the algorithm names the tools accept.

use crate::error::ConfigError;
use std::str::FromStr;

/// Nanoseconds per second; also the fixed-point scale of token bucket tokens.
pub const NS_PER_S: u64 = 1_000_000_000;
/// Nanoseconds per millisecond.
pub const NS_PER_MS: u64 = 1_000_000;
/// Highest accepted rate: above it the emission interval would be shorter than 1 ns.
pub const MAX_RATE_PER_S: u64 = NS_PER_S;
/// Highest sliding log limit: the log stores one 8-byte timestamp per admitted request in the window.
pub const SLIDING_LOG_MAX_LIMIT: u64 = 1 << 16;

/// Rate `rate_per_s` with burst `burst` (token bucket, GCRA) or window `window_ms` (window algorithms;
/// they admit `limit = rate_per_s × window_ms / 1000` per window and ignore `burst` beyond validating it).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct LimitConfig {
    pub rate_per_s: u64,
    pub burst: u64,
    pub window_ms: u64,
}

impl LimitConfig {
    /// Checks what every algorithm needs: rate in 1..=1e9, burst >= 1, window >= 1 ms.
    pub fn validate_common(&self) -> Result<(), ConfigError> {
        if self.rate_per_s == 0 {
            return Err(ConfigError::ZeroRate);
        }
        if self.rate_per_s > MAX_RATE_PER_S {
            return Err(ConfigError::RateTooHigh {
                rate_per_s: self.rate_per_s,
            });
        }
        if self.burst == 0 {
            return Err(ConfigError::ZeroBurst);
        }
        if self.window_ms == 0 {
            return Err(ConfigError::ZeroWindow);
        }
        Ok(())
    }

    /// Window length in ns and per-window limit, for the window algorithms.
    pub fn window_limit(&self) -> Result<(u64, u64), ConfigError> {
        self.validate_common()?;
        let window_ns = self
            .window_ms
            .checked_mul(NS_PER_MS)
            .ok_or(ConfigError::Overflow {
                what: "window in ns",
            })?;
        let product = self
            .rate_per_s
            .checked_mul(self.window_ms)
            .ok_or(ConfigError::Overflow {
                what: "rate x window",
            })?;
        if product % 1000 != 0 || product < 1000 {
            return Err(ConfigError::LimitNotInteger {
                rate_per_s: self.rate_per_s,
                window_ms: self.window_ms,
            });
        }
        let limit = product / 1000;
        // Window arithmetic multiplies a count by the window length in u128, but remaining and
        // retry computations keep `limit × window_ns` in u64.
        limit.checked_mul(window_ns).ok_or(ConfigError::Overflow {
            what: "limit x window in ns",
        })?;
        Ok((window_ns, limit))
    }
}

/// The five algorithms, named as the replay tool spells them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub enum AlgorithmKind {
    TokenBucket,
    Gcra,
    FixedWindow,
    SlidingLog,
    SlidingWindow,
}

impl AlgorithmKind {
    pub const ALL: [AlgorithmKind; 5] = [
        AlgorithmKind::TokenBucket,
        AlgorithmKind::Gcra,
        AlgorithmKind::FixedWindow,
        AlgorithmKind::SlidingLog,
        AlgorithmKind::SlidingWindow,
    ];

    pub fn name(self) -> &'static str {
        match self {
            AlgorithmKind::TokenBucket => "token-bucket",
            AlgorithmKind::Gcra => "gcra",
            AlgorithmKind::FixedWindow => "fixed-window",
            AlgorithmKind::SlidingLog => "sliding-log",
            AlgorithmKind::SlidingWindow => "sliding-window",
        }
    }
}

impl FromStr for AlgorithmKind {
    type Err = ConfigError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        AlgorithmKind::ALL
            .into_iter()
            .find(|k| k.name() == s)
            .ok_or_else(|| ConfigError::UnknownAlgorithm(s.to_string()))
    }
}
