//! The async Redis limiter: a key is hashed onto one of N shards by the engine's [`HashRing`], its
//! decision is one EVALSHA of the algorithm's script on that shard (reloaded on NOSCRIPT) over a
//! lazily opened multiplexed connection, bounded by a per-call timeout. A shard that is down, slow
//! or behind an open circuit breaker is handled by the engine's [`DegradationPolicy`]; every
//! decision, and each degraded one, is counted in [`Metrics`].

use crate::breaker::{Admission, Breaker, BreakerConfig};
use crate::error::LimitError;
use crate::metrics::Metrics;
use crate::scripts::{parse_reply, ScriptParams};
use ratelimit::cluster::DegradationPolicy;
use ratelimit::config::{AlgorithmKind, LimitConfig};
use ratelimit::decision::{Decision, Limiter};
use ratelimit::hash_ring::HashRing;
use ratelimit::keyed_limiter::KeyedLimiter;
use redis::aio::MultiplexedConnection;
use redis::{AsyncConnectionConfig, ErrorKind, RedisError, ServerErrorKind, Value};
use std::sync::{Mutex, MutexGuard};
use std::time::{Duration, Instant};

/// Upper bound on shards.
pub const MAX_SHARDS: usize = 64;
/// Upper bound on a key's length in bytes.
pub const MAX_KEY_BYTES: usize = 512;
/// Upper bound on the local fallback limiter's key table.
pub const MAX_LOCAL_KEYS: u64 = 1 << 20;

/// Everything a limiter needs; [`RedisLimiterConfig::new`] fills in the defaults.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RedisLimiterConfig {
    /// GCRA or sliding-window (the two with scripts).
    pub algorithm: AlgorithmKind,
    pub limit: LimitConfig,
    /// One `redis://host:port` URL per shard; shard ids are the indices.
    pub shard_urls: Vec<String>,
    pub vnodes_per_shard: u32,
    /// Every app process must use the same seed (and shard order) to agree on key placement.
    pub ring_seed: u64,
    /// Prefix of every Redis key the limiter writes.
    pub key_prefix: String,
    pub policy: DegradationPolicy,
    /// Bound on one script call (after the connection exists).
    pub call_timeout_ms: u64,
    /// Bound on opening a connection to a shard.
    pub connect_timeout_ms: u64,
    pub breaker: BreakerConfig,
    /// Key table capacity of the local fallback limiter (at most [`MAX_LOCAL_KEYS`]).
    pub local_key_capacity: u64,
}

impl RedisLimiterConfig {
    pub fn new(algorithm: AlgorithmKind, limit: LimitConfig, shard_urls: Vec<String>) -> Self {
        RedisLimiterConfig {
            algorithm,
            limit,
            shard_urls,
            vnodes_per_shard: 64,
            ring_seed: 0x5a4d_0001,
            key_prefix: "rl:".to_string(),
            policy: DegradationPolicy::FailClosed,
            call_timeout_ms: 100,
            connect_timeout_ms: 200,
            breaker: BreakerConfig::default(),
            local_key_capacity: 4_096,
        }
    }
}

/// Who made a decision.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DecisionSource {
    /// The shard's script.
    Redis,
    /// Degraded: allowed because the policy is fail-open.
    FailOpen,
    /// Degraded: denied because the policy is fail-closed.
    FailClosed,
    /// Degraded: this process's local limiter with a share of the limit.
    LocalFallback,
}

impl DecisionSource {
    pub fn is_degraded(self) -> bool {
        self != DecisionSource::Redis
    }
}

/// A decision, the shard owning the key, and who decided.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Outcome {
    pub decision: Decision,
    pub shard: u32,
    pub source: DecisionSource,
}

struct Shard {
    client: redis::Client,
    conn: Mutex<Option<MultiplexedConnection>>,
    /// Serialises reconnects so a recovering shard sees one connect, not one per caller.
    connecting: tokio::sync::Mutex<()>,
    breaker: Mutex<Breaker>,
}

enum ShardFailure {
    /// Down, slow or busy: degrade.
    Unavailable,
    /// It answered, but not with a decision: the caller gets the error.
    Typed(LimitError),
}

/// Poisoning only means another caller panicked mid-update of plain counters; keep going.
fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

