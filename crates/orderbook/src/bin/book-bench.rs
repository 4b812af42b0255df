//! `book-bench`: throughput, per-op latency and memory of the engine on the seeded flow.
//!
//! 1. Records `warmup + ops` commands of the flow generator (interleaved with a book, as the
//!    flow contract requires) and their event checksum.
//! 2. Replays the recording on fresh books `reps` times: the warm-up untimed, then the measured
//!    ops in batches of at most 64 timed with `Instant` (per-op latency = batch time / batch
//!    length). The replay's checksum must equal the recording's, so a run that does less work
//!    fails loudly instead of looking fast.
//! 3. Memory: 1M live orders, bytes per live order by capacity accounting, then cancel all.
//!
//! Prints human-readable lines, then one JSON line last. `--flow N` instead runs only
//! `run_flow(seed, default params, N)` (the native side of the WASM parity check).
//! `--adversarial ladder|ids [--n N] [--reps N]` instead replays one of the worst-case streams of
//! [`orderbook::adversarial`] (`n` orders, then their cancels) on fresh books and prints the
//! median, minimum and maximum time of the add and cancel phases.

use std::io::Write;
use std::process::ExitCode;
use std::time::Instant;

use orderbook::{
    adversarial, run_flow, Book, Command, EventChecksum, EventCounter, FlowGen, FlowParams, Side,
    Tif,
};

/// Prints a line to stdout, ignoring errors (a closed pipe must not panic the tool).
macro_rules! out {
    ($($arg:tt)*) => {{
        let _ = writeln!(std::io::stdout(), $($arg)*);
    }};
}

/// Largest latency batch (the spec asks for at most 64 ops per timed batch).
const MAX_BATCH_OPS: usize = 64;
/// Live orders for the memory figure.
const MEMORY_LIVE_ORDERS: u64 = 1_000_000;
/// Default orders of an adversarial stream: the lab's import limit (`MAX_IMPORT_LINES`).
const ADVERSARIAL_DEFAULT_ORDERS: u64 = 200_000;
/// Largest `--n` for an adversarial stream (keeps the recorded stream's memory bounded).
const ADVERSARIAL_MAX_ORDERS: u64 = 10_000_000;

/// Which worst-case stream `--adversarial` replays.
#[derive(Clone, Copy, Debug)]
enum Adversarial {
    /// [`adversarial::decreasing_bids`].
    Ladder,
    /// [`adversarial::colliding_ids`].
    Ids,
}

impl Adversarial {
    fn name(self) -> &'static str {
        match self {
            Adversarial::Ladder => "ladder",
            Adversarial::Ids => "ids",
        }
    }
}

struct Args {
    seed: u64,
    ops: usize,
    warmup: usize,
    live: usize,
    batch: usize,
    reps: usize,
    flow: Option<u64>,
    memory: bool,
    adversarial: Option<Adversarial>,
    n: u64,
}

const USAGE: &str =
    "usage: book-bench [--seed N] [--ops N] [--warmup N] [--live N] [--batch 1..=64] \
[--reps N] [--no-memory] | book-bench --flow N [--seed N] | book-bench --adversarial ladder|ids \
[--n N] [--reps N]";

fn parse_args() -> Result<Args, String> {
    let mut a = Args {
        seed: 42,
        ops: 5_000_000,
        warmup: 500_000,
        live: 10_000,
        batch: MAX_BATCH_OPS,
        reps: 5,
        flow: None,
        memory: true,
        adversarial: None,
        n: ADVERSARIAL_DEFAULT_ORDERS,
    };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        if flag == "--no-memory" {
            a.memory = false;
            continue;
        }
        let value = it.next().ok_or(format!("{flag} needs a value"))?;
        if flag == "--adversarial" {
            a.adversarial = Some(match value.as_str() {
                "ladder" => Adversarial::Ladder,
                "ids" => Adversarial::Ids,
                _ => {
                    return Err(format!(
                        "--adversarial: expected ladder or ids, got {value}"
                    ))
                }
            });
            continue;
        }
        let n: u64 = value
            .parse()
            .map_err(|_| format!("{flag}: not a number: {value}"))?;
        let as_usize = usize::try_from(n).map_err(|_| format!("{flag}: too large"))?;
        match flag.as_str() {
            "--seed" => a.seed = n,
            "--ops" => a.ops = as_usize.max(1),
            "--warmup" => a.warmup = as_usize,
            "--live" => a.live = as_usize.max(1),
            "--batch" => a.batch = as_usize.clamp(1, MAX_BATCH_OPS),
            "--reps" => a.reps = as_usize.max(1),
            "--flow" => a.flow = Some(n),
            "--n" => a.n = n.clamp(1, ADVERSARIAL_MAX_ORDERS),
            _ => return Err(format!("unknown flag {flag}")),
        }
    }
    Ok(a)
}

