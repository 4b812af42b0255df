//! The worker's messages (JSON both ways, in the kit's envelope) and its two jobs, shared by the
//! page and the `lab-rate-limiter-worker` bin:
//!
//! - **accuracy**: `ratelimit::accuracy`'s experiment (the sliding-window counter judged against
//!   the exact log on seeded traffic), a few sources at a time, with progress;
//! - **bench**: ns per decision of each algorithm on `ratelimit::workload`, the workload
//!   `limit-bench` times natively, in rounds that alternate the algorithms.

use crate::labs::kit::worker::now_ms;
use ratelimit::accuracy::{AccuracyExperiment, AccuracyReport};
use ratelimit::workload;
use ratelimit::{AlgorithmKind, KeyedLimiter};
use serde::{Deserialize, Serialize};

/// The experiment `limit-accuracy` runs by default (its sources, duration and seed), and the
/// most sources a visitor may ask for.
pub const DEFAULT_SOURCES: u64 = 20_000;
pub const MAX_SOURCES: u64 = 100_000;
/// Each source's traffic, as `limit-accuracy`'s default: ten minutes.
pub const ACCURACY_DURATION_MS: u64 = 600_000;
pub const ACCURACY_SEED: u64 = 1;
/// Decisions per timed batch, and rounds (each algorithm once per round, in turn).
pub const BENCH_DECISIONS: usize = workload::DECISIONS_PER_RUN;
pub const BENCH_ROUNDS: usize = 5;
/// The worker reports progress at most this often.
pub const PROGRESS_EVERY_MS: f64 = 100.0;

/// Page → worker.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "job", rename_all = "snake_case")]
pub enum WorkerRequest {
    Accuracy { sources: u64 },
    Bench,
}

/// The experiment so far.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct AccuracyProgress {
    pub done: u64,
    pub sources: u64,
    pub report: AccuracyReport,
    pub elapsed_ms: f64,
    pub finished: bool,
}

/// One algorithm's timings, ns per decision, one per round.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct AlgoTimings {
    pub algo: String,
    pub single_key_keyed_table: Vec<f64>,
    pub keys_100k: Vec<f64>,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct BenchProgress {
    pub rounds: usize,
    pub done: usize,
    pub algorithms: Vec<AlgoTimings>,
    pub finished: bool,
}

/// Worker → page.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "reply", rename_all = "snake_case")]
pub enum WorkerReply {
    Accuracy(AccuracyProgress),
    Bench(BenchProgress),
    Failed { error: String },
}

/// The experiment the lab runs: `limit-accuracy`'s standard mix with `sources` sources.
pub fn experiment(sources: u64) -> AccuracyExperiment {
    AccuracyExperiment::standard(sources, ACCURACY_DURATION_MS, ACCURACY_SEED)
}

/// A clock in ms (the worker's `performance.now()`; tests pass their own).
type Clock<'a> = &'a dyn Fn() -> f64;

fn accuracy(sources: u64, now_ms: Clock, reply: &mut dyn FnMut(WorkerReply)) {
    let started = now_ms();
    let mut run = match experiment(sources.clamp(1, MAX_SOURCES)).start() {
        Ok(r) => r,
        Err(e) => {
            return reply(WorkerReply::Failed {
                error: e.to_string(),
            })
        }
    };
    let mut reported = started;
    loop {
        let finished = run.step(50);
        let now = now_ms();
        if finished || now - reported >= PROGRESS_EVERY_MS {
            reported = now;
            let (done, sources) = run.progress();
            reply(WorkerReply::Accuracy(AccuracyProgress {
                done,
                sources,
                report: run.report(),
                elapsed_ms: now - started,
                finished,
            }));
        }
        if finished {
            return;
        }
    }
}

/// Times `keys` through a fresh keyed limiter, in ns per decision.
fn time(
    now_ms: Clock,
    kind: AlgorithmKind,
    keys: &[u64],
    capacity: u64,
    step_ns: u64,
) -> Option<f64> {
    let mut limiter =
        KeyedLimiter::new(kind, &workload::config(), capacity, workload::HASH_SEED).ok()?;
    let start = now_ms();
    let allowed = workload::decide_all(&mut limiter, keys, step_ns);
    let ns = (now_ms() - start) * 1e6 / keys.len() as f64;
    // The count keeps the loop's work observable.
    (allowed <= keys.len() as u64).then_some(ns)
}

/// Times `decisions` per algorithm and case, `BENCH_ROUNDS` times ([`BENCH_DECISIONS`] in the
/// lab).
fn bench(now_ms: Clock, decisions: usize, reply: &mut dyn FnMut(WorkerReply)) {
    let single = vec![0u64; decisions];
    let many = workload::key_sequence(decisions, workload::MANY_KEYS);
    let mut p = BenchProgress {
        rounds: BENCH_ROUNDS,
        algorithms: AlgorithmKind::ALL
            .iter()
            .map(|k| AlgoTimings {
                algo: k.name().to_string(),
                ..AlgoTimings::default()
            })
            .collect(),
        ..BenchProgress::default()
    };
    for round in 0..BENCH_ROUNDS {
        for (i, kind) in AlgorithmKind::ALL.into_iter().enumerate() {
            let a = time(
                now_ms,
                kind,
                &single,
                workload::SINGLE_KEY_CAPACITY,
                workload::SINGLE_STEP_NS,
            );
            let b = time(
                now_ms,
                kind,
                &many,
                workload::MANY_KEYS_CAPACITY,
                workload::MANY_STEP_NS,
            );
            let (Some(a), Some(b)) = (a, b) else {
                return reply(WorkerReply::Failed {
                    error: format!("{} did not run", kind.name()),
                });
            };
            p.algorithms[i].single_key_keyed_table.push(a);
            p.algorithms[i].keys_100k.push(b);
        }
        p.done = round + 1;
        p.finished = p.done == BENCH_ROUNDS;
        reply(WorkerReply::Bench(p.clone()));
    }
}

/// The worker's loop (the bin's `main`).
pub fn serve() {
    crate::labs::kit::worker::serve(|req: WorkerRequest, reply| match req {
        WorkerRequest::Accuracy { sources } => accuracy(sources, &now_ms, reply),
        WorkerRequest::Bench => bench(&now_ms, BENCH_DECISIONS, reply),
    });
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::labs::kit::worker::ticking_clock;

    #[test]
    fn the_accuracy_job_reports_progress_and_ends_with_the_experiment_report() {
        let mut replies = Vec::new();
        accuracy(300, &ticking_clock(), &mut |r| replies.push(r));
        let Some(WorkerReply::Accuracy(last)) = replies.last() else {
            panic!("{replies:?}");
        };
        assert!(last.finished);
        assert_eq!(last.report, experiment(300).run().unwrap());
    }

    #[test]
    fn the_bench_job_times_every_algorithm_every_round() {
        let mut replies = Vec::new();
        bench(&ticking_clock(), 2_000, &mut |r| replies.push(r));
        let Some(WorkerReply::Bench(last)) = replies.last() else {
            panic!("{replies:?}");
        };
        assert!(last.finished);
        assert_eq!(last.algorithms.len(), 5);
        assert!(last
            .algorithms
            .iter()
            .all(|a| a.keys_100k.len() == BENCH_ROUNDS && a.keys_100k.iter().all(|&n| n > 0.0)));
    }
}
