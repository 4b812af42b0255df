//! A global allocator that forwards to the system's and counts: allocations (reallocations
//! included), bytes requested, bytes live now, and the peak of live bytes. For allocation tests
//! and the engines' bench binaries; install it with
//!
//! ```ignore
//! #[global_allocator]
//! static GLOBAL: alloc_count::Counting = alloc_count::Counting;
//! ```
//!
//! Counters are process-wide and relaxed: read them around single-threaded work.

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicU64, Ordering};

pub struct Counting;

static ALLOCATIONS: AtomicU64 = AtomicU64::new(0);
static BYTES: AtomicU64 = AtomicU64::new(0);
static LIVE: AtomicU64 = AtomicU64::new(0);
static PEAK: AtomicU64 = AtomicU64::new(0);

fn grew(by: u64) {
    let live = LIVE.fetch_add(by, Ordering::Relaxed) + by;
    PEAK.fetch_max(live, Ordering::Relaxed);
}

/// A reading of the counters.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct Snapshot {
    pub allocations: u64,
    pub bytes: u64,
    pub live_bytes: u64,
    pub peak_bytes: u64,
}

/// The counters now.
pub fn snapshot() -> Snapshot {
    Snapshot {
        allocations: ALLOCATIONS.load(Ordering::Relaxed),
        bytes: BYTES.load(Ordering::Relaxed),
        live_bytes: LIVE.load(Ordering::Relaxed),
        peak_bytes: PEAK.load(Ordering::Relaxed),
    }
}

/// Starts a new peak from the bytes live now (to measure one phase's peak).
pub fn reset_peak() {
    PEAK.store(LIVE.load(Ordering::Relaxed), Ordering::Relaxed);
}

// SAFETY: every method forwards to `System` with the caller's arguments unchanged; the counting
// only touches atomics and never allocates.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        ALLOCATIONS.fetch_add(1, Ordering::Relaxed);
        BYTES.fetch_add(layout.size() as u64, Ordering::Relaxed);
        grew(layout.size() as u64);
        // SAFETY: forwarded unchanged to the system allocator.
        unsafe { System.alloc(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        LIVE.fetch_sub(layout.size() as u64, Ordering::Relaxed);
        // SAFETY: forwarded unchanged to the system allocator.
        unsafe { System.dealloc(ptr, layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        ALLOCATIONS.fetch_add(1, Ordering::Relaxed);
        BYTES.fetch_add(new_size as u64, Ordering::Relaxed);
        let (old, new) = (layout.size() as u64, new_size as u64);
        if new >= old {
            grew(new - old);
        } else {
            LIVE.fetch_sub(old - new, Ordering::Relaxed);
        }
        // SAFETY: forwarded unchanged to the system allocator.
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[cfg(test)]
mod tests {
    // The allocator is not installed in this crate's own tests; exercise it directly.
    use super::*;

    #[test]
    fn counts_and_peaks_follow_allocations() {
        let before = snapshot();
        let layout = Layout::from_size_align(1000, 8).unwrap();
        // SAFETY: a valid non-zero layout; the pointer is freed with the same layout, after a
        // realloc that keeps its alignment.
        unsafe {
            let p = Counting.alloc(layout);
            assert!(!p.is_null());
            let p = Counting.realloc(p, layout, 3000);
            assert!(!p.is_null());
            Counting.dealloc(p, Layout::from_size_align(3000, 8).unwrap());
        }
        let after = snapshot();
        assert_eq!(after.allocations - before.allocations, 2);
        assert_eq!(after.bytes - before.bytes, 4000);
        assert!(after.peak_bytes >= 3000);
    }
}
