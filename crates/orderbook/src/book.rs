//! The matching engine: order slab, per-level intrusive FIFO queues, price ladders and the id
//! index, with the exact price-time, time-in-force, modify and self-trade-prevention rules.
//!
//! Storage: orders live in a slab (`Vec<Order>`, 40 bytes each, plus a free list threaded
//! through `next`), each price level is a doubly linked FIFO of slab indices, levels live in
//! their own slab, a price -> level index finds an existing level without searching, and the two
//! [`Ladder`]s (indexed by side, so side-generic code needs no branch) keep the non-empty levels
//! sorted: the best [`NEAR_CAPACITY`](crate::ladder::NEAR_CAPACITY) in a vector with the touch at
//! the end, deeper ones in a `BTreeMap`, so a level added or removed far from the touch costs
//! O(log n) instead of a shift of the whole ladder. The id index ([`KeyIndex`]) maps order ids to
//! slots, hashed with a key derived from the book's seed ([`Book::with_seed`]) so that ids cannot
//! be chosen to collide; a
//! probe's position is reused for the following insert or removal when nothing changed the
//! index in between, and every order (and level) remembers where its index entry sits, so an
//! order consumed by matching leaves the index without a lookup. Nothing on the hot path
//! allocates once the slabs, ladders and indexes have grown to the working-set size
//! (`tests/alloc_free.rs`).

use crate::command::{Command, Side, Tif};
use crate::event::{Event, EventSink, RejectReason};
use crate::key_index::{HashKey, KeyIndex, Probe, Slab, Vacancy};
use crate::ladder::Ladder;

/// Null link in the intrusive lists and free lists.
const NIL: u32 = u32::MAX;

/// Most orders that may rest at once (slab indices are `u32`, and level slots, never more than
/// the live orders, must leave the top bit of [`Order::level_owned`] free).
/// A GTC or post-only LIMIT arriving when the book holds this many is rejected `INVALID`.
pub const MAX_LIVE_ORDERS: usize = (1 << 31) - 1;

/// Hash seed of [`Book::new`] (and of the replay tools unless told otherwise). The seed only
/// decides where entries sit in the book's hash indexes: no event, market-data query or digest
/// depends on it. Being public, it protects against ids crafted for the original unkeyed hash,
/// not against ids crafted for this seed: a book fed input from an untrusted author should get
/// a seed that author cannot know ([`Book::with_seed`]; `book-replay --hash-seed`).
pub const DEFAULT_HASH_SEED: u64 = 0x6f72_6465_7262_6f6b;
/// Salt of the order-id index's hash key (each index of a book gets its own key from the seed).
pub(crate) const ORDER_INDEX_SALT: u64 = 0x6964_7300_0000_0001;
/// Salt of the price -> level index's hash key (prices are chosen by the input, too).
pub(crate) const LEVEL_INDEX_SALT: u64 = 0x7072_6963_6500_0002;

/// Top bit of [`Order::level_owned`]: the order has an owner.
const OWNED: u32 = 1 << 31;

/// `repr(C)` keeps the fields a cancel touches (id, qty, links, level) in the first 32 bytes and
/// the owner (read only when matching) last.
#[derive(Clone, Copy, Debug)]
#[repr(C)]
struct Order {
    id: u64,
    qty: u64,
    /// Previous order in the level's queue; unspecified for the head (`Level::head`).
    prev: u32,
    next: u32,
    /// Level slot in the low 31 bits; [`OWNED`] set iff `owner` applies.
    level_owned: u32,
    /// Position of this order's entry in the id index, kept current by [`Slab::entry_moved`],
    /// so that an order consumed by matching leaves the index without a lookup.
    index_pos: u32,
    owner: u64,
}

impl Order {
    #[inline(always)]
    fn level(&self) -> u32 {
        self.level_owned & !OWNED
    }

    #[inline(always)]
    fn owner(&self) -> Option<u64> {
        (self.level_owned & OWNED != 0).then_some(self.owner)
    }

    /// Whether `owner` owns this order (one branch-free test: callers branch once on the result,
    /// which is almost always false).
    #[inline(always)]
    fn owned_by(&self, owner: u64) -> bool {
        (self.level_owned & OWNED != 0) & (self.owner == owner)
    }
}

/// The order slab as the id index sees it.
struct Orders<'a>(&'a mut [Order]);

impl Slab for Orders<'_> {
    #[inline(always)]
    fn key(&self, slot: u32) -> u64 {
        self.0[slot as usize].id
    }
    #[inline(always)]
    fn entry_moved(&mut self, slot: u32, pos: u32) {
        self.0[slot as usize].index_pos = pos;
    }
}

/// The level slab as the price index sees it.
struct Levels<'a>(&'a mut [Level]);

