//! Property tests of every bound in the spec, of token bucket ≡ GCRA, and of the exactness of
//! `remaining`, `retry_after_ns` and `reset_ns` for all five algorithms.

use proptest::prelude::*;
use ratelimit::*;

const DIVISORS_OF_1E9: [u64; 10] = [1, 2, 4, 5, 8, 10, 25, 100, 1_000, 1_000_000];

/// (gap_ns, cost) steps; gaps mix zero, sub-interval and long idle spans.
fn trace(max_len: usize, max_cost: u64) -> impl Strategy<Value = Vec<(u64, u64)>> {
    prop::collection::vec(
        (
            prop_oneof![
                3 => Just(0u64),
                4 => 0u64..2_000_000,
                4 => 0u64..600_000_000,
                1 => 0u64..5_000_000_000,
            ],
            prop_oneof![8 => Just(1u64), 2 => 0u64..=max_cost],
        ),
        1..max_len,
    )
}

/// Runs `trace` through one state; returns admitted (time, cost) and every decision.
fn run<A: Algorithm>(alg: &A, steps: &[(u64, u64)]) -> (Vec<(u64, u64)>, Vec<Decision>) {
    let mut state = A::State::default();
    let mut now = 0u64;
    let mut admitted = Vec::new();
    let mut decisions = Vec::new();
    for &(gap, cost) in steps {
        now += gap;
        let d = alg.decide(&mut state, now, cost);
        if d.allowed && cost > 0 {
            admitted.push((now, cost));
        }
        decisions.push(d);
    }
    (admitted, decisions)
}

/// Max admitted cost in any closed interval [t_i, t_i + L] vs. `bound(L)`.
fn check_interval_bound(admitted: &[(u64, u64)], bound: impl Fn(u64) -> u64) -> Result<(), String> {
    for i in 0..admitted.len() {
        let mut sum = 0;
        for &(t, c) in &admitted[i..] {
            sum += c;
            let len = t - admitted[i].0;
            if sum > bound(len) {
                return Err(format!(
                    "{sum} admitted within {len} ns, bound {}",
                    bound(len)
                ));
            }
        }
    }
    Ok(())
}

/// Max admitted cost in any half-open [s, s + W) (it suffices to start at admitted times).
fn max_in_window(admitted: &[(u64, u64)], window_ns: u64) -> u64 {
    let mut best = 0;
    for i in 0..admitted.len() {
        let sum: u64 = admitted[i..]
            .iter()
            .take_while(|(t, _)| *t < admitted[i].0 + window_ns)
            .map(|(_, c)| c)
            .sum();
        best = best.max(sum);
    }
    best
}

/// `remaining`, `retry_after_ns` and `reset_ns` mean what they say, checked on cloned states.
fn check_decision_fields<A: Algorithm>(
    alg: &A,
    steps: &[(u64, u64)],
    full_allowance: u64,
) -> Result<(), String>
where
    A::State: Clone,
{
    let mut state = A::State::default();
    let mut now = 0u64;
    for &(gap, cost) in steps {
        now += gap;
        let d = alg.decide(&mut state, now, cost);
        // Exactly `remaining` further cost-1 requests pass at the same instant.
        let mut probe = state.clone();
        for k in 0..d.remaining {
            if !alg.decide(&mut probe, now, 1).allowed {
                return Err(format!("remaining {} but request {k} denied", d.remaining));
            }
        }
        if alg.decide(&mut probe, now, 1).allowed {
            return Err(format!("remaining {} but one more allowed", d.remaining));
        }
        if d.allowed {
            if d.retry_after_ns != 0 {
                return Err("allowed with retry_after > 0".into());
            }
        } else if d.retry_after_ns != RETRY_NEVER_NS {
            let mut at = state.clone();
            if !alg.decide(&mut at, now + d.retry_after_ns, cost).allowed {
                return Err(format!("denied again at retry_after {}", d.retry_after_ns));
            }
            if d.retry_after_ns > 0 {
                let mut before = state.clone();
                if alg
                    .decide(&mut before, now + d.retry_after_ns - 1, cost)
                    .allowed
                {
                    return Err(format!("allowed before retry_after {}", d.retry_after_ns));
                }
            }
        }
        // At now + reset_ns the full allowance is back.
        let mut fresh = state.clone();
        let d2 = alg.decide(&mut fresh, now + d.reset_ns, 0);
        if d2.remaining != full_allowance {
            return Err(format!(
                "after reset_ns {} remaining is {}, not {full_allowance}",
                d.reset_ns, d2.remaining
            ));
        }
        if alg.full_at_ns(&state) > now + d.reset_ns {
            return Err("full_at_ns later than now + reset_ns".into());
        }
    }
    Ok(())
}

