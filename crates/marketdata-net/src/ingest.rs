//! The ingestion task: one tokio task owns the socket, the parser and the client's state (the
//! article's single-owner loop), so no two parts of the program ever disagree about where the
//! stream is. It connects (backing off after failures, as the client's state machine says),
//! subscribes, routes each frame — book data to the client, heartbeats, status and replies to
//! the connection — and after each input hands on what changed: the client's events and new log
//! records go to the fan-out, the records to the segment files and the journal.
//!
//! The fan-out is a bounded broadcast channel: the task never waits for a consumer. A consumer
//! that falls more than its capacity behind is told how many events it missed
//! ([`ConsumerError::Lagged`]) and counted in the metrics; the log and the journal keep every
//! record, so it can catch up from them. The journal's queue is bounded too, but it is the
//! durable copy, so the task waits for room there (a stalled journal slows ingestion; the
//! client then resyncs past what the venue sent meanwhile, which the log accounts for).

use crate::journal::JournalRecord;
use crate::metrics::{ConsumerLabels, FrameKind, FrameLabels, Metrics, ReasonLabels};
use crate::protocol::{classify, Frame, Request};
use futures_util::{SinkExt, StreamExt};
use marketdata::client::{Action, Client, Event, State};
use marketdata::log::{decode_record, read_raw, segment_base, LogError};
use marketdata::venue::SYMBOL;
use marketdata::{BookMessage, L2Book};
use std::fs::File;
use std::io::Write;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::sync::{broadcast, mpsc, watch};
use tokio::task::JoinHandle;
use tokio_tungstenite::tungstenite::Message;

/// Events the fan-out holds for its slowest consumer by default.
pub const DEFAULT_FANOUT_CAPACITY: usize = 4_096;
/// Largest fan-out a pipeline may ask for.
pub const MAX_FANOUT_CAPACITY: usize = 1 << 20;
/// Largest journal queue.
pub const MAX_JOURNAL_QUEUE: usize = 1 << 20;
/// The task yields to the runtime after this many inputs in a row (two events each at most, well
/// inside any fan-out bound a consumer should keep up with).
pub const YIELD_EVERY_INPUTS: u64 = 32;
/// The client's clock: one tick per millisecond since the task started.
pub const TICK: Duration = Duration::from_millis(1);

#[derive(Clone, Debug)]
pub struct IngestConfig {
    /// The feed's address (`ws://…`).
    pub url: String,
    pub depth: usize,
    pub fanout_capacity: usize,
    /// Where the log's segment files go, if anywhere: the embedded log. Each record is written as
    /// it is appended (so a crashed process loses nothing the OS took), not fsynced. The
    /// directory must not hold another run's segments.
    pub log_dir: Option<PathBuf>,
    pub connect_timeout: Duration,
    /// A connection silent for this long (Kraken sends a heartbeat every second) is dropped.
    pub silence_timeout: Duration,
}

impl IngestConfig {
    pub fn new(url: &str) -> IngestConfig {
        IngestConfig {
            url: url.to_string(),
            depth: 10,
            fanout_capacity: DEFAULT_FANOUT_CAPACITY,
            log_dir: None,
            connect_timeout: Duration::from_secs(2),
            silence_timeout: Duration::from_secs(3),
        }
    }
}

#[derive(Debug)]
pub enum IngestError {
    Config(String),
    /// Writing the log's segment files failed.
    Files(std::io::Error),
    /// The client's own log did not read back (a bug: it is only appended to).
    Log(LogError),
    /// The feed refused a request (a depth or symbol it does not offer).
    Refused(String),
    /// The task panicked or was cancelled.
    Task(String),
}

impl std::fmt::Display for IngestError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            IngestError::Config(why) => write!(f, "ingest config: {why}"),
            IngestError::Files(e) => write!(f, "log files: {e}"),
            IngestError::Log(e) => write!(f, "log: {e}"),
            IngestError::Refused(why) => write!(f, "the feed refused {why}"),
            IngestError::Task(e) => write!(f, "ingest task: {e}"),
        }
    }
}

impl std::error::Error for IngestError {}

/// One event of the fan-out.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FeedEvent {
    /// A transition or verdict of the client's state machine.
    Client(Event),
    /// A message the client applied, normalized, at its log offset.
    Logged {
        offset: u64,
        message: Arc<BookMessage>,
    },
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ConsumerError {
    /// The consumer fell behind the fan-out's bound and lost this many events (the oldest).
    Lagged { missed: u64 },
    /// The ingestion task has ended and every event has been taken.
    Closed,
}

