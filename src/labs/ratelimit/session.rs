//! The lab's run, outside the reactive graph: one configuration (the limit, the traffic, a
//! seed), the visitor's own requests (their times) and the shard actions, and from them, at any
//! time, every decision of the five algorithms on the same requests and the cluster's state.
//! A run is a function of `(RunConfig, manual presses, shard events, time)`: opening its address
//! replays it exactly, and so does `limit-replay` on its exported trace.
//!
//! Each algorithm decides through its own `KeyedLimiter` exactly as `limit-replay` does (cost 1,
//! `REPLAY_HASH_SEED`, [`LAB_MAX_KEYS`], the key [`KEY`] hashed by `replay::hash_key`).

use ratelimit::cluster::{
    ClusterConfig, ClusterSim, DegradationPolicy, ShardAction, ShardEvent, TickReport,
};
use ratelimit::replay::{hash_key, REPLAY_HASH_SEED};
use ratelimit::traffic::{ClientTraffic, Pattern};
use ratelimit::{AlgorithmKind, ConfigError, KeyedLimiter, LimitConfig, Limiter, StateView};
use serde::{Deserialize, Serialize};
use std::fmt::Write as _;

/// The one key every request of the panels is for, as the trace names it.
pub const KEY: &str = "client";
/// Key table capacity of each panel's limiter (named in the trace's header).
pub const LAB_MAX_KEYS: u64 = 64;
/// Requests a run may hold (the trace's lines): the run stops there.
pub const MAX_REQUESTS: usize = 50_000;
/// The longest run, in simulated milliseconds.
pub const MAX_RUN_MS: u64 = 600_000;
/// The visitor's own requests a run may hold (each one is in the address).
pub const MAX_MANUAL: usize = 2_000;
/// The fastest traffic the lab generates, in requests per second.
pub const MAX_TRAFFIC_RATE: u64 = 2_000;
/// The largest rate and burst a visitor may set.
pub const MAX_RATE: u64 = 100_000;
pub const MAX_BURST: u64 = 100_000;
/// The longest window, in milliseconds.
pub const MAX_WINDOW_MS: u64 = 60_000;
/// Width of one bar of the per-algorithm charts, in simulated milliseconds.
pub const BUCKET_MS: u64 = 250;
/// Bursty traffic: on for this long at the traffic rate, then silent for [`BURST_OFF_MS`].
pub const BURST_ON_MS: u64 = 500;
pub const BURST_OFF_MS: u64 = 1_500;
/// The cluster's tick (its reports are per tick).
pub const CLUSTER_TICK_MS: u64 = 100;
/// Reports of the cluster kept for its charts (the newest).
pub const CLUSTER_REPORTS: usize = 100;
/// The local fallback's share of the limit by default (each of the cluster's 3 app nodes a third).
pub const DEFAULT_SHARE_PERMILLE: u64 = 334;
/// Shards the cluster may have on its ring at once.
pub const MAX_RING_SHARDS: u32 = 12;

const NS_PER_MS: u64 = 1_000_000;

/// How the panels' traffic arrives.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Traffic {
    /// Poisson arrivals at the traffic rate (seeded).
    Steady,
    /// The traffic rate for [`BURST_ON_MS`], then silence for [`BURST_OFF_MS`] (seeded).
    Bursty,
    /// Every third window: a window's limit of requests in its last tenth, and as many in the
    /// next window's first tenth — twice the limit within a fifth of a window.
    Boundary,
    /// Only the visitor's own requests.
    Manual,
}

impl Traffic {
    pub const ALL: [Traffic; 4] = [
        Traffic::Steady,
        Traffic::Bursty,
        Traffic::Boundary,
        Traffic::Manual,
    ];

    /// Its name in the address.
    pub fn name(self) -> &'static str {
        match self {
            Traffic::Steady => "steady",
            Traffic::Bursty => "bursty",
            Traffic::Boundary => "boundary",
            Traffic::Manual => "manual",
        }
    }

    pub fn from_name(s: &str) -> Option<Traffic> {
        Traffic::ALL.into_iter().find(|t| t.name() == s)
    }
}

