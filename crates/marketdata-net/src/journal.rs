//! The journal: the client's log shipped to NATS JetStream, the durable stream of the article's
//! design, and read back from it. Each symbol's log has a stream of its own ([`stream_name`]),
//! holding one message per record on one subject ([`subject`]) with the record's bytes
//! (`len crc payload`, as in the segment files); record offset `k` is the stream's sequence
//! number `k + 1`. Every publish says which sequence it expects to follow
//! (`Nats-Expected-Last-Sequence`), so the stream holds the log in order or not at all: after an
//! error (a server restart, a lost ack) the shipper asks the stream where it ends and goes on
//! from there — whatever of its own reached the stream before the error and whatever did not.
//! A stream that ends anywhere else than within what this shipper sent (records lost, or
//! another writer) is [`JournalError::Misaligned`], never papered over.

use crate::metrics::Metrics;
use async_nats::jetstream::{self, consumer, stream};
use async_nats::HeaderMap;
use futures_util::StreamExt;
use marketdata::log::{decode_record, EventLog, LogError};
use std::collections::VecDeque;
use std::time::Duration;
use tokio::sync::mpsc;

/// Longest the stream may stay unreachable before the shipper gives up.
pub const MAX_OUTAGE: Duration = Duration::from_secs(60);
/// Publishes awaiting their acks at once.
pub const MAX_IN_FLIGHT: usize = 256;
/// Messages fetched per batch when reading back.
pub const FETCH_BATCH: usize = 1_000;
/// First pause after an error; doubled up to [`RETRY_MAX`].
pub const RETRY_MIN: Duration = Duration::from_millis(20);
pub const RETRY_MAX: Duration = Duration::from_millis(500);
/// How long a JetStream request (a publish's ack, a stream query) may take.
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(2);
/// Batches in a row that may bring nothing before a read-back gives up.
pub const MAX_EMPTY_FETCHES: u32 = 20;

/// One log record for the journal.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct JournalRecord {
    pub offset: u64,
    /// `len crc payload`, as in the log.
    pub bytes: Vec<u8>,
}

#[derive(Debug)]
pub enum JournalError {
    Connect(String),
    Stream(String),
    Read(String),
    /// A message whose sequence number and record disagree, or whose record does not decode.
    Record {
        sequence: u64,
        why: String,
    },
    /// The stream does not end where this log's records say it should: it lost records, or
    /// holds another writer's.
    Misaligned {
        stream_last: u64,
        next_offset: u64,
    },
    /// The stream was unreachable for longer than [`MAX_OUTAGE`].
    Unavailable(String),
}

impl std::fmt::Display for JournalError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            JournalError::Connect(e) => write!(f, "NATS connect: {e}"),
            JournalError::Stream(e) => write!(f, "JetStream stream: {e}"),
            JournalError::Read(e) => write!(f, "JetStream read: {e}"),
            JournalError::Record { sequence, why } => {
                write!(f, "JetStream message {sequence}: {why}")
            }
            JournalError::Misaligned {
                stream_last,
                next_offset,
            } => write!(
                f,
                "the stream ends at {stream_last} but the log's next record is {next_offset}"
            ),
            JournalError::Unavailable(e) => {
                write!(f, "JetStream unreachable for over {MAX_OUTAGE:?}: {e}")
            }
        }
    }
}

impl std::error::Error for JournalError {}

/// `symbol` as a subject token and a part of a stream name (`/` is allowed in neither).
fn token(symbol: &str) -> String {
    symbol
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
        .collect()
}

/// The subject of `symbol`'s log.
pub fn subject(symbol: &str) -> String {
    format!("md.book.{}", token(symbol))
}

/// The stream of `symbol`'s log.
pub fn stream_name(symbol: &str) -> String {
    format!("MD-BOOK-{}", token(symbol))
}

/// Connects to NATS (retrying the first connection too, and reconnecting quickly after a server
/// restart) and returns its JetStream context.
pub async fn connect(url: &str) -> Result<jetstream::Context, JournalError> {
    let client = async_nats::ConnectOptions::new()
        .retry_on_initial_connect()
        .reconnect_delay_callback(|attempts| {
            RETRY_MIN
                .saturating_mul(1 << attempts.min(5))
                .min(RETRY_MAX)
        })
        .connect(url)
        .await
        .map_err(|e| JournalError::Connect(e.to_string()))?;
    let mut js = jetstream::new(client);
    js.set_timeout(REQUEST_TIMEOUT);
    Ok(js)
}

