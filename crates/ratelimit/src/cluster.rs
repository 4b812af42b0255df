//! Cluster simulation: `shard_count` limiter shards behind a consistent-hash ring, app nodes
//! forwarding seeded client traffic (steady, bursty, one hot key), per-shard latency that grows
//! with load, shard outages and recovery, and a [`DegradationPolicy`] for unreachable shards.
//! Every tick yields a plain-data [`TickReport`]: per-key allowed/denied, error against an exact
//! global limiter that sees all traffic, and shard load balance. Deterministic given the seed.
//!
//! Model choices: a shard decides at the request's arrival time (shard clocks agree); its latency
//! is `base + jitter + per_request × (requests it already served this tick)`, and a request whose
//! latency exceeds the timeout counts as unreachable (the shard is assumed not to have applied
//! it). A shard that fails loses its state and comes back empty.

use crate::config::{AlgorithmKind, LimitConfig};
use crate::decision::Limiter;
use crate::error::ConfigError;
use crate::hash_ring::HashRing;
use crate::keyed_limiter::KeyedLimiter;
use crate::traffic::{ClientTraffic, Pattern};
use deterministic::SplitMix64;

/// Upper bound on clients (= keys) in one simulation.
pub const MAX_CLIENTS: usize = 4_096;
/// Upper bound on scheduled outages.
pub const MAX_OUTAGES: usize = 256;
/// Upper bound on app nodes.
pub const MAX_APP_NODES: u32 = 256;
/// Upper bound on simulated ticks.
pub const MAX_TICKS: u64 = 1_000_000;
/// Upper bound on shard actions (scheduled or taken live) in one simulation.
pub const MAX_SHARD_EVENTS: usize = 4_096;
/// Upper bound on shards ever created in one simulation (added shards take the next number).
pub const MAX_SHARDS: u32 = 64;

/// What an app node does when the shard owning a key is unreachable (down or timed out).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub enum DegradationPolicy {
    /// Allow the request: availability over protection.
    FailOpen,
    /// Deny the request: protection over availability.
    FailClosed,
    /// Decide with the app node's own local limiter, sized to `share_permille / 1000` of the
    /// global rate and burst (at least 1 each), so all nodes together admit about the limit.
    LocalFallback { share_permille: u64 },
}

impl DegradationPolicy {
    /// Local limiter config for a share of the global one.
    pub fn local_limit(
        share_permille: u64,
        global: &LimitConfig,
    ) -> Result<LimitConfig, ConfigError> {
        if share_permille == 0 || share_permille > 1000 {
            return Err(ConfigError::InvalidShare {
                what: "local fallback share per mille",
                value: share_permille,
            });
        }
        Ok(LimitConfig {
            rate_per_s: (global.rate_per_s.saturating_mul(share_permille) / 1000).max(1),
            burst: (global.burst.saturating_mul(share_permille) / 1000).max(1),
            window_ms: global.window_ms,
        })
    }
}

/// Shard `shard` is down for ticks `from_tick..to_tick`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct ShardOutage {
    pub shard: u32,
    pub from_tick: u64,
    pub to_tick: u64,
}

/// Something done to the cluster's shards: the lab's buttons, or a scheduled change.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(tag = "kind", rename_all = "snake_case"))]
pub enum ShardAction {
    /// The shard process dies: it stays on the ring, its keys become unreachable (the
    /// degradation policy decides them) and its state is lost.
    Kill { shard: u32 },
    /// A killed shard comes back, empty.
    Restore { shard: u32 },
    /// A new shard, numbered after every shard so far, joins the ring; only the keys on the
    /// arcs it takes over move to it.
    Add,
    /// The shard leaves the ring; its keys move to the next shards clockwise, nobody else's.
    Remove { shard: u32 },
}

/// `action` at the start of tick `at_tick`, before that tick's traffic.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct ShardEvent {
    pub at_tick: u64,
    #[cfg_attr(feature = "serde", serde(flatten))]
    pub action: ShardAction,
}

/// One client, sending on one key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct ClientSpec {
    pub key: u64,
    pub pattern: Pattern,
}

