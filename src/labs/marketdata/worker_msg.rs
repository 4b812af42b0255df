//! The worker's messages (JSON both ways, in the kit's envelope) and its one job, shared by the
//! page and the `lab-market-data-worker` bin: **bench**, the client's hot path — parse, apply,
//! checksum — on the venue's stream, the workload `md-bench` times natively (its default seed,
//! depth and message count): the messages are generated first as wire text, then each pass
//! parses, applies and checksums every one of them on a fresh book, and the checksum each
//! message carries must be the book's.

use crate::labs::kit::worker::now_ms;
use marketdata::workload::{pass, stream};
use serde::{Deserialize, Serialize};

/// `md-bench`'s defaults (`marketdata::workload`'s): the venue's seed, the depth, and the
/// updates after the snapshot.
pub const BENCH_SEED: u64 = marketdata::workload::SEED;
pub const BENCH_DEPTH: usize = marketdata::workload::DEPTH;
pub const BENCH_MESSAGES: usize = marketdata::workload::UPDATES;
/// Timed passes, after one untimed warm-up pass (as `md-bench`).
pub const BENCH_REPS: usize = 5;

/// Page → worker.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "job", rename_all = "snake_case")]
pub enum WorkerRequest {
    Bench,
}

/// The benchmark so far.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct BenchProgress {
    /// Messages per pass (the snapshot and the updates).
    pub messages: u64,
    pub bytes: u64,
    /// How long generating the stream took, ms.
    pub prepare_ms: f64,
    pub reps: usize,
    /// Messages per second of each timed pass so far.
    pub rates: Vec<f64>,
    /// Milliseconds of each timed pass so far.
    pub pass_ms: Vec<f64>,
    /// The book's checksum after the last message (the same every pass).
    pub checksum: u32,
    pub finished: bool,
}

/// Worker → page.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "reply", rename_all = "snake_case")]
pub enum WorkerReply {
    Bench(BenchProgress),
    Failed { error: String },
}

/// A clock in ms (the worker's `performance.now()`; tests pass their own).
type Clock<'a> = &'a dyn Fn() -> f64;

fn bench(now_ms: Clock, updates: usize, reply: &mut dyn FnMut(WorkerReply)) {
    let started = now_ms();
    let lines = match stream(BENCH_SEED, BENCH_DEPTH, updates) {
        Ok(l) => l,
        Err(error) => return reply(WorkerReply::Failed { error }),
    };
    let mut p = BenchProgress {
        messages: lines.len() as u64,
        bytes: lines.iter().map(|l| l.len() as u64).sum(),
        prepare_ms: now_ms() - started,
        reps: BENCH_REPS,
        ..BenchProgress::default()
    };
    reply(WorkerReply::Bench(p.clone()));
    for rep in 0..=BENCH_REPS {
        let t = now_ms();
        match pass(&lines, BENCH_DEPTH) {
            Ok(c) => p.checksum = c,
            Err(error) => return reply(WorkerReply::Failed { error }),
        }
        let ms = now_ms() - t;
        // The first pass warms the engine up and is not timed.
        if rep > 0 {
            p.rates
                .push(lines.len() as f64 * 1000.0 / ms.max(f64::MIN_POSITIVE));
            p.pass_ms.push(ms);
            p.finished = rep == BENCH_REPS;
            reply(WorkerReply::Bench(p.clone()));
        }
    }
}

/// The worker's loop (the bin's `main`).
pub fn serve() {
    crate::labs::kit::worker::serve(|req: WorkerRequest, reply| match req {
        WorkerRequest::Bench => bench(&now_ms, BENCH_MESSAGES, reply),
    });
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::labs::kit::worker::ticking_clock;

    #[test]
    fn the_bench_job_times_every_pass_and_ends_with_the_stream_checksum() {
        let mut replies = Vec::new();
        bench(&ticking_clock(), 3_000, &mut |r| replies.push(r));
        let Some(WorkerReply::Bench(last)) = replies.last() else {
            panic!("{replies:?}");
        };
        assert!(last.finished);
        assert_eq!(last.rates.len(), BENCH_REPS);
        assert!(last.rates.iter().all(|&r| r > 0.0));
        assert_eq!(last.pass_ms.len(), BENCH_REPS);
        assert_eq!(last.messages, 3_001);
        let lines = stream(BENCH_SEED, BENCH_DEPTH, 3_000).unwrap();
        assert_eq!(last.checksum, pass(&lines, BENCH_DEPTH).unwrap());
        // The first reply comes before any pass: the stream is ready.
        assert!(matches!(&replies[0], WorkerReply::Bench(p) if p.rates.is_empty()));
    }

    #[test]
    fn a_damaged_stream_fails_its_pass() {
        let mut lines = stream(BENCH_SEED, BENCH_DEPTH, 50).unwrap();
        lines[20] = lines[20].replacen("\"qty\":", "\"qty\":9", 1);
        assert!(pass(&lines, BENCH_DEPTH).is_err());
    }

    /// `n` with its digits in groups of three, as the content writes numbers.
    fn spaced(n: usize) -> String {
        crate::labs::kit::format::grouped(n).replace('\u{2009}', " ")
    }

    /// The content describes this workload; its numbers are the code's.
    #[test]
    fn the_content_names_this_workload() {
        let bench = crate::labs::marketdata::bundle()
            .live
            .bench
            .as_ref()
            .expect("the lab has a benchmark");
        assert!(bench.lede.contains(&format!("seed {BENCH_SEED}")));
        assert!(bench
            .lede
            .contains(&format!("{} updates", spaced(BENCH_MESSAGES))));
        assert!(bench.timing_note.contains("five timed passes") && BENCH_REPS == 5);
        assert!(bench
            .native_note
            .contains(&format!("{} messages", spaced(BENCH_MESSAGES + 1))));
    }
}
