//! The ingestion client as one owner of its state (the article's single-owner loop): it takes
//! frames as they arrive, keeps the book, and decides every recovery. States:
//!
//! `Disconnected` (waiting out a back-off) → connect → `AwaitingSnapshot` (subscribed; updates
//! before the snapshot are ignored) → snapshot applied and its checksum right → `Live`. In `Live`
//! an update must carry the next sequence number: an older one is a duplicate or a late copy and
//! is ignored; a newer one is a gap. A gap, a checksum mismatch, a malformed frame or a snapshot
//! that does not arrive in time discards the book and resubscribes (`AwaitingSnapshot` again, as
//! a resync). A cut connection goes to `Disconnected` with an exponential back-off. Every
//! transition and every verdict is an [`Event`]; the same inputs give the same events.

use crate::book::L2Book;
use crate::log::EventLog;
use crate::wire::{parse_into, BookMessage, Kind};

/// First back-off after a disconnect, in ticks; each further failed attempt doubles it.
pub const BACKOFF_BASE_TICKS: u64 = 4;
/// Longest back-off.
pub const BACKOFF_MAX_TICKS: u64 = 256;
/// Ticks a subscription may wait for its snapshot before the client resubscribes.
pub const SNAPSHOT_TIMEOUT_TICKS: u64 = 200;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum State {
    Disconnected { retry_at: u64 },
    AwaitingSnapshot { since: u64, resync: bool },
    Live,
}

/// Why the client threw its book away.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Resync {
    Gap {
        expected: u64,
        got: u64,
    },
    ChecksumMismatch {
        seq: u64,
        ours: u32,
        theirs: u32,
    },
    Malformed,
    SnapshotTimeout,
    /// A message without a sequence number or checksum: it cannot be checked.
    Unverifiable,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Event {
    Connected {
        tick: u64,
    },
    Disconnected {
        tick: u64,
        retry_at: u64,
    },
    SnapshotApplied {
        seq: u64,
    },
    Applied {
        seq: u64,
    },
    /// An update older than the next expected one (a duplicate or a late copy): ignored.
    Stale {
        seq: u64,
    },
    /// An update while waiting for the snapshot: ignored.
    Ignored {
        seq: u64,
    },
    Resync {
        tick: u64,
        why: Resync,
    },
}

/// What the client asks of its connection after handling an input.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Action {
    None,
    /// (Re)subscribe: ask the venue for a fresh snapshot.
    Subscribe,
}

pub struct Client {
    state: State,
    book: L2Book,
    expected: u64,
    /// Failed connection attempts in a row (for the back-off).
    attempts: u32,
    events: Vec<Event>,
    /// Every message applied, in order: the book can be rebuilt at any offset from it.
    log: EventLog,
    /// The frame being handled, parsed into the same buffers every time (no allocation).
    frame: BookMessage,
}

impl Client {
    pub fn new(book: L2Book) -> Client {
        Client {
            state: State::Disconnected { retry_at: 0 },
            book,
            expected: 0,
            attempts: 0,
            events: Vec::new(),
            log: EventLog::new(),
            frame: BookMessage::default(),
        }
    }

    pub fn state(&self) -> State {
        self.state
    }

    /// The sequence number the next update must carry.
    pub fn expected(&self) -> u64 {
        self.expected
    }

    pub fn book(&self) -> &L2Book {
        &self.book
    }

    /// The log of every applied message.
    pub fn log(&self) -> &EventLog {
        &self.log
    }

    /// The frame last handed to [`Client::on_frame`], as parsed: after a frame that was applied,
    /// the message the log's last record holds (so an owner can hand it on without decoding the
    /// record again).
    pub fn last_frame(&self) -> &BookMessage {
        &self.frame
    }

    /// Every event so far, oldest first.
    pub fn events(&self) -> &[Event] {
        &self.events
    }

    /// Whether the client wants to connect at `tick`.
    pub fn wants_connect(&self, tick: u64) -> bool {
        matches!(self.state, State::Disconnected { retry_at } if retry_at <= tick)
    }