/// One consumer of the fan-out.
pub struct Consumer {
    rx: broadcast::Receiver<FeedEvent>,
    labels: ConsumerLabels,
    metrics: Metrics,
}

impl Consumer {
    pub fn name(&self) -> &str {
        &self.labels.consumer
    }

    /// The next event, or how many were missed.
    pub async fn recv(&mut self) -> Result<FeedEvent, ConsumerError> {
        let got = self.rx.recv().await;
        self.metrics
            .consumer_lag
            .get_or_create(&self.labels)
            .set(i64::try_from(self.rx.len()).unwrap_or(i64::MAX));
        match got {
            Ok(e) => Ok(e),
            Err(broadcast::error::RecvError::Lagged(missed)) => {
                self.metrics
                    .consumer_missed
                    .get_or_create(&self.labels)
                    .inc_by(missed);
                Err(ConsumerError::Lagged { missed })
            }
            Err(broadcast::error::RecvError::Closed) => Err(ConsumerError::Closed),
        }
    }
}

/// Where the task is, for whoever watches it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Status {
    pub state: State,
    /// The sequence number the next update must carry.
    pub expected: u64,
    pub checksum: u32,
    pub log_records: u64,
    pub connections: u64,
}

/// An ingestion pipeline being assembled: add consumers and a journal, then [`Ingest::start`].
pub struct Ingest {
    config: IngestConfig,
    client: Client,
    fanout: broadcast::Sender<FeedEvent>,
    journal: Option<mpsc::Sender<JournalRecord>>,
    metrics: Metrics,
}

impl Ingest {
    pub fn new(config: IngestConfig) -> Result<Ingest, IngestError> {
        let book = L2Book::new(config.depth).map_err(|_| {
            IngestError::Config(format!("depth {} is not one Kraken offers", config.depth))
        })?;
        if config.fanout_capacity == 0 || config.fanout_capacity > MAX_FANOUT_CAPACITY {
            return Err(IngestError::Config(format!(
                "fan-out capacity must be 1..={MAX_FANOUT_CAPACITY}"
            )));
        }
        if let Some(dir) = &config.log_dir {
            let holds_segments = std::fs::read_dir(dir).is_ok_and(|entries| {
                entries
                    .flatten()
                    .any(|e| e.path().extension().is_some_and(|x| x == "seg"))
            });
            if holds_segments {
                return Err(IngestError::Config(format!(
                    "{} already holds log segments (another run's): give an empty or new directory",
                    dir.display()
                )));
            }
        }
        let (fanout, _) = broadcast::channel(config.fanout_capacity);
        Ok(Ingest {
            config,
            client: Client::new(book),
            fanout,
            journal: None,
            metrics: Metrics::new(),
        })
    }

    /// A consumer that sees every event from the start.
    pub fn consumer(&self, name: &str) -> Consumer {
        Consumer {
            rx: self.fanout.subscribe(),
            labels: ConsumerLabels {
                consumer: name.to_string(),
            },
            metrics: self.metrics.clone(),
        }
    }

    /// The journal's end of the log: every record, in order, through a queue of `capacity`.
    pub fn journal(
        &mut self,
        capacity: usize,
    ) -> Result<mpsc::Receiver<JournalRecord>, IngestError> {
        if capacity == 0 || capacity > MAX_JOURNAL_QUEUE {
            return Err(IngestError::Config(format!(
                "journal queue must be 1..={MAX_JOURNAL_QUEUE}"
            )));
        }
        let (tx, rx) = mpsc::channel(capacity);
        self.journal = Some(tx);
        Ok(rx)
    }

    pub fn metrics(&self) -> Metrics {
        self.metrics.clone()
    }

    /// Spawns the task.
    pub fn start(self) -> Running {
        let (status_tx, status) = watch::channel(Status {
            state: self.client.state(),
            expected: 0,
            checksum: 0,
            log_records: 0,
            connections: 0,
        });
        let (stop, stop_rx) = watch::channel(false);
        let metrics = self.metrics.clone();
        let files = self.config.log_dir.clone().map(SegmentFiles::new);
        let owner = Owner {
            start: Instant::now(),
            client: self.client,
            config: self.config,
            fanout: self.fanout,
            journal: self.journal,
            metrics: self.metrics,
            status: status_tx,
            stop: stop_rx,
            files,
            next_record: 0,
            connections: 0,
            refused: None,
        };
        Running {
            status,
            stop,
            metrics,
            task: Some(tokio::spawn(owner.run())),
        }
    }
}