fn percentile(sorted: &[f64], pct: usize) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let i = (sorted.len() - 1) * pct / 100;
    sorted[i]
}

struct Rep {
    ops_per_sec: f64,
    p50_ns: f64,
    p99_ns: f64,
    checksum: u64,
    events: u64,
    live_orders: usize,
}

fn replay(cmds: &[Command], warmup: usize, batch: usize, lat: &mut Vec<f64>) -> Rep {
    let mut book = Book::new();
    let mut sum = EventChecksum::new();
    for c in &cmds[..warmup] {
        book.apply(c, &mut sum);
    }
    let measured = &cmds[warmup..];
    lat.clear();
    let start = Instant::now();
    // One clock read per batch: a batch ends where the next begins.
    let mut t0 = start;
    for chunk in measured.chunks(batch) {
        for c in chunk {
            book.apply(c, &mut sum);
        }
        let t1 = Instant::now();
        let dt = t1.duration_since(t0).as_nanos() as f64;
        t0 = t1;
        lat.push(dt / chunk.len() as f64);
    }
    let wall_s = t0.duration_since(start).as_secs_f64();
    lat.sort_by(|a, b| a.total_cmp(b));
    Rep {
        ops_per_sec: measured.len() as f64 / wall_s,
        p50_ns: percentile(lat, 50),
        p99_ns: percentile(lat, 99),
        checksum: sum.value(),
        events: sum.events(),
        live_orders: book.live_orders(),
    }
}

struct MemoryFigures {
    bytes_per_live_order: f64,
    total_at_1m: usize,
    fresh: usize,
    after_cancel_all: usize,
    levels_after_cancel_all: usize,
    after_refill: usize,
    after_shrink: usize,
}

fn memory_figures() -> MemoryFigures {
    let fresh = Book::new().memory().total_bytes;
    let mut book = Book::new();
    let mut sink = EventCounter::default();
    // Two sides of 500 levels each near a 1,000,000-tick mid, 1,000 orders per level.
    let place = |book: &mut Book, base_id: u64, sink: &mut EventCounter| {
        for i in 0..MEMORY_LIVE_ORDERS {
            let (side, price) = if i % 2 == 0 {
                (Side::Buy, 1_000_000 - (i / 2) % 500)
            } else {
                (Side::Sell, 1_000_001 + (i / 2) % 500)
            };
            let owner = (i % 4 != 0).then_some(i % 16);
            book.limit(base_id + i, side, price, 1 + i % 64, Tif::Gtc, owner, sink);
        }
    };
    place(&mut book, 0, &mut sink);
    let at_1m = book.memory();
    for i in 0..MEMORY_LIVE_ORDERS {
        book.cancel(i, &mut sink);
    }
    let emptied = book.memory();
    place(&mut book, MEMORY_LIVE_ORDERS, &mut sink);
    let after_refill = book.memory().total_bytes;
    for i in 0..MEMORY_LIVE_ORDERS {
        book.cancel(MEMORY_LIVE_ORDERS + i, &mut sink);
    }
    book.shrink_to_fit();
    MemoryFigures {
        bytes_per_live_order: at_1m.total_bytes as f64 / at_1m.live_orders as f64,
        total_at_1m: at_1m.total_bytes,
        fresh,
        after_cancel_all: emptied.total_bytes,
        levels_after_cancel_all: emptied.levels,
        after_refill,
        after_shrink: book.memory().total_bytes,
    }
}

fn flow_only(seed: u64, ops: u64) {
    let t0 = Instant::now();
    let d = run_flow(seed, FlowParams::default(), ops);
    let s = t0.elapsed().as_secs_f64();
    out!(
        "{{\"mode\":\"flow\",\"target\":\"native\",\"seed\":{},\"ops\":{},\"checksum\":\"{:016x}\",\"events\":{},\"live_orders\":{},\"elapsed_ms\":{:.1},\"ops_per_sec\":{:.0}}}",
        d.seed,
        d.ops,
        d.checksum,
        d.events,
        d.live_orders,
        s * 1e3,
        d.ops as f64 / s
    );
}

