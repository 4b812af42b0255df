//! A feed server: the seeded venue publishing its book over a real WebSocket on loopback, in
//! Kraken v2's shape (`status` on connect, `subscribe` replies, `heartbeat`s, `book` snapshot and
//! updates with `seq` and `checksum`), with the engine's network model applied to each
//! connection's book frames — drops, duplicates, reorders, delays, a corrupted digit — and
//! connections cut at random or on demand.
//!
//! The venue runs in one task at a set rate and broadcasts each update; a connection that
//! subscribes gets the published book as a snapshot at the current sequence number and the
//! updates after it, taken together under the venue's lock so nothing falls between them. A
//! connection that falls more than [`BROADCAST_CAPACITY`] updates behind loses the oldest (its
//! client sees a gap, as from a real venue). Time on a connection runs in 1 ms ticks: the
//! network model's delays are ticks.

use crate::protocol::{self, Request, MAX_REQUEST_BYTES};
use deterministic::SplitMix64;
use futures_util::{SinkExt, StreamExt};
use marketdata::network::{NetParams, Network, PERMILLE};
use marketdata::venue::{to_json, Venue, SYMBOL};
use marketdata::DEPTHS;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{broadcast, watch};
use tokio::task::JoinHandle;
use tokio_tungstenite::tungstenite::protocol::WebSocketConfig;
use tokio_tungstenite::tungstenite::Message;

/// Updates a connection may fall behind the venue before it loses the oldest.
pub const BROADCAST_CAPACITY: usize = 8_192;
/// Most updates the venue publishes per millisecond.
pub const MAX_UPDATES_PER_MS: u32 = 10_000;
/// Most updates one feed publishes in all.
pub const MAX_UPDATES: u64 = 100_000_000;
/// A heartbeat every this many ticks (ms), as Kraken sends one a second.
pub const HEARTBEAT_TICKS: u64 = 1_000;
/// Most connections served at once.
pub const MAX_CONNECTIONS: u64 = 64;
/// A connection's read buffer (it only reads requests).
pub const READ_BUFFER_BYTES: usize = 4_096;
/// One tick of the venue and of each connection's network.
pub const TICK: Duration = Duration::from_millis(1);

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FeedConfig {
    pub seed: u64,
    pub depth: usize,
    /// Updates the venue publishes in all; then it stops (its book is then final).
    pub updates: u64,
    pub updates_per_ms: u32,
    /// The network model applied to every connection's book frames.
    pub net: NetParams,
    /// Chance per tick that a subscribed connection is cut.
    pub cut_permille: u32,
    /// Whether the venue waits for its first subscriber before it publishes (a replayed
    /// session that starts when someone listens; a live venue does not wait).
    pub wait_for_subscriber: bool,
}

impl FeedConfig {
    /// A venue at `updates_per_ms` over a wire with 1–3 ms delays and no faults.
    pub fn clean(seed: u64, updates: u64, updates_per_ms: u32) -> FeedConfig {
        FeedConfig {
            seed,
            depth: 10,
            updates,
            updates_per_ms,
            net: NetParams {
                min_delay_ticks: 1,
                max_delay_ticks: 3,
                ..NetParams::default()
            },
            cut_permille: 0,
            wait_for_subscriber: false,
        }
    }
}

#[derive(Debug)]
pub enum FeedError {
    Config(String),
    Bind(std::io::Error),
}

impl std::fmt::Display for FeedError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            FeedError::Config(why) => write!(f, "feed config: {why}"),
            FeedError::Bind(e) => write!(f, "feed could not listen on loopback: {e}"),
        }
    }
}

impl std::error::Error for FeedError {}

/// What the feed has done so far.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct FeedStats {
    pub connections: u64,
    pub subscribes: u64,
    /// Connections cut (at random or by [`FeedServer::cut_connections`]).
    pub cuts: u64,
    /// Updates connections lost by falling behind the broadcast.
    pub lagged: u64,
    /// Book frames the network model corrupted, dropped or duplicated, over all connections.
    pub corrupted: u64,
    pub dropped: u64,
    pub duplicated: u64,
    pub reordered: u64,
}

/// The venue's published state: what a client in sync holds.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Published {
    pub seq: u64,
    pub checksum: u32,
    pub updates: u64,
    pub finished: bool,
    pub bids: Vec<marketdata::Level>,
    pub asks: Vec<marketdata::Level>,
}

