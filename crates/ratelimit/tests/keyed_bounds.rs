//! Per-key bounds hold through a tiny key table under heavy eviction, for all five algorithms:
//! the eviction rule never hands an evicted key extra allowance.

use proptest::prelude::*;
use ratelimit::*;
use std::collections::HashMap;

fn per_key_admissions(
    kind: AlgorithmKind,
    config: &LimitConfig,
    capacity: u64,
    steps: &[(u64, u64, u64)],
) -> (HashMap<u64, Vec<u64>>, KeyedLimiter) {
    let mut limiter = KeyedLimiter::new(kind, config, capacity, 17).unwrap();
    let mut now = 0;
    let mut admitted: HashMap<u64, Vec<u64>> = HashMap::new();
    for &(gap, key, repeat) in steps {
        now += gap;
        for _ in 0..repeat {
            if limiter.check(key, now, 1).allowed {
                admitted.entry(key).or_default().push(now);
            }
        }
    }
    (admitted, limiter)
}

fn max_in_half_open(times: &[u64], len_ns: u64) -> usize {
    (0..times.len())
        .map(|i| {
            times[i..]
                .iter()
                .take_while(|&&t| t < times[i] + len_ns)
                .count()
        })
        .max()
        .unwrap_or(0)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn per_key_bounds_survive_eviction(
        steps in prop::collection::vec((0u64..120_000_000, 0u64..40, 1u64..6), 1..400),
        capacity in prop::sample::select(vec![8u64, 16, 24]),
        rate in 1u64..20,
        burst in 1u64..6,
    ) {
        let c = LimitConfig { rate_per_s: rate, burst, window_ms: 1000 };
        for kind in [AlgorithmKind::TokenBucket, AlgorithmKind::Gcra] {
            let (admitted, _) = per_key_admissions(kind, &c, capacity, &steps);
            let t_ns = 1_000_000_000 / rate;
            for times in admitted.values() {
                for i in 0..times.len() {
                    for j in i..times.len() {
                        let len = times[j] - times[i];
                        let bound = if kind == AlgorithmKind::Gcra {
                            burst + len / t_ns
                        } else {
                            burst + len * rate / 1_000_000_000
                        };
                        prop_assert!((j - i + 1) as u64 <= bound, "{kind:?}");
                    }
                }
            }
        }
        let window_ns = 1_000_000_000;
        let (admitted, _) = per_key_admissions(AlgorithmKind::FixedWindow, &c, capacity, &steps);
        for times in admitted.values() {
            let mut per_window: HashMap<u64, u64> = HashMap::new();
            for &t in times {
                *per_window.entry(t / window_ns).or_default() += 1;
            }
            prop_assert!(per_window.values().all(|&n| n <= rate));
        }
        let (admitted, _) = per_key_admissions(AlgorithmKind::SlidingLog, &c, capacity, &steps);
        for times in admitted.values() {
            prop_assert!(max_in_half_open(times, window_ns) as u64 <= rate);
        }
        let (admitted, _) = per_key_admissions(AlgorithmKind::SlidingWindow, &c, capacity, &steps);
        for times in admitted.values() {
            // The counter's estimate from the real admissions never exceeds the limit.
            for (i, &t) in times.iter().enumerate() {
                let idx = t / window_ns;
                let offset = t % window_ns;
                let count = |k: u64| times[..=i].iter().filter(|&&s| s / window_ns == k).count() as u128;
                let prev = if idx == 0 { 0 } else { count(idx - 1) };
                let scaled = prev * u128::from(window_ns - offset) + count(idx) * u128::from(window_ns);
                prop_assert!(scaled <= u128::from(rate) * u128::from(window_ns));
            }
        }
    }
}