/// Median, minimum and maximum of a non-empty sample (sorted in place).
fn median_min_max(xs: &mut [f64]) -> (f64, f64, f64) {
    xs.sort_by(|a, b| a.total_cmp(b));
    match (xs.first(), xs.last()) {
        (Some(&lo), Some(&hi)) => (xs[xs.len() / 2], lo, hi),
        _ => (0.0, 0.0, 0.0),
    }
}

/// Replays an adversarial stream (`n` adds, then `n` cancels) on a fresh book `reps` times.
fn adversarial_only(stream: Adversarial, n: u64, reps: usize) -> ExitCode {
    let cmds: Vec<Command> = match stream {
        Adversarial::Ladder => adversarial::decreasing_bids(n).collect(),
        Adversarial::Ids => adversarial::colliding_ids(n).collect(),
    };
    let adds = cmds.len() / 2;
    let (mut add_ms, mut cancel_ms, mut total_ms) = (Vec::new(), Vec::new(), Vec::new());
    let mut reference: Option<EventChecksum> = None;
    for r in 0..reps {
        let mut book = Book::new();
        let mut sum = EventChecksum::new();
        let t0 = Instant::now();
        for c in &cmds[..adds] {
            book.apply(c, &mut sum);
        }
        let t1 = Instant::now();
        let peak_levels = book.level_count(Side::Buy);
        let peak_live = book.live_orders();
        for c in &cmds[adds..] {
            book.apply(c, &mut sum);
        }
        let t2 = Instant::now();
        let (a, c) = (
            t1.duration_since(t0).as_secs_f64() * 1e3,
            t2.duration_since(t1).as_secs_f64() * 1e3,
        );
        out!(
            "rep {r}: {} {} orders: adds {a:.1} ms, cancels {c:.1} ms ({peak_live} live on {peak_levels} levels at the peak, {} live after)",
            stream.name(),
            adds,
            book.live_orders()
        );
        if let Some(prev) = reference {
            if prev != sum {
                eprintln!("book-bench: checksum differs between repetitions");
                return ExitCode::FAILURE;
            }
        }
        reference = Some(sum);
        add_ms.push(a);
        cancel_ms.push(c);
        total_ms.push(a + c);
    }
    let sum = reference.unwrap_or_default();
    let (a, a_lo, a_hi) = median_min_max(&mut add_ms);
    let (c, c_lo, c_hi) = median_min_max(&mut cancel_ms);
    let (t, t_lo, t_hi) = median_min_max(&mut total_ms);
    out!(
        "{{\"mode\":\"adversarial\",\"stream\":\"{}\",\"orders\":{},\"commands\":{},\"reps\":{},\"checksum\":\"{:016x}\",\"events\":{},\"add_ms\":{:.2},\"add_ms_min\":{:.2},\"add_ms_max\":{:.2},\"cancel_ms\":{:.2},\"cancel_ms_min\":{:.2},\"cancel_ms_max\":{:.2},\"total_ms\":{:.2},\"total_ms_min\":{:.2},\"total_ms_max\":{:.2},\"ns_per_command\":{:.1}}}",
        stream.name(),
        adds,
        cmds.len(),
        reps,
        sum.value(),
        sum.events(),
        a,
        a_lo,
        a_hi,
        c,
        c_lo,
        c_hi,
        t,
        t_lo,
        t_hi,
        t * 1e6 / cmds.len().max(1) as f64
    );
    ExitCode::SUCCESS
}