impl Slab for Levels<'_> {
    #[inline(always)]
    fn key(&self, slot: u32) -> u64 {
        self.0[slot as usize].price
    }
    #[inline(always)]
    fn entry_moved(&mut self, slot: u32, pos: u32) {
        self.0[slot as usize].index_pos = pos;
    }
}

#[derive(Clone, Copy, Debug)]
struct Level {
    price: u64,
    /// Sum of resting quantities; `u128` because many `u64` quantities can share a level.
    total_qty: u128,
    head: u32,
    tail: u32,
    count: u32,
    /// Position of this level's entry in the price index (see [`Slab::entry_moved`]).
    index_pos: u32,
    side: Side,
}

/// One price level as seen by market data (L2).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LevelInfo {
    pub side: Side,
    pub price: u64,
    pub total_qty: u128,
    pub orders: u32,
}

/// One resting order as seen by market data (L3).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct OrderInfo {
    pub id: u64,
    pub side: Side,
    pub price: u64,
    pub qty: u64,
    pub owner: Option<u64>,
}

/// Where [`Book::check_invariants_sampled`] resumes: the side and level it reached, and the
/// order inside a level checked in pieces. Start from `InvariantCursor::default()` (the best
/// bid); keep one per book.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct InvariantCursor {
    side: Side,
    /// Ladder key of the last level visited on `side` (`None`: start from the best).
    level_key: Option<u64>,
    /// Its level slot.
    level: u32,
    /// Next order to check inside that level, or `NIL` when the level is done.
    next_order: u32,
    sweeps: u64,
}

impl Default for InvariantCursor {
    fn default() -> Self {
        InvariantCursor {
            side: Side::Buy,
            level_key: None,
            level: 0,
            next_order: NIL,
            sweeps: 0,
        }
    }
}

/// What one [`Book::check_invariants_sampled`] call covered.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SampledCheck {
    /// Orders whose links, level, quantity and index entry this call checked.
    pub orders_checked: usize,
    /// Levels whose whole queue this call walked (count, total and tail checked too).
    pub levels_checked: usize,
    /// Resting orders and price levels in the book when checked.
    pub live_orders: usize,
    pub levels: usize,
    /// Whether this call was the full [`Book::check_invariants`].
    pub complete: bool,
    /// Passes over both sides the cursor has completed (a full check counts as one).
    pub sweeps: u64,
}

/// Storage accounting by capacity (what is reserved, not just what is used).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct MemoryStats {
    pub live_orders: usize,
    pub levels: usize,
    pub order_slab_bytes: usize,
    pub level_slab_bytes: usize,
    pub ladder_bytes: usize,
    pub index_bytes: usize,
    pub total_bytes: usize,
}

/// A limit order book for one instrument.
#[derive(Clone, Debug)]
pub struct Book {
    orders: Vec<Order>,
    free_order: u32,
    levels: Vec<Level>,
    free_level: u32,
    /// Indexed by [`Side::index`]: bids, then asks.
    ladders: [Ladder; 2],
    index: KeyIndex,
    /// Price -> level slot for every level on either ladder (a price is never on both sides
    /// because the book never crosses), so adding to an existing level needs no ladder search.
    level_index: KeyIndex,
    live: usize,
    /// The seed the indexes' hash keys derive from (kept so `shrink_to_fit` can start over).
    hash_seed: u64,
}

impl Default for Book {
    fn default() -> Self {
        Self::new()
    }
}

/// Outcome of validating an incoming LIMIT/MARKET.
enum Admission {
    /// Accepted; where its id would go in the id index (until the index changes).
    Accepted(Vacancy),
    Rejected,
}

impl Book {
    /// An empty book hashed with [`DEFAULT_HASH_SEED`].
    pub fn new() -> Self {
        Self::with_seed(DEFAULT_HASH_SEED)
    }

    /// An empty book whose hash indexes are keyed from `seed`. The seed changes no output (events,
    /// market data, digests are the same for every seed); it decides the indexes' layout, so ids
    /// (and prices) chosen without knowing it cannot be made to collide. Same seed, same layout:
    /// replays are deterministic.
    pub fn with_seed(seed: u64) -> Self {
        Book {
            orders: Vec::new(),
            free_order: NIL,
            levels: Vec::new(),
            free_level: NIL,
            ladders: [Ladder::new(Side::Buy), Ladder::new(Side::Sell)],
            index: KeyIndex::new(HashKey::derive(seed, ORDER_INDEX_SALT)),
            level_index: KeyIndex::new(HashKey::derive(seed, LEVEL_INDEX_SALT)),
            live: 0,
            hash_seed: seed,
        }
    }

    /// A book with room for `live_orders` resting orders before any storage grows.
    pub fn with_capacity(live_orders: usize) -> Self {
        Self::with_seed_and_capacity(DEFAULT_HASH_SEED, live_orders)
    }

