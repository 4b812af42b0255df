//! Per-shard circuit breaker: after `failure_threshold` consecutive failures a shard is skipped
//! (its keys go to the degradation policy without waiting for a timeout) for `open_ms`, then one
//! half-open probe call is let through; its success closes the circuit, its failure reopens it.
//!
//! Pure state machine: time is passed in as monotonic milliseconds, so it is tested without I/O.

/// Breaker tuning.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BreakerConfig {
    /// Consecutive failures that open the circuit (at least 1).
    pub failure_threshold: u32,
    /// How long an open circuit skips the shard before probing.
    pub open_ms: u64,
    /// A probe that has not reported after this long (its caller gave up) lets another probe go.
    pub probe_timeout_ms: u64,
}

impl Default for BreakerConfig {
    fn default() -> Self {
        BreakerConfig {
            failure_threshold: 3,
            open_ms: 250,
            probe_timeout_ms: 1_000,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BreakerState {
    Closed { consecutive_failures: u32 },
    Open { until_ms: u64 },
    HalfOpen { probe_started_ms: u64 },
}

/// What a caller may do now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Admission {
    /// Call the shard normally.
    Call,
    /// Call the shard as the single half-open probe.
    Probe,
    /// Do not call the shard: degrade.
    Reject,
}

#[derive(Debug, Clone)]
pub struct Breaker {
    config: BreakerConfig,
    state: BreakerState,
    /// Times the circuit opened (for tests and metrics).
    opened_count: u64,
}

impl Breaker {
    pub fn new(config: BreakerConfig) -> Self {
        Breaker {
            config: BreakerConfig {
                failure_threshold: config.failure_threshold.max(1),
                ..config
            },
            state: BreakerState::Closed {
                consecutive_failures: 0,
            },
            opened_count: 0,
        }
    }

    pub fn state(&self) -> BreakerState {
        self.state
    }

    pub fn opened_count(&self) -> u64 {
        self.opened_count
    }

    pub fn admit(&mut self, now_ms: u64) -> Admission {
        match self.state {
            BreakerState::Closed { .. } => Admission::Call,
            BreakerState::Open { until_ms } if now_ms < until_ms => Admission::Reject,
            BreakerState::Open { .. } => {
                self.state = BreakerState::HalfOpen {
                    probe_started_ms: now_ms,
                };
                Admission::Probe
            }
            BreakerState::HalfOpen { probe_started_ms }
                if now_ms.saturating_sub(probe_started_ms) >= self.config.probe_timeout_ms =>
            {
                self.state = BreakerState::HalfOpen {
                    probe_started_ms: now_ms,
                };
                Admission::Probe
            }
            BreakerState::HalfOpen { .. } => Admission::Reject,
        }
    }

    /// The shard answered (a decision, or a typed error: either way it is reachable).
    pub fn on_success(&mut self) {
        self.state = BreakerState::Closed {
            consecutive_failures: 0,
        };
    }

    /// The shard was unreachable or timed out. Returns whether this failure opened the circuit.
    pub fn on_failure(&mut self, now_ms: u64) -> bool {
        let open = match self.state {
            BreakerState::Closed {
                consecutive_failures,
            } => {
                let failures = consecutive_failures.saturating_add(1);
                if failures < self.config.failure_threshold {
                    self.state = BreakerState::Closed {
                        consecutive_failures: failures,
                    };
                    false
                } else {
                    true
                }
            }
            // A failed probe reopens; a late failure from before the circuit opened extends it.
            BreakerState::HalfOpen { .. } | BreakerState::Open { .. } => true,
        };
        let mut opened_now = false;
        if open {
            if !matches!(self.state, BreakerState::Open { .. }) {
                self.opened_count += 1;
                opened_now = true;
            }
            self.state = BreakerState::Open {
                until_ms: now_ms.saturating_add(self.config.open_ms),
            };
        }
        opened_now
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn breaker() -> Breaker {
        Breaker::new(BreakerConfig {
            failure_threshold: 2,
            open_ms: 100,
            probe_timeout_ms: 50,
        })
    }

    #[test]
    fn opens_after_consecutive_failures_and_closes_on_probe_success() {
        let mut b = breaker();
        assert_eq!(b.admit(0), Admission::Call);
        assert!(!b.on_failure(0));
        assert_eq!(b.admit(1), Admission::Call);
        b.on_success();
        b.on_failure(2);
        assert_eq!(b.admit(3), Admission::Call, "success reset the count");
        assert!(b.on_failure(3));
        assert_eq!(b.state(), BreakerState::Open { until_ms: 103 });
        assert_eq!(b.opened_count(), 1);
        assert_eq!(b.admit(50), Admission::Reject);
        assert_eq!(b.admit(103), Admission::Probe);
        assert_eq!(b.admit(104), Admission::Reject, "one probe at a time");
        b.on_success();
        assert_eq!(b.admit(105), Admission::Call);
    }

    #[test]
    fn failed_probe_reopens_and_a_lost_probe_is_replaced() {
        let mut b = breaker();
        b.on_failure(0);
        b.on_failure(0);
        assert_eq!(b.admit(100), Admission::Probe);
        b.on_failure(110);
        assert_eq!(b.state(), BreakerState::Open { until_ms: 210 });
        assert_eq!(b.opened_count(), 2);
        assert_eq!(b.admit(210), Admission::Probe);
        // The probe's caller vanished: after probe_timeout another probe may go.
        assert_eq!(b.admit(259), Admission::Reject);
        assert_eq!(b.admit(260), Admission::Probe);
    }

    #[test]
    fn zero_threshold_is_treated_as_one() {
        let mut b = Breaker::new(BreakerConfig {
            failure_threshold: 0,
            open_ms: 10,
            probe_timeout_ms: 10,
        });
        b.on_failure(5);
        assert_eq!(b.admit(6), Admission::Reject);
    }
}