#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct ClusterConfig {
    pub algorithm: AlgorithmKind,
    pub limit: LimitConfig,
    pub shard_count: u32,
    pub vnodes_per_shard: u32,
    pub app_nodes: u32,
    /// Key table capacity of each shard.
    pub shard_key_capacity: u64,
    pub policy: DegradationPolicy,
    pub tick_ms: u64,
    pub ticks: u64,
    pub shard_base_latency_ns: u64,
    pub shard_per_request_latency_ns: u64,
    pub shard_timeout_ns: u64,
    pub outages: Vec<ShardOutage>,
    /// Shard actions in tick order (same-tick ones in list order); [`ClusterSim::act`] records
    /// live actions here, so a fresh simulation of the recorded config replays them.
    #[cfg_attr(feature = "serde", serde(default))]
    pub events: Vec<ShardEvent>,
    pub clients: Vec<ClientSpec>,
    pub seed: u64,
}

impl ClusterConfig {
    /// The lab's scenario: 4 shards, 3 app nodes, token bucket 10/s burst 20; 40 steady keys,
    /// 8 bursty keys, one hot key at 1500/s; shard 1 down for ticks 30..60 of 100 × 100 ms.
    pub fn demo(policy: DegradationPolicy, seed: u64) -> Self {
        let mut rng = SplitMix64::new(seed ^ 0xc1a5_7e55);
        let mut clients = Vec::new();
        for key in 0..40 {
            clients.push(ClientSpec {
                key,
                pattern: Pattern::Steady {
                    rate_milli_per_s: rng.range_inclusive(2_000, 14_000),
                },
            });
        }
        for key in 40..48 {
            clients.push(ClientSpec {
                key,
                pattern: Pattern::Bursty {
                    rate_milli_per_s: 60_000,
                    on_ms: 300,
                    off_ms: 1_700,
                },
            });
        }
        clients.push(ClientSpec {
            key: 48,
            pattern: Pattern::Steady {
                rate_milli_per_s: 1_500_000,
            },
        });
        ClusterConfig {
            algorithm: AlgorithmKind::TokenBucket,
            limit: LimitConfig {
                rate_per_s: 10,
                burst: 20,
                window_ms: 1000,
            },
            shard_count: 4,
            vnodes_per_shard: 64,
            app_nodes: 3,
            shard_key_capacity: 1024,
            policy,
            tick_ms: 100,
            ticks: 100,
            shard_base_latency_ns: 200_000,
            shard_per_request_latency_ns: 8_000,
            shard_timeout_ns: 1_000_000,
            outages: vec![ShardOutage {
                shard: 1,
                from_tick: 30,
                to_tick: 60,
            }],
            events: Vec::new(),
            clients,
            seed,
        }
    }
}

/// Per-key figures for one tick.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct KeyTick {
    pub key: u64,
    pub allowed: u64,
    pub denied: u64,
    /// What the exact global limiter admitted of the same requests.
    pub exact_allowed: u64,
}

/// Per-shard figures for one tick.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct ShardTick {
    pub shard: u32,
    pub up: bool,
    /// On the ring (false once removed; a removed shard gets no traffic).
    pub in_ring: bool,
    /// Requests routed to this shard (whether or not it answered).
    pub requests: u64,
    pub timeouts: u64,
    pub latency_ns_max: u64,
    pub latency_ns_mean: u64,
}

/// Everything the simulation says about one tick.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct TickReport {
    pub tick: u64,
    pub keys: Vec<KeyTick>,
    pub shards: Vec<ShardTick>,
    pub allowed: u64,
    pub denied: u64,
    /// Allowed here but denied by the exact global limiter.
    pub wrongly_allowed: u64,
    /// Denied here but allowed by the exact global limiter.
    pub wrongly_denied: u64,
    /// Requests decided by the degradation policy instead of a shard.
    pub degraded: u64,
    /// Busiest shard's requests over the mean of all shards, per mille (1000 = perfectly even).
    pub load_imbalance_permille: u64,
}

