//! Criterion: ns per decision for each algorithm, single key and 100 k keys, side by side with
//! governor's GCRA. Both sides read time from governor's `FakeRelativeClock`, advanced once per
//! decision, so both pay the same for time.

use criterion::{black_box, criterion_group, criterion_main, Criterion};
use deterministic::SplitMix64;
use governor::clock::{Clock, FakeRelativeClock};
use governor::{Quota, RateLimiter};
use ratelimit::{
    Algorithm, AlgorithmKind, Direct, FixedWindow, Gcra, KeyedLimiter, LimitConfig, Limiter,
    SlidingLog, SlidingWindow, TokenBucket,
};
use std::num::NonZeroU32;
use std::time::Duration;

const RATE_PER_S: u32 = 1_000;
const BURST: u32 = 50;
const MANY_KEYS: u64 = 100_000;
const MANY_KEYS_CAPACITY: u64 = 131_072;
const SINGLE_STEP: Duration = Duration::from_micros(700);
const MANY_STEP: Duration = Duration::from_micros(10);

fn config() -> LimitConfig {
    LimitConfig {
        rate_per_s: u64::from(RATE_PER_S),
        burst: u64::from(BURST),
        window_ms: 1000,
    }
}

fn quota() -> Quota {
    Quota::per_second(NonZeroU32::new(RATE_PER_S).unwrap())
        .allow_burst(NonZeroU32::new(BURST).unwrap())
}

fn bench_direct<A: Algorithm>(c: &mut Criterion, name: &str, algorithm: A) {
    let clock = FakeRelativeClock::default();
    let mut limiter = Direct::new(algorithm);
    // Opaque to the optimiser but read once, like governor's implicit cost of 1 (a `black_box`
    // per call would add a store and a reload to each of our decisions only).
    let cost = black_box(1);
    c.bench_function(&format!("single_key/{name}"), |b| {
        b.iter(|| {
            clock.advance(SINGLE_STEP);
            limiter.check(u64::from(clock.now()), cost).allowed
        })
    });
}

fn single_key(c: &mut Criterion) {
    let cfg = config();
    bench_direct(c, "token-bucket", TokenBucket::new(&cfg).unwrap());
    bench_direct(c, "gcra", Gcra::new(&cfg).unwrap());
    bench_direct(c, "fixed-window", FixedWindow::new(&cfg).unwrap());
    bench_direct(c, "sliding-log", SlidingLog::new(&cfg).unwrap());
    bench_direct(c, "sliding-window", SlidingWindow::new(&cfg).unwrap());
    let clock = FakeRelativeClock::default();
    let gov = RateLimiter::direct_with_clock(quota(), clock.clone());
    c.bench_function("single_key/governor-gcra", |b| {
        b.iter(|| {
            clock.advance(SINGLE_STEP);
            gov.check().is_ok()
        })
    });
}

fn many_keys(c: &mut Criterion) {
    let mut rng = SplitMix64::new(7);
    let keys: Vec<u64> = (0..1 << 20).map(|_| rng.below(MANY_KEYS)).collect();
    let mask = keys.len() - 1;
    for kind in AlgorithmKind::ALL {
        let clock = FakeRelativeClock::default();
        let mut limiter = KeyedLimiter::new(kind, &config(), MANY_KEYS_CAPACITY, 1).unwrap();
        let mut i = 0;
        c.bench_function(&format!("keys_100k/{}", kind.name()), |b| {
            b.iter(|| {
                clock.advance(MANY_STEP);
                i = (i + 1) & mask;
                limiter
                    .check(black_box(keys[i]), u64::from(clock.now()), 1)
                    .allowed
            })
        });
    }
    let clock = FakeRelativeClock::default();
    let gov = RateLimiter::hashmap_with_clock(quota(), clock.clone());
    let mut i = 0;
    c.bench_function("keys_100k/governor-gcra", |b| {
        b.iter(|| {
            clock.advance(MANY_STEP);
            i = (i + 1) & mask;
            gov.check_key(black_box(&keys[i])).is_ok()
        })
    });
}

criterion_group! {
    name = benches;
    config = Criterion::default()
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(2));
    targets = single_key, many_keys
}
criterion_main!(benches);
