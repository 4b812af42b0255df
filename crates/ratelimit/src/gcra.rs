//! GCRA, the leaky bucket as a meter: emission interval `T = floor(1e9 / rate_per_s)` ns,
//! tolerance `tau = T × (burst - 1)`, theoretical arrival time TAT starting at 0.
//!
//! A cost-`c` request at `t` is allowed iff `max(TAT, t) + c×T <= t + tau + T`, then
//! `TAT = max(TAT, t) + c×T`; for `c = 1` this is exactly "denied iff `t < TAT - tau`".
//!
//! Rounding: when `rate_per_s` does not divide 1e9, `T` is rounded *down*, so the effective rate
//! is `1e9 / T >= rate_per_s` (at most one request per second too many per `T`-rounding step,
//! e.g. rate 3 gives T = 333_333_333 ns) and the admission bound becomes `burst + floor(L / T)`.
//! When `rate_per_s` divides 1e9, GCRA agrees decision-for-decision with the token bucket.
//!
//! Fast path: `remaining` divides by `T` with a precomputed reciprocal (`Divisor`), held to `/`
//! by `divisor_matches_hardware_division` in `src/decision.rs`; the rule itself by
//! `tests/rules.rs::gcra_denies_iff_t_before_tat_minus_tau` and
//! `tests/bounds.rs::gcra_admits_at_most_burst_plus_interval_over_t`.

use crate::config::{LimitConfig, NS_PER_S};
use crate::decision::{Algorithm, Decision, Divisor, RETRY_NEVER_NS};
use crate::error::ConfigError;

#[derive(Debug, Clone, Copy)]
pub struct Gcra {
    emission_interval_ns: u64,
    interval_divisor: Divisor,
    burst: u64,
    /// `tau + T = burst × T`: how far ahead of `now` TAT may run.
    burst_span_ns: u64,
}

/// 8 bytes per key.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct GcraState {
    tat_ns: u64,
}

impl Gcra {
    pub fn new(config: &LimitConfig) -> Result<Self, ConfigError> {
        config.validate_common()?;
        let emission_interval_ns = NS_PER_S / config.rate_per_s;
        let burst_span_ns =
            emission_interval_ns
                .checked_mul(config.burst)
                .ok_or(ConfigError::Overflow {
                    what: "burst x emission interval",
                })?;
        Ok(Gcra {
            emission_interval_ns,
            interval_divisor: Divisor::new(emission_interval_ns),
            burst: config.burst,
            burst_span_ns,
        })
    }

    /// The emission interval `T` in ns (rounded down).
    pub fn emission_interval_ns(&self) -> u64 {
        self.emission_interval_ns
    }
}

impl Algorithm for Gcra {
    type State = GcraState;

    #[inline]
    fn decide(&self, state: &mut GcraState, now_ns: u64, cost: u64) -> Decision {
        let t = self.emission_interval_ns;
        let base_ns = state.tat_ns.max(now_ns);
        let horizon_ns = now_ns.saturating_add(self.burst_span_ns);
        // cost <= burst keeps cost × T <= burst × T, which fits (checked at construction).
        let new_tat_ns = base_ns.saturating_add(cost.min(self.burst) * t);
        let allowed = cost <= self.burst && new_tat_ns <= horizon_ns;
        let retry_after_ns = if allowed {
            state.tat_ns = new_tat_ns;
            0
        } else if cost > self.burst {
            RETRY_NEVER_NS
        } else {
            new_tat_ns - horizon_ns
        };
        let tat_ns = state.tat_ns.max(now_ns);
        Decision {
            allowed,
            remaining: self.interval_divisor.div(horizon_ns.saturating_sub(tat_ns)),
            retry_after_ns,
            reset_ns: state.tat_ns.saturating_sub(now_ns),
        }
    }

    fn full_at_ns(&self, state: &GcraState) -> u64 {
        state.tat_ns
    }

    fn reset(&self, state: &mut GcraState) {
        state.tat_ns = 0;
    }

    fn make_exhausted(&self, state: &mut GcraState, full_at_ns: u64, _now_ns: u64) {
        // A later TAT is always at least as restrictive.
        state.tat_ns = full_at_ns;
    }
}

impl crate::state_view::Inspect for Gcra {
    fn view(&self, state: &GcraState, now_ns: u64) -> crate::state_view::StateView {
        let ahead = state.tat_ns.saturating_sub(now_ns);
        let room = self.burst_span_ns.saturating_sub(ahead);
        crate::state_view::StateView {
            available: self.interval_divisor.div(room),
            detail: crate::state_view::StateDetail::Gcra {
                tat_ahead_ns: ahead,
                tokens_milli: (u128::from(room) * 1000
                    / u128::from(self.emission_interval_ns.max(1)))
                    as u64,
                burst: self.burst,
            },
        }
    }
}
