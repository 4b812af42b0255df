//! `Algorithm::decide_hot` (the path of the unkeyed `Direct` limiter) must decide exactly like
//! `Algorithm::decide` (the key table's path): the same decisions and the same states, on
//! random traces with skipped windows, time going backwards, varied costs and times near the
//! end of u64.

use deterministic::SplitMix64;
use ratelimit::*;
use std::fmt::Debug;

fn assert_paths_agree<A: Algorithm>(algorithm: &A, window_ns: u64, seed: u64)
where
    A::State: PartialEq + Debug,
{
    let mut rng = SplitMix64::new(seed);
    for start_ns in [0, u64::MAX - 4 * window_ns] {
        let (mut table, mut hot) = (A::State::default(), A::State::default());
        let mut now = start_ns;
        for step in 0..20_000 {
            match rng.below(16) {
                0 => now = now.saturating_add(window_ns * rng.range_inclusive(1, 3)),
                1 => now = now.saturating_sub(rng.below(window_ns)),
                2..=9 => now = now.saturating_add(rng.below(window_ns / 8 + 1)),
                _ => {}
            }
            let cost = if rng.below(8) == 0 { rng.below(12) } else { 1 };
            let want = algorithm.decide(&mut table, now, cost);
            let got = algorithm.decide_hot(&mut hot, now, cost);
            assert_eq!(
                (got, &hot),
                (want, &table),
                "step {step}, now {now}, cost {cost}"
            );
        }
    }
}

#[test]
fn hot_path_decides_like_the_table_path() {
    // Window limits 1, 2, 5, 10 and 1000; windows from 1 ms to 5 s.
    for (rate_per_s, window_ms) in [(1000, 1), (100, 20), (5, 1000), (1000, 1000), (2, 5_000)] {
        let c = LimitConfig {
            rate_per_s,
            burst: 3,
            window_ms,
        };
        let window_ns = window_ms * 1_000_000;
        let seed = rate_per_s ^ window_ms;
        assert_paths_agree(&TokenBucket::new(&c).unwrap(), window_ns, seed);
        assert_paths_agree(&Gcra::new(&c).unwrap(), window_ns, seed);
        assert_paths_agree(&FixedWindow::new(&c).unwrap(), window_ns, seed);
        assert_paths_agree(&SlidingLog::new(&c).unwrap(), window_ns, seed);
        assert_paths_agree(&SlidingWindow::new(&c).unwrap(), window_ns, seed);
    }
}
