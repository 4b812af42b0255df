//! The hot path allocates nothing once warm: after one pass over the venue's stream, a second
//! pass of `parse_into` one reused message, `apply` and `checksum` makes no allocation and leaves
//! the live heap exactly where it was (counted by `alloc-count`'s allocator, installed here; this
//! file holds one test so that nothing else runs while it counts).

use marketdata::venue::{to_json, Venue};
use marketdata::{parse_into, BookMessage, L2Book};

#[global_allocator]
static GLOBAL: alloc_count::Counting = alloc_count::Counting;

fn pass(lines: &[String], book: &mut L2Book, msg: &mut BookMessage) {
    for line in lines {
        parse_into(line, msg).unwrap();
        book.apply(msg).unwrap();
        assert_eq!(Some(book.checksum()), msg.checksum);
    }
}

#[test]
fn a_warm_pass_allocates_nothing_and_the_heap_stays_flat() {
    for depth in [10, 100] {
        let mut venue = Venue::new(3, depth).unwrap();
        let mut lines = vec![to_json(&venue.snapshot())];
        lines.extend((0..5_000).map_while(|_| venue.step().map(|m| to_json(&m))));
        let (mut book, mut msg) = (L2Book::new(depth).unwrap(), BookMessage::default());
        pass(&lines, &mut book, &mut msg);
        let before = alloc_count::snapshot();
        pass(&lines, &mut book, &mut msg);
        let after = alloc_count::snapshot();
        assert_eq!(after.allocations, before.allocations, "depth {depth}");
        assert_eq!(after.live_bytes, before.live_bytes, "depth {depth}");
    }
}