/// A running simulation; [`ClusterSim::step`] advances one tick.
pub struct ClusterSim {
    config: ClusterConfig,
    ring: HashRing,
    shards: Vec<KeyedLimiter>,
    shard_up: Vec<bool>,
    /// Killed by an action (down until restored), as opposed to a scheduled outage.
    killed: Vec<bool>,
    /// Index of the next event of `config.events` to apply.
    next_event: usize,
    locals: Vec<KeyedLimiter>,
    exact: KeyedLimiter,
    traffic: Vec<ClientTraffic>,
    rng: SplitMix64,
    tick: u64,
    arrivals: Vec<(u64, u32)>,
    scratch: Vec<u64>,
}

const SHARD_HASH_SEED: u64 = 0x5a4d_0001;

impl ClusterSim {
    pub fn new(config: ClusterConfig) -> Result<Self, ConfigError> {
        if config.shard_count == 0 {
            return Err(ConfigError::ZeroCapacity { what: "shards" });
        }
        if config.app_nodes == 0 {
            return Err(ConfigError::ZeroCapacity { what: "app nodes" });
        }
        if config.app_nodes > MAX_APP_NODES {
            return Err(ConfigError::TooLarge {
                what: "app nodes",
                value: u64::from(config.app_nodes),
                max: u64::from(MAX_APP_NODES),
            });
        }
        if config.tick_ms == 0 {
            return Err(ConfigError::ZeroCapacity {
                what: "tick length",
            });
        }
        if config.ticks > MAX_TICKS {
            return Err(ConfigError::TooLarge {
                what: "ticks",
                value: config.ticks,
                max: MAX_TICKS,
            });
        }
        if config.clients.len() > MAX_CLIENTS {
            return Err(ConfigError::TooLarge {
                what: "clients",
                value: config.clients.len() as u64,
                max: MAX_CLIENTS as u64,
            });
        }
        if config.outages.len() > MAX_OUTAGES {
            return Err(ConfigError::TooLarge {
                what: "outages",
                value: config.outages.len() as u64,
                max: MAX_OUTAGES as u64,
            });
        }
        if config.shard_count > MAX_SHARDS {
            return Err(ConfigError::TooLarge {
                what: "shards",
                value: u64::from(config.shard_count),
                max: u64::from(MAX_SHARDS),
            });
        }
        if config.events.len() > MAX_SHARD_EVENTS {
            return Err(ConfigError::TooLarge {
                what: "shard events",
                value: config.events.len() as u64,
                max: MAX_SHARD_EVENTS as u64,
            });
        }
        if let Some(o) = config
            .outages
            .iter()
            .find(|o| o.shard >= config.shard_count)
        {
            return Err(ConfigError::TooLarge {
                what: "outage shard",
                value: u64::from(o.shard),
                max: u64::from(config.shard_count - 1),
            });
        }
        config
            .tick_ms
            .checked_mul(1_000_000)
            .and_then(|t| t.checked_mul(config.ticks.max(1)))
            .ok_or(ConfigError::Overflow {
                what: "simulated time",
            })?;
        let ring = HashRing::new(config.shard_count, config.vnodes_per_shard, config.seed)?;
        let shards = (0..config.shard_count)
            .map(|s| {
                KeyedLimiter::new(
                    config.algorithm,
                    &config.limit,
                    config.shard_key_capacity,
                    SHARD_HASH_SEED ^ u64::from(s),
                )
            })
            .collect::<Result<Vec<_>, _>>()?;
        let local_limit = match config.policy {
            DegradationPolicy::LocalFallback { share_permille } => {
                DegradationPolicy::local_limit(share_permille, &config.limit)?
            }
            _ => config.limit,
        };
        let key_capacity = (config.clients.len() as u64).max(1);
        let locals = (0..config.app_nodes)
            .map(|n| KeyedLimiter::new(config.algorithm, &local_limit, key_capacity, u64::from(n)))
            .collect::<Result<Vec<_>, _>>()?;
        let exact = KeyedLimiter::new(config.algorithm, &config.limit, key_capacity, 0)?;
        let traffic = config
            .clients
            .iter()
            .enumerate()
            .map(|(i, c)| {
                ClientTraffic::new(
                    c.pattern,
                    config.seed ^ (i as u64 + 1).wrapping_mul(0x9e37_79b9_7f4a_7c15),
                )
            })
            .collect();
        let mut config = config;
        config.events.sort_by_key(|e| e.at_tick); // stable: same-tick events keep list order
        Ok(ClusterSim {
            shard_up: vec![true; config.shard_count as usize],
            killed: vec![false; config.shard_count as usize],
            next_event: 0,
            rng: SplitMix64::new(config.seed),
            ring,
            shards,
            locals,
            exact,
            traffic,
            tick: 0,
            arrivals: Vec::new(),
            scratch: Vec::new(),
            config,
        })
    }