fn cfg(rate_per_s: u64, burst: u64, window_ms: u64) -> LimitConfig {
    LimitConfig {
        rate_per_s,
        burst,
        window_ms,
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn token_bucket_equals_gcra_when_rate_divides_1e9(
        rate_i in 0..DIVISORS_OF_1E9.len(),
        burst in 1u64..12,
        steps in trace(300, 14),
    ) {
        let c = cfg(DIVISORS_OF_1E9[rate_i], burst, 1000);
        let tb = TokenBucket::new(&c).unwrap();
        let g = Gcra::new(&c).unwrap();
        let (_, a) = run(&tb, &steps);
        let (_, b) = run(&g, &steps);
        prop_assert_eq!(a, b);
    }

    #[test]
    fn token_bucket_admits_at_most_burst_plus_rate_times_interval(
        rate in 1u64..2_000,
        burst in 1u64..12,
        steps in trace(250, 14),
    ) {
        let tb = TokenBucket::new(&cfg(rate, burst, 1000)).unwrap();
        let (admitted, _) = run(&tb, &steps);
        let bound = |len: u64| burst + (u128::from(len) * u128::from(rate) / 1_000_000_000) as u64;
        prop_assert_eq!(check_interval_bound(&admitted, bound), Ok(()));
    }

    #[test]
    fn token_bucket_with_huge_bursts_and_costs_matches_exact_arithmetic(
        rate in 1u64..1_000_000,
        burst in 9_000_000_000u64..=18_446_744_073,
        steps in prop::collection::vec((0u64..5_000_000_000_000, 0u64..=18_446_744_073), 1..60),
    ) {
        // The model keeps tokens in u128 nano-tokens: whatever u64 arithmetic the engine does
        // must agree with it exactly, admission and `remaining` alike.
        let tb = TokenBucket::new(&cfg(rate, burst, 1000)).unwrap();
        let cap = u128::from(burst) * 1_000_000_000;
        let (mut state, mut tokens, mut now) =
            (ratelimit::token_bucket::TokenBucketState::default(), cap, 0u64);
        for (gap, cost) in steps {
            now += gap;
            tokens = (tokens + u128::from(gap) * u128::from(rate)).min(cap);
            let need = u128::from(cost) * 1_000_000_000;
            let expect = need <= tokens;
            if expect {
                tokens -= need;
            }
            let d = tb.decide(&mut state, now, cost);
            prop_assert_eq!(d.allowed, expect);
            prop_assert_eq!(u128::from(d.remaining), tokens / 1_000_000_000);
        }
    }

    #[test]
    fn gcra_admits_at_most_burst_plus_interval_over_t(
        rate in 1u64..2_000,
        burst in 1u64..12,
        steps in trace(250, 14),
    ) {
        let g = Gcra::new(&cfg(rate, burst, 1000)).unwrap();
        let t = g.emission_interval_ns();
        let (admitted, _) = run(&g, &steps);
        // burst + floor(L / T); equal to the spec's burst + floor(L × rate / 1e9) when rate | 1e9.
        prop_assert_eq!(check_interval_bound(&admitted, |len| burst + len / t), Ok(()));
        if 1_000_000_000 % rate == 0 {
            let spec = |len: u64| burst + len * rate / 1_000_000_000;
            prop_assert_eq!(check_interval_bound(&admitted, spec), Ok(()));
        }
    }

    #[test]
    fn fixed_window_admits_at_most_limit_per_aligned_window_and_2x_sliding(
        rate in 1u64..8,
        window_s in 1u64..4,
        steps in trace(250, 10),
    ) {
        let fw = FixedWindow::new(&cfg(rate, 1, window_s * 1000)).unwrap();
        let limit = fw.limit();
        let window_ns = window_s * 1_000_000_000;
        let (admitted, _) = run(&fw, &steps);
        let mut per_window = std::collections::BTreeMap::new();
        for &(t, c) in &admitted {
            *per_window.entry(t / window_ns).or_insert(0u64) += c;
        }
        prop_assert!(per_window.values().all(|&n| n <= limit));
        prop_assert!(max_in_window(&admitted, window_ns) <= 2 * limit);
    }

    #[test]
    fn sliding_log_admits_at_most_limit_in_any_window(
        rate in 1u64..8,
        window_s in 1u64..4,
        steps in trace(250, 10),
    ) {
        let sl = SlidingLog::new(&cfg(rate, 1, window_s * 1000)).unwrap();
        let (admitted, _) = run(&sl, &steps);
        prop_assert!(max_in_window(&admitted, window_s * 1_000_000_000) <= sl.limit());
    }

    #[test]
    fn sliding_window_estimate_never_exceeds_limit(
        rate in 1u64..8,
        window_s in 1u64..4,
        steps in trace(250, 10),
    ) {
        let sw = SlidingWindow::new(&cfg(rate, 1, window_s * 1000)).unwrap();
        let w = u128::from(window_s * 1_000_000_000);
        let (admitted, _) = run(&sw, &steps);
        // Recompute the estimate from the admitted history alone after every admission.
        for (i, &(t, _)) in admitted.iter().enumerate() {
            let idx = u128::from(t) / w;
            let offset = u128::from(t) % w;
            let count = |k: u128| -> u128 {
                admitted[..=i].iter().filter(|(s, _)| u128::from(*s) / w == k).map(|(_, c)| u128::from(*c)).sum()
            };
            let prev = if idx == 0 { 0 } else { count(idx - 1) };
            let estimate_scaled = prev * (w - offset) + count(idx) * w;
            prop_assert!(estimate_scaled <= u128::from(sw.limit()) * w);
        }
        // Its real admission in a sliding window is at most 2 × limit.
        prop_assert!(max_in_window(&admitted, window_s * 1_000_000_000) <= 2 * sw.limit());
    }

    #[test]
    fn decision_fields_are_exact_for_every_algorithm(
        rate_i in 0..DIVISORS_OF_1E9.len() - 1,
        burst in 1u64..6,
        window_rate in 1u64..4,
        window_s in 1u64..3,
        steps in trace(80, 7),
    ) {
        let rate = DIVISORS_OF_1E9[rate_i];
        let c = cfg(rate, burst, 1000);
        prop_assert_eq!(check_decision_fields(&TokenBucket::new(&c).unwrap(), &steps, burst), Ok(()));
        prop_assert_eq!(check_decision_fields(&Gcra::new(&c).unwrap(), &steps, burst), Ok(()));
        let w = cfg(window_rate, 1, window_s * 1000);
        let limit = window_rate * window_s;
        prop_assert_eq!(check_decision_fields(&FixedWindow::new(&w).unwrap(), &steps, limit), Ok(()));
        prop_assert_eq!(check_decision_fields(&SlidingLog::new(&w).unwrap(), &steps, limit), Ok(()));
        prop_assert_eq!(check_decision_fields(&SlidingWindow::new(&w).unwrap(), &steps, limit), Ok(()));
    }

    #[test]
    fn token_bucket_decision_fields_exact_for_non_dividing_rates(
        rate in 1u64..5_000,
        burst in 1u64..6,
        steps in trace(80, 7),
    ) {
        let c = cfg(rate, burst, 1000);
        prop_assert_eq!(check_decision_fields(&TokenBucket::new(&c).unwrap(), &steps, burst), Ok(()));
        prop_assert_eq!(check_decision_fields(&Gcra::new(&c).unwrap(), &steps, burst), Ok(()));
    }
}
