//! Commands accepted by the book: the engine's input vocabulary (also what the replay protocol
//! and the flow generator produce).

/// Side of an order.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[repr(u8)]
pub enum Side {
    Buy = 0,
    Sell = 1,
}

impl Side {
    /// The side an order of this side trades against.
    #[inline(always)]
    pub fn opposite(self) -> Side {
        match self {
            Side::Buy => Side::Sell,
            Side::Sell => Side::Buy,
        }
    }

    /// 0 for buy, 1 for sell: indexes per-side arrays without a branch.
    #[inline(always)]
    pub(crate) fn index(self) -> usize {
        self as usize
    }
}

/// Time in force of a limit order.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub enum Tif {
    /// Good till cancelled: match while it crosses, rest the remainder.
    #[default]
    Gtc,
    /// Immediate or cancel: match, cancel the remainder.
    Ioc,
    /// Fill or kill: fill entirely now or reject with no trade.
    Fok,
    /// Post-only: reject if its price would cross the opposite best.
    Post,
}

/// Kind of an incoming order (limit with a time in force, or market).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum OrderType {
    Limit { price: u64, tif: Tif },
    Market,
}

/// One command for the book. `owner` is the optional self-trade-prevention owner id.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Command {
    Limit {
        id: u64,
        side: Side,
        price: u64,
        qty: u64,
        tif: Tif,
        owner: Option<u64>,
    },
    Market {
        id: u64,
        side: Side,
        qty: u64,
        owner: Option<u64>,
    },
    Cancel {
        id: u64,
    },
    Modify {
        id: u64,
        price: u64,
        qty: u64,
    },
}

impl Command {
    /// The order id the command refers to.
    pub fn id(&self) -> u64 {
        match *self {
            Command::Limit { id, .. }
            | Command::Market { id, .. }
            | Command::Cancel { id }
            | Command::Modify { id, .. } => id,
        }
    }
}