    pub fn ring(&self) -> &HashRing {
        &self.ring
    }

    pub fn is_done(&self) -> bool {
        self.tick >= self.config.ticks
    }

    /// The configuration with every action taken so far: a fresh simulation of it replays
    /// this one exactly.
    pub fn config(&self) -> &ClusterConfig {
        &self.config
    }

    /// The next tick to run.
    pub fn tick(&self) -> u64 {
        self.tick
    }

    /// Shards ever created (ids `0..shard_total()`, removed ones included).
    pub fn shard_total(&self) -> u32 {
        self.shards.len() as u32
    }

    /// Whether `shard` exists, is on the ring and answers.
    pub fn shard_up(&self, shard: u32) -> bool {
        self.shard_up.get(shard as usize).copied().unwrap_or(false) && self.ring.contains(shard)
    }

    /// The shard that owns `key` now, if any.
    pub fn shard_for(&self, key: u64) -> Option<u32> {
        self.ring.node_for(key)
    }

    fn fresh_shard(&self, shard: u32) -> Result<KeyedLimiter, ConfigError> {
        KeyedLimiter::new(
            self.config.algorithm,
            &self.config.limit,
            self.config.shard_key_capacity,
            SHARD_HASH_SEED ^ u64::from(shard),
        )
    }

    /// Whether `action` can be applied now (without applying it).
    fn check_action(&self, action: ShardAction) -> Result<(), ConfigError> {
        let total = self.shards.len() as u32;
        let known = |shard: u32| {
            if shard < total && self.ring.contains(shard) {
                Ok(())
            } else {
                Err(ConfigError::TooLarge {
                    what: "shard",
                    value: u64::from(shard),
                    max: u64::from(total.saturating_sub(1)),
                })
            }
        };
        match action {
            ShardAction::Kill { shard } | ShardAction::Restore { shard } => known(shard),
            ShardAction::Remove { shard } => {
                known(shard)?;
                if self.ring.node_count() <= 1 {
                    return Err(ConfigError::ZeroCapacity {
                        what: "shards on the ring",
                    });
                }
                Ok(())
            }
            ShardAction::Add if total >= MAX_SHARDS => Err(ConfigError::TooLarge {
                what: "shards",
                value: u64::from(total) + 1,
                max: u64::from(MAX_SHARDS),
            }),
            ShardAction::Add => Ok(()),
        }
    }

    fn apply(&mut self, action: ShardAction) -> Result<(), ConfigError> {
        self.check_action(action)?;
        match action {
            ShardAction::Kill { shard } => {
                let s = shard as usize;
                if !self.killed[s] {
                    self.killed[s] = true;
                    self.shards[s] = self.fresh_shard(shard)?;
                }
                self.shard_up[s] = false;
            }
            ShardAction::Restore { shard } => {
                let s = shard as usize;
                self.killed[s] = false;
                self.shard_up[s] = !self.in_outage(shard);
            }
            ShardAction::Add => {
                let shard = self.shards.len() as u32;
                let limiter = self.fresh_shard(shard)?;
                self.ring.add_node(shard)?;
                self.shards.push(limiter);
                self.shard_up.push(true);
                self.killed.push(false);
            }
            ShardAction::Remove { shard } => {
                self.ring.remove_node(shard);
                self.shards[shard as usize] = self.fresh_shard(shard)?;
            }
        }
        Ok(())
    }