/// A started pipeline.
pub struct Running {
    status: watch::Receiver<Status>,
    stop: watch::Sender<bool>,
    metrics: Metrics,
    task: Option<JoinHandle<Result<Client, IngestError>>>,
}

impl Running {
    pub fn status(&self) -> Status {
        *self.status.borrow()
    }

    pub fn metrics(&self) -> &Metrics {
        &self.metrics
    }

    /// Waits until `done` holds for the status, at most `timeout`; the last status either way.
    pub async fn wait_for(
        &mut self,
        timeout: Duration,
        done: impl Fn(&Status) -> bool,
    ) -> Result<Status, Status> {
        let waited = tokio::time::timeout(timeout, self.status.wait_for(|s| done(s)))
            .await
            .map(|r| r.map(|s| *s));
        match waited {
            Ok(Ok(s)) => Ok(s),
            _ => Err(*self.status.borrow()),
        }
    }

    /// Whether the task has ended by itself (a refused request, a failed file write).
    pub fn finished(&self) -> bool {
        self.task.as_ref().is_none_or(JoinHandle::is_finished)
    }

    /// Stops the task and hands back its client: the book and the whole log.
    pub async fn stop(mut self) -> Result<Client, IngestError> {
        let _ = self.stop.send(true);
        let task = self
            .task
            .take()
            .ok_or(IngestError::Task("already stopped".into()))?;
        task.await.map_err(|e| IngestError::Task(e.to_string()))?
    }
}

/// Dropped without [`Running::stop`]: the task is told to stop (and ends at its next await).
impl Drop for Running {
    fn drop(&mut self) {
        self.stop.send_replace(true);
    }
}

/// The log's segments mirrored to files named by their base offset, as `md-replay` reads them.
struct SegmentFiles {
    dir: PathBuf,
    /// The segment being written (by its base offset), its file and the bytes written so far.
    current: Option<(u64, File, usize)>,
}

impl SegmentFiles {
    fn new(dir: PathBuf) -> SegmentFiles {
        SegmentFiles { dir, current: None }
    }

    /// Writes what `segments` holds beyond what was written (segments before the current one
    /// may have been released from memory since).
    fn sync(&mut self, segments: &[Vec<u8>]) -> std::io::Result<()> {
        let bad = || std::io::Error::other("a log segment without a valid header");
        loop {
            let (base, file, written) = match &mut self.current {
                Some(c) => c,
                None => {
                    let Some(first) = segments.first() else {
                        return Ok(());
                    };
                    std::fs::create_dir_all(&self.dir)?;
                    let base = segment_base(first).ok_or_else(bad)?;
                    self.current = Some((base, self.create(base)?, 0));
                    continue;
                }
            };
            let at = segments
                .iter()
                .position(|seg| segment_base(seg) == Some(*base))
                .ok_or_else(|| {
                    std::io::Error::other("a log segment released before it was written")
                })?;
            let seg = &segments[at];
            if *written < seg.len() {
                file.write_all(&seg[*written..])?;
                *written = seg.len();
            }
            let Some(next) = segments.get(at + 1) else {
                return Ok(());
            };
            let base = segment_base(next).ok_or_else(bad)?;
            self.current = Some((base, self.create(base)?, 0));
        }
    }

    fn create(&self, base: u64) -> std::io::Result<File> {
        File::create(self.dir.join(format!("{base:020}.seg")))
    }
}

enum Ended {
    Lost,
    Stopped,
}

struct Owner {
    start: Instant,
    client: Client,
    config: IngestConfig,
    fanout: broadcast::Sender<FeedEvent>,
    journal: Option<mpsc::Sender<JournalRecord>>,
    metrics: Metrics,
    status: watch::Sender<Status>,
    stop: watch::Receiver<bool>,
    files: Option<SegmentFiles>,
    /// Offset of the next log record to hand on.
    next_record: u64,
    connections: u64,
    /// A request the feed refused for good.
    refused: Option<String>,
}

type Sink = futures_util::stream::SplitSink<
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>,
    Message,
>;

impl Owner {
    fn tick(&self) -> u64 {
        u64::try_from(self.start.elapsed().as_millis()).unwrap_or(u64::MAX)
    }

