//! The async Redis limiter. A key's decision is one script call on the Redis that owns the key,
//! reached one of two ways ([`Deployment`]):
//!
//! - **Sharded**: N independent servers; the engine's [`HashRing`] places each key on one, over a
//!   lazily opened multiplexed connection per server.
//! - **Cluster**: one Redis Cluster; the `redis` crate's cluster client routes each call to the
//!   master owning the key's hash slot and follows the cluster through MOVED, failover and
//!   resharding. A key is one Redis key, so each decision is still one atomic script on one slot.
//!
//! Each call is EVALSHA (EVAL with the script's text on NOSCRIPT, which also caches it on that
//! server), bounded by a per-call timeout; getting a connection is bounded by a connect timeout per
//! caller. A shard (in cluster mode: a range of hash slots) that is down, slow or behind an open
//! circuit breaker is handled by the engine's [`DegradationPolicy`]; every decision, and each
//! degraded one, is counted in [`Metrics`].

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
use redis::cluster::ClusterClient;
use redis::cluster_async::ClusterConnection;
use redis::{AsyncConnectionConfig, ErrorKind, RedisError, ServerErrorKind, Value};
use std::sync::{Mutex, MutexGuard};
use std::time::{Duration, Instant};

/// Upper bound on shards.
pub const MAX_SHARDS: usize = 64;
/// Upper bound on a key's length in bytes.
pub const MAX_KEY_BYTES: usize = 512;
/// Upper bound on the local fallback limiter's key table.
pub const MAX_LOCAL_KEYS: u64 = 1 << 20;
/// Hash slots of a Redis Cluster.
pub const CLUSTER_SLOTS: u16 = 16_384;
/// In cluster mode, the slots are split into this many equal ranges, each with its own circuit
/// breaker and metrics (the limiter's "shards" there): a failed master opens the circuits of its
/// slots' ranges, not of the whole cluster.
pub const CLUSTER_SLOT_RANGES: u16 = 16;

/// How the limiter reaches Redis.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Deployment {
    /// `shard_urls` are independent servers; the limiter's own hash ring places keys on them.
    #[default]
    Sharded,
    /// `shard_urls` are seed nodes of one Redis Cluster (any of its nodes; the client discovers
    /// the rest); the cluster's hash slots place keys.
    Cluster,
}

/// The Redis Cluster hash slot of `key`: CRC16 (XMODEM) of the key, or of its `{hash tag}` if it
/// has a non-empty one, mod 16384, as the cluster specification defines it.
pub fn cluster_slot(key: &[u8]) -> u16 {
    let tagged = key
        .iter()
        .position(|&b| b == b'{')
        .and_then(|open| {
            let rest = &key[open + 1..];
            rest.iter()
                .position(|&b| b == b'}')
                .map(|close| &rest[..close])
        })
        .filter(|tag| !tag.is_empty());
    crc16::State::<crc16::XMODEM>::calculate(tagged.unwrap_or(key)) % CLUSTER_SLOTS
}

/// Everything a limiter needs; [`RedisLimiterConfig::new`] fills in the defaults.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RedisLimiterConfig {
    /// GCRA or sliding-window (the two with scripts).
    pub algorithm: AlgorithmKind,
    pub limit: LimitConfig,
    /// Sharded: one `redis://host:port` URL per shard (shard ids are the indices). Cluster: seed
    /// nodes of the cluster.
    pub shard_urls: Vec<String>,
    pub deployment: Deployment,
    pub vnodes_per_shard: u32,
    /// Every app process must use the same seed (and shard order) to agree on key placement.
    pub ring_seed: u64,
    /// Prefix of every Redis key the limiter writes.
    pub key_prefix: String,
    pub policy: DegradationPolicy,
    /// Bound on one script call (after the connection exists).
    pub call_timeout_ms: u64,
    /// Bound on how long one call may spend getting a connection to a shard: waiting for
    /// another caller's connect, and its own.
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
            deployment: Deployment::Sharded,
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

