//! Tests against real `redis-server` processes started on loopback ports (skipped, with a printed
//! reason, only when `redis-server` is not installed): parity with the in-memory engine on pinned
//! traces, atomicity under concurrent clients, NOSCRIPT reload, typed errors for wrong types and
//! corrupt state, per-call timeouts, and a shard killed and restarted mid-run under each policy.

use crate::error::LimitError;
use crate::limiter::{DecisionSource, RedisLimiter, RedisLimiterConfig};
use crate::load::{run_load, LoadConfig};
use crate::server::{RedisServer, ServerError};
use deterministic::SplitMix64;
use ratelimit::cluster::DegradationPolicy;
use ratelimit::config::{AlgorithmKind, LimitConfig};
use ratelimit::{Direct, Gcra, SlidingWindow};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

fn start_servers(n: usize) -> Option<Vec<RedisServer>> {
    let mut servers = Vec::with_capacity(n);
    for _ in 0..n {
        match RedisServer::start() {
            Ok(s) => servers.push(s),
            Err(ServerError::NotInstalled) => {
                eprintln!("SKIPPED: redis-server is not installed; Redis tests did not run");
                return None;
            }
            Err(e) => panic!("{e}"),
        }
    }
    Some(servers)
}

fn urls(servers: &[RedisServer]) -> Vec<String> {
    servers.iter().map(RedisServer::url).collect()
}

fn limit(rate_per_s: u64, burst: u64, window_ms: u64) -> LimitConfig {
    LimitConfig {
        rate_per_s,
        burst,
        window_ms,
    }
}

async fn raw(server: &RedisServer) -> redis::aio::MultiplexedConnection {
    redis::Client::open(server.url())
        .unwrap()
        .get_multiplexed_async_connection()
        .await
        .unwrap()
}

/// 2023-11-14 in ns: absolute times far beyond the 2^53 exact range of a double.
const BASE_NS: u64 = 1_700_000_000_000_000_000;

/// Asks Redis, with the time pinned to `now_ns`, for key `k{key}` and checks that it answered
/// itself (no degradation) with the in-memory model's decision `want`.
async fn agree(
    limiter: &RedisLimiter,
    key: usize,
    cost: u64,
    now_ns: u64,
    want: ratelimit::Decision,
    what: &str,
) {
    let got = limiter
        .check_pinned(&format!("k{key}"), cost, now_ns)
        .await
        .unwrap();
    assert_eq!(got.source, DecisionSource::Redis, "{what}");
    assert_eq!(got.decision, want, "{what}");
}

#[tokio::test]
async fn gcra_matches_in_memory_gcra_on_a_pinned_trace() {
    let Some(servers) = start_servers(1) else {
        return;
    };
    for (i, l) in [
        limit(10, 5, 1000),
        limit(3, 4, 1000),
        limit(1000, 8, 1000),
        limit(7, 1, 1000),
    ]
    .into_iter()
    .enumerate()
    {
        let mut cfg = RedisLimiterConfig::new(AlgorithmKind::Gcra, l, urls(&servers));
        cfg.key_prefix = format!("gcra{i}:");
        let limiter = RedisLimiter::new(cfg).unwrap();
        let gcra = Gcra::new(&l).unwrap();
        let t = gcra.emission_interval_ns();
        let mut memory: Vec<Direct<Gcra>> = (0..3).map(|_| Direct::new(gcra)).collect();
        let mut rng = SplitMix64::new(i as u64 + 11);
        let mut now_ns = BASE_NS + rng.below(1_000_000_000);
        let (mut allowed, mut denied) = (0, 0);
        for step in 0..400 {
            let k = rng.below(2) as usize;
            now_ns += match rng.below(50) {
                0 => rng.below(t * (l.burst + 2)),
                1..=30 => 0,
                _ => rng.below(t / 2),
            };
            let cost = if rng.below(8) == 0 {
                rng.below(l.burst + 2)
            } else {
                1
            };
            let want = memory[k].check(now_ns, cost);
            let what = format!("config {l:?} step {step} cost {cost}");
            agree(&limiter, k, cost, now_ns, want, &what).await;
            if want.allowed {
                allowed += 1;
            } else {
                denied += 1;
            }
        }
        assert!(allowed > 20 && denied > 20, "{allowed} / {denied}");
    }
}

