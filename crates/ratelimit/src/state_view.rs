//! What one key's state holds, aged to a given time without deciding anything: for a lab that
//! draws it (the token level, the window counts, the log's timestamps). Never on a hot path.

/// The most timestamps a sliding log's view carries (the newest ones).
pub const MAX_VIEW_TIMESTAMPS: usize = 256;

/// One key's state as of `now_ns`: what it would admit now, and what it holds.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct StateView {
    /// Requests of cost 1 it would admit right now: the `remaining` a cost-0 decision reports
    /// (`tests/state_view.rs` holds every algorithm to that).
    pub available: u64,
    pub detail: StateDetail,
}

/// What an algorithm keeps per key. Token levels are in thousandths of a token.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub enum StateDetail {
    TokenBucket {
        tokens_milli: u64,
        burst: u64,
    },
    /// The theoretical arrival time, as how far it runs ahead of now, and the tokens that
    /// leaves (the same allowance the token bucket would show).
    Gcra {
        tat_ahead_ns: u64,
        tokens_milli: u64,
        burst: u64,
    },
    FixedWindow {
        window_start_ns: u64,
        window_ns: u64,
        count: u64,
        limit: u64,
    },
    /// The counter's estimate weights the previous window by the part of it still inside the
    /// sliding window: `previous × (W − elapsed) / W + current`.
    SlidingWindow {
        window_start_ns: u64,
        window_ns: u64,
        previous: u64,
        current: u64,
        limit: u64,
        estimate_milli: u64,
    },
    /// The timestamps still in the window (`count` of them; the newest
    /// [`MAX_VIEW_TIMESTAMPS`] in `recent_ns`, oldest first).
    SlidingLog {
        window_ns: u64,
        limit: u64,
        count: u64,
        recent_ns: Vec<u64>,
    },
}

/// An algorithm whose state can be viewed.
pub trait Inspect: crate::Algorithm {
    /// `state` as of `now_ns` (aged: refilled, rolled over, expired), unchanged itself.
    fn view(&self, state: &Self::State, now_ns: u64) -> StateView;
}
