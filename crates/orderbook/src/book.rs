//! The matching engine: order slab, per-level intrusive FIFO queues, price ladders and the id
//! index, with the exact price-time, time-in-force, modify and self-trade-prevention rules.
//!
//! Storage: orders live in a slab (`Vec<Order>`, 40 bytes each, plus a free list threaded
//! through `next`), each price level is a doubly linked FIFO of slab indices, levels live in
//! their own slab, a price -> level index finds an existing level without searching, and the two
//! [`Ladder`]s (indexed by side, so side-generic code needs no branch) keep the non-empty levels
//! sorted with the touch at the end. The id index ([`KeyIndex`]) maps order ids to slots; a
//! probe's position is reused for the following insert or removal when nothing changed the
//! index in between, and every order (and level) remembers where its index entry sits, so an
//! order consumed by matching leaves the index without a lookup. Nothing on the hot path
//! allocates once the slabs, ladders and indexes have grown to the working-set size
//! (`tests/alloc_free.rs`).

use crate::command::{Command, Side, Tif};
use crate::event::{Event, EventSink, RejectReason};
use crate::key_index::{KeyIndex, Probe, Slab, Vacancy};
use crate::ladder::Ladder;

/// Null link in the intrusive lists and free lists.
const NIL: u32 = u32::MAX;

/// Most orders that may rest at once (slab indices are `u32`, and level slots, never more than
/// the live orders, must leave the top bit of [`Order::level_owned`] free).
/// A GTC or post-only LIMIT arriving when the book holds this many is rejected `INVALID`.
pub const MAX_LIVE_ORDERS: usize = (1 << 31) - 1;

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
    pub fn new() -> Self {
        Book {
            orders: Vec::new(),
            free_order: NIL,
            levels: Vec::new(),
            free_level: NIL,
            ladders: [Ladder::new(Side::Buy), Ladder::new(Side::Sell)],
            index: KeyIndex::new(),
            level_index: KeyIndex::new(),
            live: 0,
        }
    }

    /// A book with room for `live_orders` resting orders before any storage grows.
    pub fn with_capacity(live_orders: usize) -> Self {
        let mut b = Book::new();
        b.orders.reserve(live_orders);
        b.index = KeyIndex::with_capacity(live_orders);
        b
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
    /// [`Book::new`]; a non-empty one trims its ladders and drops trailing free order/level
    /// slots.
    pub fn shrink_to_fit(&mut self) {
        if self.live == 0 {
            *self = Book::new();
            return;
        }
        self.ladders.iter_mut().for_each(Ladder::shrink_to_fit);
        self.index.shrink_if_empty();
        self.level_index.shrink_if_empty();
    }

    /// Checks every structural invariant; returns a description of the first violation.
    /// (Linear time: for tests and debugging, not the hot path.)
    pub fn check_invariants(&self) -> Result<(), String> {
        let mut seen = 0usize;
        for side in [Side::Buy, Side::Sell] {
            let ladder = self.ladder(side);
            let mut prev_key: Option<u64> = None;
            for i in 0..ladder.len() {
                let r = ladder.at(i);
                if let Some(p) = prev_key {
                    if p >= r.key {
                        return Err(format!("{side:?} ladder not strictly sorted at {i}"));
                    }
                }
                prev_key = Some(r.key);
                let l = &self.levels[r.level as usize];
                let levels = &self.levels;
                let indexed = self.level_index.find(l.price, |s| levels[s as usize].price);
                if self.level_index.slot_at(l.index_pos as usize) != Some(r.level) {
                    return Err(format!("level {} has a stale index position", l.price));
                }
                if l.side != side || ladder.key(l.price) != r.key || indexed != Some(r.level) {
                    return Err(format!("level {} misfiled", l.price));
                }
                if l.count == 0 || l.head == NIL {
                    return Err(format!("empty level {} on the ladder", l.price));
                }
                let (mut n, mut total, mut cur, mut prev) = (0u32, 0u128, l.head, NIL);
                while cur != NIL {
                    let o = &self.orders[cur as usize];
                    // A head's `prev` is not maintained (see `pop_head`).
                    if (cur != l.head && o.prev != prev) || o.level() != r.level {
                        return Err(format!("broken links at order {}", o.id));
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
                    total += o.qty as u128;
                    prev = cur;
                    cur = o.next;
                }
                if prev != l.tail || n != l.count || total != l.total_qty {
                    return Err(format!("level {} totals/tail inconsistent", l.price));
                }
                seen += n as usize;
            }
        }
        if self.level_index.len() != self.level_count_both_sides() {
            return Err("level index out of step with the ladders".to_string());
        }
        if seen != self.live || self.index.len() != self.live {
            return Err(format!(
                "live {} but {} orders on ladders and {} indexed",
                self.live,
                seen,
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
            if let Ok(at) = ladder.search(ladder.key(price)) {
                ladder.remove(at);
            } else {
                debug_assert!(false, "live level missing from its ladder");
            }
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
        match ladder.search(key) {
            Err(at) => ladder.insert(at, key, level),
            Ok(_) => debug_assert!(false, "level {price} on the ladder but not indexed"),
        }
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
