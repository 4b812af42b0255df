//! A seeded venue publishing Kraken v2 `book` messages: `crates/orderbook` driven by its
//! `FlowGen`, whose top `depth` levels per side are published as a snapshot and then, after each
//! command that changed them, as an update carrying the changed levels (quantity zero for a
//! level that left the published range) and the CRC32 of the published book. Prices are the
//! engine's ticks at [`PRICE_SCALE`] decimals, quantities its lots at [`QTY_SCALE`], written with
//! those scales (as Kraken writes values at the pair's precision).

use crate::book::{BadDepth, L2Book};
use crate::decimal::Decimal;
use crate::wire::{BookMessage, Kind, LevelUpdate, Side as WireSide};
use orderbook::event::NullSink;
use orderbook::{Book, FlowGen, FlowParams, Side};
use std::fmt::Write as _;
use std::mem::take;

/// Decimal places of a published price (a tick is 0.1).
pub const PRICE_SCALE: u8 = 1;
/// Decimal places of a published quantity (a lot is 10^-8).
pub const QTY_SCALE: u8 = 8;
/// The symbol the venue trades.
pub const SYMBOL: &str = "SIM/USD";
/// Commands the venue may run looking for one that changes the published book before it gives
/// up for this step (deep adds change nothing visible).
pub const MAX_QUIET_COMMANDS: u32 = 10_000;

pub struct Venue {
    book: Book,
    flow: FlowGen,
    depth: usize,
    /// What the venue has published, kept by the same rules as a client's book.
    published: L2Book,
    /// Sequence number of the last message (snapshots and updates count alike).
    seq: u64,
    warmed: bool,
    /// The engine's top levels after the last command, refilled in place (a quiet command, which
    /// changes nothing visible, allocates nothing).
    top_bids: Vec<LevelUpdate>,
    top_asks: Vec<LevelUpdate>,
}

impl Venue {
    /// A venue whose order flow is `FlowGen(seed)`, publishing `depth` levels a side.
    pub fn new(seed: u64, depth: usize) -> Result<Venue, BadDepth> {
        Ok(Venue {
            book: Book::with_seed(seed),
            flow: FlowGen::new(
                seed,
                FlowParams {
                    live_target: 2_000,
                    ..FlowParams::default()
                },
            ),
            depth,
            published: L2Book::new(depth)?,
            seq: 0,
            warmed: false,
            top_bids: Vec::with_capacity(depth),
            top_asks: Vec::with_capacity(depth),
        })
    }

    pub fn seq(&self) -> u64 {
        self.seq
    }

    /// The book as published so far (what a correct client holds).
    pub fn published(&self) -> &L2Book {
        &self.published
    }

    /// The current top of the engine's book as a snapshot message (it also becomes the
    /// published state). The first call first lets the flow fill the book.
    pub fn snapshot(&mut self) -> BookMessage {
        if !self.warmed {
            for _ in 0..20_000 {
                self.run_one();
            }
            self.warmed = true;
        }
        let msg = BookMessage {
            kind: Kind::Snapshot,
            symbol: SYMBOL.to_string(),
            bids: self.top(Side::Buy),
            asks: self.top(Side::Sell),
            checksum: None,
            seq: None,
        };
        self.publish(msg)
    }

    /// The book as published so far as a snapshot message carrying the last sequence number (it
    /// takes none of its own), for a subscriber that joins while the venue streams to others:
    /// their stream goes on without a gap. `None` before anything is published.
    pub fn published_snapshot(&self) -> Option<BookMessage> {
        if self.seq == 0 {
            return None;
        }
        let levels = |side: &[crate::book::Level]| {
            side.iter()
                .map(|l| LevelUpdate {
                    price: l.price,
                    qty: l.qty,
                })
                .collect()
        };
        Some(BookMessage {
            kind: Kind::Snapshot,
            symbol: SYMBOL.to_string(),
            bids: levels(self.published.bids()),
            asks: levels(self.published.asks()),
            checksum: Some(self.published.checksum()),
            seq: Some(self.seq),
        })
    }

    /// Runs commands until one changes the published top, and returns that change as an update
    /// (`None` if [`MAX_QUIET_COMMANDS`] changed nothing visible).
    pub fn step(&mut self) -> Option<BookMessage> {
        for _ in 0..MAX_QUIET_COMMANDS {
            self.run_one();
            let (mut bids, mut asks) = (take(&mut self.top_bids), take(&mut self.top_asks));
            self.fill_top(Side::Buy, &mut bids);
            self.fill_top(Side::Sell, &mut asks);
            let quiet = same(self.published.bids(), &bids) && same(self.published.asks(), &asks);
            let changes = (!quiet).then(|| {
                (
                    diff(self.published.bids(), &bids, WireSide::Bid),
                    diff(self.published.asks(), &asks, WireSide::Ask),
                )
            });
            (self.top_bids, self.top_asks) = (bids, asks);
            let Some((bid_changes, ask_changes)) = changes else {
                continue;
            };
            debug_assert!(!bid_changes.is_empty() || !ask_changes.is_empty());
            let msg = BookMessage {
                kind: Kind::Update,
                symbol: SYMBOL.to_string(),
                bids: bid_changes,
                asks: ask_changes,
                checksum: None,
                seq: None,
            };
            return Some(self.publish(msg));
        }
        None
    }