    /// [`Book::with_seed`] with room for `live_orders` resting orders.
    pub fn with_seed_and_capacity(seed: u64, live_orders: usize) -> Self {
        let mut b = Book::with_seed(seed);
        b.orders.reserve(live_orders);
        b.index = KeyIndex::with_capacity(live_orders, HashKey::derive(seed, ORDER_INDEX_SALT));
        b
    }

    /// The seed this book's hash indexes are keyed from.
    pub fn hash_seed(&self) -> u64 {
        self.hash_seed
    }

    // ----- commands -----

    /// Applies one command, reporting every state change to `sink`.
    #[inline]
    pub fn apply<S: EventSink + ?Sized>(&mut self, cmd: &Command, sink: &mut S) {
        match *cmd {
            Command::Limit {
                id,
                side,
                price,
                qty,
                tif,
                owner,
            } => self.limit(id, side, price, qty, tif, owner, sink),
            Command::Market {
                id,
                side,
                qty,
                owner,
            } => self.market(id, side, qty, owner, sink),
            Command::Cancel { id } => self.cancel(id, sink),
            Command::Modify { id, price, qty } => self.modify(id, price, qty, sink),
        }
    }

    /// A limit order with a time in force.
    #[allow(clippy::too_many_arguments)]
    #[inline]
    pub fn limit<S: EventSink + ?Sized>(
        &mut self,
        id: u64,
        side: Side,
        price: u64,
        qty: u64,
        tif: Tif,
        owner: Option<u64>,
        sink: &mut S,
    ) {
        let Admission::Accepted(vacancy) = self.admit(id, price, qty, sink) else {
            return;
        };
        match tif {
            Tif::Post => {
                if self.crosses(side, price) {
                    sink.on_event(Event::Reject {
                        id,
                        reason: RejectReason::PostOnlyWouldCross,
                    });
                    return;
                }
            }
            Tif::Fok => {
                if !self.fillable(side, price, qty, owner) {
                    sink.on_event(Event::Reject {
                        id,
                        reason: RejectReason::FokUnfillable,
                    });
                    return;
                }
            }
            Tif::Gtc | Tif::Ioc => {}
        }
        let rests = matches!(tif, Tif::Gtc | Tif::Post);
        if rests && self.live >= MAX_LIVE_ORDERS {
            sink.on_event(Event::Reject {
                id,
                reason: RejectReason::Invalid,
            });
            return;
        }
        sink.on_event(Event::Accept { id });
        // Most limit orders are passive: skip the matching call when nothing crosses. Then
        // the id index is unchanged and the vacancy found by the duplicate check still holds.
        let (remaining, vacancy) = if self.crosses(side, price) {
            (self.take(id, side, price, qty, owner, sink), None)
        } else {
            (qty, Some(vacancy))
        };
        if remaining > 0 {
            if rests {
                self.rest(id, side, price, remaining, owner, vacancy);
            } else {
                debug_assert!(tif == Tif::Ioc, "a FOK that passed the check fills fully");
                sink.on_event(Event::Cancelled {
                    id,
                    remaining_qty: remaining,
                });
            }
        }
    }

    /// A market order: match until filled or the opposite side is empty; cancel the remainder.
    #[inline]
    pub fn market<S: EventSink + ?Sized>(
        &mut self,
        id: u64,
        side: Side,
        qty: u64,
        owner: Option<u64>,
        sink: &mut S,
    ) {
        // A market order has no price; the price check is vacuous (pass 1).
        if let Admission::Rejected = self.admit(id, 1, qty, sink) {
            return;
        }
        sink.on_event(Event::Accept { id });
        let bound = match side {
            Side::Buy => u64::MAX,
            Side::Sell => 0,
        };
        let remaining = self.take(id, side, bound, qty, owner, sink);
        if remaining > 0 {
            sink.on_event(Event::Cancelled {
                id,
                remaining_qty: remaining,
            });
        }
    }

    /// Cancels a live order by id.
    #[inline]
    pub fn cancel<S: EventSink + ?Sized>(&mut self, id: u64, sink: &mut S) {
        let orders = &self.orders;
        let Probe::Found { pos, slot } = self.index.probe(id, |s| orders[s as usize].id) else {
            sink.on_event(Event::Reject {
                id,
                reason: RejectReason::UnknownOrder,
            });
            return;
        };
        let qty = self.orders[slot as usize].qty;
        sink.on_event(Event::Cancelled {
            id,
            remaining_qty: qty,
        });
        self.remove_order(slot, pos);
    }