fn main() -> ExitCode {
    let args = match parse_args() {
        Ok(a) => a,
        Err(e) => {
            eprintln!("book-bench: {e}\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    if let Some(n) = args.flow {
        flow_only(args.seed, n);
        return ExitCode::SUCCESS;
    }
    if let Some(stream) = args.adversarial {
        return adversarial_only(stream, args.n, args.reps);
    }
    let params = FlowParams {
        live_target: args.live,
        ..FlowParams::default()
    };
    let total = args.warmup + args.ops;

    // 1. Record the stream (generator + book interleaved) and its reference checksum.
    let mut cmds: Vec<Command> = Vec::with_capacity(total);
    let mut gen = FlowGen::new(args.seed, params);
    let mut book = Book::new();
    let mut reference = EventChecksum::new();
    let t0 = Instant::now();
    for _ in 0..total {
        let c = gen.next_command(&book);
        book.apply(&c, &mut reference);
        cmds.push(c);
    }
    let flow_ops_per_sec = total as f64 / t0.elapsed().as_secs_f64();
    drop(book);

    let (mut adds, mut cancels, mut takers) = (0u64, 0u64, 0u64);
    for c in &cmds[args.warmup..] {
        match c {
            Command::Limit {
                tif: Tif::Gtc | Tif::Post,
                ..
            } => adds += 1,
            Command::Cancel { .. } => cancels += 1,
            _ => takers += 1,
        }
    }
    let mut trades = EventCounter::default();
    {
        let mut b = Book::new();
        for c in &cmds {
            b.apply(c, &mut trades);
        }
    }

    // 2. Timed replays.
    let mut lat = Vec::with_capacity(args.ops / args.batch + 1);
    let mut reps = Vec::new();
    for r in 0..args.reps {
        let rep = replay(&cmds, args.warmup, args.batch, &mut lat);
        out!(
            "rep {r}: {:.2} M ops/s, p50 {:.1} ns, p99 {:.1} ns, live {}",
            rep.ops_per_sec / 1e6,
            rep.p50_ns,
            rep.p99_ns,
            rep.live_orders
        );
        if rep.checksum != reference.value() {
            eprintln!(
                "book-bench: replay checksum {:016x} != recorded {:016x}",
                rep.checksum,
                reference.value()
            );
            return ExitCode::FAILURE;
        }
        reps.push(rep);
    }
    let best = reps
        .iter()
        .max_by(|a, b| a.ops_per_sec.total_cmp(&b.ops_per_sec))
        .map(|r| (r.ops_per_sec, r.p50_ns, r.p99_ns, r.events, r.live_orders))
        .unwrap_or((0.0, 0.0, 0.0, 0, 0));
    let all: Vec<String> = reps
        .iter()
        .map(|r| format!("{:.0}", r.ops_per_sec))
        .collect();

    // 3. Memory.
    let mem = if args.memory {
        let m = memory_figures();
        out!(
            "memory: {:.1} B per live order at 1M ({} B); fresh {} B, after cancel-all {} B ({} levels), after refill {} B, after shrink {} B",
            m.bytes_per_live_order,
            m.total_at_1m,
            m.fresh,
            m.after_cancel_all,
            m.levels_after_cancel_all,
            m.after_refill,
            m.after_shrink
        );
        format!(
            ",\"bytes_per_live_order_at_1m\":{:.1},\"memory_at_1m_bytes\":{},\"footprint_fresh_bytes\":{},\"footprint_after_cancel_all_bytes\":{},\"levels_after_cancel_all\":{},\"footprint_after_refill_bytes\":{},\"footprint_after_shrink_bytes\":{}",
            m.bytes_per_live_order,
            m.total_at_1m,
            m.fresh,
            m.after_cancel_all,
            m.levels_after_cancel_all,
            m.after_refill,
            m.after_shrink
        )
    } else {
        String::new()
    };

    out!(
        "{{\"bench\":\"orderbook\",\"ops_per_sec\":{:.0},\"p50_ns\":{:.1},\"p99_ns\":{:.1},\"live_orders\":{},\"ops\":{},\"warmup_ops\":{},\"seed\":{},\"mix\":\"{}\",\"measured_mix\":{{\"adds\":{},\"cancels\":{},\"takers\":{}}},\"live_target\":{},\"batch_ops\":{},\"reps\":{},\"ops_per_sec_reps\":[{}],\"checksum\":\"{:016x}\",\"events\":{},\"trades\":{},\"flow_ops_per_sec\":{:.0}{}}}",
        best.0,
        best.1,
        best.2,
        best.4,
        args.ops,
        args.warmup,
        args.seed,
        params.mix(),
        adds,
        cancels,
        takers,
        args.live,
        args.batch,
        args.reps,
        all.join(","),
        reference.value(),
        best.3,
        trades.trades,
        flow_ops_per_sec,
        mem
    );
    ExitCode::SUCCESS
}
