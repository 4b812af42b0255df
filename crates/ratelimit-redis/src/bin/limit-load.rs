//! `limit-load`: K concurrent clients × M keys against a Redis limiter cluster for a bounded time;
//! prints decisions/s, p50/p99 latency and admitted vs the exact limit, with a JSON line last.
//! Starts its own loopback `redis-server`s unless `--redis URL` (repeatable) names servers; with
//! `--cluster`, the URLs are seed nodes of one Redis Cluster, or, without any, it starts a local
//! cluster of `--shards` masters (at least 3) with a replica each.

use ratelimit::cluster::DegradationPolicy;
use ratelimit::config::{AlgorithmKind, LimitConfig};
use ratelimit_redis::load::{run_load, LoadConfig, MAX_CLIENTS, MAX_DURATION_MS, MAX_KEYS};
use ratelimit_redis::{Deployment, RedisCluster, RedisLimiter, RedisLimiterConfig, RedisServer};
use std::process::ExitCode;
use std::sync::Arc;

/// Upper bound on servers the tool starts itself.
const MAX_OWN_SERVERS: u32 = 8;

const USAGE: &str = "usage: limit-load [--redis redis://127.0.0.1:PORT]... [--shards N] [--clients K] \
[--keys M] [--duration-ms MS] [--algorithm gcra|sliding-window] [--rate R] [--burst B] \
[--window-ms W] [--policy fail-open|fail-closed|local:PERMILLE] [--timeout-ms MS] [--seed S] [--metrics] \
[--cluster]";

struct Args {
    redis: Vec<String>,
    shards: u32,
    clients: u32,
    keys: u32,
    duration_ms: u64,
    algorithm: AlgorithmKind,
    limit: LimitConfig,
    policy: DegradationPolicy,
    timeout_ms: u64,
    seed: u64,
    metrics: bool,
    cluster: bool,
}

fn parse_num<T: std::str::FromStr>(flag: &str, value: Option<String>) -> Result<T, String> {
    let v = value.ok_or_else(|| format!("{flag} needs a value"))?;
    v.parse()
        .map_err(|_| format!("{flag}: '{v}' is not a valid number"))
}

fn parse_policy(v: &str) -> Result<DegradationPolicy, String> {
    match v {
        "fail-open" => Ok(DegradationPolicy::FailOpen),
        "fail-closed" => Ok(DegradationPolicy::FailClosed),
        _ => v
            .strip_prefix("local:")
            .and_then(|p| p.parse().ok())
            .map(|share_permille| DegradationPolicy::LocalFallback { share_permille })
            .ok_or_else(|| {
                format!("--policy: '{v}' is not fail-open, fail-closed or local:PERMILLE")
            }),
    }
}

fn parse_args() -> Result<Args, String> {
    let mut a = Args {
        redis: Vec::new(),
        shards: 2,
        clients: 32,
        keys: 16,
        duration_ms: 3_000,
        algorithm: AlgorithmKind::Gcra,
        limit: LimitConfig {
            rate_per_s: 100,
            burst: 20,
            window_ms: 1_000,
        },
        policy: DegradationPolicy::FailClosed,
        timeout_ms: 100,
        seed: 1,
        metrics: false,
        cluster: false,
    };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        match flag.as_str() {
            "--redis" => a.redis.push(it.next().ok_or("--redis needs a URL")?),
            "--shards" => a.shards = parse_num(&flag, it.next())?,
            "--clients" => a.clients = parse_num(&flag, it.next())?,
            "--keys" => a.keys = parse_num(&flag, it.next())?,
            "--duration-ms" => a.duration_ms = parse_num(&flag, it.next())?,
            "--algorithm" => {
                let v = it.next().ok_or("--algorithm needs a name")?;
                a.algorithm = v.parse().map_err(|e| format!("--algorithm: {e}"))?;
            }
            "--rate" => a.limit.rate_per_s = parse_num(&flag, it.next())?,
            "--burst" => a.limit.burst = parse_num(&flag, it.next())?,
            "--window-ms" => a.limit.window_ms = parse_num(&flag, it.next())?,
            "--policy" => a.policy = parse_policy(&it.next().ok_or("--policy needs a value")?)?,
            "--timeout-ms" => a.timeout_ms = parse_num(&flag, it.next())?,
            "--seed" => a.seed = parse_num(&flag, it.next())?,
            "--metrics" => a.metrics = true,
            "--cluster" => a.cluster = true,
            "--help" | "-h" => return Err(USAGE.to_string()),
            other => return Err(format!("unknown argument '{other}'\n{USAGE}")),
        }
    }
    if a.clients == 0 || a.clients > MAX_CLIENTS {
        return Err(format!("--clients must be 1..={MAX_CLIENTS}"));
    }
    if a.keys == 0 || a.keys > MAX_KEYS {
        return Err(format!("--keys must be 1..={MAX_KEYS}"));
    }
    if a.duration_ms == 0 || a.duration_ms > MAX_DURATION_MS {
        return Err(format!("--duration-ms must be 1..={MAX_DURATION_MS}"));
    }
    let fewest = if a.cluster { 3 } else { 1 };
    if a.redis.is_empty() && (a.shards < fewest || a.shards > MAX_OWN_SERVERS) {
        return Err(format!("--shards must be {fewest}..={MAX_OWN_SERVERS}"));
    }
    Ok(a)
}