    /// Takes `action` now (before the next tick's traffic) and records it in the
    /// configuration, so [`ClusterSim::config`] replays it. An action that cannot apply (an
    /// unknown or removed shard, removing the last shard, one shard too many) is an error and
    /// changes nothing.
    pub fn act(&mut self, action: ShardAction) -> Result<ShardEvent, ConfigError> {
        if self.config.events.len() >= MAX_SHARD_EVENTS {
            return Err(ConfigError::TooLarge {
                what: "shard events",
                value: MAX_SHARD_EVENTS as u64 + 1,
                max: MAX_SHARD_EVENTS as u64,
            });
        }
        self.apply(action)?;
        let event = ShardEvent {
            at_tick: self.tick,
            action,
        };
        debug_assert!(self.config.events[self.next_event..]
            .iter()
            .all(|e| e.at_tick >= self.tick));
        // Before this tick's scheduled events, which apply when it runs: the same order a
        // fresh simulation of the recorded config takes.
        self.config.events.insert(self.next_event, event);
        self.next_event += 1;
        Ok(event)
    }

    /// A scheduled outage covers `shard` at the current tick.
    fn in_outage(&self, shard: u32) -> bool {
        self.config
            .outages
            .iter()
            .any(|o| o.shard == shard && (o.from_tick..o.to_tick).contains(&self.tick))
    }

    fn update_shard_health(&mut self) {
        while let Some(e) = self
            .config
            .events
            .get(self.next_event)
            .filter(|e| e.at_tick <= self.tick)
            .copied()
        {
            self.next_event += 1;
            // A scheduled action that cannot apply (say, a shard already removed) does nothing.
            let _ = self.apply(e.action);
        }
        for shard in 0..self.shards.len() as u32 {
            let out = self.in_outage(shard);
            let s = shard as usize;
            if out && self.shard_up[s] && !self.killed[s] {
                // The shard process dies and later restarts empty.
                if let Ok(fresh) = self.fresh_shard(shard) {
                    self.shards[s] = fresh;
                }
            }
            self.shard_up[s] = !out && !self.killed[s];
        }
    }

    /// Simulates one tick; `None` once all ticks have run.
    pub fn step(&mut self) -> Option<TickReport> {
        if self.is_done() {
            return None;
        }
        self.update_shard_health();
        let tick_ns = self.config.tick_ms * 1_000_000;
        let end_ns = (self.tick + 1) * tick_ns;
        self.arrivals.clear();
        for (i, t) in self.traffic.iter_mut().enumerate() {
            self.scratch.clear();
            t.arrivals_until(end_ns, &mut self.scratch);
            self.arrivals
                .extend(self.scratch.iter().map(|&ts| (ts, i as u32)));
        }
        self.arrivals.sort_unstable();

        let mut report = TickReport {
            tick: self.tick,
            keys: self
                .config
                .clients
                .iter()
                .map(|c| KeyTick {
                    key: c.key,
                    ..KeyTick::default()
                })
                .collect(),
            shards: (0..self.shards.len() as u32)
                .map(|s| ShardTick {
                    shard: s,
                    up: self.shard_up[s as usize],
                    in_ring: self.ring.contains(s),
                    ..ShardTick::default()
                })
                .collect(),
            ..TickReport::default()
        };
        let mut latency_sum_ns = vec![0u64; self.shards.len()];
        let mut answered = vec![0u64; self.shards.len()];
        for &(now_ns, client) in &self.arrivals {
            let key = self.config.clients[client as usize].key;
            let app_node = self.rng.below(u64::from(self.config.app_nodes)) as usize;
            let exact_allowed = self.exact.check(key, now_ns, 1).allowed;
            let Some(shard) = self.ring.node_for(key) else {
                continue;
            };
            let s = shard as usize;
            let stats = &mut report.shards[s];
            stats.requests += 1;
            let mut reached = false;
            if self.shard_up[s] {
                let jitter_ns = self.rng.below(self.config.shard_base_latency_ns / 2 + 1);
                let latency_ns = self
                    .config
                    .shard_base_latency_ns
                    .saturating_add(jitter_ns)
                    .saturating_add(deterministic::saturating_mul(
                        self.config.shard_per_request_latency_ns,
                        answered[s],
                    ));
                answered[s] += 1;
                latency_sum_ns[s] = latency_sum_ns[s].saturating_add(latency_ns);
                stats.latency_ns_max = stats.latency_ns_max.max(latency_ns);
                if latency_ns > self.config.shard_timeout_ns {
                    stats.timeouts += 1;
                } else {
                    reached = true;
                }
            }
            let allowed = if reached {
                self.shards[s].check(key, now_ns, 1).allowed
            } else {
                report.degraded += 1;
                match self.config.policy {
                    DegradationPolicy::FailOpen => true,
                    DegradationPolicy::FailClosed => false,
                    DegradationPolicy::LocalFallback { .. } => {
                        self.locals[app_node].check(key, now_ns, 1).allowed
                    }
                }
            };
            let k = &mut report.keys[client as usize];
            if allowed {
                k.allowed += 1;
                report.allowed += 1;
            } else {
                k.denied += 1;
                report.denied += 1;
            }
            k.exact_allowed += u64::from(exact_allowed);
            match (allowed, exact_allowed) {
                (true, false) => report.wrongly_allowed += 1,
                (false, true) => report.wrongly_denied += 1,
                _ => {}
            }
        }
        for (s, stats) in report.shards.iter_mut().enumerate() {
            stats.latency_ns_mean = latency_sum_ns[s] / answered[s].max(1);
        }
        let total: u64 = report.shards.iter().map(|s| s.requests).sum();
        let busiest = report.shards.iter().map(|s| s.requests).max().unwrap_or(0);
        let on_ring = self.ring.node_count() as u64;
        report.load_imbalance_permille = (busiest * 1000 * on_ring)
            .checked_div(total)
            .unwrap_or(1000);
        self.tick += 1;
        Some(report)
    }

