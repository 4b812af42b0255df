//! Hot path allocation check: after warm-up, applying the seeded flow (10k live orders) with an
//! event checksum sink performs no heap allocation at all. Counted with a wrapping global
//! allocator, so this file holds a single test (the harness runs tests on other threads).

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicU64, Ordering};

use orderbook::{Book, EventChecksum, FlowGen, FlowParams};

struct Counting;

static ALLOCATIONS: AtomicU64 = AtomicU64::new(0);

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        ALLOCATIONS.fetch_add(1, Ordering::Relaxed);
        // SAFETY: forwarded unchanged to the system allocator.
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: forwarded unchanged to the system allocator.
        unsafe { System.dealloc(ptr, layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        ALLOCATIONS.fetch_add(1, Ordering::Relaxed);
        // SAFETY: forwarded unchanged to the system allocator.
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

#[test]
fn steady_state_flow_does_not_allocate() {
    let mut gen = FlowGen::new(42, FlowParams::default());
    let mut book = Book::new();
    let mut sink = EventChecksum::new();
    for _ in 0..300_000 {
        let c = gen.next_command(&book);
        book.apply(&c, &mut sink);
    }
    let before = ALLOCATIONS.load(Ordering::Relaxed);
    for _ in 0..300_000 {
        let c = gen.next_command(&book);
        book.apply(&c, &mut sink);
    }
    let during = ALLOCATIONS.load(Ordering::Relaxed) - before;
    assert!(sink.events() > 600_000);
    assert_eq!(during, 0, "{during} allocations after warm-up");
}