/// One way to reach Redis and its cached connection: a server (sharded) or the cluster.
struct Link {
    client: Client,
    conn: Mutex<Option<Conn>>,
    /// Serialises reconnects so a recovering server sees one connect, not one per caller.
    connecting: tokio::sync::Mutex<()>,
}

enum Client {
    Server(redis::Client),
    /// Boxed: a cluster client is twice a server client's size, and there is one per limiter.
    Cluster(Box<ClusterClient>),
}

#[derive(Clone)]
enum Conn {
    Server(MultiplexedConnection),
    Cluster(ClusterConnection),
}

impl Conn {
    async fn query(&mut self, cmd: &redis::Cmd) -> Result<Value, RedisError> {
        match self {
            Conn::Server(c) => cmd.query_async(c).await,
            Conn::Cluster(c) => cmd.query_async(c).await,
        }
    }
}

/// What one shard (sharded: a server; cluster: a slot range) has of its own.
struct Shard {
    /// Index into `links`.
    link: usize,
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
    links: Vec<Link>,
    shards: Vec<Shard>,
    deployment: Deployment,
    ring: HashRing,
    policy: DegradationPolicy,
    local: Option<Mutex<KeyedLimiter>>,
    epoch: Instant,
    metrics: Metrics,
    prefix: String,
    call_timeout: Duration,
    connect_timeout: Duration,
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
        let call_timeout = Duration::from_millis(config.call_timeout_ms.max(1));
        let connect_timeout = Duration::from_millis(config.connect_timeout_ms.max(1));
        let bad_url = |url: &str, e: RedisError| LimitError::InvalidUrl {
            url: url.to_string(),
            reason: e.to_string(),
        };
        let link = |client| Link {
            client,
            conn: Mutex::new(None),
            connecting: tokio::sync::Mutex::new(()),
        };
        let (links, shard_count) = match config.deployment {
            Deployment::Sharded => {
                let links = config
                    .shard_urls
                    .iter()
                    .map(|url| {
                        redis::Client::open(url.as_str())
                            .map(|c| link(Client::Server(c)))
                            .map_err(|e| bad_url(url, e))
                    })
                    .collect::<Result<Vec<_>, LimitError>>()?;
                (links, count)
            }
            Deployment::Cluster => {
                let client = ClusterClient::builder(config.shard_urls.iter().map(String::as_str))
                    .connection_timeout(connect_timeout)
                    .response_timeout(call_timeout)
                    .build()
                    .map_err(|e| bad_url(&config.shard_urls.join(","), e))?;
                (
                    vec![link(Client::Cluster(Box::new(client)))],
                    usize::from(CLUSTER_SLOT_RANGES),
                )
            }
        };
        let shards = (0..shard_count)
            .map(|i| Shard {
                link: if links.len() == 1 { 0 } else { i },
                breaker: Mutex::new(Breaker::new(config.breaker)),
            })
            .collect();
        // Sharded mode places keys with the ring; cluster mode ignores it (the slots place them)
        // but the ring still validates `vnodes_per_shard`, so one configuration works in both.
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
        let conn_config = AsyncConnectionConfig::new()
            .set_connection_timeout(Some(connect_timeout))
            .set_response_timeout(Some(call_timeout));
        Ok(RedisLimiter {
            script_sha: redis::Script::new(params.lua()).get_hash().to_string(),
            params,
            links,
            shards,
            deployment: config.deployment,
            ring,
            policy: config.policy,
            local,
            epoch: Instant::now(),
            metrics: Metrics::new(shard_count),
            prefix: config.key_prefix,
            call_timeout,
            connect_timeout,
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

    /// The shard owning `key` (cluster mode: the range of its Redis key's hash slot).
    pub fn shard_for(&self, key: &str) -> Option<u32> {
        match self.deployment {
            Deployment::Sharded => self.ring.node_for(key_hash(key)),
            Deployment::Cluster => {
                let slot = cluster_slot(self.redis_key(key).as_bytes());
                Some(u32::from(slot / (CLUSTER_SLOTS / CLUSTER_SLOT_RANGES)))
            }
        }
    }

    pub fn deployment(&self) -> Deployment {
        self.deployment
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
            .shard_for(key)
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

    /// The link's connection, opening it if there is none. One caller connects at a time (a
    /// recovering server sees one connect, not one per caller), and every caller, the one
    /// connecting and those waiting behind it alike, gives up after `connect_timeout` from its own
    /// start: against a server that drops SYNs no caller waits longer than that, however many
    /// queue.
    async fn connection(&self, link: &Link) -> Option<Conn> {
        if let Some(c) = lock(&link.conn).clone() {
            return Some(c);
        }
        tokio::time::timeout(self.connect_timeout, async {
            let _one_connect = link.connecting.lock().await;
            if let Some(c) = lock(&link.conn).clone() {
                return Some(c);
            }
            let c = match &link.client {
                Client::Server(client) => Conn::Server(
                    client
                        .get_multiplexed_async_connection_with_config(&self.conn_config)
                        .await
                        .ok()?,
                ),
                Client::Cluster(client) => Conn::Cluster(client.get_async_connection().await.ok()?),
            };
            *lock(&link.conn) = Some(c.clone());
            Some(c)
        })
        .await
        .ok()
        .flatten()
    }

    /// Forgets a server's cached connection: the next admitted call opens a new one. Called
    /// whenever a call on it failed at the connection level or timed out (a connection whose
    /// peer stopped answering, half-open, would otherwise time out every call forever). The
    /// cluster client keeps one connection per node and replaces them itself, so a failing slot
    /// range does not tear down the connections of the healthy ones.
    fn drop_connection(link: &Link) {
        if matches!(link.client, Client::Server(_)) {
            *lock(&link.conn) = None;
        }
    }

    async fn call_shard(
        &self,
        shard_id: u32,
        shard: &Shard,
        key: &str,
        cost: u64,
        pinned_ns: Option<u64>,
    ) -> Result<Decision, ShardFailure> {
        let link = self
            .links
            .get(shard.link)
            .ok_or(ShardFailure::Unavailable)?;
        let mut conn = self
            .connection(link)
            .await
            .ok_or(ShardFailure::Unavailable)?;
        let redis_key = self.redis_key(key);
        let argv = self.params.argv(cost, pinned_ns);
        let reply = tokio::time::timeout(self.call_timeout, async {
            let evalsha = self.script_cmd("EVALSHA", &self.script_sha, &redis_key, &argv);
            match conn.query(&evalsha).await {
                Err(e) if e.kind() == ErrorKind::Server(ServerErrorKind::NoScript) => {
                    // A restarted, flushed or newly promoted server does not know the script:
                    // EVAL sends its text (routed by the key, like EVALSHA) and caches it there.
                    self.metrics.record_script_reload();
                    let eval = self.script_cmd("EVAL", self.params.lua(), &redis_key, &argv);
                    conn.query(&eval).await
                }
                other => other,
            }
        })
        .await;
        match reply {
            Err(_elapsed) => {
                Self::drop_connection(link);
                Err(ShardFailure::Unavailable)
            }
            Ok(Err(e)) => Err(self.classify(shard_id, link, key, &e)),
            Ok(Ok(value)) => parse_reply(&value).map_err(|e| {
                ShardFailure::Typed(LimitError::BadReply {
                    shard: shard_id,
                    detail: e.0,
                })
            }),
        }
    }

    /// `EVALSHA sha 1 key argv…` or `EVAL script 1 key argv…`.
    fn script_cmd(
        &self,
        verb: &str,
        script: &str,
        redis_key: &str,
        argv: &[u64; crate::scripts::ARGC],
    ) -> redis::Cmd {
        let mut cmd = redis::cmd(verb);
        cmd.arg(script).arg(1).arg(redis_key);
        for a in argv {
            cmd.arg(*a);
        }
        cmd
    }

    fn classify(&self, shard_id: u32, link: &Link, key: &str, e: &RedisError) -> ShardFailure {
        if e.is_io_error()
            || e.is_connection_refusal()
            || e.is_connection_dropped()
            || e.is_timeout()
        {
            // Dead or not answering: the next admitted call reconnects.
            Self::drop_connection(link);
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
