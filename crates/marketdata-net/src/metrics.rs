//! The pipeline's metrics, rendered in the Prometheus (OpenMetrics) text format by
//! `prometheus-client`: frames by kind, applied messages, resyncs by reason, checksum failures,
//! connections, the fan-out's backlog and each consumer's lag and missed events, the journal's
//! progress, and a histogram of the time one book frame takes (parse, apply, checksum, log).

use marketdata::client::Resync;
use prometheus_client::encoding::{EncodeLabelSet, EncodeLabelValue};
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::{exponential_buckets, Histogram};
use prometheus_client::registry::Registry;

/// Frame-time histogram: 16 buckets from 250 ns, doubling (to ~8 ms).
pub const FRAME_SECONDS_START: f64 = 250e-9;
pub const FRAME_SECONDS_BUCKETS: u16 = 16;

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelValue)]
pub enum FrameKind {
    Book,
    Heartbeat,
    Status,
    Reply,
    Other,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct FrameLabels {
    pub kind: FrameKind,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelValue)]
pub enum Reason {
    Gap,
    ChecksumMismatch,
    Malformed,
    SnapshotTimeout,
    Unverifiable,
}

impl From<Resync> for Reason {
    fn from(r: Resync) -> Reason {
        match r {
            Resync::Gap { .. } => Reason::Gap,
            Resync::ChecksumMismatch { .. } => Reason::ChecksumMismatch,
            Resync::Malformed => Reason::Malformed,
            Resync::SnapshotTimeout => Reason::SnapshotTimeout,
            Resync::Unverifiable => Reason::Unverifiable,
        }
    }
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct ReasonLabels {
    pub reason: Reason,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct ConsumerLabels {
    pub consumer: String,
}

/// Every metric of one pipeline; cheap to clone (the metrics are shared handles).
#[derive(Clone)]
pub struct Metrics {
    pub frames: Family<FrameLabels, Counter>,
    pub snapshots: Counter,
    pub updates: Counter,
    /// Duplicates and late copies the client ignored.
    pub stale: Counter,
    pub resyncs: Family<ReasonLabels, Counter>,
    pub checksum_failures: Counter,
    pub connects: Counter,
    /// Connections after the first.
    pub reconnects: Counter,
    pub connect_failures: Counter,
    pub disconnects: Counter,
    /// Events queued in the fan-out and not yet taken by its slowest consumer.
    pub fanout_backlog: Gauge,
    pub fanout_backlog_max: Gauge,
    pub consumer_lag: Family<ConsumerLabels, Gauge>,
    pub consumer_missed: Family<ConsumerLabels, Counter>,
    pub journal_queued: Gauge,
    pub journal_published: Counter,
    pub journal_retries: Counter,
    pub log_records: Counter,
    pub frame_seconds: Histogram,
    registry: std::sync::Arc<Registry>,
}

impl Default for Metrics {
    fn default() -> Self {
        Metrics::new()
    }
}

impl Metrics {
    pub fn new() -> Metrics {
        let frame_seconds = Histogram::new(exponential_buckets(
            FRAME_SECONDS_START,
            2.0,
            FRAME_SECONDS_BUCKETS,
        ));
        let m = Metrics {
            frames: Family::default(),
            snapshots: Counter::default(),
            updates: Counter::default(),
            stale: Counter::default(),
            resyncs: Family::default(),
            checksum_failures: Counter::default(),
            connects: Counter::default(),
            reconnects: Counter::default(),
            connect_failures: Counter::default(),
            disconnects: Counter::default(),
            fanout_backlog: Gauge::default(),
            fanout_backlog_max: Gauge::default(),
            consumer_lag: Family::default(),
            consumer_missed: Family::default(),
            journal_queued: Gauge::default(),
            journal_published: Counter::default(),
            journal_retries: Counter::default(),
            log_records: Counter::default(),
            frame_seconds,
            registry: Default::default(),
        };
        let mut r = Registry::with_prefix("md");
        r.register("frames", "Frames received, by kind", m.frames.clone());
        r.register(
            "snapshots_applied",
            "Snapshots applied",
            m.snapshots.clone(),
        );
        r.register("updates_applied", "Updates applied", m.updates.clone());
        r.register(
            "stale",
            "Duplicates and late copies ignored",
            m.stale.clone(),
        );
        r.register(
            "resyncs",
            "Books discarded and resubscribed, by reason",
            m.resyncs.clone(),
        );
        r.register(
            "checksum_failures",
            "Messages whose checksum differed from the book's",
            m.checksum_failures.clone(),
        );
        r.register("connects", "Connections established", m.connects.clone());
        r.register(
            "reconnects",
            "Connections after the first",
            m.reconnects.clone(),
        );
        r.register(
            "connect_failures",
            "Failed connection attempts",
            m.connect_failures.clone(),
        );
        r.register("disconnects", "Connections lost", m.disconnects.clone());
        r.register(
            "fanout_backlog",
            "Events not yet taken by the slowest consumer",
            m.fanout_backlog.clone(),
        );
        r.register(
            "fanout_backlog_max",
            "Largest fan-out backlog seen",
            m.fanout_backlog_max.clone(),
        );
        r.register(
            "consumer_lag",
            "Events queued for a consumer when it last took one",
            m.consumer_lag.clone(),
        );
        r.register(
            "consumer_missed",
            "Events a consumer missed by falling behind the fan-out's bound",
            m.consumer_missed.clone(),
        );
        r.register(
            "journal_queued",
            "Log records waiting for the journal",
            m.journal_queued.clone(),
        );
        r.register(
            "journal_published",
            "Log records acknowledged by the journal",
            m.journal_published.clone(),
        );
        r.register(
            "journal_retries",
            "Journal publishes retried after an error",
            m.journal_retries.clone(),
        );
        r.register(
            "log_records",
            "Records appended to the event log",
            m.log_records.clone(),
        );
        r.register(
            "frame_seconds",
            "Time to route, parse, apply, check and log one book frame",
            m.frame_seconds.clone(),
        );
        Metrics {
            registry: std::sync::Arc::new(r),
            ..m
        }
    }

    /// Every metric in the text exposition format.
    pub fn render(&self) -> String {
        let mut out = String::new();
        // Writing to a String cannot fail.
        let _ = prometheus_client::encoding::text::encode(&mut out, &self.registry);
        out
    }

    pub fn resyncs_total(&self) -> u64 {
        [
            Reason::Gap,
            Reason::ChecksumMismatch,
            Reason::Malformed,
            Reason::SnapshotTimeout,
            Reason::Unverifiable,
        ]
        .into_iter()
        .map(|reason| self.resyncs.get_or_create(&ReasonLabels { reason }).get())
        .sum()
    }

    pub fn missed(&self, consumer: &str) -> u64 {
        self.consumer_missed
            .get_or_create(&ConsumerLabels {
                consumer: consumer.to_string(),
            })
            .get()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_every_family_in_the_text_format() {
        let m = Metrics::new();
        m.frames
            .get_or_create(&FrameLabels {
                kind: FrameKind::Book,
            })
            .inc();
        m.resyncs
            .get_or_create(&ReasonLabels {
                reason: Reason::ChecksumMismatch,
            })
            .inc();
        m.frame_seconds.observe(1e-6);
        let text = m.render();
        for line in [
            "md_frames_total{kind=\"Book\"} 1",
            "md_resyncs_total{reason=\"ChecksumMismatch\"} 1",
            "md_frame_seconds_count 1",
            "# TYPE md_checksum_failures counter",
            "# EOF",
        ] {
            assert!(text.contains(line), "{line} in\n{text}");
        }
        assert_eq!(m.resyncs_total(), 1);
    }
}
