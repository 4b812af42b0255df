//! One unit test per rule of the spec: config validation, each algorithm's decision rule,
//! `remaining`, `retry_after_ns`, `reset_ns`, and the documented rounding.

use ratelimit::config::SLIDING_LOG_MAX_LIMIT;
use ratelimit::*;

fn cfg(rate_per_s: u64, burst: u64, window_ms: u64) -> LimitConfig {
    LimitConfig {
        rate_per_s,
        burst,
        window_ms,
    }
}

#[test]
fn invalid_configs_are_rejected_with_typed_errors() {
    for kind in AlgorithmKind::ALL {
        let build = |c: LimitConfig| KeyedLimiter::new(kind, &c, 16, 1).map(|_| ());
        assert_eq!(build(cfg(0, 1, 1000)), Err(ConfigError::ZeroRate));
        assert_eq!(
            build(cfg(1_000_000_001, 1, 1000)),
            Err(ConfigError::RateTooHigh {
                rate_per_s: 1_000_000_001
            })
        );
        assert_eq!(build(cfg(10, 0, 1000)), Err(ConfigError::ZeroBurst));
        assert_eq!(build(cfg(10, 1, 0)), Err(ConfigError::ZeroWindow));
        assert_eq!(
            KeyedLimiter::new(kind, &cfg(10, 1, 1000), 0, 1).map(|_| ()),
            Err(ConfigError::ZeroCapacity {
                what: "key table capacity"
            })
        );
    }
    // Window algorithms need an integer limit.
    for kind in [
        AlgorithmKind::FixedWindow,
        AlgorithmKind::SlidingLog,
        AlgorithmKind::SlidingWindow,
    ] {
        assert_eq!(
            KeyedLimiter::new(kind, &cfg(3, 1, 100), 16, 1).map(|_| ()),
            Err(ConfigError::LimitNotInteger {
                rate_per_s: 3,
                window_ms: 100
            })
        );
        assert_eq!(
            KeyedLimiter::new(kind, &cfg(1, 1, 999), 16, 1).map(|_| ()),
            Err(ConfigError::LimitNotInteger {
                rate_per_s: 1,
                window_ms: 999
            })
        );
        assert!(matches!(
            KeyedLimiter::new(kind, &cfg(1_000_000_000, 1, u64::MAX / 2), 16, 1),
            Err(ConfigError::Overflow { .. })
        ));
    }
    // The token bucket stores burst × 1e9 nano-tokens; GCRA burst × T.
    assert!(matches!(
        TokenBucket::new(&cfg(1, u64::MAX / 1000, 1000)),
        Err(ConfigError::Overflow { .. })
    ));
    assert!(matches!(
        Gcra::new(&cfg(1, u64::MAX / 1000, 1000)),
        Err(ConfigError::Overflow { .. })
    ));
    assert_eq!(
        SlidingLog::new(&cfg(SLIDING_LOG_MAX_LIMIT + 1, 1, 1000)).map(|_| ()),
        Err(ConfigError::LogTooLarge {
            limit: SLIDING_LOG_MAX_LIMIT + 1,
            max_limit: SLIDING_LOG_MAX_LIMIT
        })
    );
    assert!(matches!(
        // limit 5e9 > u32::MAX: rejected (here limit × window already overflows u64 first).
        SlidingWindow::new(&cfg(1_000_000_000, 1, 5_000)),
        Err(ConfigError::TooLarge { .. } | ConfigError::Overflow { .. })
    ));
    assert!("leaky".parse::<AlgorithmKind>().is_err());
    for kind in AlgorithmKind::ALL {
        assert_eq!(kind.name().parse::<AlgorithmKind>(), Ok(kind));
    }
    // Every error renders as one line.
    let e = ConfigError::LimitNotInteger {
        rate_per_s: 3,
        window_ms: 100,
    };
    assert!(!e.to_string().contains('\n'));
}

#[test]
fn token_bucket_starts_full_and_refills_exactly() {
    let tb = TokenBucket::new(&cfg(10, 3, 1000)).unwrap();
    let mut s = Default::default();
    for expected_remaining in [2, 1, 0] {
        let d = tb.decide(&mut s, 0, 1);
        assert!(d.allowed);
        assert_eq!(d.remaining, expected_remaining);
        assert_eq!(d.retry_after_ns, 0);
    }
    let d = tb.decide(&mut s, 0, 1);
    assert!(!d.allowed);
    assert_eq!(d.retry_after_ns, 100_000_000); // one token per 100 ms
    assert_eq!(d.reset_ns, 300_000_000);
    assert!(!tb.decide(&mut s, 99_999_999, 1).allowed);
    let d = tb.decide(&mut s, 100_000_000, 1);
    assert!(d.allowed);
    assert_eq!(d.remaining, 0);
    // Cost above the burst can never pass.
    let d = tb.decide(&mut s, 10_000_000_000, 4);
    assert!(!d.allowed);
    assert_eq!(d.retry_after_ns, RETRY_NEVER_NS);
    assert_eq!(d.remaining, 3);
    // Cost 0 is a free query.
    let d = tb.decide(&mut s, 10_000_000_000, 0);
    assert!(d.allowed);
    assert_eq!(d.remaining, 3);
    assert_eq!(d.reset_ns, 0);
}

