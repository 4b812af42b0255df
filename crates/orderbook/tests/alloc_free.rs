//! Hot path allocation check: after warm-up, applying the seeded flow (10k live orders) with an
//! event checksum sink performs no heap allocation at all. Counted with `alloc-count`'s global
//! allocator, so this file holds a single test (the harness runs tests on other threads).

use orderbook::{Book, EventChecksum, FlowGen, FlowParams};

#[global_allocator]
static GLOBAL: alloc_count::Counting = alloc_count::Counting;

#[test]
fn steady_state_flow_does_not_allocate() {
    let mut gen = FlowGen::new(42, FlowParams::default());
    let mut book = Book::new();
    let mut sink = EventChecksum::new();
    for _ in 0..300_000 {
        let c = gen.next_command(&book);
        book.apply(&c, &mut sink);
    }
    let before = alloc_count::snapshot().allocations;
    for _ in 0..300_000 {
        let c = gen.next_command(&book);
        book.apply(&c, &mut sink);
    }
    let during = alloc_count::snapshot().allocations - before;
    assert!(sink.events() > 600_000);
    assert_eq!(during, 0, "{during} allocations after warm-up");
}