#[tokio::test]
async fn sliding_window_matches_in_memory_on_a_pinned_trace() {
    let Some(servers) = start_servers(1) else {
        return;
    };
    for (i, l) in [limit(10, 1, 1000), limit(4, 1, 1500), limit(100, 1, 100)]
        .into_iter()
        .enumerate()
    {
        let mut cfg = RedisLimiterConfig::new(AlgorithmKind::SlidingWindow, l, urls(&servers));
        cfg.key_prefix = format!("sw{i}:");
        let limiter = RedisLimiter::new(cfg).unwrap();
        let sw = SlidingWindow::new(&l).unwrap();
        let window_us = l.window_ms * 1000;
        let mut memory: Vec<Direct<SlidingWindow>> = (0..3).map(|_| Direct::new(sw)).collect();
        let mut rng = SplitMix64::new(i as u64 + 21);
        // Redis time has microsecond resolution: the trace does too.
        let mut now_us = BASE_NS / 1000 + rng.below(1_000_000);
        let (mut allowed, mut denied) = (0, 0);
        for step in 0..400 {
            let k = rng.below(2) as usize;
            now_us += match rng.below(50) {
                0 => rng.below(2 * window_us),
                1..=30 => 0,
                _ => rng.below(window_us / sw.limit() / 2),
            };
            let cost = if rng.below(8) == 0 {
                rng.below(sw.limit() + 2)
            } else {
                1
            };
            let now_ns = now_us * 1000;
            let want = memory[k].check(now_ns, cost);
            let what = format!("config {l:?} step {step} cost {cost}");
            agree(&limiter, k, cost, now_ns, want, &what).await;
            if want.allowed {
                allowed += 1;
            } else {
                denied += 1;
            }
        }
        assert!(allowed > 20 && denied > 20, "{allowed} / {denied}");
    }
}