/// What a run is made of, besides the visitor's requests and shard actions.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RunConfig {
    pub limit: LimitConfig,
    pub traffic: Traffic,
    /// Requests per second of steady traffic, and of bursty traffic while on.
    pub traffic_rate: u64,
    pub seed: u64,
    /// The cluster's degradation policy.
    pub policy: DegradationPolicy,
}

impl Default for RunConfig {
    fn default() -> Self {
        RunConfig {
            limit: LimitConfig {
                rate_per_s: 10,
                burst: 10,
                window_ms: 1_000,
            },
            traffic: Traffic::Steady,
            traffic_rate: 15,
            seed: 1,
            policy: DegradationPolicy::LocalFallback {
                share_permille: DEFAULT_SHARE_PERMILLE,
            },
        }
    }
}

/// Why a configuration cannot run: the field it is about, and why.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RunError {
    pub field: Field,
    pub problem: Problem,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Problem {
    /// Outside the lab's bounds.
    Range { min: u64, max: u64 },
    /// The engine refused it (its reason).
    Engine(String),
}

/// The fields a visitor sets.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Field {
    Rate,
    Burst,
    Window,
    Traffic,
    TrafficRate,
    Seed,
    Share,
    /// The shard actions (from an address).
    Shards,
}

fn field_of(e: &ConfigError) -> Field {
    match e {
        ConfigError::ZeroBurst => Field::Burst,
        ConfigError::ZeroWindow | ConfigError::LimitNotInteger { .. } => Field::Window,
        ConfigError::LogTooLarge { .. } | ConfigError::TooLarge { .. } => Field::Window,
        _ => Field::Rate,
    }
}

fn bounded(field: Field, value: u64, min: u64, max: u64) -> Result<(), RunError> {
    if (min..=max).contains(&value) {
        Ok(())
    } else {
        Err(RunError {
            field,
            problem: Problem::Range { min, max },
        })
    }
}

fn engine(field: Field, e: impl std::fmt::Display) -> RunError {
    RunError {
        field,
        problem: Problem::Engine(e.to_string()),
    }
}

impl RunConfig {
    /// Checks the configuration as the engine does (every algorithm must accept the limit).
    pub fn check(&self) -> Result<(), RunError> {
        bounded(Field::Rate, self.limit.rate_per_s, 1, MAX_RATE)?;
        bounded(Field::Burst, self.limit.burst, 1, MAX_BURST)?;
        bounded(Field::Window, self.limit.window_ms, 1, MAX_WINDOW_MS)?;
        bounded(Field::TrafficRate, self.traffic_rate, 1, MAX_TRAFFIC_RATE)?;
        for kind in AlgorithmKind::ALL {
            limiter(kind, &self.limit)
                .map_err(|e| engine(field_of(&e), format!("{}: {e}", kind.name())))?;
        }
        if let DegradationPolicy::LocalFallback { share_permille } = self.policy {
            DegradationPolicy::local_limit(share_permille, &self.limit)
                .map_err(|e| engine(Field::Share, e))?;
        }
        Ok(())
    }

    /// The per-window limit of the window algorithms (`rate × window`).
    pub fn window_limit(&self) -> u64 {
        self.limit.window_limit().map_or(0, |(_, l)| l)
    }

    /// The `limit-replay` arguments of a panel.
    pub fn replay_args(&self, kind: AlgorithmKind) -> String {
        format!(
            "--algo {} --rate {} --burst {} --window-ms {} --max-keys {LAB_MAX_KEYS}",
            kind.name(),
            self.limit.rate_per_s,
            self.limit.burst,
            self.limit.window_ms
        )
    }
}

fn limiter(kind: AlgorithmKind, limit: &LimitConfig) -> Result<KeyedLimiter, ConfigError> {
    KeyedLimiter::new(kind, limit, LAB_MAX_KEYS, REPLAY_HASH_SEED)
}

/// The panels' generated traffic: arrival times in order.
enum Arrivals {
    Poisson(ClientTraffic),
    Boundary {
        next: u64,
        window_ns: u64,
        limit: u64,
    },
    None,
}

