//! `KeyedLimiter`: one key table for whichever of the five algorithms a config names (enum dispatch,
//! no allocation or virtual call per decision).

use crate::config::{AlgorithmKind, LimitConfig};
use crate::decision::{Decision, Limiter};
use crate::error::ConfigError;
use crate::fixed_window::FixedWindow;
use crate::gcra::Gcra;
use crate::key_table::{KeyTable, KeyTableStats};
use crate::sliding_log::SlidingLog;
use crate::sliding_window::SlidingWindow;
use crate::state_view::StateView;
use crate::token_bucket::TokenBucket;

pub enum KeyedLimiter {
    TokenBucket(KeyTable<TokenBucket>),
    Gcra(KeyTable<Gcra>),
    FixedWindow(KeyTable<FixedWindow>),
    SlidingLog(KeyTable<SlidingLog>),
    SlidingWindow(KeyTable<SlidingWindow>),
}

/// Memory a keyed limiter needs per tracked key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct MemoryPerKey {
    /// Table bytes per slot (key, state, set metadata share).
    pub table_bytes: u64,
    /// Upper bound on heap bytes per key (non-zero only for the sliding log: 8 × limit rounded up
    /// to a power of two).
    pub heap_bytes_bound: u64,
}

macro_rules! dispatch {
    ($self:expr, $table:ident => $body:expr) => {
        match $self {
            KeyedLimiter::TokenBucket($table) => $body,
            KeyedLimiter::Gcra($table) => $body,
            KeyedLimiter::FixedWindow($table) => $body,
            KeyedLimiter::SlidingLog($table) => $body,
            KeyedLimiter::SlidingWindow($table) => $body,
        }
    };
}

impl KeyedLimiter {
    pub fn new(
        kind: AlgorithmKind,
        config: &LimitConfig,
        capacity: u64,
        hash_seed: u64,
    ) -> Result<Self, ConfigError> {
        Ok(match kind {
            AlgorithmKind::TokenBucket => KeyedLimiter::TokenBucket(KeyTable::new(
                TokenBucket::new(config)?,
                capacity,
                hash_seed,
            )?),
            AlgorithmKind::Gcra => {
                KeyedLimiter::Gcra(KeyTable::new(Gcra::new(config)?, capacity, hash_seed)?)
            }
            AlgorithmKind::FixedWindow => KeyedLimiter::FixedWindow(KeyTable::new(
                FixedWindow::new(config)?,
                capacity,
                hash_seed,
            )?),
            AlgorithmKind::SlidingLog => KeyedLimiter::SlidingLog(KeyTable::new(
                SlidingLog::new(config)?,
                capacity,
                hash_seed,
            )?),
            AlgorithmKind::SlidingWindow => KeyedLimiter::SlidingWindow(KeyTable::new(
                SlidingWindow::new(config)?,
                capacity,
                hash_seed,
            )?),
        })
    }

    pub fn kind(&self) -> AlgorithmKind {
        match self {
            KeyedLimiter::TokenBucket(_) => AlgorithmKind::TokenBucket,
            KeyedLimiter::Gcra(_) => AlgorithmKind::Gcra,
            KeyedLimiter::FixedWindow(_) => AlgorithmKind::FixedWindow,
            KeyedLimiter::SlidingLog(_) => AlgorithmKind::SlidingLog,
            KeyedLimiter::SlidingWindow(_) => AlgorithmKind::SlidingWindow,
        }
    }

    /// The state of `key` as of `now_ns`, if tracked (see [`crate::state_view`]).
    pub fn view(&self, key: u64, now_ns: u64) -> Option<StateView> {
        dispatch!(self, t => t.view(key, now_ns))
    }

    pub fn stats(&self) -> KeyTableStats {
        dispatch!(self, t => t.stats())
    }

    pub fn capacity(&self) -> u64 {
        dispatch!(self, t => t.capacity())
    }

    pub fn memory_per_key(&self) -> MemoryPerKey {
        match self {
            KeyedLimiter::TokenBucket(t) => MemoryPerKey {
                table_bytes: KeyTable::<TokenBucket>::bytes_per_key(),
                heap_bytes_bound: t.heap_bytes_per_key_bound(),
            },
            KeyedLimiter::Gcra(t) => MemoryPerKey {
                table_bytes: KeyTable::<Gcra>::bytes_per_key(),
                heap_bytes_bound: t.heap_bytes_per_key_bound(),
            },
            KeyedLimiter::FixedWindow(t) => MemoryPerKey {
                table_bytes: KeyTable::<FixedWindow>::bytes_per_key(),
                heap_bytes_bound: t.heap_bytes_per_key_bound(),
            },
            KeyedLimiter::SlidingLog(t) => MemoryPerKey {
                table_bytes: KeyTable::<SlidingLog>::bytes_per_key(),
                heap_bytes_bound: t.heap_bytes_per_key_bound(),
            },
            KeyedLimiter::SlidingWindow(t) => MemoryPerKey {
                table_bytes: KeyTable::<SlidingWindow>::bytes_per_key(),
                heap_bytes_bound: t.heap_bytes_per_key_bound(),
            },
        }
    }
}

impl Limiter for KeyedLimiter {
    #[inline]
    fn check(&mut self, key: u64, now_ns: u64, cost: u64) -> Decision {
        dispatch!(self, t => t.check(key, now_ns, cost))
    }
}