/// The key's shard hash: the engine's own [`ratelimit::replay::hash_key`] (FNV-1a 64 of its bytes),
/// so every process, and the in-memory fallback, places a key identically.
pub fn key_hash(key: &str) -> u64 {
    ratelimit::replay::hash_key(key.as_bytes())
}

fn saturating_ns(d: Duration) -> u64 {
    u64::try_from(d.as_nanos()).unwrap_or(u64::MAX)
}

pub struct RedisLimiter {
    params: ScriptParams,
    script_sha: String,
    shards: Vec<Shard>,
    ring: HashRing,
    policy: DegradationPolicy,
    local: Option<Mutex<KeyedLimiter>>,
    epoch: Instant,
    metrics: Metrics,
    prefix: String,
    call_timeout: Duration,
    conn_config: AsyncConnectionConfig,
    fail_closed_retry_ns: u64,
}

impl RedisLimiter {
    /// Validates the configuration; connects lazily, so shards may be down at construction.
    pub fn new(config: RedisLimiterConfig) -> Result<Self, LimitError> {
        let count = config.shard_urls.len();
        if count == 0 || count > MAX_SHARDS {
            return Err(LimitError::ShardCount {
                count,
                max: MAX_SHARDS,
            });
        }
        let params = ScriptParams::new(config.algorithm, &config.limit)?;
        let shards = config
            .shard_urls
            .iter()
            .map(|url| {
                let client =
                    redis::Client::open(url.as_str()).map_err(|e| LimitError::InvalidUrl {
                        url: url.clone(),
                        reason: e.to_string(),
                    })?;
                Ok(Shard {
                    client,
                    conn: Mutex::new(None),
                    connecting: tokio::sync::Mutex::new(()),
                    breaker: Mutex::new(Breaker::new(config.breaker)),
                })
            })
            .collect::<Result<Vec<_>, LimitError>>()?;
        let ring = HashRing::new(count as u32, config.vnodes_per_shard, config.ring_seed)?;
        let local = match config.policy {
            DegradationPolicy::LocalFallback { share_permille } => {
                let local_limit = DegradationPolicy::local_limit(share_permille, &config.limit)?;
                let capacity = config.local_key_capacity.clamp(1, MAX_LOCAL_KEYS);
                Some(Mutex::new(KeyedLimiter::new(
                    config.algorithm,
                    &local_limit,
                    capacity,
                    config.ring_seed,
                )?))
            }
            DegradationPolicy::FailOpen | DegradationPolicy::FailClosed => None,
        };
        let call_timeout = Duration::from_millis(config.call_timeout_ms.max(1));
        let conn_config = AsyncConnectionConfig::new()
            .set_connection_timeout(Some(Duration::from_millis(
                config.connect_timeout_ms.max(1),
            )))
            .set_response_timeout(Some(call_timeout));
        Ok(RedisLimiter {
            script_sha: redis::Script::new(params.lua()).get_hash().to_string(),
            params,
            shards,
            ring,
            policy: config.policy,
            local,
            epoch: Instant::now(),
            metrics: Metrics::new(count),
            prefix: config.key_prefix,
            call_timeout,
            conn_config,
            fail_closed_retry_ns: config.breaker.open_ms.saturating_mul(1_000_000),
        })
    }

    pub fn metrics(&self) -> &Metrics {
        &self.metrics
    }

    pub fn params(&self) -> ScriptParams {
        self.params
    }

    pub fn shard_count(&self) -> usize {
        self.shards.len()
    }

    /// The shard owning `key`.
    pub fn shard_for(&self, key: &str) -> Option<u32> {
        self.ring.node_for(key_hash(key))
    }

    /// The Redis key holding `key`'s state.
    pub fn redis_key(&self, key: &str) -> String {
        format!("{}{}", self.prefix, key)
    }

    /// Times shard `shard`'s circuit has opened.
    pub fn circuit_opened_count(&self, shard: u32) -> u64 {
        self.shards
            .get(shard as usize)
            .map_or(0, |s| lock(&s.breaker).opened_count())
    }

    /// Decides one request of `cost` on `key` with the shard server's clock.
    pub async fn check(&self, key: &str, cost: u64) -> Result<Outcome, LimitError> {
        self.check_inner(key, cost, None).await
    }