    async fn run(mut self) -> Result<Client, IngestError> {
        loop {
            if *self.stop.borrow() {
                return Ok(self.client);
            }
            let tick = self.tick();
            if let State::Disconnected { retry_at } = self.client.state() {
                if retry_at > tick {
                    let wait = TICK * u32::try_from(retry_at - tick).unwrap_or(u32::MAX);
                    tokio::select! {
                        _ = tokio::time::sleep(wait) => {}
                        _ = self.stop.changed() => {}
                    }
                    continue;
                }
            }
            let connecting =
                tokio_tungstenite::connect_async_with_config(&self.config.url, None, true);
            match tokio::time::timeout(self.config.connect_timeout, connecting).await {
                Ok(Ok((ws, _))) => {
                    if let Ended::Stopped = self.connection(ws).await? {
                        return Ok(self.client);
                    }
                }
                _ => {
                    self.metrics.connect_failures.inc();
                    let tick = self.tick();
                    self.client.on_disconnected(tick);
                    self.hand_on().await?;
                }
            }
        }
    }

    async fn connection(
        &mut self,
        ws: tokio_tungstenite::WebSocketStream<
            tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>,
        >,
    ) -> Result<Ended, IngestError> {
        self.metrics.connects.inc();
        if self.connections > 0 {
            self.metrics.reconnects.inc();
        }
        self.connections += 1;
        let (mut sink, mut incoming) = ws.split();
        let action = self.client.on_connected(self.tick());
        self.hand_on().await?;
        let mut subscribed = false;
        let mut alive = act(action, &mut sink, &mut subscribed, self.config.depth).await;
        let mut timer = tokio::time::interval(TICK);
        timer.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        let mut heard = Instant::now();
        let mut inputs = 0u64;
        while alive {
            if *self.stop.borrow() {
                // Seen while waiting for the journal.
                let _ = sink.close().await;
                return Ok(Ended::Stopped);
            }
            let action = tokio::select! {
                // Stop first; the clock before the socket, so a flood of frames cannot keep the
                // client's timeouts from running (the clock is ready once a millisecond).
                biased;
                _ = self.stop.changed() => {
                    let _ = sink.close().await;
                    return Ok(Ended::Stopped);
                }
                _ = timer.tick() => {
                    if heard.elapsed() > self.config.silence_timeout {
                        break;
                    }
                    let tick = self.tick();
                    self.client.on_tick(tick)
                }
                msg = incoming.next() => match msg {
                    Some(Ok(Message::Text(text))) => {
                        heard = Instant::now();
                        self.frame(text.as_str())
                    }
                    Some(Ok(Message::Close(_))) | None | Some(Err(_)) => break,
                    Some(Ok(_)) => {
                        heard = Instant::now();
                        Action::None
                    }
                },
            };
            self.hand_on().await?;
            if let Some(why) = self.refused.take() {
                let _ = sink.close().await;
                return Err(IngestError::Refused(why));
            }
            alive = act(action, &mut sink, &mut subscribed, self.config.depth).await;
            inputs += 1;
            if inputs.is_multiple_of(YIELD_EVERY_INPUTS) {
                // A consumer woken by the fan-out may wait in this worker's queue behind this
                // task, which has input ready for as long as the feed keeps up: let it run.
                tokio::task::yield_now().await;
            }
        }
        self.metrics.disconnects.inc();
        let tick = self.tick();
        self.client.on_disconnected(tick);
        self.hand_on().await?;
        Ok(Ended::Lost)
    }

    /// Routes one text frame.
    fn frame(&mut self, text: &str) -> Action {
        let kind = match classify(text) {
            Frame::Book => {
                let started = Instant::now();
                let tick = self.tick();
                let action = self.client.on_frame(tick, text);
                self.metrics
                    .frame_seconds
                    .observe(started.elapsed().as_secs_f64());
                self.count(FrameKind::Book);
                return action;
            }
            Frame::Heartbeat => FrameKind::Heartbeat,
            Frame::Status => FrameKind::Status,
            Frame::Reply { method, error } => {
                self.count(FrameKind::Reply);
                // `Already subscribed` answers a resubscribe that raced its unsubscribe: the next
                // resync asks again. Any other refusal would be refused again: the task ends.
                if let Some(error) = error.filter(|e| e != "Already subscribed") {
                    self.refused = Some(format!("{method}: {error}"));
                }
                return Action::None;
            }
            Frame::Other => FrameKind::Other,
        };
        self.count(kind);
        Action::None
    }

