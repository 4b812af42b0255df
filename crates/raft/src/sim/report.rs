//! What a run reports: the bounded buffer of trace events, the summary line that ends every
//! trace, and [`run_traced`], which produces exactly what `raft-sim` prints and its digest.

use super::latency::CommitLatencySummary;
use super::{SimConfig, Simulation};
use crate::checker::Violation;
use crate::error::RaftError;
use crate::faults::FaultSchedule;
use crate::trace::TraceEvent;
use deterministic::Fnv1a;
use serde::Serialize;

/// Bound on trace events buffered between `drain_trace` calls; excess is counted, not kept.
pub const MAX_BUFFERED_TRACE_EVENTS: usize = 1 << 20;

/// Trace events since the last drain, kept only while tracing is on.
#[derive(Debug, Default)]
pub(super) struct TraceBuffer {
    pub(super) on: bool,
    events: Vec<TraceEvent>,
}

impl TraceBuffer {
    /// Keeps `ev` if tracing; false when it had to be dropped at the bound.
    pub(super) fn push(&mut self, ev: TraceEvent) -> bool {
        if !self.on {
            return true;
        }
        if self.events.len() >= MAX_BUFFERED_TRACE_EVENTS {
            return false;
        }
        self.events.push(ev);
        true
    }

    pub(super) fn drain_into(&mut self, out: &mut Vec<TraceEvent>) {
        out.append(&mut self.events);
    }
}

impl Simulation {
    pub fn set_tracing(&mut self, on: bool) {
        self.trace.on = on;
    }

    /// Moves buffered trace events into `out` (appending).
    pub fn drain_trace(&mut self, out: &mut Vec<TraceEvent>) {
        self.trace.drain_into(out);
    }

    pub(super) fn trace_event(&mut self, ev: TraceEvent) {
        if !self.trace.push(ev) {
            self.stats.trace_events_dropped += 1;
        }
    }

    /// Commit latency (propose at leader -> first commit anywhere).
    pub fn commit_latency_ticks(&self) -> CommitLatencySummary {
        self.latency.summary()
    }

    /// The spec's last trace line.
    pub fn summary_json(&self) -> String {
        let latency = self.commit_latency_ticks();
        let mean_milli = latency.mean_milli_ticks;
        let s = &self.stats;
        let violation = match &self.violation {
            Some(v) => format!("\"{}\"", v.kind.as_str()),
            None => "null".into(),
        };
        format!(
            "{{\"ev\":\"summary\",\"seed\":{},\"nodes\":{},\"ticks\":{},\"entries_committed\":{},\
             \"leader_changes\":{},\"deliveries\":{},\"commit_latency_ticks_mean\":{}.{:03},\
             \"commit_latency_ticks_p99\":{},\"client_ok\":{},\"client_abandoned\":{},\
             \"crashes\":{},\"restarts\":{},\"partitions\":{},\"drops\":{},\"duplicates\":{},\
             \"violation\":{}}}",
            self.cfg.seed,
            self.cfg.nodes,
            self.now,
            s.entries_committed,
            s.leader_changes,
            s.deliveries,
            mean_milli / 1000,
            mean_milli % 1000,
            latency.p99_ticks,
            s.client_ok,
            s.client_abandoned,
            s.crashes,
            s.restarts,
            s.partitions,
            s.drops,
            s.duplicates,
            violation
        )
    }
}

/// Result of a traced run: FNV-1a 64 over every JSON line (each followed by `\n`), i.e. the
/// digest of `raft-sim`'s stdout for the same flags.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct TraceDigest {
    pub digest: u64,
    pub lines: u64,
    pub deliveries: u64,
    pub summary: String,
    /// The run's first violation, the linearizability check's included.
    pub violation: Option<Violation>,
    /// The linearizability check hit its search bound (neither verdict).
    pub linearizability_unknown: bool,
    /// Operations in the checked history.
    pub operations: usize,
}

/// Runs `(cfg, schedule)` with tracing and calls `line` for each JSON line (without newline).
pub fn run_traced(
    cfg: SimConfig,
    schedule: FaultSchedule,
    mut line: impl FnMut(&str),
) -> Result<TraceDigest, RaftError> {
    let mut sim = Simulation::new(cfg, schedule)?;
    sim.set_tracing(true);
    let mut h = Fnv1a::new();
    let mut lines = 0u64;
    let mut buf = Vec::new();
    let mut s = String::new();
    let ticks = sim.config().ticks;
    let mut emit = |buf: &mut Vec<TraceEvent>, h: &mut Fnv1a, lines: &mut u64| {
        for ev in buf.drain(..) {
            s.clear();
            ev.write_json(&mut s);
            line(&s);
            h.write(s.as_bytes());
            h.write(b"\n");
            *lines += 1;
        }
    };
    while sim.now() < ticks && sim.violation().is_none() {
        sim.step_tick();
        sim.drain_trace(&mut buf);
        emit(&mut buf, &mut h, &mut lines);
    }
    sim.finish();
    sim.drain_trace(&mut buf);
    emit(&mut buf, &mut h, &mut lines);
    let summary = sim.summary_json();
    line(&summary);
    h.write(summary.as_bytes());
    h.write(b"\n");
    lines += 1;
    Ok(TraceDigest {
        digest: h.finish(),
        lines,
        deliveries: sim.stats().deliveries,
        summary,
        violation: sim.violation().cloned(),
        linearizability_unknown: sim.stats().linearizability_unknown,
        operations: sim.history().len(),
    })
}
