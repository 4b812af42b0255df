//! Token bucket: capacity `burst`, refilled continuously at `rate_per_s`, starting full; a
//! cost-`c` request is admitted iff the bucket holds at least `c` tokens, which it then takes.
//!
//! Tokens are kept in fixed point with scale 1e9 ("nano-tokens"): `elapsed_ns × rate_per_s`
//! nano-tokens arrive per elapsed span, exactly, so the bucket never rounds. The state stores the
//! *deficit* below a full bucket so that `Default` (deficit 0) is a full bucket.
//!
//! Fast path: `retry_after_ns` and `reset_ns` divide by the rate with a precomputed reciprocal
//! (`Divisor`), held to `/` by `divisor_matches_hardware_division` in `src/decision.rs`; the
//! fields' meaning by `tests/bounds.rs::token_bucket_decision_fields_exact_for_non_dividing_rates`
//! and the refill by `tests/rules.rs::token_bucket_starts_full_and_refills_exactly`.

use crate::config::{LimitConfig, NS_PER_S};
use crate::decision::{Algorithm, Decision, Divisor, RETRY_NEVER_NS};
use crate::error::ConfigError;
use deterministic::saturating_mul;

#[derive(Debug, Clone, Copy)]
pub struct TokenBucket {
    rate_per_s: u64,
    rate_divisor: Divisor,
    burst: u64,
    capacity_nano: u64,
}

/// 16 bytes per key.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct TokenBucketState {
    deficit_nano: u64,
    last_ns: u64,
}

impl TokenBucket {
    pub fn new(config: &LimitConfig) -> Result<Self, ConfigError> {
        config.validate_common()?;
        let capacity_nano = config
            .burst
            .checked_mul(NS_PER_S)
            .ok_or(ConfigError::Overflow {
                what: "burst x 1e9 nano-tokens",
            })?;
        Ok(TokenBucket {
            rate_per_s: config.rate_per_s,
            rate_divisor: Divisor::new(config.rate_per_s),
            burst: config.burst,
            capacity_nano,
        })
    }

    #[inline]
    fn refill(&self, state: &mut TokenBucketState, now_ns: u64) {
        let now_ns = now_ns.max(state.last_ns);
        let refill_nano = saturating_mul(now_ns - state.last_ns, self.rate_per_s);
        state.deficit_nano = state.deficit_nano.saturating_sub(refill_nano);
        state.last_ns = now_ns;
    }
}

impl Algorithm for TokenBucket {
    type State = TokenBucketState;

    #[inline]
    fn decide(&self, state: &mut TokenBucketState, now_ns: u64, cost: u64) -> Decision {
        self.refill(state, now_ns);
        debug_assert!(state.deficit_nano <= self.capacity_nano);
        // `cost <= burst` bounds `cost × 1e9` by the capacity, which `new` checked fits in u64;
        // comparing against the room left (never `deficit + cost × 1e9`, which passes u64 once
        // the burst exceeds u64::MAX / 2e9) keeps every operand below the capacity.
        let room_nano = self.capacity_nano - state.deficit_nano;
        let allowed = cost <= self.burst && cost * NS_PER_S <= room_nano;
        let retry_after_ns = if allowed {
            state.deficit_nano += cost * NS_PER_S;
            0
        } else if cost > self.burst {
            RETRY_NEVER_NS
        } else {
            self.rate_divisor.div_ceil(cost * NS_PER_S - room_nano)
        };
        Decision {
            allowed,
            remaining: (self.capacity_nano - state.deficit_nano) / NS_PER_S,
            retry_after_ns,
            reset_ns: self.rate_divisor.div_ceil(state.deficit_nano),
        }
    }

    fn full_at_ns(&self, state: &TokenBucketState) -> u64 {
        state
            .last_ns
            .saturating_add(self.rate_divisor.div_ceil(state.deficit_nano))
    }

    fn reset(&self, state: &mut TokenBucketState) {
        *state = TokenBucketState::default();
    }

    fn make_exhausted(&self, state: &mut TokenBucketState, full_at_ns: u64, now_ns: u64) {
        // Any state full by `full_at_ns` has, at `now_ns`, a deficit of at most
        // (full_at_ns - now_ns) × rate; taking exactly that (capped) is at least as restrictive.
        state.last_ns = now_ns;
        state.deficit_nano = saturating_mul(full_at_ns.saturating_sub(now_ns), self.rate_per_s)
            .min(self.capacity_nano);
    }
}

impl crate::state_view::Inspect for TokenBucket {
    fn view(&self, state: &TokenBucketState, now_ns: u64) -> crate::state_view::StateView {
        let mut aged = *state;
        self.refill(&mut aged, now_ns);
        let left_nano = self.capacity_nano - aged.deficit_nano.min(self.capacity_nano);
        crate::state_view::StateView {
            available: left_nano / NS_PER_S,
            detail: crate::state_view::StateDetail::TokenBucket {
                tokens_milli: left_nano / (NS_PER_S / 1000),
                burst: self.burst,
            },
        }
    }
}