/// Creates `symbol`'s stream (file storage) if it is not there.
pub async fn create_stream(js: &jetstream::Context, symbol: &str) -> Result<(), JournalError> {
    js.get_or_create_stream(stream::Config {
        name: stream_name(symbol),
        subjects: vec![subject(symbol)],
        storage: stream::StorageType::File,
        ..Default::default()
    })
    .await
    .map(|_| ())
    .map_err(|e| JournalError::Stream(e.to_string()))
}

/// Deletes `symbol`'s stream if it is there (a tool's fresh start).
pub async fn delete_stream(js: &jetstream::Context, symbol: &str) -> Result<(), JournalError> {
    if js.get_stream(stream_name(symbol)).await.is_err() {
        return Ok(());
    }
    js.delete_stream(stream_name(symbol))
        .await
        .map(|_| ())
        .map_err(|e| JournalError::Stream(e.to_string()))
}

async fn stream_end(js: &jetstream::Context, symbol: &str) -> Result<u64, JournalError> {
    let stream = js
        .get_stream(stream_name(symbol))
        .await
        .map_err(|e| JournalError::Stream(e.to_string()))?;
    Ok(stream.cached_info().state.last_sequence)
}

/// Where the stream ends, asking until the server answers (it may be restarting), for at most
/// [`MAX_OUTAGE`].
async fn stream_end_retrying(js: &jetstream::Context, symbol: &str) -> Result<u64, JournalError> {
    let started = tokio::time::Instant::now();
    let mut pause = RETRY_MIN;
    loop {
        match stream_end(js, symbol).await {
            Ok(end) => return Ok(end),
            Err(e) if started.elapsed() > MAX_OUTAGE => {
                return Err(JournalError::Unavailable(e.to_string()))
            }
            Err(_) => {}
        }
        tokio::time::sleep(pause).await;
        pause = (pause * 2).min(RETRY_MAX);
    }
}

type Pending = VecDeque<(JournalRecord, Option<jetstream::context::PublishAckFuture>)>;

/// Ships every record `records` brings to `symbol`'s stream, in order, until the channel closes
/// and all are acknowledged; returns how many it published. The stream must end where the first
/// record goes (empty, for a log from offset 0): [`JournalError::Misaligned`] otherwise, and
/// whenever it is found to end outside what this shipper sent.
pub async fn ship(
    js: jetstream::Context,
    symbol: &str,
    mut records: mpsc::Receiver<JournalRecord>,
    metrics: Metrics,
) -> Result<u64, JournalError> {
    let subject = subject(symbol);
    let mut end = stream_end_retrying(&js, symbol).await?;
    let mut pending: Pending = VecDeque::new();
    let mut published = 0u64;
    let mut closed = false;
    loop {
        // Take what has arrived, up to the window; wait only when nothing is in flight.
        while pending.len() < MAX_IN_FLIGHT && !closed {
            let next = if pending.is_empty() {
                records.recv().await
            } else {
                match records.try_recv() {
                    Ok(r) => Some(r),
                    Err(mpsc::error::TryRecvError::Empty) => break,
                    Err(mpsc::error::TryRecvError::Disconnected) => None,
                }
            };
            let Some(record) = next else {
                closed = true;
                break;
            };
            if record.offset != end + pending.len() as u64 {
                return Err(JournalError::Misaligned {
                    stream_last: end,
                    next_offset: record.offset,
                });
            }
            let ack = publish(&js, &subject, &record).await;
            pending.push_back((record, ack));
        }
        let Some((record, ack)) = pending.pop_front() else {
            return Ok(published);
        };
        let acked = match ack {
            Some(ack) => ack.await.is_ok(),
            None => false,
        };
        if acked {
            published += 1;
            metrics.journal_published.inc();
            end = record.offset + 1;
            continue;
        }
        // Something failed: find where the stream ends and resend from there, in order.
        pending.push_front((record, None));
        let mut pause = RETRY_MIN;
        loop {
            metrics.journal_retries.inc();
            tokio::time::sleep(pause).await;
            pause = (pause * 2).min(RETRY_MAX);
            end = stream_end_retrying(&js, symbol).await?;
            // The stream must end within what was sent: at a pending record or just after the
            // last one.
            let first = pending.front().map_or(end, |(r, _)| r.offset);
            if end < first || end > first + pending.len() as u64 {
                return Err(JournalError::Misaligned {
                    stream_last: end,
                    next_offset: first,
                });
            }
            while pending.front().is_some_and(|(r, _)| r.offset < end) {
                pending.pop_front();
                published += 1;
                metrics.journal_published.inc();
            }
            let mut all_sent = true;
            for (record, ack) in pending.iter_mut() {
                *ack = publish(&js, &subject, record).await;
                all_sent &= ack.is_some();
            }
            if all_sent {
                break;
            }
        }
    }
}