    fn run_one(&mut self) {
        let cmd = self.flow.next_command(&self.book);
        self.book.apply(&cmd, &mut NullSink);
    }

    fn publish(&mut self, mut msg: BookMessage) -> BookMessage {
        // Built from the engine's own book, so it always applies.
        let applied = self.published.apply(&msg);
        debug_assert!(applied.is_ok());
        msg.checksum = Some(self.published.checksum());
        self.seq += 1;
        msg.seq = Some(self.seq);
        msg
    }

    /// The engine's best `depth` levels of `side`, as published values.
    fn top(&self, side: Side) -> Vec<LevelUpdate> {
        let mut out = Vec::with_capacity(self.depth);
        self.fill_top(side, &mut out);
        out
    }

    /// [`Venue::top`] into `out`, reusing its allocation.
    fn fill_top(&self, side: Side, out: &mut Vec<LevelUpdate>) {
        out.clear();
        out.extend(self.book.levels(side).take(self.depth).filter_map(|l| {
            Some(LevelUpdate {
                price: Decimal::new(l.price, PRICE_SCALE)?,
                qty: Decimal::new(u64::try_from(l.total_qty).ok()?, QTY_SCALE)?,
            })
        }));
    }
}

/// Whether `now` is exactly what is published (the same prices with the same quantities).
fn same(published: &[crate::book::Level], now: &[LevelUpdate]) -> bool {
    published.len() == now.len()
        && published
            .iter()
            .zip(now)
            .all(|(p, n)| p.price.key() == n.price.key() && p.qty == n.qty)
}

/// The updates that turn `published` into `now` (both best first on `side`): zero quantities
/// for levels that are gone, in published order, then new or changed levels, in `now` order. One
/// merge walk over the two sorted lists, so a step costs O(depth), not O(depth²).
fn diff(published: &[crate::book::Level], now: &[LevelUpdate], side: WireSide) -> Vec<LevelUpdate> {
    let better = |a: u128, b: u128| match side {
        WireSide::Bid => a > b,
        WireSide::Ask => a < b,
    };
    let (mut gone, mut changed) = (Vec::new(), Vec::new());
    let (mut i, mut j) = (0, 0);
    loop {
        match (published.get(i), now.get(j)) {
            (Some(p), Some(n)) if p.price.key() == n.price.key() => {
                if p.qty != n.qty {
                    changed.push(*n);
                }
                i += 1;
                j += 1;
            }
            (Some(p), Some(n)) if better(p.price.key(), n.price.key()) => {
                gone.push(LevelUpdate {
                    price: p.price,
                    qty: Decimal::ZERO,
                });
                i += 1;
            }
            (_, Some(n)) => {
                changed.push(*n);
                j += 1;
            }
            (Some(p), None) => {
                gone.push(LevelUpdate {
                    price: p.price,
                    qty: Decimal::ZERO,
                });
                i += 1;
            }
            (None, None) => break,
        }
    }
    gone.extend(changed);
    gone
}

/// A message as Kraken v2 writes it on the wire (one line of JSON; values as numbers with the
/// venue's scales, so their text keeps its trailing zeros).
pub fn to_json(msg: &BookMessage) -> String {
    let mut s = String::with_capacity(64 + 48 * (msg.bids.len() + msg.asks.len()));
    let kind = match msg.kind {
        Kind::Snapshot => "snapshot",
        Kind::Update => "update",
    };
    let _ = write!(
        s,
        r#"{{"channel":"book","type":"{kind}","data":[{{"symbol":"{}","bids":["#,
        msg.symbol
    );
    let side = |s: &mut String, levels: &[LevelUpdate]| {
        for (i, l) in levels.iter().enumerate() {
            let sep = if i == 0 { "" } else { "," };
            let _ = write!(s, r#"{sep}{{"price":{},"qty":{}}}"#, l.price, l.qty);
        }
    };
    side(&mut s, &msg.bids);
    s.push_str(r#"],"asks":["#);
    side(&mut s, &msg.asks);
    s.push(']');
    if let Some(c) = msg.checksum {
        let _ = write!(s, r#","checksum":{c}"#);
    }
    if let Some(q) = msg.seq {
        let _ = write!(s, r#","seq":{q}"#);
    }
    s.push_str("}]}");
    s
}