struct VenueState {
    venue: Venue,
    updates: u64,
}

#[derive(Default)]
struct Counters {
    connections: AtomicU64,
    live_connections: AtomicU64,
    subscribes: AtomicU64,
    cuts: AtomicU64,
    lagged: AtomicU64,
    corrupted: AtomicU64,
    dropped: AtomicU64,
    duplicated: AtomicU64,
    reordered: AtomicU64,
}

struct Shared {
    venue: Mutex<VenueState>,
    updates_tx: broadcast::Sender<Arc<str>>,
    config: FeedConfig,
    counters: Counters,
    corrupt_next: AtomicBool,
    /// Bumped to cut every connection.
    cut_tx: watch::Sender<u64>,
    /// The network model's parameters (changed by [`FeedServer::set_faults`]).
    faults_tx: watch::Sender<(NetParams, u32)>,
    /// Set by the first subscribe.
    subscribed_tx: watch::Sender<bool>,
}

impl Shared {
    fn venue(&self) -> std::sync::MutexGuard<'_, VenueState> {
        // The lock guards no invariant a panic could break halfway.
        self.venue.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// A running feed; its tasks stop when it is dropped.
pub struct FeedServer {
    addr: SocketAddr,
    shared: Arc<Shared>,
    tasks: Vec<JoinHandle<()>>,
}

impl FeedServer {
    /// Starts the venue (after its warm-up and first snapshot) and listens on a free loopback port.
    pub async fn start(config: FeedConfig) -> Result<FeedServer, FeedError> {
        config.net.validate().map_err(|e| FeedError::Config(e.0))?;
        if config.cut_permille > PERMILLE
            || config.updates_per_ms == 0
            || config.updates_per_ms > MAX_UPDATES_PER_MS
            || config.updates > MAX_UPDATES
        {
            return Err(FeedError::Config(format!(
                "cut_permille <= {PERMILLE}, 1 <= updates_per_ms <= {MAX_UPDATES_PER_MS}, updates <= {MAX_UPDATES}"
            )));
        }
        let mut venue = Venue::new(config.seed, config.depth)
            .map_err(|e| FeedError::Config(format!("{e:?}")))?;
        venue.snapshot();
        let listener = TcpListener::bind("127.0.0.1:0")
            .await
            .map_err(FeedError::Bind)?;
        let addr = listener.local_addr().map_err(FeedError::Bind)?;
        let (updates_tx, _) = broadcast::channel(BROADCAST_CAPACITY);
        let shared = Arc::new(Shared {
            venue: Mutex::new(VenueState { venue, updates: 0 }),
            updates_tx,
            config,
            counters: Counters::default(),
            corrupt_next: AtomicBool::new(false),
            cut_tx: watch::channel(0).0,
            faults_tx: watch::channel((config.net, config.cut_permille)).0,
            subscribed_tx: watch::channel(false).0,
        });
        let tasks = vec![
            tokio::spawn(run_venue(shared.clone())),
            tokio::spawn(accept(listener, shared.clone())),
        ];
        Ok(FeedServer {
            addr,
            shared,
            tasks,
        })
    }

    pub fn url(&self) -> String {
        format!("ws://{}", self.addr)
    }

    /// Cuts every connection now (the client sees its socket close without a closing handshake).
    pub fn cut_connections(&self) {
        self.shared.cut_tx.send_modify(|g| *g += 1);
    }

    /// Corrupts the next book frame sent on a connection (a digit of a quantity).
    pub fn corrupt_next(&self) {
        self.shared.corrupt_next.store(true, Ordering::SeqCst);
    }

    /// New fault parameters for every connection from its next tick on (a test's "heal").
    pub fn set_faults(&self, net: NetParams, cut_permille: u32) -> Result<(), FeedError> {
        net.validate().map_err(|e| FeedError::Config(e.0))?;
        if cut_permille > PERMILLE {
            return Err(FeedError::Config(format!("cut_permille <= {PERMILLE}")));
        }
        self.shared.faults_tx.send_replace((net, cut_permille));
        Ok(())
    }

    pub fn published(&self) -> Published {
        let s = self.shared.venue();
        let book = s.venue.published();
        Published {
            seq: s.venue.seq(),
            checksum: book.checksum(),
            updates: s.updates,
            finished: s.updates >= self.shared.config.updates,
            bids: book.bids().to_vec(),
            asks: book.asks().to_vec(),
        }
    }