    /// Runs all remaining ticks.
    pub fn run(&mut self) -> Vec<TickReport> {
        let mut out = Vec::new();
        while let Some(r) = self.step() {
            out.push(r);
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn totals(reports: &[TickReport]) -> (u64, u64, u64, u64) {
        reports.iter().fold((0, 0, 0, 0), |a, r| {
            (
                a.0 + r.allowed,
                a.1 + r.wrongly_allowed,
                a.2 + r.wrongly_denied,
                a.3 + r.degraded,
            )
        })
    }

    #[test]
    fn simulation_is_deterministic_given_a_seed() {
        let a = ClusterSim::new(ClusterConfig::demo(DegradationPolicy::FailOpen, 5))
            .unwrap()
            .run();
        let b = ClusterSim::new(ClusterConfig::demo(DegradationPolicy::FailOpen, 5))
            .unwrap()
            .run();
        assert_eq!(a, b);
        assert_eq!(a.len(), 100);
        let c = ClusterSim::new(ClusterConfig::demo(DegradationPolicy::FailOpen, 6))
            .unwrap()
            .run();
        assert_ne!(a, c);
    }

    #[test]
    fn healthy_cluster_matches_the_exact_global_limiter() {
        let mut cfg = ClusterConfig::demo(DegradationPolicy::FailClosed, 1);
        cfg.outages.clear();
        cfg.shard_timeout_ns = u64::MAX;
        let reports = ClusterSim::new(cfg).unwrap().run();
        let (allowed, wa, wd, degraded) = totals(&reports);
        assert!(allowed > 1000);
        assert_eq!((wa, wd, degraded), (0, 0, 0));
        for r in &reports {
            for k in &r.keys {
                assert_eq!(k.allowed, k.exact_allowed);
            }
        }
    }

    fn keys_on_shard(sim: &ClusterSim, cfg: &ClusterConfig, shard: u32) -> Vec<usize> {
        (0..cfg.clients.len())
            .filter(|&i| sim.ring().node_for(cfg.clients[i].key) == Some(shard))
            .collect()
    }

    #[test]
    fn policies_behave_as_named_during_an_outage_and_recover_after() {
        for policy in [
            DegradationPolicy::FailOpen,
            DegradationPolicy::FailClosed,
            DegradationPolicy::LocalFallback {
                share_permille: 333,
            },
        ] {
            let mut cfg = ClusterConfig::demo(policy, 2);
            cfg.shard_timeout_ns = u64::MAX;
            let mut sim = ClusterSim::new(cfg.clone()).unwrap();
            let down_keys = keys_on_shard(&sim, &cfg, 1);
            assert!(!down_keys.is_empty());
            let reports = sim.run();
            for r in &reports {
                let in_outage = (30..60).contains(&r.tick);
                assert_eq!(r.shards[1].up, !in_outage);
                let down_requests: u64 = down_keys
                    .iter()
                    .map(|&i| r.keys[i].allowed + r.keys[i].denied)
                    .sum();
                let down_allowed: u64 = down_keys.iter().map(|&i| r.keys[i].allowed).sum();
                if in_outage {
                    assert_eq!(r.degraded, down_requests, "{policy:?} tick {}", r.tick);
                    match policy {
                        DegradationPolicy::FailOpen => assert_eq!(down_allowed, down_requests),
                        DegradationPolicy::FailClosed => assert_eq!(down_allowed, 0),
                        DegradationPolicy::LocalFallback { .. } => {}
                    }
                } else {
                    assert_eq!(r.degraded, 0, "{policy:?} tick {}", r.tick);
                }
            }
            if let DegradationPolicy::LocalFallback { .. } = policy {
                // 3 nodes × (burst 6 + 3/s): over the 3 s outage each key gets at most 3 × (6 + 9).
                for &i in &down_keys {
                    let allowed: u64 = reports[30..60].iter().map(|r| r.keys[i].allowed).sum();
                    assert!(allowed <= 3 * (6 + 9), "key {i}: {allowed}");
                }
            }
        }
    }

    #[test]
    fn hot_key_loads_its_shard_and_overload_times_out() {
        let cfg = ClusterConfig::demo(DegradationPolicy::FailOpen, 3);
        let mut sim = ClusterSim::new(cfg.clone()).unwrap();
        let hot_shard = sim.ring().node_for(48).unwrap() as usize;
        let reports = sim.run();
        let r = &reports[10];
        let busiest = r.shards.iter().max_by_key(|s| s.requests).unwrap();
        assert_eq!(busiest.shard as usize, hot_shard);
        assert!(r.load_imbalance_permille > 1500);
        assert!(r.shards[hot_shard].timeouts > 0);
        // Fail-open under overload lets the hot key through beyond the exact limit.
        let hot_allowed: u64 = reports.iter().map(|r| r.keys[48].allowed).sum();
        let hot_exact: u64 = reports.iter().map(|r| r.keys[48].exact_allowed).sum();
        assert!(hot_allowed > hot_exact);
        assert!(reports.iter().map(|r| r.wrongly_allowed).sum::<u64>() > 0);
    }

    #[test]
    fn extreme_configs_run_or_are_rejected_without_panicking() {
        let mut c = ClusterConfig::demo(
            DegradationPolicy::LocalFallback {
                share_permille: 1000,
            },
            9,
        );
        c.ticks = 5;
        c.shard_base_latency_ns = u64::MAX;
        c.shard_per_request_latency_ns = u64::MAX;
        c.clients[0].pattern = Pattern::Bursty {
            rate_milli_per_s: u64::MAX,
            on_ms: u64::MAX,
            off_ms: u64::MAX,
        };
        c.clients[1].pattern = Pattern::Steady {
            rate_milli_per_s: 0,
        };
        let reports = ClusterSim::new(c.clone()).unwrap().run();
        assert_eq!(reports.len(), 5);
        // Everything times out, so everything is degraded.
        assert!(reports.iter().all(|r| r.degraded == r.allowed + r.denied));
        c.limit.rate_per_s = u64::MAX;
        assert!(ClusterSim::new(c.clone()).is_err());
        c.limit.rate_per_s = 10;
        c.tick_ms = u64::MAX;
        assert!(ClusterSim::new(c).is_err());
    }

    #[test]
    fn invalid_cluster_configs_are_rejected() {
        let base = ClusterConfig::demo(DegradationPolicy::FailOpen, 1);
        let mut c = base.clone();
        c.shard_count = 0;
        assert!(ClusterSim::new(c).is_err());
        let mut c = base.clone();
        c.outages[0].shard = 9;
        assert!(ClusterSim::new(c).is_err());
        let mut c = base.clone();
        c.policy = DegradationPolicy::LocalFallback { share_permille: 0 };
        assert!(ClusterSim::new(c).is_err());
        let mut c = base.clone();
        c.tick_ms = 0;
        assert!(ClusterSim::new(c).is_err());
        let mut c = base;
        c.limit.rate_per_s = 0;
        assert!(ClusterSim::new(c).is_err());
    }
}