    fn count(&self, kind: FrameKind) {
        self.metrics
            .frames
            .get_or_create(&FrameLabels { kind })
            .inc();
    }

    /// Hands on what the last input changed: events and records to the fan-out, records to the
    /// files and the journal; then the status.
    async fn hand_on(&mut self) -> Result<(), IngestError> {
        for event in self.client.drain_events() {
            let m = &self.metrics;
            match event {
                Event::SnapshotApplied { .. } => {
                    m.snapshots.inc();
                }
                Event::Applied { .. } => {
                    m.updates.inc();
                }
                Event::Stale { .. } => {
                    m.stale.inc();
                }
                Event::Resync { why, .. } => {
                    if matches!(why, marketdata::client::Resync::ChecksumMismatch { .. }) {
                        m.checksum_failures.inc();
                    }
                    let reason = why.into();
                    m.resyncs.get_or_create(&ReasonLabels { reason }).inc();
                }
                Event::Connected { .. } | Event::Disconnected { .. } | Event::Ignored { .. } => {}
            }
            // No consumer is not an error.
            let _ = self.fanout.send(FeedEvent::Client(event));
        }
        let log = self.client.log();
        if log.next_offset() > self.next_record {
            if let Some(files) = &mut self.files {
                files.sync(log.segments()).map_err(IngestError::Files)?;
            }
            // The client appends at most one record per input, the frame it applied: take it in
            // O(1); read the log from where this left off only if that ever changes.
            let mut records = Vec::new();
            match log.last_record() {
                Some((offset, bytes)) if offset == self.next_record => {
                    // The message just applied is the client's last frame: no need to decode
                    // the record it was encoded into.
                    let message = self.client.last_frame().clone();
                    debug_assert_eq!(decode_record(offset, bytes).ok().as_ref(), Some(&message));
                    records.push((offset, bytes.to_vec(), message));
                }
                _ => {
                    for raw in read_raw(log.segments(), self.next_record) {
                        let (offset, bytes) = raw.map_err(IngestError::Log)?;
                        let message = decode_record(offset, bytes).map_err(IngestError::Log)?;
                        records.push((offset, bytes.to_vec(), message));
                    }
                }
            }
            self.next_record = log.next_offset();
            for (offset, bytes, message) in records {
                self.metrics.log_records.inc();
                let _ = self.fanout.send(FeedEvent::Logged {
                    offset,
                    message: Arc::new(message),
                });
                if let Some(journal) = &self.journal {
                    // Wait for room (the journal is the durable copy), but not past a stop.
                    let sent = tokio::select! {
                        sent = journal.send(JournalRecord { offset, bytes }) => sent.is_ok(),
                        _ = self.stop.changed() => false,
                    };
                    if !sent {
                        // The shipper has ended (its error is its own) or the task is stopping;
                        // the files and the in-memory log keep the record.
                        self.journal = None;
                    }
                }
            }
            if let Some(journal) = &self.journal {
                let queued = journal.max_capacity() - journal.capacity();
                self.metrics.journal_queued.set(queued as i64);
            }
            if self.files.is_some() {
                // Written to the files (and handed to the journal): memory keeps one segment.
                self.client.release_sealed_log();
            }
        }
        let backlog = i64::try_from(self.fanout.len()).unwrap_or(i64::MAX);
        self.metrics.fanout_backlog.set(backlog);
        if backlog > self.metrics.fanout_backlog_max.get() {
            self.metrics.fanout_backlog_max.set(backlog);
        }
        let book = self.client.book();
        self.status.send_replace(Status {
            state: self.client.state(),
            expected: self.client.expected(),
            checksum: book.checksum(),
            log_records: self.next_record,
            connections: self.connections,
        });
        Ok(())
    }
}

/// Carries out the client's action on the connection; false if the connection failed.
async fn act(action: Action, sink: &mut Sink, subscribed: &mut bool, depth: usize) -> bool {
    if action != Action::Subscribe {
        return true;
    }
    if *subscribed {
        let unsub = Request::book("unsubscribe", SYMBOL, depth, 1).to_json();
        if sink.send(Message::text(unsub)).await.is_err() {
            return false;
        }
    }
    *subscribed = true;
    let sub = Request::book("subscribe", SYMBOL, depth, 2).to_json();
    sink.send(Message::text(sub)).await.is_ok()
}