#[tokio::test]
async fn server_time_decides_and_keys_expire() {
    let Some(servers) = start_servers(1) else {
        return;
    };
    let limiter = RedisLimiter::new(RedisLimiterConfig::new(
        AlgorithmKind::Gcra,
        limit(1, 5, 1000),
        urls(&servers),
    ))
    .unwrap();
    for i in 0..5 {
        let o = limiter.check("user:1", 1).await.unwrap();
        assert!(o.decision.allowed, "request {i}");
    }
    let o = limiter.check("user:1", 1).await.unwrap();
    assert!(!o.decision.allowed);
    // Five requests took well under a second of server time, so the wait is nearly one T.
    assert!(
        (500_000_000..=1_000_000_000).contains(&o.decision.retry_after_ns),
        "{o:?}"
    );
    let mut conn = raw(&servers[0]).await;
    let ttl_ms: i64 = redis::cmd("PTTL")
        .arg(limiter.redis_key("user:1"))
        .query_async(&mut conn)
        .await
        .unwrap();
    assert!((4_000..=5_001).contains(&ttl_ms), "ttl {ttl_ms}");
    let sw = RedisLimiter::new(RedisLimiterConfig::new(
        AlgorithmKind::SlidingWindow,
        limit(3, 1, 1000),
        urls(&servers),
    ))
    .unwrap();
    let allowed = {
        let mut n = 0;
        for _ in 0..6 {
            n += u32::from(sw.check("user:2", 1).await.unwrap().decision.allowed);
        }
        n
    };
    assert!((3..=4).contains(&allowed), "{allowed}");
    let ttl_ms: i64 = redis::cmd("PTTL")
        .arg(sw.redis_key("user:2"))
        .query_async(&mut conn)
        .await
        .unwrap();
    assert!((1_000..=2_001).contains(&ttl_ms), "ttl {ttl_ms}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_clients_on_one_key_never_exceed_the_limit() {
    let Some(servers) = start_servers(1) else {
        return;
    };
    for (algorithm, l) in [
        (AlgorithmKind::Gcra, limit(2, 10, 1000)),
        (AlgorithmKind::SlidingWindow, limit(10, 1, 1000)),
    ] {
        // Separate limiters = separate connections, as separate app servers would have.
        let limiters: Vec<Arc<RedisLimiter>> = (0..8)
            .map(|_| {
                Arc::new(
                    RedisLimiter::new(RedisLimiterConfig::new(algorithm, l, urls(&servers)))
                        .unwrap(),
                )
            })
            .collect();
        let (admitted, elapsed) = admitted_on_one_key(&limiters, 40).await;
        let elapsed_ns = elapsed.as_nanos() as u64;
        let bound = match algorithm {
            AlgorithmKind::Gcra => 10 + elapsed_ns / 500_000_000,
            // Each aligned window the run touches admits at most the limit.
            _ => 10 * (elapsed_ns / 1_000_000_000 + 2),
        };
        assert!(admitted >= 10, "{algorithm:?}: {admitted}");
        assert!(admitted <= bound, "{algorithm:?}: {admitted} > {bound}");
    }
}

/// Each limiter (its own connections, as a separate app server's) checks key `shared` `checks`
/// times concurrently with the others; every decision must come from Redis. Returns how many
/// were admitted and how long it all took.
pub(crate) async fn admitted_on_one_key(
    limiters: &[Arc<RedisLimiter>],
    checks: u32,
) -> (u64, Duration) {
    let admitted = Arc::new(AtomicU64::new(0));
    let started = Instant::now();
    let tasks: Vec<_> = limiters
        .iter()
        .map(|lim| {
            let (lim, admitted) = (Arc::clone(lim), Arc::clone(&admitted));
            tokio::spawn(async move {
                for _ in 0..checks {
                    let o = lim.check("shared", 1).await.unwrap();
                    assert_eq!(o.source, DecisionSource::Redis);
                    admitted.fetch_add(u64::from(o.decision.allowed), Ordering::Relaxed);
                }
            })
        })
        .collect();
    for t in tasks {
        t.await.unwrap();
    }
    (admitted.load(Ordering::Relaxed), started.elapsed())
}

#[tokio::test]
async fn noscript_reloads_the_script() {
    let Some(servers) = start_servers(1) else {
        return;
    };
    let limiter = RedisLimiter::new(RedisLimiterConfig::new(
        AlgorithmKind::Gcra,
        limit(10, 10, 1000),
        urls(&servers),
    ))
    .unwrap();
    assert!(limiter.check("a", 1).await.unwrap().decision.allowed);
    assert!(limiter.check("a", 1).await.unwrap().decision.allowed);
    assert_eq!(
        limiter.metrics().totals().script_reloads,
        1,
        "first use loads"
    );
    let mut conn = raw(&servers[0]).await;
    let _: () = redis::cmd("SCRIPT")
        .arg("FLUSH")
        .query_async(&mut conn)
        .await
        .unwrap();
    let o = limiter.check("a", 1).await.unwrap();
    assert_eq!(o.source, DecisionSource::Redis);
    assert_eq!(o.decision.remaining, 7);
    assert_eq!(limiter.metrics().totals().script_reloads, 2);
}

#[tokio::test]
async fn wrong_type_and_corrupt_state_are_typed_errors() {
    let Some(servers) = start_servers(1) else {
        return;
    };
    let mut conn = raw(&servers[0]).await;
    for algorithm in [AlgorithmKind::Gcra, AlgorithmKind::SlidingWindow] {
        let limiter = RedisLimiter::new(RedisLimiterConfig::new(
            algorithm,
            limit(10, 10, 1000),
            urls(&servers),
        ))
        .unwrap();
        let _: () = redis::cmd("SET")
            .arg(limiter.redis_key("str"))
            .arg("garbage")
            .query_async(&mut conn)
            .await
            .unwrap();
        let _: i64 = redis::cmd("RPUSH")
            .arg(limiter.redis_key("list"))
            .arg("x")
            .query_async(&mut conn)
            .await
            .unwrap();
        let fields: &[&str] = match algorithm {
            AlgorithmKind::Gcra => &["s", "soon", "n", "1"],
            _ => &["w", "1", "c", "-3", "p", "0"],
        };
        let _: i64 = redis::cmd("HSET")
            .arg(limiter.redis_key("hash"))
            .arg(fields)
            .query_async(&mut conn)
            .await
            .unwrap();
        for key in ["str", "list"] {
            match limiter.check(key, 1).await {
                Err(LimitError::WrongType { shard: 0, key: k }) => assert_eq!(k, key),
                other => panic!("{algorithm:?} {key}: {other:?}"),
            }
        }
        match limiter.check("hash", 1).await {
            Err(e @ LimitError::CorruptState { .. }) => assert!(e.to_string().contains("hash")),
            other => panic!("{algorithm:?}: {other:?}"),
        }
        // The shard is healthy: other keys are decided by Redis, nothing was degraded.
        assert_eq!(
            limiter.check("fine", 1).await.unwrap().source,
            DecisionSource::Redis
        );
        let t = limiter.metrics().totals();
        assert_eq!((t.typed_errors, t.degraded, t.unavailable), (3, 0, 0));
        let long = "x".repeat(crate::limiter::MAX_KEY_BYTES + 1);
        assert!(matches!(
            limiter.check(&long, 1).await,
            Err(LimitError::KeyTooLong { .. })
        ));
    }
}

#[tokio::test]
async fn a_paused_shard_times_out_and_degrades_then_recovers() {
    let Some(servers) = start_servers(1) else {
        return;
    };
    let mut cfg =
        RedisLimiterConfig::new(AlgorithmKind::Gcra, limit(100, 100, 1000), urls(&servers));
    cfg.call_timeout_ms = 100;
    cfg.breaker.open_ms = 50;
    let limiter = RedisLimiter::new(cfg).unwrap();
    assert_eq!(
        limiter.check("p", 1).await.unwrap().source,
        DecisionSource::Redis
    );
    let mut conn = raw(&servers[0]).await;
    let _: () = redis::cmd("CLIENT")
        .arg("PAUSE")
        .arg(700)
        .arg("ALL")
        .query_async(&mut conn)
        .await
        .unwrap();
    let t0 = Instant::now();
    let o = limiter.check("p", 1).await.unwrap();
    assert_eq!(o.source, DecisionSource::FailClosed);
    assert!(!o.decision.allowed);
    // The per-call timeout (100 ms) cut the wait short of the 700 ms pause.
    assert!(
        t0.elapsed() < Duration::from_millis(600),
        "{:?}",
        t0.elapsed()
    );
    assert_eq!(limiter.metrics().totals().unavailable, 1);
    tokio::time::sleep(Duration::from_millis(800)).await;
    let mut recovered = false;
    for _ in 0..50 {
        if limiter.check("p", 1).await.unwrap().source == DecisionSource::Redis {
            recovered = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert!(recovered);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn killing_a_shard_mid_run_honours_each_policy_and_it_returns_after_restart() {
    let Some(mut servers) = start_servers(3) else {
        return;
    };
    let policies = [
        DegradationPolicy::FailOpen,
        DegradationPolicy::FailClosed,
        DegradationPolicy::LocalFallback {
            share_permille: 500,
        },
    ];
    for (round, policy) in policies.into_iter().enumerate() {
        let mut cfg =
            RedisLimiterConfig::new(AlgorithmKind::Gcra, limit(10, 10, 1000), urls(&servers));
        cfg.policy = policy;
        cfg.call_timeout_ms = 1_000;
        cfg.breaker.open_ms = 100;
        cfg.key_prefix = format!("kill{round}:");
        let limiter = Arc::new(RedisLimiter::new(cfg).unwrap());
        let keys: Vec<String> = (0..60).map(|i| format!("user{i}")).collect();
        let on = |shard: u32| -> Vec<&String> {
            keys.iter()
                .filter(|k| limiter.shard_for(k) == Some(shard))
                .collect()
        };
        let (victims, others) = (on(1), [on(0), on(2)].concat());
        assert!(!victims.is_empty() && !others.is_empty());
        for k in &keys {
            assert_eq!(
                limiter.check(k, 1).await.unwrap().source,
                DecisionSource::Redis
            );
        }
        // Background traffic on every shard keeps running across the kill and the restart.
        let stop = Arc::new(AtomicBool::new(false));
        let background = {
            let (limiter, stop) = (Arc::clone(&limiter), Arc::clone(&stop));
            tokio::spawn(async move {
                let (mut decisions, mut errors) = (0u64, 0u64);
                let mut i = 0u64;
                while !stop.load(Ordering::Relaxed) && decisions + errors < 100_000 {
                    match limiter.check(&format!("bg{}", i % 30), 1).await {
                        Ok(_) => decisions += 1,
                        Err(_) => errors += 1,
                    }
                    i += 1;
                    tokio::task::yield_now().await;
                }
                (decisions, errors)
            })
        };
        tokio::time::sleep(Duration::from_millis(30)).await;
        servers[1].kill();
        let degraded_source = match policy {
            DegradationPolicy::FailOpen => DecisionSource::FailOpen,
            DegradationPolicy::FailClosed => DecisionSource::FailClosed,
            DegradationPolicy::LocalFallback { .. } => DecisionSource::LocalFallback,
        };
        for k in &victims {
            let o = limiter.check(k, 1).await.unwrap();
            assert_eq!(o.source, degraded_source, "{policy:?} {k}");
            assert_eq!(o.shard, 1);
            match policy {
                DegradationPolicy::FailOpen => assert!(o.decision.allowed),
                DegradationPolicy::FailClosed => assert!(!o.decision.allowed),
                DegradationPolicy::LocalFallback { .. } => {}
            }
        }
        for k in &others {
            let o = limiter.check(k, 1).await.unwrap();
            assert_eq!(o.source, DecisionSource::Redis, "{policy:?} {k}");
            assert!(o.decision.allowed, "second request within the burst");
        }
        if let DegradationPolicy::LocalFallback { .. } = policy {
            // Half the limit locally: burst 5 at 5/s.
            let t0 = Instant::now();
            let mut allowed = 0;
            for _ in 0..30 {
                allowed += u64::from(limiter.check(victims[0], 1).await.unwrap().decision.allowed);
            }
            let bound = 5 + t0.elapsed().as_nanos() as u64 / 200_000_000 + 1;
            assert!(allowed >= 1 && allowed <= bound, "{allowed} > {bound}");
        }
        let m = limiter.metrics();
        assert!(m.degraded(1) >= victims.len() as u64);
        assert_eq!(
            m.degraded(0) + m.degraded(2),
            0,
            "healthy shards never degrade"
        );
        assert!(limiter.circuit_opened_count(1) >= 1);
        let text = m.render();
        let sample = |name: &str| -> Option<u64> {
            let prefix = format!("{name}{{shard=\"1\"}} ");
            text.lines()
                .find_map(|l| l.strip_prefix(prefix.as_str()))
                .and_then(|v| v.parse().ok())
        };
        // Background traffic keeps counting: what was rendered is at most what is counted later.
        let (opens, degraded) = (
            sample("ratelimit_redis_circuit_opens_total").unwrap_or(0),
            sample("ratelimit_redis_degraded_decisions_total").unwrap_or(0),
        );
        assert!(
            opens >= 1 && opens <= limiter.circuit_opened_count(1),
            "{opens}"
        );
        assert!(degraded >= victims.len() as u64 && degraded <= m.degraded(1));

        servers[1].restart().unwrap();
        let deadline = Instant::now() + Duration::from_secs(5);
        let mut back = false;
        while Instant::now() < deadline {
            if limiter.check(victims[0], 1).await.unwrap().source == DecisionSource::Redis {
                back = true;
                break;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        assert!(back, "{policy:?}: shard 1 not used again after restart");
        for k in &victims {
            assert_eq!(
                limiter.check(k, 1).await.unwrap().source,
                DecisionSource::Redis
            );
        }
        stop.store(true, Ordering::Relaxed);
        let (decisions, errors) = background.await.unwrap();
        assert!(decisions > 0);
        assert_eq!(errors, 0);
    }
}

#[tokio::test]
async fn unreachable_shards_and_bad_configs_never_panic() {
    // A port nobody listens on: connection refused, fast.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let url = format!("redis://127.0.0.1:{port}");
    let mut cfg =
        RedisLimiterConfig::new(AlgorithmKind::Gcra, limit(10, 2, 1000), vec![url.clone()]);
    cfg.policy = DegradationPolicy::FailOpen;
    let limiter = RedisLimiter::new(cfg.clone()).unwrap();
    for _ in 0..10 {
        let o = limiter.check("k", 1).await.unwrap();
        assert_eq!(o.source, DecisionSource::FailOpen);
    }
    assert_eq!(limiter.metrics().totals().degraded, 10);
    assert!(limiter.circuit_opened_count(0) >= 1);
    // After the threshold the circuit is open: fewer calls than decisions reached the network.
    assert!(limiter.metrics().totals().unavailable < 10);

    let mut bad = cfg.clone();
    bad.shard_urls.clear();
    assert!(matches!(
        RedisLimiter::new(bad),
        Err(LimitError::ShardCount { .. })
    ));
    let mut bad = cfg.clone();
    bad.shard_urls = vec!["not a url".into()];
    assert!(matches!(
        RedisLimiter::new(bad),
        Err(LimitError::InvalidUrl { .. })
    ));
    let mut bad = cfg.clone();
    bad.algorithm = AlgorithmKind::SlidingLog;
    assert!(matches!(
        RedisLimiter::new(bad),
        Err(LimitError::UnsupportedAlgorithm(_))
    ));
    let mut bad = cfg.clone();
    bad.policy = DegradationPolicy::LocalFallback { share_permille: 0 };
    assert!(matches!(RedisLimiter::new(bad), Err(LimitError::Config(_))));
    let mut bad = cfg;
    bad.vnodes_per_shard = 0;
    assert!(matches!(RedisLimiter::new(bad), Err(LimitError::Config(_))));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn load_run_stays_within_the_exact_limit() {
    let Some(servers) = start_servers(2) else {
        return;
    };
    let limiter = Arc::new(
        RedisLimiter::new(RedisLimiterConfig::new(
            AlgorithmKind::Gcra,
            limit(50, 10, 1000),
            urls(&servers),
        ))
        .unwrap(),
    );
    let report = run_load(
        Arc::clone(&limiter),
        &LoadConfig {
            clients: 4,
            keys: 4,
            duration_ms: 300,
            seed: 1,
            run_tag: "test".into(),
        },
    )
    .await;
    assert!(report.decisions > 50, "{report:?}");
    assert_eq!(
        (report.errors, report.degraded, report.keys_over_limit),
        (0, 0, 0)
    );
    assert!(report.allowed <= report.exact_limit);
    assert!(
        report.denied > 0,
        "4 clients outpace 50/s on 4 keys: {report:?}"
    );
    assert_eq!(limiter.metrics().totals().decisions, report.decisions);
    assert!(report.json().starts_with("{\"clients\":4,"));
}

/// A limiter whose breaker never opens in these tests (they are about connects, not circuits).
fn no_breaker(mut cfg: RedisLimiterConfig) -> RedisLimiter {
    cfg.breaker.failure_threshold = 1_000_000;
    RedisLimiter::new(cfg).unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn callers_of_a_shard_that_never_accepts_each_wait_one_connect_timeout_at_most() {
    // A listener that never accepts, its accept queue filled: further SYNs are dropped, so a
    // connect to it hangs the way one to a shard behind a black-holing firewall does.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    let mut queued = Vec::new();
    while let Ok(s) = std::net::TcpStream::connect_timeout(&addr, Duration::from_millis(100)) {
        queued.push(s);
        assert!(queued.len() < 100_000, "the accept queue never filled");
    }
    let mut cfg = RedisLimiterConfig::new(
        AlgorithmKind::Gcra,
        limit(10, 2, 1000),
        vec![format!("redis://{addr}")],
    );
    cfg.connect_timeout_ms = 200;
    cfg.call_timeout_ms = 100;
    let limiter = Arc::new(no_breaker(cfg));
    let t0 = Instant::now();
    let callers: Vec<_> = (0..8)
        .map(|i| {
            let limiter = limiter.clone();
            tokio::spawn(async move {
                let o = limiter.check(&format!("k{i}"), 1).await.unwrap();
                (o.source, t0.elapsed())
            })
        })
        .collect();
    for c in callers {
        let (source, waited) = c.await.unwrap();
        assert_eq!(source, DecisionSource::FailClosed);
        // Before: callers queued behind one connect at a time, the k-th for ~k x 200 ms.
        assert!(waited < Duration::from_millis(600), "waited {waited:?}");
    }
    drop(queued);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_connection_that_stops_answering_is_dropped_and_replaced() {
    use std::sync::atomic::AtomicUsize;
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let Some(servers) = start_servers(1) else {
        return;
    };
    // A proxy in front of the server. Connections numbered below `silenced` stay open but stop
    // forwarding requests: half-open, as after a peer vanished without a FIN.
    let proxy = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let proxy_addr = proxy.local_addr().unwrap();
    let upstream = format!("127.0.0.1:{}", servers[0].port());
    let silenced = Arc::new(AtomicUsize::new(0));
    let accepted = Arc::new(AtomicUsize::new(0));
    {
        let (silenced, accepted) = (silenced.clone(), accepted.clone());
        tokio::spawn(async move {
            while let Ok((client, _)) = proxy.accept().await {
                let id = accepted.fetch_add(1, Ordering::SeqCst);
                let up = tokio::net::TcpStream::connect(&upstream).await.unwrap();
                let (mut cr, mut cw) = client.into_split();
                let (mut ur, mut uw) = up.into_split();
                tokio::spawn(async move { tokio::io::copy(&mut ur, &mut cw).await });
                let silenced = silenced.clone();
                tokio::spawn(async move {
                    let mut buf = [0u8; 4096];
                    while let Ok(n @ 1..) = cr.read(&mut buf).await {
                        if id >= silenced.load(Ordering::SeqCst) {
                            let _ = uw.write_all(&buf[..n]).await;
                        }
                    }
                });
            }
        });
    }
    let mut cfg = RedisLimiterConfig::new(
        AlgorithmKind::Gcra,
        limit(100, 100, 1000),
        vec![format!("redis://{proxy_addr}")],
    );
    cfg.call_timeout_ms = 100;
    let limiter = no_breaker(cfg);
    assert_eq!(
        limiter.check("h", 1).await.unwrap().source,
        DecisionSource::Redis
    );
    silenced.store(accepted.load(Ordering::SeqCst), Ordering::SeqCst);
    assert_eq!(
        limiter.check("h", 1).await.unwrap().source,
        DecisionSource::FailClosed,
        "the silent connection times out"
    );
    // Before: the timed-out connection stayed cached and every later call timed out on it too.
    let mut sources = Vec::new();
    for _ in 0..5 {
        sources.push(limiter.check("h", 1).await.unwrap().source);
    }
    assert_eq!(sources[0], DecisionSource::Redis, "{sources:?}");
    assert!(accepted.load(Ordering::SeqCst) >= 2);
}

#[tokio::test]
async fn a_sliding_window_dated_beyond_the_clock_skew_bound_starts_afresh() {
    use crate::scripts::CLOCK_SKEW_BOUND_US;
    let Some(servers) = start_servers(1) else {
        return;
    };
    let l = limit(10, 1, 1000);
    let mut cfg = RedisLimiterConfig::new(AlgorithmKind::SlidingWindow, l, urls(&servers));
    cfg.key_prefix = "future:".into();
    let limiter = RedisLimiter::new(cfg).unwrap();
    let now = BASE_NS;
    let fill = |key: &'static str, at: u64| {
        let limiter = &limiter;
        async move {
            for _ in 0..10 {
                let o = limiter.check_pinned(key, 1, at).await.unwrap();
                assert!(o.decision.allowed);
            }
            assert!(
                !limiter
                    .check_pinned(key, 1, at)
                    .await
                    .unwrap()
                    .decision
                    .allowed
            );
        }
    };
    // Written ten years ahead of the clock now deciding (corrupt, or a clock that jumped).
    let decade_ns = 10 * 365 * 24 * 3600 * 1_000_000_000;
    fill("ahead", now + decade_ns).await;
    let o = limiter.check_pinned("ahead", 1, now).await.unwrap();
    assert_eq!(o.source, DecisionSource::Redis);
    // Before: denied, "retry in one window", and denied again then for ten years.
    assert!(o.decision.allowed, "{o:?}");
    assert_eq!(o.decision.remaining, 9);
    // Within the bound (a clock stepped back by half of it) the state is believed.
    fill("skewed", now + CLOCK_SKEW_BOUND_US * 1000 / 2).await;
    let o = limiter.check_pinned("skewed", 1, now).await.unwrap();
    assert!(!o.decision.allowed, "{o:?}");
}
