// scratch: keyed 100k (or single key) for several algorithms, interleaved rounds, best of
use ratelimit::rng::SplitMix64;
use ratelimit::*;
use std::hint::black_box;
#[inline(never)]
fn run_keyed_clock(l: &mut KeyedLimiter, keys: &[u64], step: u64) -> u64 {
    use governor::clock::{Clock, FakeRelativeClock};
    let clock = FakeRelativeClock::default();
    let step = std::time::Duration::from_nanos(step);
    let mut a = 0;
    for &k in keys {
        clock.advance(step);
        let now = u64::from(clock.now());
        a += l.check(black_box(k), now, 1).allowed as u64;
    }
    a
}
#[inline(never)]
fn run_keyed(l: &mut KeyedLimiter, keys: &[u64], step: u64) -> u64 {
    let mut now = 0;
    let mut a = 0;
    for &k in keys {
        now += step;
        a += l.check(black_box(k), black_box(now), 1).allowed as u64;
    }
    a
}
fn main() {
    let args: Vec<String> = std::env::args().collect();
    let n: usize = args[1].parse().unwrap();
    let keys_n: u64 = args[2].parse().unwrap();
    let rounds: usize = args[3].parse().unwrap();
    let kinds: Vec<AlgorithmKind> = args[4..].iter().map(|s| s.parse().unwrap()).collect();
    let cfg = LimitConfig {
        rate_per_s: 1000,
        burst: 50,
        window_ms: 1000,
    };
    let mut rng = SplitMix64::new(7);
    let keys: Vec<u64> = (0..n).map(|_| rng.below(keys_n)).collect();
    let step = if keys_n == 1 { 700_000 } else { 10_000 };
    let cap = std::env::var("CAP")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(if keys_n == 1 { 8 } else { 131072 });
    let mut best = vec![f64::MAX; kinds.len()];
    for _ in 0..rounds {
        for (i, &kind) in kinds.iter().enumerate() {
            let mut l = KeyedLimiter::new(kind, &cfg, cap, 1).unwrap();
            let t = std::time::Instant::now();
            black_box(if std::env::var_os("CLOCK").is_some() {
                run_keyed_clock(&mut l, &keys, step)
            } else {
                run_keyed(&mut l, &keys, step)
            });
            best[i] = best[i].min(t.elapsed().as_nanos() as f64 / n as f64);
        }
    }
    for (i, k) in kinds.iter().enumerate() {
        println!("{:<15} {:.2}", k.name(), best[i]);
    }
}