impl Arrivals {
    fn new(run: &RunConfig) -> Arrivals {
        let rate_milli_per_s = run.traffic_rate.saturating_mul(1000);
        match run.traffic {
            Traffic::Steady => Arrivals::Poisson(ClientTraffic::new(
                Pattern::Steady { rate_milli_per_s },
                run.seed,
            )),
            Traffic::Bursty => Arrivals::Poisson(ClientTraffic::new(
                Pattern::Bursty {
                    rate_milli_per_s,
                    on_ms: BURST_ON_MS,
                    off_ms: BURST_OFF_MS,
                },
                run.seed,
            )),
            Traffic::Boundary => Arrivals::Boundary {
                next: 0,
                window_ns: run.limit.window_ms.saturating_mul(NS_PER_MS),
                limit: run.window_limit().max(1),
            },
            Traffic::Manual => Arrivals::None,
        }
    }

    /// The `i`-th boundary-burst request: cycle `i / 2L` of three windows, the 2L requests of
    /// a cycle evenly spaced from 1.9 to 2.1 windows into it.
    fn boundary_time(i: u64, window_ns: u64, limit: u64) -> u64 {
        let (cycle, j) = (i / (2 * limit), i % (2 * limit));
        let w = u128::from(window_ns);
        let t =
            u128::from(cycle) * 3 * w + w * 19 / 10 + u128::from(j) * w / (10 * u128::from(limit));
        u64::try_from(t).unwrap_or(u64::MAX)
    }

    /// Appends every arrival before `end_ns` not yet returned.
    fn until(&mut self, end_ns: u64, out: &mut Vec<u64>) {
        match self {
            // The generator yields a bounded span per call: call until it has no more.
            Arrivals::Poisson(t) => loop {
                let before = out.len();
                t.arrivals_until(end_ns, out);
                if out.len() == before || out.len() >= MAX_REQUESTS {
                    break;
                }
            },
            Arrivals::Boundary {
                next,
                window_ns,
                limit,
            } => loop {
                let t = Self::boundary_time(*next, *window_ns, *limit);
                if t >= end_ns || out.len() >= MAX_REQUESTS {
                    break;
                }
                out.push(t);
                *next += 1;
            },
            Arrivals::None => {}
        }
    }
}

/// One decision as `limit-replay` prints it: allowed with the remaining count, or denied with
/// the wait in ns.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Verdict {
    pub allowed: bool,
    pub value: u64,
}

/// Allowed and denied requests in one chart bucket.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Bucket {
    pub allowed: u32,
    pub denied: u32,
}

/// One algorithm's panel: its limiter, its decisions on every request so far, per bucket.
pub struct Panel {
    pub kind: AlgorithmKind,
    limiter: KeyedLimiter,
    pub verdicts: Vec<Verdict>,
    pub buckets: Vec<Bucket>,
    pub allowed: u64,
    pub denied: u64,
}

impl Panel {
    fn decide(&mut self, key: u64, t: u64) {
        let d = self.limiter.check(key, t, 1);
        self.verdicts.push(Verdict {
            allowed: d.allowed,
            value: if d.allowed {
                d.remaining
            } else {
                d.retry_after_ns
            },
        });
        let b = (t / NS_PER_MS / BUCKET_MS) as usize;
        if self.buckets.len() <= b {
            self.buckets.resize(b + 1, Bucket::default());
        }
        if d.allowed {
            self.allowed += 1;
            self.buckets[b].allowed += 1;
        } else {
            self.denied += 1;
            self.buckets[b].denied += 1;
        }
    }

    /// The key's state now (a fresh state before its first request).
    pub fn view(&self, now_ns: u64) -> Option<StateView> {
        self.limiter.view(hash_key(KEY.as_bytes()), now_ns)
    }
}

/// Why the run cannot go on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Stop {
    /// [`MAX_RUN_MS`] reached.
    Time,
    /// [`MAX_REQUESTS`] reached.
    Requests,
}