    /// The connection came up: subscribe.
    pub fn on_connected(&mut self, tick: u64) -> Action {
        self.events.push(Event::Connected { tick });
        self.state = State::AwaitingSnapshot {
            since: tick,
            resync: false,
        };
        Action::Subscribe
    }

    /// The connection was cut (or failed to come up).
    pub fn on_disconnected(&mut self, tick: u64) {
        self.attempts = self.attempts.saturating_add(1);
        let backoff = BACKOFF_BASE_TICKS
            .saturating_mul(1u64 << (self.attempts - 1).min(16))
            .min(BACKOFF_MAX_TICKS);
        let retry_at = tick + backoff;
        self.events.push(Event::Disconnected { tick, retry_at });
        self.state = State::Disconnected { retry_at };
    }

    /// Time passes: a subscription whose snapshot is overdue resubscribes.
    pub fn on_tick(&mut self, tick: u64) -> Action {
        match self.state {
            State::AwaitingSnapshot { since, .. } if tick >= since + SNAPSHOT_TIMEOUT_TICKS => {
                self.resync(tick, Resync::SnapshotTimeout)
            }
            _ => Action::None,
        }
    }

    fn resync(&mut self, tick: u64, why: Resync) -> Action {
        self.events.push(Event::Resync { tick, why });
        self.state = State::AwaitingSnapshot {
            since: tick,
            resync: true,
        };
        Action::Subscribe
    }

    /// One frame from the wire.
    pub fn on_frame(&mut self, tick: u64, frame: &str) -> Action {
        if matches!(self.state, State::Disconnected { .. }) {
            return Action::None;
        }
        if parse_into(frame, &mut self.frame).is_err() {
            return self.resync(tick, Resync::Malformed);
        }
        let msg = &self.frame;
        let (Some(seq), Some(theirs)) = (msg.seq, msg.checksum) else {
            return self.resync(tick, Resync::Unverifiable);
        };
        match (self.state, msg.kind) {
            (State::Disconnected { .. }, _) => Action::None,
            (State::AwaitingSnapshot { .. }, Kind::Update) => {
                self.events.push(Event::Ignored { seq });
                Action::None
            }
            (State::Live, Kind::Snapshot) | (State::Live, Kind::Update) if seq < self.expected => {
                self.events.push(Event::Stale { seq });
                Action::None
            }
            (State::Live, Kind::Update) if seq > self.expected => self.resync(
                tick,
                Resync::Gap {
                    expected: self.expected,
                    got: seq,
                },
            ),
            (State::Live, Kind::Snapshot) | (State::Live, Kind::Update) | (_, Kind::Snapshot) => {
                let snapshot = msg.kind == Kind::Snapshot;
                if self.book.apply(msg).is_err() {
                    return self.resync(tick, Resync::Malformed);
                }
                let ours = self.book.checksum();
                if ours != theirs {
                    return self.resync(tick, Resync::ChecksumMismatch { seq, ours, theirs });
                }
                // Parsed messages are within the log's bounds, so this cannot fail.
                let logged = self.log.append(msg);
                debug_assert!(logged.is_ok());
                self.expected = seq + 1;
                self.attempts = 0;
                self.state = State::Live;
                self.events.push(if snapshot {
                    Event::SnapshotApplied { seq }
                } else {
                    Event::Applied { seq }
                });
                Action::None
            }
        }
    }
}

/// What a long-running owner (a native pipeline) uses to keep its memory flat.
impl Client {
    /// Hands over the events recorded so far, oldest first, leaving the list empty (its capacity
    /// kept): an owner that passes each event on as it happens keeps it from growing.
    pub fn drain_events(&mut self) -> std::vec::Drain<'_, Event> {
        self.events.drain(..)
    }

    /// Forgets the log's sealed segments (see [`EventLog::release_sealed`]), once they are
    /// written elsewhere; returns how many.
    pub fn release_sealed_log(&mut self) -> usize {
        self.log.release_sealed()
    }
}
