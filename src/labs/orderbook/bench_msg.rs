//! The benchmark's messages (JSON both ways, in the kit's worker envelope) and its workload,
//! shared by the page and the `lab-orderbook-worker` bin. The workload is `orderbook::run_flow`
//! cut into timed batches: the same generator, default parameters and checksum as
//! `book-bench --flow N --seed S`.

use crate::labs::kit::worker::now_ms;
use orderbook::{Book, EventChecksum, FlowGen, FlowParams};
use serde::{Deserialize, Serialize};

/// The seed `book-bench` uses by default.
pub const BENCH_SEED: u64 = 42;
/// Operations per timed batch.
pub const BATCH_OPS: u64 = 50_000;
/// Workload sizes the page offers.
pub const BENCH_OPS: &[u64] = &[1_000_000, 5_000_000];
/// The most operations a request may ask for, whatever it says.
pub const MAX_BENCH_OPS: u64 = 100_000_000;

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
    /// A batch finished.
    Progress { done: u64, ops: u64, batch_ms: f64 },
    Done {
        ops: u64,
        /// `EventChecksum` as 16 hex digits (as `book-bench` prints it).
        checksum: String,
        events: u64,
        elapsed_ms: f64,
        batch_ms: Vec<f64>,
    },
}

/// The benchmark workload, advanced batch by batch.
pub struct Workload {
    book: Book,
    gen: FlowGen,
    sum: EventChecksum,
    done: u64,
}

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

/// The worker's main (the `lab-orderbook-worker` bin). Not generic, so the worker's code is
/// compiled in this crate once.
pub fn serve() {
    crate::labs::kit::worker::serve(run);
}

/// The worker's side: runs `req` in timed batches, replying after each with its progress.
pub fn run(req: BenchRequest, reply: &mut dyn FnMut(BenchReply)) {
    let batch = req.batch.clamp(1, 1_000_000);
    let ops = req.ops.min(MAX_BENCH_OPS);
    let mut work = Workload::new(req.seed);
    let mut batch_ms = Vec::with_capacity((ops / batch + 1) as usize);
    let start = now_ms();
    while work.done() < ops {
        let n = batch.min(ops - work.done());
        let t = now_ms();
        work.run(n);
        let ms = now_ms() - t;
        batch_ms.push(ms);
        reply(BenchReply::Progress {
            done: work.done(),
            ops,
            batch_ms: ms,
        });
    }
    reply(BenchReply::Done {
        ops,
        checksum: work.checksum_hex(),
        events: work.events(),
        elapsed_ms: now_ms() - start,
        batch_ms,
    });
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
    }
}