/// Refused visitor actions.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ActError {
    /// [`MAX_MANUAL`] presses already.
    TooManyPresses,
    /// The run has ended.
    Stopped(Stop),
    /// The cluster refused the action (the engine's reason).
    Cluster(String),
}

impl std::fmt::Display for ActError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ActError::TooManyPresses => write!(f, "at most {MAX_MANUAL} requests by hand"),
            ActError::Stopped(Stop::Time) => write!(f, "the run is at its end ({MAX_RUN_MS} ms)"),
            ActError::Stopped(Stop::Requests) => {
                write!(f, "the run holds its most requests ({MAX_REQUESTS})")
            }
            ActError::Cluster(e) => f.write_str(e),
        }
    }
}

/// The cluster and its recent reports.
pub struct Cluster {
    pub sim: ClusterSim,
    pub reports: std::collections::VecDeque<TickReport>,
    /// Keys that moved to another shard at the last ring change, and to which shards.
    pub moved: Option<Moved>,
}

/// What the last ring change moved.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Moved {
    pub keys: usize,
    pub of: usize,
    /// The shards they moved to, in order.
    pub to: Vec<u32>,
}

/// The cluster's configuration for a run: the engine's demo scenario without its scheduled
/// outage (the visitor kills shards), long enough for the longest run, with `events`.
pub fn cluster_config(run: &RunConfig, events: Vec<ShardEvent>) -> ClusterConfig {
    let mut c = ClusterConfig::demo(run.policy, run.seed);
    c.outages.clear();
    c.tick_ms = CLUSTER_TICK_MS;
    c.ticks = MAX_RUN_MS / CLUSTER_TICK_MS;
    c.events = events;
    c
}

/// The whole run.
pub struct Session {
    run: RunConfig,
    now_ms: u64,
    arrivals: Arrivals,
    /// Generated arrivals not yet decided (sorted), and the visitor's presses.
    pending: std::collections::VecDeque<u64>,
    manual: Vec<u64>,
    manual_done: usize,
    /// Every request decided, in order (the trace).
    requests: Vec<u64>,
    pub panels: Vec<Panel>,
    pub cluster: Cluster,
    stop: Option<Stop>,
    scratch: Vec<u64>,
}

