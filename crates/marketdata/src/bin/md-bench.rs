//! `md-bench [--messages N] [--reps R] [--seed S] [--depth D]`: the client's hot path on the
//! venue's stream. The venue's messages (a snapshot, then N updates of its seeded flow) are
//! generated first, as wire text; then each repetition parses, applies and checksums every one of
//! them as the client's `on_frame` does: [`parse_into`] one reused message, applied to one book
//! (the stream starts with a snapshot, so every pass rebuilds it). Prints msgs/s per repetition
//! (median, min, max) and the per-message latency p50 / p99 from a separate pass that times each
//! message (one clock read per message included), then, counted by `alloc-count`'s allocator
//! (installed here): allocations and bytes per message over a cold pass (a fresh book and
//! message, so their first growth included) and over a steady-state pass after the warm-up (the
//! goal: none), the live heap's growth over that pass and its peak, then a JSON line. The JSON
//! also splits the time per message into parse, apply and checksum: the best pass that stops
//! after parsing, the best that stops after applying, and the best whole pass (the three in
//! turn), differenced. A quick run: `--messages 20000 --reps 3`.

use marketdata::workload::{self, pass_with as pass};
use marketdata::{parse_into, BookMessage, L2Book};
use std::process::ExitCode;
use std::time::Instant;

#[global_allocator]
static GLOBAL: alloc_count::Counting = alloc_count::Counting;

/// Most messages one run generates.
const MAX_MESSAGES: usize = workload::MAX_UPDATES;
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

/// How far a pass goes: the stages are timed by cutting the pass short after each.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Stage {
    Parse,
    Apply,
    Checksum,
}

const STAGES: [Stage; 3] = [Stage::Parse, Stage::Apply, Stage::Checksum];

/// Nanoseconds per message of passes that stop after each stage: the best of `reps` for each,
/// the three taken in turn within every repetition so that a busy moment of the machine falls
/// on all of them alike.
fn stage_ns(lines: &[String], book: &mut L2Book, msg: &mut BookMessage, reps: usize) -> [f64; 3] {
    let mut best = [f64::MAX; 3];
    for _ in 0..reps {
        for (slot, stage) in best.iter_mut().zip(STAGES) {
            let t = Instant::now();
            for line in lines {
                if parse_into(line, msg).is_ok() && stage >= Stage::Apply {
                    let _ = book.apply(msg);
                    if stage >= Stage::Checksum {
                        std::hint::black_box(book.checksum());
                    }
                }
                std::hint::black_box(&msg);
            }
            *slot = slot.min(t.elapsed().as_secs_f64() * 1e9 / lines.len() as f64);
        }
    }
    best
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
    let lines = match workload::stream(a.seed, a.depth, a.messages) {
        Ok(lines) => lines,
        Err(e) => {
            eprintln!("md-bench: {e}");
            return ExitCode::from(2);
        }
    };
    let bytes: usize = lines.iter().map(String::len).sum();
    let fresh_book = || L2Book::new(a.depth).expect("depth checked by Venue::new");
    // Allocations over a cold pass (a fresh book and message), and the heap it needed beyond
    // what was live before it.
    let (mut book, mut msg) = (fresh_book(), BookMessage::default());
    let before = alloc_count::snapshot();
    alloc_count::reset_peak();
    if let Err(e) = pass(&lines, &mut book, &mut msg) {
        eprintln!("md-bench: {e}");
        return ExitCode::FAILURE;
    }
    let after = alloc_count::snapshot();
    let per_msg = |n: u64| n as f64 / lines.len() as f64;
    let allocs_per_msg = per_msg(after.allocations - before.allocations);
    let bytes_per_msg = per_msg(after.bytes - before.bytes);
    let pass_peak_bytes = after.peak_bytes.saturating_sub(before.live_bytes);
    // The same book and message after that warm-up: the steady state.
    let before = alloc_count::snapshot();
    alloc_count::reset_peak();
    if let Err(e) = pass(&lines, &mut book, &mut msg) {
        eprintln!("md-bench: {e}");
        return ExitCode::FAILURE;
    }
    let after = alloc_count::snapshot();
    let steady_allocs = after.allocations - before.allocations;
    let steady_bytes = after.bytes - before.bytes;
    let steady_live_growth = after.live_bytes as i64 - before.live_bytes as i64;
    let steady_peak_bytes = after.peak_bytes.saturating_sub(before.live_bytes);
    let mut rates = Vec::with_capacity(a.reps);
    let mut checksum = 0;
    // One untimed warm-up pass, then the timed ones.
    for rep in 0..=a.reps {
        let t = Instant::now();
        match pass(&lines, &mut book, &mut msg) {
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
    // Where the time goes: parse alone, parse and apply, the whole.
    let [parse_ns, apply_ns, whole_ns] = stage_ns(&lines, &mut book, &mut msg, a.reps);
    let mut ns: Vec<u64> = Vec::with_capacity(lines.len());
    for line in &lines {
        let t = Instant::now();
        if parse_into(line, &mut msg).is_ok() {
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
         per message p50 {} ns, p99 {} ns; cold pass {:.2} allocations ({:.0} B) per message, \
         peak heap {} B; steady state {} allocations ({} B) over {} messages, live heap {:+} B, \
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
        pass_peak_bytes,
        steady_allocs,
        steady_bytes,
        lines.len(),
        steady_live_growth,
        steady_peak_bytes
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
        "best_ns_per_message_parse": (parse_ns * 10.0).round() / 10.0,
        "best_ns_per_message_apply": ((apply_ns - parse_ns) * 10.0).round() / 10.0,
        "best_ns_per_message_checksum": ((whole_ns - apply_ns) * 10.0).round() / 10.0,
        "final_checksum": checksum,
        "allocations_per_message": (allocs_per_msg * 100.0).round() / 100.0,
        "bytes_allocated_per_message": bytes_per_msg.round(),
        "pass_peak_heap_bytes": pass_peak_bytes,
        "steady_state_allocations": steady_allocs,
        "steady_state_allocations_per_message": per_msg(steady_allocs),
        "steady_state_bytes_allocated_per_message": per_msg(steady_bytes),
        "steady_state_live_heap_growth_bytes": steady_live_growth,
        "steady_state_pass_peak_heap_bytes": steady_peak_bytes,
        "process_peak_heap_bytes": alloc_count::snapshot().peak_bytes,
    });
    println!("{json}");
    ExitCode::SUCCESS
}