    /// As [`check`](Self::check) but with the server time pinned to `now_ns` (tests only).
    #[cfg(test)]
    pub(crate) async fn check_pinned(
        &self,
        key: &str,
        cost: u64,
        now_ns: u64,
    ) -> Result<Outcome, LimitError> {
        self.check_inner(key, cost, Some(now_ns)).await
    }

    fn now_ms(&self) -> u64 {
        u64::try_from(self.epoch.elapsed().as_millis()).unwrap_or(u64::MAX)
    }

    async fn check_inner(
        &self,
        key: &str,
        cost: u64,
        pinned_ns: Option<u64>,
    ) -> Result<Outcome, LimitError> {
        if key.len() > MAX_KEY_BYTES {
            return Err(LimitError::KeyTooLong {
                len: key.len(),
                max: MAX_KEY_BYTES,
            });
        }
        let hash = key_hash(key);
        let (shard_id, shard) = self
            .ring
            .node_for(hash)
            .and_then(|id| self.shards.get(id as usize).map(|s| (id, s)))
            .ok_or(LimitError::ShardCount {
                count: 0,
                max: MAX_SHARDS,
            })?;
        if lock(&shard.breaker).admit(self.now_ms()) == Admission::Reject {
            return Ok(self.degrade(shard_id, hash, cost));
        }
        let started = Instant::now();
        let result = self.call_shard(shard_id, shard, key, cost, pinned_ns).await;
        self.metrics
            .record_latency(saturating_ns(started.elapsed()));
        match result {
            Ok(decision) => {
                lock(&shard.breaker).on_success();
                self.metrics
                    .record_decision(shard_id, decision.allowed, false);
                Ok(Outcome {
                    decision,
                    shard: shard_id,
                    source: DecisionSource::Redis,
                })
            }
            Err(ShardFailure::Unavailable) => {
                if lock(&shard.breaker).on_failure(self.now_ms()) {
                    self.metrics.record_circuit_open(shard_id);
                }
                self.metrics.record_unavailable(shard_id);
                Ok(self.degrade(shard_id, hash, cost))
            }
            Err(ShardFailure::Typed(e)) => {
                lock(&shard.breaker).on_success();
                self.metrics.record_typed_error(shard_id);
                Err(e)
            }
        }
    }

    fn degrade(&self, shard: u32, key_hash: u64, cost: u64) -> Outcome {
        let (decision, source) = match (&self.local, self.policy) {
            (Some(local), DegradationPolicy::LocalFallback { .. }) => {
                // Redis is unreachable, so only this process's monotonic clock is left.
                let now_ns = saturating_ns(self.epoch.elapsed());
                (
                    lock(local).check(key_hash, now_ns, cost),
                    DecisionSource::LocalFallback,
                )
            }
            (_, DegradationPolicy::FailOpen) => (
                Decision {
                    allowed: true,
                    remaining: 0,
                    retry_after_ns: 0,
                    reset_ns: 0,
                },
                DecisionSource::FailOpen,
            ),
            _ => (
                Decision {
                    allowed: false,
                    remaining: 0,
                    retry_after_ns: self.fail_closed_retry_ns,
                    reset_ns: 0,
                },
                DecisionSource::FailClosed,
            ),
        };
        self.metrics.record_decision(shard, decision.allowed, true);
        Outcome {
            decision,
            shard,
            source,
        }
    }

    async fn connection(&self, shard: &Shard) -> Option<MultiplexedConnection> {
        if let Some(c) = lock(&shard.conn).clone() {
            return Some(c);
        }
        let _one_connect = shard.connecting.lock().await;
        if let Some(c) = lock(&shard.conn).clone() {
            return Some(c);
        }
        let c = shard
            .client
            .get_multiplexed_async_connection_with_config(&self.conn_config)
            .await
            .ok()?;
        *lock(&shard.conn) = Some(c.clone());
        Some(c)
    }