impl Session {
    /// A run of `run` with the visitor's presses (ms, non-decreasing) and shard events,
    /// advanced to `until_ms`.
    pub fn new(
        run: RunConfig,
        mut manual_ms: Vec<u64>,
        events: Vec<ShardEvent>,
        until_ms: u64,
    ) -> Result<Session, RunError> {
        run.check()?;
        manual_ms.truncate(MAX_MANUAL);
        manual_ms.sort_unstable();
        let panels = AlgorithmKind::ALL
            .into_iter()
            .map(|kind| {
                limiter(kind, &run.limit).map(|limiter| Panel {
                    kind,
                    limiter,
                    verdicts: Vec::new(),
                    buckets: Vec::new(),
                    allowed: 0,
                    denied: 0,
                })
            })
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| engine(field_of(&e), e))?;
        let sim =
            ClusterSim::new(cluster_config(&run, events)).map_err(|e| engine(Field::Shards, e))?;
        let mut s = Session {
            run,
            now_ms: 0,
            arrivals: Arrivals::new(&run),
            pending: Default::default(),
            manual: manual_ms
                .iter()
                .map(|m| m.saturating_mul(NS_PER_MS))
                .collect(),
            manual_done: 0,
            requests: Vec::new(),
            panels,
            cluster: Cluster {
                sim,
                reports: Default::default(),
                moved: None,
            },
            stop: None,
            scratch: Vec::new(),
        };
        s.advance(until_ms.min(MAX_RUN_MS));
        Ok(s)
    }

    pub fn run(&self) -> RunConfig {
        self.run
    }

    pub fn now_ms(&self) -> u64 {
        self.now_ms
    }

    pub fn stopped(&self) -> Option<Stop> {
        self.stop
    }

    /// The visitor's presses, in ms (for the address).
    pub fn manual_ms(&self) -> Vec<u64> {
        self.manual.iter().map(|t| t / NS_PER_MS).collect()
    }

    pub fn events(&self) -> &[ShardEvent] {
        &self.cluster.sim.config().events
    }

    pub fn requests(&self) -> &[u64] {
        &self.requests
    }

    /// Runs `ms` more milliseconds; returns how many ran.
    pub fn advance(&mut self, ms: u64) -> u64 {
        let target = self.now_ms.saturating_add(ms).min(MAX_RUN_MS);
        let done = target - self.now_ms;
        if self.stop.is_some() {
            return 0;
        }
        let end_ns = target * NS_PER_MS;
        self.scratch.clear();
        self.arrivals.until(end_ns, &mut self.scratch);
        self.pending.extend(self.scratch.iter().copied());
        let key = hash_key(KEY.as_bytes());
        loop {
            // Presses up to and including `now` (one made now is decided at once), arrivals
            // before it; a press goes before an arrival at the same time (it was made once
            // everything before that time had been decided).
            let manual = self
                .manual
                .get(self.manual_done)
                .copied()
                .filter(|&t| t <= end_ns);
            let generated = self.pending.front().copied();
            let t = match (manual, generated) {
                (Some(m), Some(g)) if m <= g => {
                    self.manual_done += 1;
                    m
                }
                (Some(m), None) => {
                    self.manual_done += 1;
                    m
                }
                (_, Some(g)) => {
                    self.pending.pop_front();
                    g
                }
                (None, None) => break,
            };
            if self.requests.len() >= MAX_REQUESTS {
                self.stop = Some(Stop::Requests);
                break;
            }
            self.requests.push(t);
            for p in &mut self.panels {
                p.decide(key, t);
            }
        }
        self.now_ms = target;
        if self.now_ms >= MAX_RUN_MS && self.stop.is_none() {
            self.stop = Some(Stop::Time);
        }
        // The cluster runs every tick that has ended by now.
        while self.cluster.sim.tick() * CLUSTER_TICK_MS + CLUSTER_TICK_MS <= self.now_ms {
            match self.cluster.sim.step() {
                Some(r) => {
                    if self.cluster.reports.len() >= CLUSTER_REPORTS {
                        self.cluster.reports.pop_front();
                    }
                    self.cluster.reports.push_back(r);
                }
                None => break,
            }
        }
        done
    }

    /// A request by hand, now.
    pub fn press(&mut self) -> Result<(), ActError> {
        if let Some(stop) = self.stop {
            return Err(ActError::Stopped(stop));
        }
        if self.manual.len() >= MAX_MANUAL {
            return Err(ActError::TooManyPresses);
        }
        let t = self.now_ms * NS_PER_MS;
        debug_assert!(self.manual.last().is_none_or(|&m| m <= t));
        self.manual.push(t);
        // Decided at once: everything before `now` has been.
        self.advance(0);
        Ok(())
    }

    /// A shard action now; a ring change records which keys moved.
    pub fn act(&mut self, action: ShardAction) -> Result<(), ActError> {
        if action == ShardAction::Add && self.ring_shards() >= MAX_RING_SHARDS {
            return Err(ActError::Cluster(format!(
                "at most {MAX_RING_SHARDS} shards on the ring"
            )));
        }
        let ring_change = matches!(action, ShardAction::Add | ShardAction::Remove { .. });
        let keys: Vec<u64> = if ring_change {
            self.cluster
                .sim
                .config()
                .clients
                .iter()
                .map(|c| c.key)
                .collect()
        } else {
            Vec::new()
        };
        let before: Vec<Option<u32>> = keys
            .iter()
            .map(|&k| self.cluster.sim.shard_for(k))
            .collect();
        // The engine refuses what cannot apply (an unknown shard, one shard too many, …).
        self.cluster
            .sim
            .act(action)
            .map_err(|e| ActError::Cluster(e.to_string()))?;
        if ring_change {
            let mut to = Vec::new();
            let mut moved = 0;
            for (k, b) in keys.iter().zip(&before) {
                let now = self.cluster.sim.shard_for(*k);
                if now != *b {
                    moved += 1;
                    if let Some(s) = now.filter(|s| !to.contains(s)) {
                        to.push(s);
                    }
                }
            }
            to.sort_unstable();
            self.cluster.moved = Some(Moved {
                keys: moved,
                of: keys.len(),
                to,
            });
        }
        Ok(())
    }

    /// Shards on the ring now.
    pub fn ring_shards(&self) -> u32 {
        self.cluster.sim.ring().node_count() as u32
    }

    /// The trace `limit-replay` reads for a panel: its arguments as a comment, then one
    /// `<time_ns> <key>` line per request.
    pub fn trace(&self, kind: AlgorithmKind) -> String {
        let mut out = format!("# limit-replay {}\n", self.run.replay_args(kind));
        for t in &self.requests {
            let _ = writeln!(out, "{t} {KEY}");
        }
        out
    }

    /// A panel's decisions, as `limit-replay` prints them.
    pub fn decisions(&self, kind: AlgorithmKind) -> String {
        let mut out = String::new();
        if let Some(p) = self.panels.iter().find(|p| p.kind == kind) {
            for v in &p.verdicts {
                let word = if v.allowed { "ALLOW" } else { "DENY" };
                let _ = writeln!(out, "{word} {}", v.value);
            }
        }
        out
    }
}

