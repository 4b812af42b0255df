//! Events the book emits for every state change, the allocation-free sink trait they are
//! delivered through, and the event checksum shared by the benches and the WASM parity check.

use crate::command::Side;

/// Why an order or request was rejected. Nothing else happens on a rejection.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum RejectReason {
    /// A price or quantity of 0.
    Invalid,
    /// A LIMIT/MARKET id that is already live.
    DuplicateId,
    /// A CANCEL/MODIFY id that is not live.
    UnknownOrder,
    /// A FOK order that cannot be filled entirely now.
    FokUnfillable,
    /// A post-only order whose price would cross the opposite best.
    PostOnlyWouldCross,
}

impl RejectReason {
    /// The replay-protocol token of this reason.
    pub fn as_str(self) -> &'static str {
        match self {
            RejectReason::Invalid => "INVALID",
            RejectReason::DuplicateId => "DUPLICATE_ID",
            RejectReason::UnknownOrder => "UNKNOWN_ORDER",
            RejectReason::FokUnfillable => "FOK_UNFILLABLE",
            RejectReason::PostOnlyWouldCross => "POST_ONLY_WOULD_CROSS",
        }
    }

    fn code(self) -> u64 {
        match self {
            RejectReason::Invalid => 1,
            RejectReason::DuplicateId => 2,
            RejectReason::UnknownOrder => 3,
            RejectReason::FokUnfillable => 4,
            RejectReason::PostOnlyWouldCross => 5,
        }
    }
}

/// One state change (or rejection), in causal order.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Event {
    /// A LIMIT or MARKET order passed validation.
    Accept { id: u64 },
    /// The command was rejected; nothing else happened.
    Reject { id: u64, reason: RejectReason },
    /// A trade at the maker's price.
    Trade {
        taker_id: u64,
        maker_id: u64,
        price: u64,
        qty: u64,
    },
    /// An order left the book (or an incoming remainder was dropped) with this remaining qty:
    /// IOC/market remainders, explicit cancels, self-trade-prevention cancels.
    Cancelled { id: u64, remaining_qty: u64 },
    /// A MODIFY was applied (possibly changing nothing); any trades follow.
    Modified { id: u64, price: u64, qty: u64 },
}

/// Receives events. Implementations must not assume the book retains anything; the book calls
/// this synchronously in causal order and never allocates to do so.
pub trait EventSink {
    fn on_event(&mut self, event: Event);
}

impl EventSink for Vec<Event> {
    #[inline(always)]
    fn on_event(&mut self, event: Event) {
        self.push(event);
    }
}

impl<S: EventSink + ?Sized> EventSink for &mut S {
    #[inline(always)]
    fn on_event(&mut self, event: Event) {
        (**self).on_event(event);
    }
}

/// A sink that drops events (for callers that only want the book state).
#[derive(Clone, Copy, Debug, Default)]
pub struct NullSink;

impl EventSink for NullSink {
    #[inline(always)]
    fn on_event(&mut self, _event: Event) {}
}

/// Counts events by kind.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct EventCounter {
    pub accepts: u64,
    pub rejects: u64,
    pub trades: u64,
    pub cancels: u64,
    pub modifies: u64,
}

impl EventCounter {
    pub fn total(&self) -> u64 {
        self.accepts + self.rejects + self.trades + self.cancels + self.modifies
    }
}

impl EventSink for EventCounter {
    #[inline(always)]
    fn on_event(&mut self, event: Event) {
        match event {
            Event::Accept { .. } => self.accepts += 1,
            Event::Reject { .. } => self.rejects += 1,
            Event::Trade { .. } => self.trades += 1,
            Event::Cancelled { .. } => self.cancels += 1,
            Event::Modified { .. } => self.modifies += 1,
        }
    }
}

/// Order-sensitive 64-bit checksum over the event stream.
///
/// Definition (stable; the WASM parity check and recorded figures depend on it): the state
/// starts at FNV-1a 64's offset basis ([`deterministic::FNV1A64_OFFSET_BASIS`]). Each event
/// becomes one word `e = tag + f1·K[0] + f2·K[1] + …` (wrapping; tags: Accept 1, Reject 2,
/// Trade 3, Cancelled 4, Modified 5; a reject's reason is its code 1..=5 in [`RejectReason`]
/// order; `K` are four odd 64-bit constants, one per field position, so equal values in
/// different fields do not cancel), and the state takes it FNV-1a style, one word instead of
/// eight bytes: `h = (state ^ e)·G` with `G` = [`deterministic::SPLITMIX64_GAMMA`], then
/// `state = h ^ (h >> 32)` so that high bits feed back into low bits. One multiply per event
/// instead of one per byte keeps it off the matching engine's profile.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct EventChecksum {
    state: u64,
    events: u64,
}

impl Default for EventChecksum {
    fn default() -> Self {
        Self::new()
    }
}

impl EventChecksum {
    const OFFSET_BASIS: u64 = deterministic::FNV1A64_OFFSET_BASIS;
    const MULTIPLIER: u64 = deterministic::SPLITMIX64_GAMMA;
    /// Per-field-position constants (odd, so each product keeps every bit of its field).
    const K: [u64; 4] = [
        0xff51_afd7_ed55_8ccd,
        0xc4ce_b9fe_1a85_ec53,
        0xbf58_476d_1ce4_e5b9,
        0x94d0_49bb_1331_11eb,
    ];

    pub fn new() -> Self {
        EventChecksum {
            state: Self::OFFSET_BASIS,
            events: 0,
        }
    }

    /// The checksum so far.
    pub fn value(&self) -> u64 {
        self.state
    }

    /// Number of events fed so far.
    pub fn events(&self) -> u64 {
        self.events
    }

    #[inline(always)]
    fn fold(&mut self, tag: u64, fields: &[u64]) {
        let mut e = tag;
        for (f, k) in fields.iter().zip(Self::K) {
            e = e.wrapping_add(f.wrapping_mul(k));
        }
        let h = (self.state ^ e).wrapping_mul(Self::MULTIPLIER);
        self.state = h ^ (h >> 32);
        self.events += 1;
    }
}

impl EventSink for EventChecksum {
    #[inline(always)]
    fn on_event(&mut self, event: Event) {
        match event {
            Event::Accept { id } => self.fold(1, &[id]),
            Event::Reject { id, reason } => self.fold(2, &[id, reason.code()]),
            Event::Trade {
                taker_id,
                maker_id,
                price,
                qty,
            } => self.fold(3, &[taker_id, maker_id, price, qty]),
            Event::Cancelled { id, remaining_qty } => self.fold(4, &[id, remaining_qty]),
            Event::Modified { id, price, qty } => self.fold(5, &[id, price, qty]),
        }
    }
}

/// Helper for writing side tokens (`BUY`/`SELL`) and L2 tags (`BID`/`ASK`).
pub(crate) fn side_token(side: Side) -> &'static str {
    match side {
        Side::Buy => "BUY",
        Side::Sell => "SELL",
    }
}
