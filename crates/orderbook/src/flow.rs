//! Deterministic seeded order-flow generator: a synthetic stream near the touch (~60 % limit
//! adds, ~30 % cancels, ~10 % market/IOC/FOK takers) that keeps the book near a live-order
//! target. Integer arithmetic only, so native and WASM produce the same command stream; shared
//! by `book-bench`, the criterion benches, the WASM parity check and the browser lab.
//!
//! The generator reads the book it feeds (best prices, live count, whether a cancel candidate is
//! still live), so the contract is strict alternation: `next_command(&book)`, then apply that
//! command to the same book, then the next call.

use crate::book::Book;
use crate::command::{Command, Side, Tif};
use crate::event::EventChecksum;
use deterministic::SplitMix64;

/// Cancel candidates probed per cancel before giving up (stale ones were filled by takers).
const CANCEL_PROBES: usize = 4;
/// Price the flow starts around when the book is empty.
const DEFAULT_START_PRICE_TICKS: u64 = 1_000_000;

/// Workload parameters. Percentages are of commands and must sum to 100.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FlowParams {
    /// Live orders the generator steers the book towards.
    pub live_target: usize,
    pub add_pct: u32,
    pub cancel_pct: u32,
    pub taker_pct: u32,
    /// Passive adds are placed up to this many ticks behind the mid, clustered near it.
    pub band_ticks: u64,
    /// Owners are drawn from `0..owners` (a quarter of orders have no owner).
    pub owners: u64,
    /// Resting order quantities are drawn from `1..=max_qty_lots`; takers up to 3x that.
    pub max_qty_lots: u64,
}

impl Default for FlowParams {
    fn default() -> Self {
        FlowParams {
            live_target: 10_000,
            add_pct: 60,
            cancel_pct: 30,
            taker_pct: 10,
            band_ticks: 64,
            owners: 16,
            max_qty_lots: 64,
        }
    }
}

impl FlowParams {
    /// The mix as text, e.g. `"60/30/10"` (add/cancel/taker).
    pub fn mix(&self) -> String {
        format!("{}/{}/{}", self.add_pct, self.cancel_pct, self.taker_pct)
    }
}

/// What kind of command the generator produced (for mix accounting).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FlowKind {
    Add,
    Cancel,
    Taker,
}

/// The seeded flow generator.
#[derive(Clone, Debug)]
pub struct FlowGen {
    rng: SplitMix64,
    params: FlowParams,
    next_id: u64,
    /// Ids of orders that may still rest (stale ones are dropped when probed). Bounded by
    /// `pool_cap`.
    pool: Vec<u64>,
    pool_cap: usize,
    last_mid: u64,
    counts: [u64; 3],
}

impl FlowGen {
    pub fn new(seed: u64, params: FlowParams) -> Self {
        let pool_cap = params.live_target.saturating_mul(4).max(1024);
        FlowGen {
            rng: SplitMix64::new(seed),
            params,
            next_id: 1,
            pool: Vec::with_capacity(pool_cap.min(1 << 22)),
            pool_cap,
            last_mid: DEFAULT_START_PRICE_TICKS,
            counts: [0; 3],
        }
    }

    pub fn params(&self) -> &FlowParams {
        &self.params
    }

    /// Commands generated so far by kind: `[adds, cancels, takers]`.
    pub fn counts(&self) -> [u64; 3] {
        self.counts
    }

    fn mid(&mut self, book: &Book) -> u64 {
        let bid = book.best_bid().map(|l| l.price);
        let ask = book.best_ask().map(|l| l.price);
        let mid = match (bid, ask) {
            (Some(b), Some(a)) => b + (a - b) / 2,
            (Some(b), None) => b.saturating_add(1),
            (None, Some(a)) => a.saturating_sub(1).max(1),
            (None, None) => self.last_mid,
        };
        self.last_mid = mid;
        mid
    }

    fn owner(&mut self) -> Option<u64> {
        if self.rng.chance(1, 4) {
            None
        } else {
            Some(self.rng.below(self.params.owners.max(1)))
        }
    }

    fn fresh_id(&mut self) -> u64 {
        let id = self.next_id;
        self.next_id = self.next_id.wrapping_add(1);
        id
    }

    /// The next command for `book` (which must have had every previous command applied).
    pub fn next_command(&mut self, book: &Book) -> Command {
        let p = self.params;
        let live = book.live_orders();
        let slack = p.live_target / 8;
        let r = self.rng.below(100) as u32;
        let mut kind = if r < p.add_pct {
            FlowKind::Add
        } else if r < p.add_pct + p.cancel_pct {
            FlowKind::Cancel
        } else {
            FlowKind::Taker
        };
        // Steer towards the target by swapping adds and cancels outside +-1/8 of it.
        if kind == FlowKind::Add && live > p.live_target + slack {
            kind = FlowKind::Cancel;
        } else if kind == FlowKind::Cancel && live + slack < p.live_target {
            kind = FlowKind::Add;
        }
        if kind == FlowKind::Cancel {
            if let Some(cmd) = self.cancel(book) {
                self.counts[1] += 1;
                return cmd;
            }
            kind = FlowKind::Add;
        }
        let mid = self.mid(book);
        if kind == FlowKind::Add {
            self.counts[0] += 1;
            self.add(mid)
        } else {
            self.counts[2] += 1;
            self.taker(mid)
        }
    }

