//! The benchmark worker's protocol (JSON strings both ways) and its workload, shared by the page
//! and the `worker` bin. The workload is `orderbook::run_flow` cut into timed batches: the same
//! generator, default parameters and checksum as `book-bench --flow N --seed S`.

use orderbook::{Book, EventChecksum, FlowGen, FlowParams};
use serde::{Deserialize, Serialize};

/// The seed `book-bench` uses by default.
pub const BENCH_SEED: u64 = 42;
/// Operations per timed batch.
pub const BATCH_OPS: u64 = 50_000;
/// Workload sizes the page offers.
pub const BENCH_OPS: &[u64] = &[1_000_000, 5_000_000];

/// Page → worker: run this workload.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct BenchRequest {
    pub seed: u64,
    pub ops: u64,
    pub batch: u64,
}

/// Worker → page.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind")]
pub enum BenchReply {
    /// The worker has started and will now receive requests.
    Ready,
    /// A batch finished.
    Progress {
        done: u64,
        ops: u64,
        batch_ms: f64,
    },
    Done {
        ops: u64,
        /// `EventChecksum` as 16 hex digits (as `book-bench` prints it).
        checksum: String,
        events: u64,
        elapsed_ms: f64,
        batch_ms: Vec<f64>,
    },
    Failed {
        message: String,
    },
}

/// The benchmark workload, advanced batch by batch (run by the worker bin; the page only
/// shares the type).
#[allow(dead_code)]
pub struct Workload {
    book: Book,
    gen: FlowGen,
    sum: EventChecksum,
    done: u64,
}

#[allow(dead_code)]
impl Workload {
    pub fn new(seed: u64) -> Self {
        Workload {
            book: Book::new(),
            gen: FlowGen::new(seed, FlowParams::default()),
            sum: EventChecksum::new(),
            done: 0,
        }
    }

    /// Applies the next `n` flow commands.
    pub fn run(&mut self, n: u64) {
        for _ in 0..n {
            let cmd = self.gen.next_command(&self.book);
            self.book.apply(&cmd, &mut self.sum);
        }
        self.done += n;
    }

    pub fn done(&self) -> u64 {
        self.done
    }

    pub fn events(&self) -> u64 {
        self.sum.events()
    }

    pub fn checksum_hex(&self) -> String {
        format!("{:016x}", self.sum.value())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn batches_do_the_same_work_as_run_flow() {
        let mut w = Workload::new(BENCH_SEED);
        for _ in 0..4 {
            w.run(25_000);
        }
        let d = orderbook::run_flow(BENCH_SEED, FlowParams::default(), 100_000);
        assert_eq!(w.checksum_hex(), format!("{:016x}", d.checksum));
        assert_eq!(w.events(), d.events);
    }

    #[test]
    fn messages_round_trip_as_json() {
        let r = BenchReply::Progress {
            done: 1,
            ops: 2,
            batch_ms: 0.5,
        };
        let text = serde_json::to_string(&r).unwrap();
        assert_eq!(serde_json::from_str::<BenchReply>(&text).unwrap(), r);
        let ready = serde_json::to_string(&BenchReply::Ready).unwrap();
        assert_eq!(ready, r#"{"kind":"Ready"}"#);
    }
}