    pub fn stats(&self) -> FeedStats {
        let c = &self.shared.counters;
        let get = |a: &AtomicU64| a.load(Ordering::SeqCst);
        FeedStats {
            connections: get(&c.connections),
            subscribes: get(&c.subscribes),
            cuts: get(&c.cuts),
            lagged: get(&c.lagged),
            corrupted: get(&c.corrupted),
            dropped: get(&c.dropped),
            duplicated: get(&c.duplicated),
            reordered: get(&c.reordered),
        }
    }
}

impl Drop for FeedServer {
    fn drop(&mut self) {
        for t in &self.tasks {
            t.abort();
        }
        // Connections end with their sockets: cut them too.
        self.cut_connections();
    }
}

async fn run_venue(shared: Arc<Shared>) {
    if shared.config.wait_for_subscriber {
        let mut subscribed = shared.subscribed_tx.subscribe();
        // The sender lives in `shared`, so this only ends with a subscriber.
        let _ = subscribed.wait_for(|s| *s).await;
    }
    let mut timer = tokio::time::interval(TICK);
    timer.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        timer.tick().await;
        let mut s = shared.venue();
        for _ in 0..shared.config.updates_per_ms {
            if s.updates >= shared.config.updates {
                return;
            }
            if let Some(update) = s.venue.step() {
                s.updates += 1;
                // No subscriber is not an error: the market moves on.
                let _ = shared.updates_tx.send(Arc::from(to_json(&update)));
            }
        }
    }
}

async fn accept(listener: TcpListener, shared: Arc<Shared>) {
    let mut seeds = SplitMix64::new(shared.config.seed ^ 0x6e65_7477_6f72_6b21);
    loop {
        let Ok((stream, _)) = listener.accept().await else {
            tokio::time::sleep(TICK).await;
            continue;
        };
        let c = &shared.counters;
        if c.live_connections.load(Ordering::SeqCst) >= MAX_CONNECTIONS {
            continue;
        }
        let id = c.connections.fetch_add(1, Ordering::SeqCst) + 1;
        c.live_connections.fetch_add(1, Ordering::SeqCst);
        let seed = seeds.next_u64();
        let shared = shared.clone();
        tokio::spawn(async move {
            // A failed handshake or a closed socket ends the connection; nothing else to do.
            let _ = serve(stream, &shared, id, seed).await;
            shared
                .counters
                .live_connections
                .fetch_sub(1, Ordering::SeqCst);
        });
    }
}

type Ws = tokio_tungstenite::WebSocketStream<TcpStream>;

/// Waits for the next update of a subscription; never, without one.
async fn next_update(
    rx: &mut Option<broadcast::Receiver<Arc<str>>>,
) -> Result<Arc<str>, broadcast::error::RecvError> {
    match rx {
        Some(rx) => rx.recv().await,
        None => std::future::pending().await,
    }
}