    fn cancel(&mut self, book: &Book) -> Option<Command> {
        let mut last = None;
        for _ in 0..CANCEL_PROBES {
            if self.pool.is_empty() {
                break;
            }
            let i = self.rng.below(self.pool.len() as u64) as usize;
            let id = self.pool.swap_remove(i);
            last = Some(id);
            if book.contains(id) {
                return Some(Command::Cancel { id });
            }
        }
        // Every probe was stale: cancel the last one anyway (an UNKNOWN_ORDER reject is a
        // legitimate, cheap operation of real flow).
        last.map(|id| Command::Cancel { id })
    }

    fn add(&mut self, mid: u64) -> Command {
        let p = self.params;
        let id = self.fresh_id();
        let side = if self.rng.chance(1, 2) {
            Side::Buy
        } else {
            Side::Sell
        };
        let band = p.band_ticks.max(1);
        let aggressive = self.rng.chance(1, 16);
        // Product of two uniforms clusters offsets near the touch.
        let depth = self.rng.below(band) * self.rng.below(band) / band;
        let through = self.rng.below(3);
        let price = match (side, aggressive) {
            (Side::Buy, false) => mid.saturating_sub(depth),
            (Side::Sell, false) => mid.saturating_add(1 + depth),
            (Side::Buy, true) => mid.saturating_add(1 + through),
            (Side::Sell, true) => mid.saturating_sub(through),
        }
        .max(1);
        let qty = 1 + self.rng.below(p.max_qty_lots.max(1));
        let tif = if self.rng.chance(1, 32) {
            Tif::Post
        } else {
            Tif::Gtc
        };
        let owner = self.owner();
        if self.pool.len() >= self.pool_cap {
            let i = self.rng.below(self.pool.len() as u64) as usize;
            self.pool.swap_remove(i);
        }
        self.pool.push(id);
        Command::Limit {
            id,
            side,
            price,
            qty,
            tif,
            owner,
        }
    }

    fn taker(&mut self, mid: u64) -> Command {
        let p = self.params;
        let id = self.fresh_id();
        let side = if self.rng.chance(1, 2) {
            Side::Buy
        } else {
            Side::Sell
        };
        let qty = 1 + self.rng.below(3 * p.max_qty_lots.max(1));
        let owner = self.owner();
        let style = self.rng.below(4);
        let reach = 1 + self.rng.below(4);
        let price = match side {
            Side::Buy => mid.saturating_add(reach),
            Side::Sell => mid.saturating_sub(reach).max(1),
        };
        match style {
            0 | 1 => Command::Market {
                id,
                side,
                qty,
                owner,
            },
            2 => Command::Limit {
                id,
                side,
                price,
                qty,
                tif: Tif::Ioc,
                owner,
            },
            _ => Command::Limit {
                id,
                side,
                price,
                qty,
                tif: Tif::Fok,
                owner,
            },
        }
    }
}

/// Result of running the flow for a number of operations.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FlowDigest {
    pub seed: u64,
    pub ops: u64,
    /// [`EventChecksum`] over every event produced.
    pub checksum: u64,
    pub events: u64,
    pub live_orders: u64,
    /// Commands by kind: adds, cancels, takers.
    pub counts: [u64; 3],
}

/// Runs `ops` flow commands from an empty book and digests the events. This is the fixed
/// workload of the native-vs-WASM comparison.
pub fn run_flow(seed: u64, params: FlowParams, ops: u64) -> FlowDigest {
    let mut book = Book::new();
    let mut gen = FlowGen::new(seed, params);
    let mut sum = EventChecksum::new();
    for _ in 0..ops {
        let cmd = gen.next_command(&book);
        book.apply(&cmd, &mut sum);
    }
    FlowDigest {
        seed,
        ops,
        checksum: sum.value(),
        events: sum.events(),
        live_orders: book.live_orders() as u64,
        counts: gen.counts(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_seed_same_stream_different_seed_different_stream() {
        let p = FlowParams {
            live_target: 500,
            ..FlowParams::default()
        };
        let a = run_flow(1, p, 20_000);
        assert_eq!(a, run_flow(1, p, 20_000));
        assert_ne!(a.checksum, run_flow(2, p, 20_000).checksum);
    }

    #[test]
    fn parity_workload_checksum_is_pinned() {
        // `cargo xtask parity` runs this flow natively and in WASM; a change here is a change of
        // the generator, the matching engine or the checksum definition.
        let d = run_flow(42, FlowParams::default(), 300_000);
        assert_eq!(d.checksum, 0x4c65_768d_f90f_f1b8);
        assert_eq!(d.events, 406_935);
    }

    #[test]
    fn keeps_the_book_near_its_target_with_the_nominal_mix() {
        let p = FlowParams {
            live_target: 2_000,
            ..FlowParams::default()
        };
        let mut book = Book::new();
        let mut gen = FlowGen::new(9, p);
        let mut sink = crate::event::EventCounter::default();
        for i in 0..60_000 {
            let cmd = gen.next_command(&book);
            book.apply(&cmd, &mut sink);
            if i > 20_000 {
                let live = book.live_orders();
                assert!((1_500..=2_500).contains(&live), "live {live} at op {i}");
            }
        }
        let [adds, cancels, takers] = gen.counts();
        let total = (adds + cancels + takers) as f64;
        let (a, c, t) = (
            adds as f64 / total,
            cancels as f64 / total,
            takers as f64 / total,
        );
        assert!((0.5..0.7).contains(&a), "adds {a}");
        assert!((0.2..0.4).contains(&c), "cancels {c}");
        assert!((0.07..0.13).contains(&t), "takers {t}");
        assert!(sink.trades > 0 && sink.rejects > 0);
        book.check_invariants().unwrap();
    }
}