fn main() -> ExitCode {
    let args = match parse_args() {
        Ok(a) => a,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(2);
        }
    };
    // Servers started here live until the end of main and are killed on drop.
    let mut own = Vec::new();
    let mut own_cluster = None;
    let urls = if !args.redis.is_empty() {
        args.redis.clone()
    } else if args.cluster {
        match RedisCluster::start(args.shards as usize) {
            Ok(c) => own_cluster.insert(c).urls(),
            Err(e) => {
                eprintln!("error: {e}");
                return ExitCode::FAILURE;
            }
        }
    } else {
        for _ in 0..args.shards {
            match RedisServer::start() {
                Ok(s) => own.push(s),
                Err(e) => {
                    eprintln!("error: {e}");
                    return ExitCode::FAILURE;
                }
            }
        }
        own.iter().map(RedisServer::url).collect()
    };
    let mut config = RedisLimiterConfig::new(args.algorithm, args.limit, urls.clone());
    config.policy = args.policy;
    config.call_timeout_ms = args.timeout_ms;
    if args.cluster {
        config.deployment = Deployment::Cluster;
    }
    let limiter = match RedisLimiter::new(config) {
        Ok(l) => Arc::new(l),
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(2);
        }
    };
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(r) => r,
        Err(e) => {
            eprintln!("error: tokio runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    let run_tag = format!(
        "{}-{}",
        std::process::id(),
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos())
    );
    let load = LoadConfig {
        clients: args.clients,
        keys: args.keys,
        duration_ms: args.duration_ms,
        seed: args.seed,
        run_tag,
    };
    let report = runtime.block_on(run_load(Arc::clone(&limiter), &load));
    println!(
        "{} ({}), {} {} clients x {} keys for {} ms, limit {} /s burst {} window {} ms",
        if args.cluster {
            format!("Redis Cluster, {} seed node(s)", urls.len())
        } else {
            format!("{} shard(s)", urls.len())
        },
        if own.is_empty() && own_cluster.is_none() {
            "given"
        } else {
            "started here"
        },
        args.algorithm.name(),
        report.clients,
        report.keys,
        report.elapsed_ms,
        args.limit.rate_per_s,
        args.limit.burst,
        args.limit.window_ms
    );
    println!(
        "decisions {} ({} /s), latency p50 {} us p99 {} us",
        report.decisions, report.decisions_per_s, report.latency_us_p50, report.latency_us_p99
    );
    println!(
        "admitted {} vs exact limit {} ({} keys over, by {} in all), denied {}, degraded {} (over {} ms), errors {}",
        report.allowed,
        report.exact_limit,
        report.keys_over_limit,
        report.admitted_over_limit,
        report.denied,
        report.degraded,
        report.degraded_window_ms,
        report.errors
    );
    if args.metrics {
        eprint!("{}", limiter.metrics().render());
    }
    println!("{}", report.json());
    ExitCode::SUCCESS
}