#[test]
fn token_bucket_rounds_nothing_for_rates_not_dividing_1e9() {
    // rate 3/s: one token per 333_333_333.33 ns; nano-token arithmetic is exact.
    let tb = TokenBucket::new(&cfg(3, 1, 1000)).unwrap();
    let mut s = Default::default();
    assert!(tb.decide(&mut s, 0, 1).allowed);
    let d = tb.decide(&mut s, 0, 1);
    assert_eq!(d.retry_after_ns, 333_333_334);
    assert!(!tb.decide(&mut s, 333_333_333, 1).allowed);
    assert!(tb.decide(&mut s, 333_333_334, 1).allowed);
    // With burst 3, three tokens take exactly one second to come back.
    let tb = TokenBucket::new(&cfg(3, 3, 1000)).unwrap();
    let mut s = Default::default();
    for _ in 0..3 {
        assert!(tb.decide(&mut s, 0, 1).allowed);
    }
    assert_eq!(tb.decide(&mut s, 999_999_999, 1).remaining, 1);
    assert!(tb.decide(&mut s, 999_999_999, 1).allowed);
    assert!(!tb.decide(&mut s, 999_999_999, 1).allowed);
    assert!(tb.decide(&mut s, 1_000_000_000, 1).allowed);
}

#[test]
fn gcra_denies_iff_t_before_tat_minus_tau() {
    // T = 100 ms, burst 3 => tau = 200 ms.
    let g = Gcra::new(&cfg(10, 3, 1000)).unwrap();
    assert_eq!(g.emission_interval_ns(), 100_000_000);
    let mut s = Default::default();
    // TAT: 0 -> 100 -> 200 -> 300 ms, all at t = 0 (t >= TAT - tau holds for TAT <= 200 ms).
    for _ in 0..3 {
        assert!(g.decide(&mut s, 0, 1).allowed);
    }
    // TAT = 300 ms: denied iff t < 100 ms.
    let d = g.decide(&mut s, 99_999_999, 1);
    assert!(!d.allowed);
    assert_eq!(d.retry_after_ns, 1);
    assert_eq!(d.reset_ns, 300_000_000 - 99_999_999);
    let d = g.decide(&mut s, 100_000_000, 1);
    assert!(d.allowed);
    assert_eq!(d.remaining, 0);
}

#[test]
fn gcra_rounds_emission_interval_down() {
    // rate 3: T = floor(1e9 / 3) = 333_333_333 ns, so 3 more requests fit in 999_999_999 ns.
    let g = Gcra::new(&cfg(3, 1, 1000)).unwrap();
    assert_eq!(g.emission_interval_ns(), 333_333_333);
    let mut s = Default::default();
    let admitted = [0u64, 333_333_333, 666_666_666, 999_999_999]
        .iter()
        .filter(|&&t| g.decide(&mut s, t, 1).allowed)
        .count();
    assert_eq!(admitted, 4);
    // rate 1e9: T = 1 ns.
    let g = Gcra::new(&cfg(1_000_000_000, 1, 1000)).unwrap();
    assert_eq!(g.emission_interval_ns(), 1);
}

#[test]
fn fixed_window_is_aligned_to_multiples_of_the_window() {
    // 10/s over 100 ms => limit 1 per window [k×100ms, (k+1)×100ms).
    let fw = FixedWindow::new(&cfg(10, 1, 100)).unwrap();
    assert_eq!(fw.limit(), 1);
    let mut s = Default::default();
    let d = fw.decide(&mut s, 50_000_000, 1);
    assert!(d.allowed);
    assert_eq!(d.reset_ns, 50_000_000);
    let d = fw.decide(&mut s, 99_999_999, 1);
    assert!(!d.allowed);
    assert_eq!(d.retry_after_ns, 1);
    assert!(fw.decide(&mut s, 100_000_000, 1).allowed);
}

#[test]
fn fixed_window_admits_twice_the_limit_in_a_sliding_window() {
    // limit 5 per 1 s: 5 at 0.999 s and 5 at 1.000 s — 10 within 1 ms.
    let fw = FixedWindow::new(&cfg(5, 1, 1000)).unwrap();
    let mut s = Default::default();
    let mut admitted = 0;
    for t in [999_000_000u64, 1_000_000_000] {
        for _ in 0..6 {
            admitted += u64::from(fw.decide(&mut s, t, 1).allowed);
        }
    }
    assert_eq!(admitted, 2 * fw.limit());
}