async fn serve(
    stream: TcpStream,
    shared: &Shared,
    id: u64,
    seed: u64,
) -> Result<(), tokio_tungstenite::tungstenite::Error> {
    let _ = stream.set_nodelay(true);
    // Requests are small: a small read buffer (tungstenite zero-fills its free space before
    // each read, which at the default 128 KiB cost this task a sixth of its time).
    let config = WebSocketConfig::default()
        .max_message_size(Some(MAX_REQUEST_BYTES))
        .read_buffer_size(READ_BUFFER_BYTES);
    let ws: Ws = tokio_tungstenite::accept_async_with_config(stream, Some(config)).await?;
    let (mut sink, mut incoming) = ws.split();
    let mut rng = SplitMix64::new(seed);
    let mut faults = shared.faults_tx.subscribe();
    let (params, mut cut_permille) = *faults.borrow_and_update();
    // Parameters were validated when set.
    let Ok(mut net) = Network::new(rng.next_u64(), params) else {
        return Ok(());
    };
    let mut cut = shared.cut_tx.subscribe();
    cut.borrow_and_update();
    let mut updates: Option<broadcast::Receiver<Arc<str>>> = None;
    let mut timer = tokio::time::interval(TICK);
    timer.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let mut tick = 0u64;
    let mut last = net.stats();
    let c = &shared.counters;
    sink.send(Message::text(protocol::status(id))).await?;
    let end = loop {
        tokio::select! {
            _ = cut.changed() => break true,
            changed = faults.changed() => {
                if changed.is_ok() {
                    let (params, cut) = *faults.borrow_and_update();
                    let _ = net.set_params(params);
                    cut_permille = cut;
                }
            }
            msg = incoming.next() => match msg {
                Some(Ok(Message::Text(text))) => {
                    if let Some(reply) = request(shared, &text, &mut updates, &mut net, tick) {
                        sink.send(Message::text(reply)).await?;
                    }
                }
                Some(Ok(Message::Close(_))) | None | Some(Err(_)) => break false,
                Some(Ok(_)) => {}
            },
            update = next_update(&mut updates) => match update {
                Ok(frame) => {
                    if shared.corrupt_next.swap(false, Ordering::SeqCst) {
                        net.corrupt_next();
                    }
                    net.send(tick, frame.to_string());
                }
                Err(broadcast::error::RecvError::Lagged(n)) => {
                    c.lagged.fetch_add(n, Ordering::SeqCst);
                }
                Err(broadcast::error::RecvError::Closed) => updates = None,
            },
            _ = timer.tick() => {
                tick += 1;
                if updates.is_some()
                    && cut_permille > 0
                    && rng.chance_unbiased(u64::from(cut_permille), u64::from(PERMILLE))
                {
                    break true;
                }
                for frame in net.deliver(tick) {
                    sink.feed(Message::text(frame)).await?;
                }
                if tick.is_multiple_of(HEARTBEAT_TICKS) {
                    sink.feed(Message::text(protocol::HEARTBEAT)).await?;
                }
                sink.flush().await?;
                let now = net.stats();
                c.corrupted.fetch_add(now.corrupted - last.corrupted, Ordering::SeqCst);
                c.dropped.fetch_add(now.dropped - last.dropped, Ordering::SeqCst);
                c.duplicated.fetch_add(now.duplicated - last.duplicated, Ordering::SeqCst);
                c.reordered.fetch_add(now.reordered - last.reordered, Ordering::SeqCst);
                last = now;
            }
        }
    };
    if end {
        // Cut: the socket is dropped without a closing handshake.
        c.cuts.fetch_add(1, Ordering::SeqCst);
    }
    Ok(())
}

/// Handles one request; returns the reply to send.
fn request(
    shared: &Shared,
    text: &str,
    updates: &mut Option<broadcast::Receiver<Arc<str>>>,
    net: &mut Network,
    tick: u64,
) -> Option<String> {
    let Ok(req) = serde_json::from_str::<Request>(text) else {
        return Some(protocol::reply(
            "error",
            None,
            SYMBOL,
            Some("malformed request"),
        ));
    };
    let (method, id) = (req.method.as_str(), req.req_id);
    let p = &req.params;
    if p.channel != "book" || p.symbol.len() != 1 || p.symbol[0] != SYMBOL {
        return Some(protocol::reply(
            method,
            id,
            SYMBOL,
            Some("unknown channel or symbol"),
        ));
    }
    match method {
        "subscribe" => {
            let depth = p.depth.unwrap_or(10);
            if !DEPTHS.contains(&depth) || depth != shared.config.depth {
                return Some(protocol::reply(
                    method,
                    id,
                    SYMBOL,
                    Some("depth not offered"),
                ));
            }
            if updates.is_some() {
                return Some(protocol::reply(
                    method,
                    id,
                    SYMBOL,
                    Some("Already subscribed"),
                ));
            }
            let snapshot = {
                let s = shared.venue();
                *updates = Some(shared.updates_tx.subscribe());
                s.venue.published_snapshot()
            };
            shared.counters.subscribes.fetch_add(1, Ordering::SeqCst);
            shared.subscribed_tx.send_replace(true);
            if let Some(snapshot) = snapshot {
                net.send(tick, to_json(&snapshot));
            }
            Some(protocol::reply(method, id, SYMBOL, None))
        }
        "unsubscribe" => {
            let error = updates.take().is_none().then_some("Subscription not found");
            Some(protocol::reply(method, id, SYMBOL, error))
        }
        _ => Some(protocol::reply(method, id, SYMBOL, Some("unknown method"))),
    }
}