    /// Modifies a live order. Same price with a quantity not above the remaining one reduces in
    /// place and keeps queue priority; anything else removes the order and re-inserts it as a
    /// GTC limit with the same id and owner, which may trade.
    #[inline]
    pub fn modify<S: EventSink + ?Sized>(&mut self, id: u64, price: u64, qty: u64, sink: &mut S) {
        let orders = &self.orders;
        let Probe::Found { pos, slot } = self.index.probe(id, |s| orders[s as usize].id) else {
            sink.on_event(Event::Reject {
                id,
                reason: RejectReason::UnknownOrder,
            });
            return;
        };
        if price == 0 || qty == 0 {
            sink.on_event(Event::Reject {
                id,
                reason: RejectReason::Invalid,
            });
            return;
        }
        let o = self.orders[slot as usize];
        let level = &mut self.levels[o.level() as usize];
        if price == level.price && qty <= o.qty {
            level.total_qty -= (o.qty - qty) as u128;
            self.orders[slot as usize].qty = qty;
            sink.on_event(Event::Modified { id, price, qty });
            return;
        }
        let side = level.side;
        let owner = o.owner();
        self.remove_order(slot, pos);
        sink.on_event(Event::Modified { id, price, qty });
        let remaining = if self.crosses(side, price) {
            self.take(id, side, price, qty, owner, sink)
        } else {
            qty
        };
        if remaining > 0 {
            self.rest(id, side, price, remaining, owner, None);
        }
    }

    // ----- queries -----

    /// Number of resting orders.
    #[inline]
    pub fn live_orders(&self) -> usize {
        self.live
    }

    /// Whether `id` is a resting order.
    #[inline]
    pub fn contains(&self, id: u64) -> bool {
        self.find(id).is_some()
    }

    /// The resting order `id`, if live.
    pub fn order(&self, id: u64) -> Option<OrderInfo> {
        self.find(id).map(|slot| self.order_info(slot))
    }

    fn order_info(&self, slot: u32) -> OrderInfo {
        let o = &self.orders[slot as usize];
        let l = &self.levels[o.level() as usize];
        OrderInfo {
            id: o.id,
            side: l.side,
            price: l.price,
            qty: o.qty,
            owner: o.owner(),
        }
    }

    fn level_info(&self, level: u32) -> LevelInfo {
        let l = &self.levels[level as usize];
        LevelInfo {
            side: l.side,
            price: l.price,
            total_qty: l.total_qty,
            orders: l.count,
        }
    }

    fn ladder(&self, side: Side) -> &Ladder {
        &self.ladders[side.index()]
    }

    /// Best bid level (highest price).
    pub fn best_bid(&self) -> Option<LevelInfo> {
        self.ladder(Side::Buy)
            .best()
            .map(|r| self.level_info(r.level))
    }

    /// Best ask level (lowest price).
    pub fn best_ask(&self) -> Option<LevelInfo> {
        self.ladder(Side::Sell)
            .best()
            .map(|r| self.level_info(r.level))
    }

    /// Best ask minus best bid, when both sides are present (always > 0: the book never crosses).
    pub fn spread(&self) -> Option<u64> {
        match (self.best_bid(), self.best_ask()) {
            (Some(b), Some(a)) => Some(a.price - b.price),
            _ => None,
        }
    }

    /// Number of price levels on `side`.
    pub fn level_count(&self, side: Side) -> usize {
        self.ladder(side).len()
    }

    fn level_count_both_sides(&self) -> usize {
        self.ladders.iter().map(Ladder::len).sum()
    }

