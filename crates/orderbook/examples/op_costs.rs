// scratch: deterministic replay for cachegrind (not committed)
use orderbook::*;
#[inline(never)]
fn replay_only(book: &mut Book, cmds: &[Command], sum: &mut EventChecksum) {
    for c in cmds {
        book.apply(c, sum);
    }
}
fn main() {
    let ops: usize = std::env::args()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(1_000_000);
    let params = FlowParams::default();
    let mut gen = FlowGen::new(42, params);
    let mut book = Book::new();
    let mut sink = EventCounter::default();
    let mut cmds = Vec::new();
    for _ in 0..ops + 300_000 {
        let c = gen.next_command(&book);
        book.apply(&c, &mut sink);
        cmds.push(c);
    }
    let mut book = Book::new();
    let mut sum = EventChecksum::new();
    for c in &cmds[..300_000] {
        book.apply(c, &mut sum);
    }
    let t = std::time::Instant::now();
    replay_only(&mut book, &cmds[300_000..], &mut sum);
    let dt = t.elapsed();
    println!(
        "{:.1} ns/op checksum {:x}",
        dt.as_nanos() as f64 / ops as f64,
        sum.value()
    );
}