/// Chart bars shown per panel (the newest).
pub const CHART_BUCKETS: usize = 40;

/// Everything the views draw, as of now.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Frame {
    pub now_ms: u64,
    pub run: RunConfig,
    pub requests: usize,
    pub presses: usize,
    pub stopped: Option<Stop>,
    pub panels: Vec<PanelFrame>,
    pub cluster: ClusterFrame,
}

#[derive(Clone, Debug, PartialEq)]
pub struct PanelFrame {
    pub kind: AlgorithmKind,
    pub allowed: u64,
    pub denied: u64,
    /// Index of the first bar shown; bar `k` covers `[k, k + 1) × BUCKET_MS`.
    pub first_bucket: u64,
    pub buckets: Vec<Bucket>,
    /// The key's state now (`None` before its first request).
    pub view: Option<StateView>,
    /// The most a perfect limiter of this kind could have admitted by now.
    pub ideal: u64,
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ClusterFrame {
    pub tick: u64,
    pub shards: Vec<ShardFrame>,
    /// The ring's points, as (position, shard).
    pub points: Vec<(u64, u32)>,
    /// Each client key: its ring position, its shard, and whether it is the hot key.
    pub keys: Vec<(u64, Option<u32>, bool)>,
    pub totals: ClusterTotals,
    pub moved: Option<Moved>,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ShardFrame {
    pub shard: u32,
    pub up: bool,
    pub in_ring: bool,
    /// In the last tick.
    pub requests: u64,
    pub timeouts: u64,
    pub latency_ns_mean: u64,
    pub latency_ns_max: u64,
}

/// Sums over the reports kept ([`CLUSTER_REPORTS`] ticks).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ClusterTotals {
    pub ticks: u64,
    pub allowed: u64,
    pub denied: u64,
    pub wrongly_allowed: u64,
    pub wrongly_denied: u64,
    pub degraded: u64,
}

/// The key the cluster's hot client sends on (its one key far above the limit).
fn hot_key(c: &ClusterConfig) -> Option<u64> {
    c.clients
        .iter()
        .max_by_key(|c| match c.pattern {
            Pattern::Steady { rate_milli_per_s } => rate_milli_per_s,
            Pattern::Bursty { .. } => 0,
        })
        .map(|c| c.key)
}

impl Session {
    /// Fills `out` with the run as of now.
    pub fn frame(&self, out: &mut Frame) {
        out.now_ms = self.now_ms;
        out.run = self.run;
        out.requests = self.requests.len();
        out.presses = self.manual.len();
        out.stopped = self.stop;
        let last = self.now_ms / BUCKET_MS;
        let first = (last + 1).saturating_sub(CHART_BUCKETS as u64);
        let now_ns = self.now_ms * NS_PER_MS;
        let l = &self.run.limit;
        let windows = self.now_ms / l.window_ms.max(1) + 1;
        out.panels.clear();
        out.panels.extend(self.panels.iter().map(|p| {
            let buckets = (first..=last)
                .map(|b| p.buckets.get(b as usize).copied().unwrap_or_default())
                .collect();
            let ideal = match p.kind {
                AlgorithmKind::TokenBucket | AlgorithmKind::Gcra => {
                    l.burst + l.rate_per_s.saturating_mul(self.now_ms) / 1000
                }
                _ => self.run.window_limit().saturating_mul(windows),
            };
            PanelFrame {
                kind: p.kind,
                allowed: p.allowed,
                denied: p.denied,
                first_bucket: first,
                buckets,
                view: p.view(now_ns),
                ideal,
            }
        }));
        let sim = &self.cluster.sim;
        let c = &mut out.cluster;
        c.tick = sim.tick();
        c.shards.clear();
        let last_report = self.cluster.reports.back();
        for shard in 0..sim.shard_total() {
            let t = last_report.and_then(|r| r.shards.iter().find(|s| s.shard == shard));
            c.shards.push(ShardFrame {
                shard,
                up: sim.shard_up(shard),
                in_ring: sim.ring().contains(shard),
                requests: t.map_or(0, |t| t.requests),
                timeouts: t.map_or(0, |t| t.timeouts),
                latency_ns_mean: t.map_or(0, |t| t.latency_ns_mean),
                latency_ns_max: t.map_or(0, |t| t.latency_ns_max),
            });
        }
        if c.points.as_slice() != sim.ring().points() {
            c.points.clear();
            c.points.extend_from_slice(sim.ring().points());
        }
        let hot = hot_key(sim.config());
        c.keys.clear();
        c.keys.extend(sim.config().clients.iter().map(|k| {
            (
                sim.ring().position(k.key),
                sim.shard_for(k.key),
                Some(k.key) == hot,
            )
        }));
        let mut totals = ClusterTotals::default();
        for r in &self.cluster.reports {
            totals.ticks += 1;
            totals.allowed += r.allowed;
            totals.denied += r.denied;
            totals.wrongly_allowed += r.wrongly_allowed;
            totals.wrongly_denied += r.wrongly_denied;
            totals.degraded += r.degraded;
        }
        c.totals = totals;
        c.moved.clone_from(&self.cluster.moved);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ratelimit::replay::{parse_args, Replay};

    fn replay(trace: &str) -> String {
        let header = trace.lines().next().unwrap();
        let args = header.trim_start_matches("# limit-replay ");
        let args = parse_args(args.split(' ').map(String::from)).unwrap();
        let mut r = Replay::new(&args).unwrap();
        let mut out = String::new();
        for line in trace.lines() {
            r.process_line(line.as_bytes(), &mut out);
        }
        out
    }

    fn session(traffic: Traffic, until: u64) -> Session {
        let run = RunConfig {
            traffic,
            traffic_rate: 40,
            ..RunConfig::default()
        };
        Session::new(run, vec![100, 100, 2_500, 2_501], Vec::new(), until).unwrap()
    }

    #[test]
    fn every_panel_decides_as_limit_replay_does() {
        for traffic in Traffic::ALL {
            let s = session(traffic, 8_000);
            assert!(s.requests().len() >= 4, "{traffic:?}");
            for kind in AlgorithmKind::ALL {
                assert_eq!(
                    replay(&s.trace(kind)),
                    s.decisions(kind),
                    "{traffic:?} {kind:?}"
                );
            }
        }
    }

    #[test]
    fn a_run_replays_from_its_parts_however_it_was_stepped() {
        let mut live = session(Traffic::Bursty, 0);
        for _ in 0..40 {
            live.advance(97);
        }
        live.press().unwrap();
        live.press().unwrap();
        live.act(ShardAction::Kill { shard: 1 }).unwrap();
        live.advance(1_000);
        live.act(ShardAction::Add).unwrap();
        live.advance(1_000);
        let again = Session::new(
            live.run(),
            live.manual_ms(),
            live.events().to_vec(),
            live.now_ms(),
        )
        .unwrap();
        assert_eq!(again.requests(), live.requests());
        for kind in AlgorithmKind::ALL {
            assert_eq!(again.decisions(kind), live.decisions(kind));
        }
        assert_eq!(again.cluster.reports, live.cluster.reports);
    }

    #[test]
    fn the_boundary_burst_doubles_a_fixed_window_and_not_a_sliding_log() {
        let run = RunConfig {
            traffic: Traffic::Boundary,
            ..RunConfig::default()
        };
        let limit = run.window_limit();
        // One cycle: 2L requests within 0.2 windows around the end of window 2.
        let s = Session::new(run, Vec::new(), Vec::new(), 3 * run.limit.window_ms).unwrap();
        let allowed = |k| s.panels.iter().find(|p| p.kind == k).unwrap().allowed;
        assert_eq!(s.requests().len() as u64, 2 * limit);
        assert_eq!(allowed(AlgorithmKind::FixedWindow), 2 * limit);
        assert_eq!(allowed(AlgorithmKind::SlidingLog), limit);
    }

    #[test]
    fn bad_configurations_name_their_field() {
        // The defaults run (the page falls back to them).
        assert!(Session::new(RunConfig::default(), Vec::new(), Vec::new(), 0).is_ok());
        let mut run = RunConfig::default();
        run.limit.rate_per_s = 0;
        assert_eq!(run.check().unwrap_err().field, Field::Rate);
        run.limit.rate_per_s = 3;
        run.limit.window_ms = 500;
        assert_eq!(run.check().unwrap_err().field, Field::Window);
        run.limit.window_ms = 1_000;
        run.limit.burst = 0;
        assert_eq!(run.check().unwrap_err().field, Field::Burst);
        run.limit.burst = 5;
        run.traffic_rate = MAX_TRAFFIC_RATE + 1;
        assert_eq!(run.check().unwrap_err().field, Field::TrafficRate);
        run.traffic_rate = 10;
        run.policy = DegradationPolicy::LocalFallback { share_permille: 0 };
        assert_eq!(run.check().unwrap_err().field, Field::Share);
    }

    #[test]
    fn a_run_is_bounded() {
        let run = RunConfig {
            traffic_rate: MAX_TRAFFIC_RATE,
            ..RunConfig::default()
        };
        let mut s = Session::new(run, Vec::new(), Vec::new(), MAX_RUN_MS).unwrap();
        assert_eq!(s.requests().len(), MAX_REQUESTS);
        assert_eq!(s.stopped(), Some(Stop::Requests));
        assert!(s.press().is_err());
        assert_eq!(s.advance(1_000), 0);
    }

    #[test]
    fn the_frame_shows_the_newest_bars_and_no_more_than_the_ideal() {
        let s = session(Traffic::Steady, 20_000);
        let mut f = Frame::default();
        s.frame(&mut f);
        assert_eq!(f.panels.len(), 5);
        for p in &f.panels {
            assert_eq!(p.buckets.len(), CHART_BUCKETS);
            assert_eq!(
                p.first_bucket,
                20_000 / BUCKET_MS + 1 - CHART_BUCKETS as u64
            );
            assert!(
                p.allowed <= p.ideal,
                "{:?} {} > {}",
                p.kind,
                p.allowed,
                p.ideal
            );
            assert_eq!(p.allowed + p.denied, f.requests as u64);
            assert!(p.view.is_some());
        }
        assert_eq!(f.cluster.shards.len(), 4);
        assert_eq!(f.cluster.points.len(), 4 * 64);
        assert_eq!(f.cluster.keys.iter().filter(|k| k.2).count(), 1);
        assert!(f.cluster.totals.ticks > 0 && f.cluster.totals.allowed > 0);
    }

    #[test]
    fn adding_a_shard_moves_few_keys_and_only_to_it() {
        let mut s = session(Traffic::Steady, 500);
        s.act(ShardAction::Add).unwrap();
        let moved = s.cluster.moved.clone().unwrap();
        assert!(moved.keys > 0 && moved.keys * 2 < moved.of, "{moved:?}");
        assert_eq!(moved.to, vec![4]);
    }
}