/// Publishes one record, expecting the stream to end just before it; `None` if it could not be
/// sent.
async fn publish(
    js: &jetstream::Context,
    subject: &str,
    record: &JournalRecord,
) -> Option<jetstream::context::PublishAckFuture> {
    let mut headers = HeaderMap::new();
    headers.insert(
        async_nats::header::NATS_MESSAGE_ID,
        record.offset.to_string().as_str(),
    );
    headers.insert(
        async_nats::header::NATS_EXPECTED_LAST_SEQUENCE,
        record.offset.to_string().as_str(),
    );
    js.publish_with_headers(subject.to_string(), headers, record.bytes.clone().into())
        .await
        .ok()
}

/// Reads `symbol`'s stream back from record offset `from`: every record with its offset,
/// checked (one message per offset, in order; its id is its offset; the record's CRC holds).
pub async fn read_back(
    js: &jetstream::Context,
    symbol: &str,
    from: u64,
) -> Result<Vec<JournalRecord>, JournalError> {
    let read_err = |e: &dyn std::fmt::Display| JournalError::Read(e.to_string());
    let stream = js
        .get_stream(stream_name(symbol))
        .await
        .map_err(|e| JournalError::Stream(e.to_string()))?;
    let last = stream.cached_info().state.last_sequence;
    let mut out = Vec::new();
    if last <= from {
        return Ok(out);
    }
    let consumer = stream
        .create_consumer(consumer::pull::Config {
            deliver_policy: consumer::DeliverPolicy::ByStartSequence {
                start_sequence: from + 1,
            },
            ack_policy: consumer::AckPolicy::All,
            inactive_threshold: Duration::from_secs(5),
            ..Default::default()
        })
        .await
        .map_err(|e| read_err(&e))?;
    let mut empty = 0;
    while from + (out.len() as u64) < last {
        let mut batch = consumer
            .fetch()
            .max_messages(FETCH_BATCH)
            .expires(Duration::from_millis(500))
            .messages()
            .await
            .map_err(|e| read_err(&e))?;
        let mut last_msg = None;
        while let Some(msg) = batch.next().await {
            let msg = msg.map_err(|e| read_err(&e))?;
            let sequence = msg.info().map_err(|e| read_err(&e))?.stream_sequence;
            let offset = from + out.len() as u64;
            if sequence != offset + 1 {
                return Err(JournalError::Record {
                    sequence,
                    why: format!("expected sequence {} next", offset + 1),
                });
            }
            let id = msg
                .headers
                .as_ref()
                .and_then(|h| h.get(async_nats::header::NATS_MESSAGE_ID))
                .map(|v| v.as_str().to_string());
            if id.as_deref() != Some(offset.to_string().as_str()) {
                return Err(JournalError::Record {
                    sequence,
                    why: format!("message id {id:?} is not offset {offset}"),
                });
            }
            decode_record(offset, &msg.payload).map_err(|e| JournalError::Record {
                sequence,
                why: e.to_string(),
            })?;
            out.push(JournalRecord {
                offset,
                bytes: msg.payload.to_vec(),
            });
            last_msg = Some(msg);
        }
        match last_msg {
            Some(msg) => {
                empty = 0;
                msg.ack().await.map_err(|e| read_err(&e))?;
            }
            None => {
                empty += 1;
                if empty >= MAX_EMPTY_FETCHES {
                    return Err(JournalError::Read(format!(
                        "no messages after {} of {}",
                        from + out.len() as u64,
                        last
                    )));
                }
            }
        }
    }
    Ok(out)
}

/// The records as an event log (from offset 0), to replay or account for.
pub fn to_log(records: &[JournalRecord]) -> Result<EventLog, LogError> {
    let mut log = EventLog::new();
    for r in records {
        if r.offset != log.next_offset() {
            return Err(LogError::Discontinuous {
                expected: log.next_offset(),
                found: r.offset,
            });
        }
        log.append(&decode_record(r.offset, &r.bytes)?)?;
    }
    Ok(log)
}