    /// L2: the levels of `side`, best first.
    pub fn levels(&self, side: Side) -> impl Iterator<Item = LevelInfo> + '_ {
        self.ladder(side)
            .iter_best_first()
            .map(move |r| self.level_info(r.level))
    }

    /// L3: the resting orders of `side`, best level first and in queue order within a level.
    pub fn orders(&self, side: Side) -> impl Iterator<Item = OrderInfo> + '_ {
        self.ladder(side).iter_best_first().flat_map(move |r| {
            let mut cur = self.levels[r.level as usize].head;
            std::iter::from_fn(move || {
                if cur == NIL {
                    return None;
                }
                let info = self.order_info(cur);
                cur = self.orders[cur as usize].next;
                Some(info)
            })
        })
    }

    /// Storage accounting by capacity.
    pub fn memory(&self) -> MemoryStats {
        let order_slab_bytes = self.orders.capacity() * std::mem::size_of::<Order>();
        let level_slab_bytes = self.levels.capacity() * std::mem::size_of::<Level>();
        let ladder_bytes = self.ladders.iter().map(Ladder::capacity_bytes).sum();
        let index_bytes = self.index.capacity_bytes() + self.level_index.capacity_bytes();
        MemoryStats {
            live_orders: self.live,
            levels: self.level_count_both_sides(),
            order_slab_bytes,
            level_slab_bytes,
            ladder_bytes,
            index_bytes,
            total_bytes: std::mem::size_of::<Book>()
                + order_slab_bytes
                + level_slab_bytes
                + ladder_bytes
                + index_bytes,
        }
    }

    /// Releases reserved storage. An empty book returns exactly to the footprint of
    /// [`Book::with_seed`] (same seed); a non-empty one trims its ladders and drops trailing free order/level
    /// slots.
    pub fn shrink_to_fit(&mut self) {
        if self.live == 0 {
            *self = Book::with_seed(self.hash_seed);
            return;
        }
        self.ladders.iter_mut().for_each(Ladder::shrink_to_fit);
        self.index.shrink_if_empty();
        self.level_index.shrink_if_empty();
    }

    /// Checks every structural invariant; returns a description of the first violation.
    /// (Linear time, with one id-index probe per order: for tests, step mode and debugging, not
    /// the hot path nor every frame of a large book; see [`Book::check_invariants_sampled`].)
    pub fn check_invariants(&self) -> Result<(), String> {
        self.check_summary()?;
        let mut seen = 0usize;
        for side in [Side::Buy, Side::Sell] {
            let ladder = self.ladder(side);
            let mut prev_key: Option<u64> = None;
            for (i, r) in ladder.iter_best_first().enumerate() {
                if prev_key.is_some_and(|p| p <= r.key) {
                    return Err(format!("{side:?} ladder not strictly sorted at {i}"));
                }
                prev_key = Some(r.key);
                self.check_level(side, r.key, r.level)?;
                seen += self
                    .check_queue(r.level, self.levels[r.level as usize].head, usize::MAX)?
                    .1;
            }
        }
        if seen != self.live {
            return Err(format!(
                "live {} but {} orders on the ladders",
                self.live, seen
            ));
        }
        Ok(())
    }

    /// A bounded check for books too large to check in full on every refresh: the O(1) summary
    /// (live count against both indexes and the ladders, tier invariants, not crossed), then at
    /// most about `order_budget` orders and levels, best level first on the bids and then on the
    /// asks, resuming where `cursor` stopped (a level larger than the budget is checked in
    /// pieces, without its count and total). When the whole book fits the budget this is exactly
    /// [`Book::check_invariants`]. Over successive calls on an unchanging book the cursor visits
    /// every level and order; [`SampledCheck`] says what this call covered.
    pub fn check_invariants_sampled(
        &self,
        cursor: &mut InvariantCursor,
        order_budget: usize,
    ) -> Result<SampledCheck, String> {
        let levels = self.level_count_both_sides();
        let mut report = SampledCheck {
            orders_checked: 0,
            levels_checked: 0,
            live_orders: self.live,
            levels,
            complete: false,
            sweeps: cursor.sweeps,
        };
        if self.live.saturating_add(levels) <= order_budget {
            self.check_invariants()?;
            *cursor = InvariantCursor {
                sweeps: cursor.sweeps.saturating_add(1),
                ..InvariantCursor::default()
            };
            report.orders_checked = self.live;
            report.levels_checked = levels;
            report.complete = true;
            report.sweeps = cursor.sweeps;
            return Ok(report);
        }
        self.check_summary()?;
        let mut spent = 0usize;
        // Sides found empty in a row (both: nothing left to visit).
        let mut empty_sides = 0;
        while spent < order_budget && empty_sides < 2 {
            let side = cursor.side;
            let ladder = self.ladder(side);
            if cursor.next_order != NIL {
                // Resume inside the level at `cursor.level_key`, if that order still rests there.
                let slot = cursor.next_order;
                let level = cursor.level;
                let resumable = self
                    .orders
                    .get(slot as usize)
                    .is_some_and(|o| self.find(o.id) == Some(slot) && o.level() == level)
                    && cursor
                        .level_key
                        .is_some_and(|k| self.ladder_level(side, k) == Some(level));
                cursor.next_order = NIL;
                if resumable {
                    let (next, n) = self.check_queue(level, slot, order_budget - spent)?;
                    spent += n;
                    report.orders_checked += n;
                    cursor.next_order = next;
                }
                continue;
            }
            let next = match cursor.level_key {
                None => ladder.iter_best_first().next(),
                Some(k) => ladder.iter_below(k).next(),
            };
            let Some(r) = next else {
                empty_sides += 1;
                if side == Side::Sell {
                    cursor.sweeps = cursor.sweeps.saturating_add(1);
                }
                cursor.side = side.opposite();
                cursor.level_key = None;
                continue;
            };
            empty_sides = 0;
            self.check_level(side, r.key, r.level)?;
            spent += 1;
            cursor.level_key = Some(r.key);
            cursor.level = r.level;
            let l = &self.levels[r.level as usize];
            if (l.count as usize) <= order_budget.saturating_sub(spent) {
                // The whole queue fits: check it with the level's count, total and tail.
                let (_, n) = self.check_queue(r.level, l.head, usize::MAX)?;
                spent += n;
                report.orders_checked += n;
                report.levels_checked += 1;
            } else {
                cursor.next_order = l.head;
            }
        }
        report.sweeps = cursor.sweeps;
        Ok(report)
    }

    /// The O(1) part of the checks (plus the near tiers, at most `NEAR_CAPACITY` rungs each).
    fn check_summary(&self) -> Result<(), String> {
        for side in [Side::Buy, Side::Sell] {
            self.ladder(side)
                .check()
                .map_err(|e| format!("{side:?} ladder: {e}"))?;
        }
        if self.level_index.len() != self.level_count_both_sides() {
            return Err("level index out of step with the ladders".to_string());
        }
        if self.index.len() != self.live {
            return Err(format!(
                "live {} but {} indexed",
                self.live,
                self.index.len()
            ));
        }
        if let (Some(b), Some(a)) = (self.best_bid(), self.best_ask()) {
            if b.price >= a.price {
                return Err(format!("crossed book: bid {} >= ask {}", b.price, a.price));
            }
        }
        Ok(())
    }

    /// The level slot filed on `side`'s ladder under `key`, if that level is still there.
    fn ladder_level(&self, side: Side, key: u64) -> Option<u32> {
        let price = self.ladder(side).key(key);
        let levels = &self.levels;
        let level = self.level_index.find(price, |s| levels[s as usize].price)?;
        let l = &self.levels[level as usize];
        (l.side == side && l.count > 0).then_some(level)
    }

    /// One ladder rung's level: filed under its own price and side, indexed, not empty.
    fn check_level(&self, side: Side, key: u64, level: u32) -> Result<(), String> {
        let Some(l) = self.levels.get(level as usize) else {
            return Err(format!("{side:?} ladder points past the level slab"));
        };
        let levels = &self.levels;
        let indexed = self.level_index.find(l.price, |s| levels[s as usize].price);
        if self.level_index.slot_at(l.index_pos as usize) != Some(level) {
            return Err(format!("level {} has a stale index position", l.price));
        }
        if l.side != side || self.ladder(side).key(l.price) != key || indexed != Some(level) {
            return Err(format!("level {} misfiled", l.price));
        }
        if l.count == 0 || l.head == NIL || l.tail == NIL {
            return Err(format!("empty level {} on the ladder", l.price));
        }
        Ok(())
    }

    /// Walks up to `max` orders of `level`'s queue from slot `from`, checking each order's
    /// links, level, quantity and id-index entry. Returns the slot to resume from (`NIL` at the
    /// end of the queue) and the orders checked. A walk from the head to the end also checks the
    /// level's count, total quantity and tail.
    fn check_queue(&self, level: u32, from: u32, max: usize) -> Result<(u32, usize), String> {
        let l = &self.levels[level as usize];
        let whole = from == l.head;
        let (mut n, mut total, mut cur) = (0usize, 0u128, from);
        let mut prev = if whole {
            NIL
        } else {
            self.orders[from as usize].prev
        };
        while cur != NIL && n < max {
            let Some(o) = self.orders.get(cur as usize) else {
                return Err(format!("level {} links past the order slab", l.price));
            };
            // A head's `prev` is not maintained (see `pop_head`).
            if (cur != l.head && o.prev != prev) || o.level() != level {
                return Err(format!("broken links at order {}", o.id));
            }
            if cur != l.head && self.orders.get(prev as usize).map(|p| p.next) != Some(cur) {
                return Err(format!("broken links at order {}", o.id));
            }
            if o.next == NIL && l.tail != cur {
                return Err(format!("level {} tail is not its last order", l.price));
            }
            if o.qty == 0 {
                return Err(format!("order {} has zero qty", o.id));
            }
            if self.find(o.id) != Some(cur) {
                return Err(format!("order {} not indexed (or duplicate id)", o.id));
            }
            if self.index.slot_at(o.index_pos as usize) != Some(cur) {
                return Err(format!("order {} has a stale index position", o.id));
            }
            n += 1;
            if n > self.live {
                return Err(format!("level {} queue has a cycle", l.price));
            }
            total += o.qty as u128;
            prev = cur;
            cur = o.next;
        }
        if whole && cur == NIL && (prev != l.tail || n != l.count as usize || total != l.total_qty)
        {
            return Err(format!("level {} totals/tail inconsistent", l.price));
        }
        Ok((cur, n))
    }

    // ----- internals -----

    #[inline(always)]
    fn find(&self, id: u64) -> Option<u32> {
        let orders = &self.orders;
        self.index.find(id, |s| orders[s as usize].id)
    }

    /// Common LIMIT/MARKET validation: INVALID, then DUPLICATE_ID.
    #[inline(always)]
    fn admit<S: EventSink + ?Sized>(
        &self,
        id: u64,
        price: u64,
        qty: u64,
        sink: &mut S,
    ) -> Admission {
        let reason = if (price == 0) | (qty == 0) {
            RejectReason::Invalid
        } else {
            let orders = &self.orders;
            match self.index.probe(id, |s| orders[s as usize].id) {
                Probe::Found { .. } => RejectReason::DuplicateId,
                Probe::Vacant(v) => return Admission::Accepted(v),
            }
        };
        sink.on_event(Event::Reject { id, reason });
        Admission::Rejected
    }

    /// Opposite ladder and the smallest opposite key that an order at `bound` can trade with.
    #[inline(always)]
    fn opposite(&self, side: Side, bound: u64) -> (&Ladder, u64) {
        // A buy at `bound` trades with asks priced <= bound, i.e. ask key >= key(bound); a sell
        // trades with bids priced >= bound, i.e. bid key >= key(bound) (bid key = price).
        let ladder = &self.ladders[side.opposite().index()];
        (ladder, ladder.key(bound))
    }

    /// Whether a `side` order priced `price` would cross the opposite best (price only).
    #[inline]
    fn crosses(&self, side: Side, price: u64) -> bool {
        let (ladder, min_key) = self.opposite(side, price);
        matches!(ladder.best(), Some(r) if r.key >= min_key)
    }

    /// Whether `qty` can be filled now against orders it could actually trade with.
    fn fillable(&self, side: Side, price: u64, qty: u64, owner: Option<u64>) -> bool {
        let (ladder, min_key) = self.opposite(side, price);
        let need = qty as u128;
        let mut have = 0u128;
        for r in ladder.iter_best_first() {
            if r.key < min_key {
                break;
            }
            let l = &self.levels[r.level as usize];
            match owner {
                None => have += l.total_qty,
                Some(own) => {
                    let mut cur = l.head;
                    while cur != NIL {
                        let o = &self.orders[cur as usize];
                        if !o.owned_by(own) {
                            have += o.qty as u128;
                            if have >= need {
                                return true;
                            }
                        }
                        cur = o.next;
                    }
                }
            }
            if have >= need {
                return true;
            }
        }
        false
    }

    /// Matches an incoming order against the opposite side up to price `bound`; returns the
    /// unfilled quantity. Self-trade prevention cancels same-owner resting orders on the way.
    #[inline(never)]
    fn take<S: EventSink + ?Sized>(
        &mut self,
        taker_id: u64,
        side: Side,
        bound: u64,
        qty: u64,
        owner: Option<u64>,
        sink: &mut S,
    ) -> u64 {
        let mut remaining = qty;
        let (stp, own) = match owner {
            Some(o) => (true, o),
            None => (false, 0),
        };
        while remaining > 0 {
            let (ladder, min_key) = self.opposite(side, bound);
            let Some(rung) = ladder.best() else { break };
            if rung.key < min_key {
                break;
            }
            let li = rung.level as usize;
            let price = self.levels[li].price;
            // Every order before the head has been removed, so we always work on the head.
            loop {
                let head = self.levels[li].head;
                if (head == NIL) | (remaining == 0) {
                    break;
                }
                let o = &mut self.orders[head as usize];
                if stp & o.owned_by(own) {
                    let (maker_id, maker_qty) = (o.id, o.qty);
                    sink.on_event(Event::Cancelled {
                        id: maker_id,
                        remaining_qty: maker_qty,
                    });
                    self.pop_head(li, head);
                    continue;
                }
                let q = remaining.min(o.qty);
                o.qty -= q;
                remaining -= q;
                let (maker_id, maker_left) = (o.id, o.qty);
                sink.on_event(Event::Trade {
                    taker_id,
                    maker_id,
                    price,
                    qty: q,
                });
                self.levels[li].total_qty -= q as u128;
                if maker_left == 0 {
                    self.pop_head(li, head);
                }
            }
            if self.levels[li].count == 0 {
                self.ladders[side.opposite().index()].pop_best();
                self.free_level(rung.level);
            } else {
                break;
            }
        }
        remaining
    }

    /// Removes the head order of level `li` (slot `head`) from the queue, index and slab.
    /// Leaves an emptied level in place for the caller (which pops it from the ladder).
    #[inline(always)]
    fn pop_head(&mut self, li: usize, head: u32) {
        let o = self.orders[head as usize];
        let l = &mut self.levels[li];
        l.head = o.next;
        if o.next == NIL {
            l.tail = NIL;
        }
        // The new head's `prev` is left stale: a head is recognised by `Level::head`, so
        // matching never touches the order behind the one it consumes.
        l.count -= 1;
        l.total_qty -= o.qty as u128;
        debug_assert_eq!(self.find(o.id), Some(head));
        self.index
            .remove_at(o.index_pos as usize, &mut Orders(&mut self.orders));
        self.free_slot(head);
    }

    #[inline(always)]
    fn free_slot(&mut self, slot: u32) {
        self.orders[slot as usize].next = self.free_order;
        self.free_order = slot;
        self.live -= 1;
    }

    /// Removes a resting order from anywhere in its queue (cancel / modify), dropping its level
    /// from the ladder if it empties. `index_pos` is its id-index position from a fresh probe.
    #[inline(always)]
    fn remove_order(&mut self, slot: u32, index_pos: usize) {
        let o = self.orders[slot as usize];
        let li = o.level() as usize;
        {
            // A head's `prev` is stale (see `pop_head`): test head-ness on the level.
            let prev = if self.levels[li].head == slot {
                self.levels[li].head = o.next;
                NIL
            } else {
                self.orders[o.prev as usize].next = o.next;
                o.prev
            };
            if o.next == NIL {
                self.levels[li].tail = prev;
            } else {
                self.orders[o.next as usize].prev = prev;
            }
            let l = &mut self.levels[li];
            l.count -= 1;
            l.total_qty -= o.qty as u128;
        }
        self.index
            .remove_at(index_pos, &mut Orders(&mut self.orders));
        self.free_slot(slot);
        if self.levels[li].count == 0 {
            let (price, side) = (self.levels[li].price, self.levels[li].side);
            let ladder = &mut self.ladders[side.index()];
            let removed = ladder.remove(ladder.key(price));
            debug_assert!(removed, "live level missing from its ladder");
            self.free_level(o.level());
        }
    }

    #[inline(always)]
    fn free_level(&mut self, level: u32) {
        let pos = self.levels[level as usize].index_pos as usize;
        debug_assert_eq!(self.level_index.slot_at(pos), Some(level));
        self.level_index
            .remove_at(pos, &mut Levels(&mut self.levels));
        self.levels[level as usize].head = self.free_level;
        self.free_level = level;
    }

    /// Creates an empty level at `price` on `side` and files it on the ladder and level index.
    #[inline(never)]
    fn new_level(&mut self, side: Side, price: u64) -> u32 {
        let fresh = Level {
            price,
            total_qty: 0,
            head: NIL,
            tail: NIL,
            count: 0,
            // Set by the index insert below.
            index_pos: 0,
            side,
        };
        let level = if self.free_level != NIL {
            let l = self.free_level;
            self.free_level = self.levels[l as usize].head;
            self.levels[l as usize] = fresh;
            l
        } else {
            self.levels.push(fresh);
            (self.levels.len() - 1) as u32
        };
        let ladder = &mut self.ladders[side.index()];
        let key = ladder.key(price);
        debug_assert!(
            !ladder.contains(key),
            "level {price} on the ladder but not indexed"
        );
        ladder.insert(key, level);
        self.level_index
            .insert(price, level, &mut Levels(&mut self.levels));
        level
    }

    /// Rests `qty` at `price` on `side` (the caller guarantees it does not cross).
    /// `vacancy` is the id's index position from a probe with no index change since, if known.
    #[inline(always)]
    fn rest(
        &mut self,
        id: u64,
        side: Side,
        price: u64,
        qty: u64,
        owner: Option<u64>,
        vacancy: Option<Vacancy>,
    ) {
        debug_assert!(!self.crosses(side, price));
        let levels = &self.levels;
        let level = match self.level_index.find(price, |s| levels[s as usize].price) {
            Some(level) => level,
            None => self.new_level(side, price),
        };
        let (owned, owner) = match owner {
            Some(o) => (OWNED, o),
            None => (0, 0),
        };
        debug_assert!(level < OWNED, "levels never outnumber MAX_LIVE_ORDERS");
        let tail = self.levels[level as usize].tail;
        let order = Order {
            id,
            qty,
            prev: tail,
            next: NIL,
            level_owned: level | owned,
            // Set by the index insert below.
            index_pos: 0,
            owner,
        };
        let slot = if self.free_order != NIL {
            let s = self.free_order;
            let free = &mut self.orders[s as usize];
            self.free_order = free.next;
            *free = order;
            s
        } else {
            self.orders.push(order);
            (self.orders.len() - 1) as u32
        };
        let l = &mut self.levels[level as usize];
        if tail == NIL {
            l.head = slot;
        } else {
            self.orders[tail as usize].next = slot;
        }
        l.tail = slot;
        l.count += 1;
        l.total_qty += qty as u128;
        let orders = &mut Orders(&mut self.orders);
        match vacancy {
            Some(v) => self.index.insert_vacant(v, slot, orders),
            None => self.index.insert(id, slot, orders),
        }
        self.live += 1;
    }
}
