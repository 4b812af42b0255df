//! `md-bench [--messages N] [--reps R] [--seed S] [--depth D]`: the client's hot path on the
//! venue's stream. The venue's messages (a snapshot, then N updates of its seeded flow) are
//! generated first, as wire text; then each repetition parses, applies and checksums every one of
//! them on a fresh book. Prints msgs/s per repetition (median, min, max) and the per-message
//! latency p50 / p99 from a separate pass that times each message (one clock read per message
//! included), then allocations and bytes allocated per message and the client's peak heap over a
//! pass (counted by `alloc-count`'s allocator, installed here), then a JSON line.

use marketdata::venue::{to_json, Venue};
use marketdata::{parse, L2Book};
use std::process::ExitCode;
use std::time::Instant;

#[global_allocator]
static GLOBAL: alloc_count::Counting = alloc_count::Counting;

/// Most messages one run generates.
const MAX_MESSAGES: usize = 5_000_000;
/// Most repetitions.
const MAX_REPS: usize = 100;

struct Args {
    messages: usize,
    reps: usize,
    seed: u64,
    depth: usize,
}

fn args() -> Result<Args, String> {
    let mut a = Args {
        messages: 200_000,
        reps: 5,
        seed: 42,
        depth: 10,
    };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let v = it.next().ok_or(format!("{flag} needs a value"))?;
        let n: u64 = v
            .parse()
            .map_err(|_| format!("{flag}: {v:?} is not a number"))?;
        match flag.as_str() {
            "--messages" => a.messages = (n as usize).clamp(1, MAX_MESSAGES),
            "--reps" => a.reps = (n as usize).clamp(1, MAX_REPS),
            "--seed" => a.seed = n,
            "--depth" => a.depth = n as usize,
            _ => return Err(format!("unknown option {flag}")),
        }
    }
    Ok(a)
}

/// One pass over `lines` on a fresh book; returns the last checksum (so nothing is optimised
/// away) or the first error.
fn pass(lines: &[String], depth: usize) -> Result<u32, String> {
    let mut book = L2Book::new(depth).map_err(|e| e.to_string())?;
    let mut last = 0;
    for line in lines {
        let msg = parse(line).map_err(|e| e.to_string())?;
        book.apply(&msg).map_err(|e| e.to_string())?;
        last = book.checksum();
        if msg.checksum != Some(last) {
            return Err("a checksum differs from the venue's".into());
        }
    }
    Ok(last)
}

fn median(v: &mut [f64]) -> f64 {
    v.sort_by(f64::total_cmp);
    let n = v.len();
    if n % 2 == 1 {
        v[n / 2]
    } else {
        (v[n / 2 - 1] + v[n / 2]) / 2.0
    }
}

fn main() -> ExitCode {
    let a = match args() {
        Ok(a) => a,
        Err(e) => {
            eprintln!("md-bench: {e}");
            return ExitCode::from(2);
        }
    };
    let mut venue = match Venue::new(a.seed, a.depth) {
        Ok(v) => v,
        Err(e) => {
            eprintln!("md-bench: {e}");
            return ExitCode::from(2);
        }
    };
    let mut lines = vec![to_json(&venue.snapshot())];
    lines.extend((0..a.messages).map_while(|_| venue.step().map(|m| to_json(&m))));
    let bytes: usize = lines.iter().map(String::len).sum();
    let mut rates = Vec::with_capacity(a.reps);
    let mut checksum = 0;
    // One untimed warm-up pass, then the timed ones.
    for rep in 0..=a.reps {
        let t = Instant::now();
        match pass(&lines, a.depth) {
            Ok(c) => checksum = c,
            Err(e) => {
                eprintln!("md-bench: {e}");
                return ExitCode::FAILURE;
            }
        }
        if rep > 0 {
            rates.push(lines.len() as f64 / t.elapsed().as_secs_f64());
        }
    }
    // Allocations over one more pass, and the heap it needed beyond what was live before it.
    let before = alloc_count::snapshot();
    alloc_count::reset_peak();
    if let Err(e) = pass(&lines, a.depth) {
        eprintln!("md-bench: {e}");
        return ExitCode::FAILURE;
    }
    let after = alloc_count::snapshot();
    let per_msg = |n: u64| n as f64 / lines.len() as f64;
    let allocs_per_msg = per_msg(after.allocations - before.allocations);
    let bytes_per_msg = per_msg(after.bytes - before.bytes);
    let pass_peak_bytes = after.peak_bytes.saturating_sub(before.live_bytes);
    let mut book = L2Book::new(a.depth).expect("depth checked by Venue::new");
    let mut ns: Vec<u64> = Vec::with_capacity(lines.len());
    for line in &lines {
        let t = Instant::now();
        if let Ok(msg) = parse(line) {
            let _ = book.apply(&msg);
            std::hint::black_box(book.checksum());
        }
        ns.push(u64::try_from(t.elapsed().as_nanos()).unwrap_or(u64::MAX));
    }
    ns.sort_unstable();
    let q = |p: usize| ns[(ns.len() - 1) * p / 1000];
    let (min, max) = rates
        .iter()
        .fold((f64::MAX, 0f64), |(lo, hi), &r| (lo.min(r), hi.max(r)));
    let med = median(&mut rates.clone());
    println!(
        "{} messages ({} B on average), depth {}: {:.2} M msgs/s median ({:.2}–{:.2}) over {} reps; \
         per message p50 {} ns, p99 {} ns; {:.2} allocations ({:.0} B) per message, the pass's \
         peak heap {} B",
        lines.len(),
        bytes / lines.len(),
        a.depth,
        med / 1e6,
        min / 1e6,
        max / 1e6,
        a.reps,
        q(500),
        q(990),
        allocs_per_msg,
        bytes_per_msg,
        pass_peak_bytes
    );
    let json = serde_json::json!({
        "bench": "marketdata",
        "seed": a.seed,
        "depth": a.depth,
        "messages": lines.len(),
        "avg_message_bytes": bytes / lines.len(),
        "msgs_per_sec_median": med.round(),
        "msgs_per_sec_min": min.round(),
        "msgs_per_sec_max": max.round(),
        "msgs_per_sec_reps": rates.iter().map(|r| r.round()).collect::<Vec<_>>(),
        "p50_ns": q(500),
        "p99_ns": q(990),
        "final_checksum": checksum,
        "allocations_per_message": (allocs_per_msg * 100.0).round() / 100.0,
        "bytes_allocated_per_message": bytes_per_msg.round(),
        "pass_peak_heap_bytes": pass_peak_bytes,
        "process_peak_heap_bytes": alloc_count::snapshot().peak_bytes,
    });
    println!("{json}");
    ExitCode::SUCCESS
}
