// scratch: per-command-type cost breakdown (not committed)
use orderbook::*;
use std::arch::x86_64::_rdtsc;
fn main() {
    let params = FlowParams::default();
    let mut gen = FlowGen::new(42, params);
    let mut book = Book::new();
    let mut sink = EventCounter::default();
    let mut cmds = Vec::new();
    for _ in 0..3_000_000 {
        let c = gen.next_command(&book);
        book.apply(&c, &mut sink);
        cmds.push(c);
    }
    let mut best = [f64::MAX; 6];
    let mut n = [0u64; 6];
    for _rep in 0..3 {
        let mut book = Book::new();
        let mut sum = EventChecksum::new();
        for c in &cmds[..500_000] {
            book.apply(c, &mut sum);
        }
        let mut t = [0u64; 6];
        n = [0u64; 6];
        for c in &cmds[500_000..] {
            let k = match c {
                Command::Limit { tif: Tif::Gtc, .. } => 0,
                Command::Limit { tif: Tif::Post, .. } => 1,
                Command::Limit { .. } => 2,
                Command::Market { .. } => 3,
                Command::Cancel { .. } => 4,
                Command::Modify { .. } => 5,
            };
            let t0 = unsafe { _rdtsc() };
            book.apply(c, &mut sum);
            let t1 = unsafe { _rdtsc() };
            t[k] += t1 - t0;
            n[k] += 1;
        }
        for i in 0..6 {
            if n[i] > 0 {
                best[i] = best[i].min(t[i] as f64 / n[i] as f64);
            }
        }
    }
    let nt: u64 = n.iter().sum();
    let mut tot = 0.0;
    for (i, name) in ["gtc", "post", "ioc/fok", "market", "cancel", "modify"]
        .iter()
        .enumerate()
    {
        if n[i] > 0 {
            tot += best[i] * n[i] as f64;
            println!(
                "{name:8} share_ops={:5.1}% cyc/op={:6.1}",
                100.0 * n[i] as f64 / nt as f64,
                best[i]
            );
        }
    }
    println!("avg cyc/op {:.1}", tot / nt as f64);
}