    async fn call_shard(
        &self,
        shard_id: u32,
        shard: &Shard,
        key: &str,
        cost: u64,
        pinned_ns: Option<u64>,
    ) -> Result<Decision, ShardFailure> {
        let mut conn = self
            .connection(shard)
            .await
            .ok_or(ShardFailure::Unavailable)?;
        let redis_key = self.redis_key(key);
        let argv = self.params.argv(cost, pinned_ns);
        let reply = tokio::time::timeout(self.call_timeout, async {
            match self.evalsha(&mut conn, &redis_key, &argv).await {
                Err(e) if e.kind() == ErrorKind::Server(ServerErrorKind::NoScript) => {
                    // A restarted or flushed server forgot the script: load it and retry once.
                    redis::cmd("SCRIPT")
                        .arg("LOAD")
                        .arg(self.params.lua())
                        .query_async::<Value>(&mut conn)
                        .await?;
                    self.metrics.record_script_reload();
                    self.evalsha(&mut conn, &redis_key, &argv).await
                }
                other => other,
            }
        })
        .await;
        match reply {
            Err(_elapsed) => Err(ShardFailure::Unavailable),
            Ok(Err(e)) => Err(self.classify(shard_id, shard, key, &e)),
            Ok(Ok(value)) => parse_reply(&value).map_err(|e| {
                ShardFailure::Typed(LimitError::BadReply {
                    shard: shard_id,
                    detail: e.0,
                })
            }),
        }
    }

    async fn evalsha(
        &self,
        conn: &mut MultiplexedConnection,
        redis_key: &str,
        argv: &[u64; 7],
    ) -> Result<Value, RedisError> {
        let mut cmd = redis::cmd("EVALSHA");
        cmd.arg(&self.script_sha).arg(1).arg(redis_key);
        for a in argv {
            cmd.arg(*a);
        }
        cmd.query_async(conn).await
    }

    fn classify(&self, shard_id: u32, shard: &Shard, key: &str, e: &RedisError) -> ShardFailure {
        if e.is_io_error() || e.is_connection_refusal() || e.is_connection_dropped() {
            // The connection is dead: the next admitted call reconnects.
            *lock(&shard.conn) = None;
            return ShardFailure::Unavailable;
        }
        if e.is_timeout() {
            return ShardFailure::Unavailable;
        }
        match e.kind() {
            ErrorKind::Server(
                ServerErrorKind::BusyLoading
                | ServerErrorKind::TryAgain
                | ServerErrorKind::ClusterDown
                | ServerErrorKind::MasterDown
                | ServerErrorKind::ReadOnly,
            )
            | ErrorKind::ClusterConnectionNotFound => return ShardFailure::Unavailable,
            ErrorKind::Parse | ErrorKind::UnexpectedReturnType => {
                return ShardFailure::Typed(LimitError::BadReply {
                    shard: shard_id,
                    detail: e.to_string(),
                })
            }
            _ => {}
        }
        let text = e.to_string();
        let code = e.code().unwrap_or("");
        let typed = if code == "BUSY" {
            // A long-running script blocks the server: it is as good as slow.
            return ShardFailure::Unavailable;
        } else if code == "WRONGTYPE" || text.contains("WRONGTYPE") {
            LimitError::WrongType {
                shard: shard_id,
                key: key.to_string(),
            }
        } else if code == "CORRUPT" || text.contains("CORRUPT ratelimit") {
            LimitError::CorruptState {
                shard: shard_id,
                key: key.to_string(),
            }
        } else {
            LimitError::Server {
                shard: shard_id,
                code: code.to_string(),
                detail: text,
            }
        };
        ShardFailure::Typed(typed)
    }
}

#[cfg(test)]
mod tests {
    use super::key_hash;

    #[test]
    fn key_hash_is_the_engines_hash_key_so_shards_agree() {
        // Pinned FNV-1a 64 values: a change moves every key to another Redis shard and away from
        // the state it already has there.
        assert_eq!(key_hash(""), 0xcbf2_9ce4_8422_2325);
        assert_eq!(key_hash("a"), 0xaf63_dc4c_8601_ec8c);
        assert_eq!(key_hash("foobar"), 0x8594_4171_f739_67e8);
        for key in ["", "a", "user:42", "tenant/7/api", "ключ"] {
            assert_eq!(key_hash(key), ratelimit::replay::hash_key(key.as_bytes()));
            assert_eq!(key_hash(key), deterministic::fnv1a(key.as_bytes()));
        }
    }
}
