//! A state's view agrees with the algorithm: what it says is available now is the `remaining`
//! of a cost-0 decision at the same time, for every algorithm, on random traffic; and a keyed
//! limiter's view of a key is its state's.

use proptest::prelude::*;
use ratelimit::{
    Algorithm, AlgorithmKind, FixedWindow, Gcra, Inspect, KeyedLimiter, LimitConfig, Limiter,
    SlidingLog, SlidingWindow, StateDetail, TokenBucket,
};

fn config(rate_per_s: u64, burst: u64) -> LimitConfig {
    LimitConfig {
        rate_per_s,
        burst,
        window_ms: 1000,
    }
}

/// Decides each of `gaps` (cost 1 or 2) and, after each, checks the view at a later time.
fn agrees<A>(algorithm: &A, gaps: &[(u64, u64, u64)])
where
    A: Algorithm + Inspect,
    A::State: Clone,
{
    let mut state = A::State::default();
    let mut now = 0u64;
    for &(gap, cost, look_ahead) in gaps {
        now += gap;
        algorithm.decide(&mut state, now, cost);
        let at = now + look_ahead;
        let expected = algorithm.decide(&mut state.clone(), at, 0).remaining;
        assert_eq!(algorithm.view(&state, at).available, expected, "at {at}");
    }
}

proptest! {
    #[test]
    fn available_is_what_a_cost_zero_decision_reports(
        rate in prop::sample::select(vec![1u64, 3, 10, 100, 1000]),
        burst in 1u64..40,
        gaps in prop::collection::vec((0u64..400_000_000, 1u64..3, 0u64..2_000_000_000), 1..120),
    ) {
        let c = config(rate, burst);
        agrees(&TokenBucket::new(&c).unwrap(), &gaps);
        agrees(&Gcra::new(&c).unwrap(), &gaps);
        agrees(&FixedWindow::new(&c).unwrap(), &gaps);
        agrees(&SlidingWindow::new(&c).unwrap(), &gaps);
        agrees(&SlidingLog::new(&c).unwrap(), &gaps);
    }
}

#[test]
fn a_keyed_limiter_shows_the_state_of_a_tracked_key_only() {
    let c = config(10, 5);
    for kind in AlgorithmKind::ALL {
        let mut limiter = KeyedLimiter::new(kind, &c, 64, 1).unwrap();
        assert_eq!(limiter.view(7, 0), None);
        for i in 0..3 {
            limiter.check(7, i * 1_000, 1);
        }
        let view = limiter.view(7, 3_000).unwrap();
        let expected = limiter.check(7, 3_000, 0).remaining;
        assert_eq!(view.available, expected, "{kind:?}");
        if let StateDetail::SlidingLog {
            count, recent_ns, ..
        } = &view.detail
        {
            assert_eq!((*count, recent_ns.as_slice()), (3, &[0, 1_000, 2_000][..]));
        }
        assert_eq!(limiter.view(8, 3_000), None);
    }
}