#[test]
fn sliding_log_is_exact() {
    // limit 2 per 1 s.
    let sl = SlidingLog::new(&cfg(2, 1, 1000)).unwrap();
    let mut s = Default::default();
    assert!(sl.decide(&mut s, 100, 1).allowed);
    assert!(sl.decide(&mut s, 600_000_000, 1).allowed);
    let d = sl.decide(&mut s, 700_000_000, 1);
    assert!(!d.allowed);
    assert_eq!(d.retry_after_ns, 1_000_000_100 - 700_000_000);
    assert!(!sl.decide(&mut s, 1_000_000_099, 1).allowed);
    let d = sl.decide(&mut s, 1_000_000_100, 1);
    assert!(d.allowed);
    assert_eq!(d.remaining, 0);
    assert_eq!(d.reset_ns, 1_000_000_000);
    // Cost 2 must wait for both entries to expire.
    let d = sl.decide(&mut s, 1_000_000_100, 2);
    assert_eq!(d.retry_after_ns, 1_000_000_000);
}

#[test]
fn sliding_window_weights_previous_window_by_overlap() {
    // Cloudflare's example scaled to a 1 s window: limit 50, 42 in the previous window, 18 so
    // far, a quarter of the way in: estimate 42 × 0.75 + 18 = 49.5, so one more (50.5) is denied.
    let sw = SlidingWindow::new(&cfg(50, 1, 1000)).unwrap();
    assert_eq!(sw.limit(), 50);
    let second = 1_000_000_000u64;
    let quarter = second + 250_000_000;
    let mut s = Default::default();
    for _ in 0..42 {
        assert!(sw.decide(&mut s, second - 1, 1).allowed);
    }
    for _ in 0..18 {
        assert!(sw.decide(&mut s, quarter, 1).allowed);
    }
    let d = sw.decide(&mut s, quarter, 1);
    assert!(!d.allowed);
    assert_eq!(d.remaining, 0);
    // Allowed once 42 × (1 - e) <= 31, i.e. e >= 11/42 s = 261_904_761.9 ns.
    assert_eq!(d.retry_after_ns, 261_904_762 - 250_000_000);
    assert!(!sw.decide(&mut s, second + 261_904_761, 1).allowed);
    assert!(sw.decide(&mut s, second + 261_904_762, 1).allowed);
}

#[test]
fn time_going_backwards_never_creates_allowance() {
    for kind in AlgorithmKind::ALL {
        let mut l = KeyedLimiter::new(kind, &cfg(10, 2, 200), 16, 7).unwrap();
        let late = 5_000_000_000;
        while l.check(1, late, 1).allowed {}
        assert!(!l.check(1, 0, 1).allowed, "{kind:?}");
        assert!(!l.check(1, late - 1, 1).allowed, "{kind:?}");
    }
}

#[test]
fn extreme_times_costs_and_configs_never_panic() {
    let configs = [
        cfg(1, 1, 1000),
        cfg(1_000_000_000, 1, 1),
        cfg(1_000_000_000, 18_000_000_000, 1),
        cfg(1, 1, u64::MAX / 1_000_000),
        cfg(7, 3, 1000),
    ];
    let times = [
        0,
        1,
        u64::MAX / 2,
        u64::MAX - 1_000_000_000,
        u64::MAX - 1,
        u64::MAX,
    ];
    // Costs near a large burst: two of them exceed u64 in nano-tokens (the token bucket once
    // summed deficit and cost there; debug builds panicked and release builds admitted).
    let costs = [
        0,
        1,
        2,
        1_000,
        9_300_000_000,
        10_000_000_000,
        17_999_999_999,
        18_000_000_000,
        u64::MAX,
    ];
    for c in configs {
        for kind in AlgorithmKind::ALL {
            let Ok(mut l) = KeyedLimiter::new(kind, &c, 8, 3) else {
                continue;
            };
            for (i, &t) in times.iter().enumerate() {
                for &cost in &costs {
                    for key in 0..12 {
                        let d = l.check(key, t, cost);
                        if d.allowed {
                            assert_eq!(d.retry_after_ns, 0);
                        }
                    }
                    // And backwards.
                    l.check(1, times[times.len() - 1 - i], cost);
                }
            }
        }
    }
}

#[test]
fn token_bucket_with_a_burst_past_u64_half_denies_what_does_not_fit() {
    // capacity 1.8e19 nano-tokens fits u64; deficit 1e19 plus another 1e19 does not.
    let tb = TokenBucket::new(&cfg(1, 18_000_000_000, 1000)).unwrap();
    let mut s = ratelimit::token_bucket::TokenBucketState::default();
    assert!(tb.decide(&mut s, 0, 10_000_000_000).allowed);
    let d = tb.decide(&mut s, 0, 10_000_000_000);
    assert!(
        !d.allowed,
        "a second 1e10 of an 1.8e10 burst fits only after refill"
    );
    assert_eq!(d.remaining, 8_000_000_000);
    // 2e9 tokens short at 1 token/s.
    assert_eq!(d.retry_after_ns, 2_000_000_000 * 1_000_000_000);
    assert!(tb.decide(&mut s, 0, 8_000_000_000).allowed);
    assert_eq!(tb.decide(&mut s, 0, 1).remaining, 0);
}
