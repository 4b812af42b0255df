//! Criterion benches: the seeded flow (10k live orders) applied to a warmed-up book, the
//! add+cancel round trip at the touch, and the adversarial streams of `orderbook::adversarial`
//! (bids at strictly decreasing prices; ids crafted to collide under the original unkeyed hash).

use criterion::{criterion_group, criterion_main, BatchSize, Criterion, Throughput};
use orderbook::{adversarial, Book, Command, EventChecksum, FlowGen, FlowParams, Side, Tif};

/// Commands per measured iteration of the flow bench.
const FLOW_BATCH_OPS: usize = 100_000;
/// Warm-up commands that bring the book to its live-order target before measuring.
const WARMUP_OPS: usize = 200_000;
/// Orders per adversarial stream (then as many cancels).
const ADVERSARIAL_ORDERS: u64 = 20_000;

fn recorded_flow() -> (Book, Vec<Command>) {
    let mut gen = FlowGen::new(42, FlowParams::default());
    let mut book = Book::new();
    let mut sink = EventChecksum::new();
    for _ in 0..WARMUP_OPS {
        let c = gen.next_command(&book);
        book.apply(&c, &mut sink);
    }
    let warm = book.clone();
    let mut cmds = Vec::with_capacity(FLOW_BATCH_OPS);
    for _ in 0..FLOW_BATCH_OPS {
        let c = gen.next_command(&book);
        book.apply(&c, &mut sink);
        cmds.push(c);
    }
    (warm, cmds)
}

fn flow(c: &mut Criterion) {
    let (warm, cmds) = recorded_flow();
    let mut g = c.benchmark_group("flow");
    g.throughput(Throughput::Elements(cmds.len() as u64));
    g.bench_function("apply_100k_ops_10k_live", |b| {
        b.iter_batched_ref(
            || warm.clone(),
            |book| {
                let mut sink = EventChecksum::new();
                for c in &cmds {
                    book.apply(c, &mut sink);
                }
                sink.value()
            },
            BatchSize::LargeInput,
        )
    });
    g.finish();
}

fn add_cancel(c: &mut Criterion) {
    let (mut book, _) = recorded_flow();
    let mut sink = EventChecksum::new();
    let bid = book.best_bid().map_or(1_000_000, |l| l.price);
    let mut id = u64::MAX / 2;
    c.bench_function("add_cancel_at_touch", |b| {
        b.iter(|| {
            id += 1;
            book.limit(id, Side::Buy, bid, 10, Tif::Gtc, Some(3), &mut sink);
            book.cancel(id, &mut sink);
        })
    });
}

fn adversarial_streams(c: &mut Criterion) {
    let streams: [(&str, Vec<Command>); 2] = [
        (
            "decreasing_bids_20k",
            adversarial::decreasing_bids(ADVERSARIAL_ORDERS).collect(),
        ),
        (
            "colliding_ids_20k",
            adversarial::colliding_ids(ADVERSARIAL_ORDERS).collect(),
        ),
    ];
    let mut g = c.benchmark_group("adversarial");
    g.sample_size(20);
    for (name, cmds) in &streams {
        g.throughput(Throughput::Elements(cmds.len() as u64));
        g.bench_function(*name, |b| {
            b.iter(|| {
                let mut book = Book::new();
                let mut sink = EventChecksum::new();
                for c in cmds {
                    book.apply(c, &mut sink);
                }
                sink.value()
            })
        });
    }
    g.finish();
}

criterion_group!(benches, flow, add_cancel, adversarial_streams);
criterion_main!(benches);
