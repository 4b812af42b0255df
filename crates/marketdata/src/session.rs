//! One run of venue, network and client in ticks, from `(seed, SessionConfig)` alone. Each tick:
//! the link may be cut (every frame in flight is lost, the client backs off), a client whose
//! back-off is over connects and subscribes, the venue runs its flow and publishes one message
//! to a subscribed client through the network, and the frames that are due reach the client. A
//! resubscribe makes the venue send a fresh snapshot.
//!
//! Between ticks a caller may act as a visitor does: pull the cable ([`Session::pull_cable`]),
//! corrupt the next message ([`Session::corrupt_next`]) or change the faults while keeping what
//! is in flight ([`Session::adjust_faults`]). A run is then `(seed, config, each action and the
//! tick before which it came)`, and replaying that gives the same run. The session also keeps
//! the newest [`WIRE_RECORD`] frames sent and delivered, with their sequence numbers and what
//! the network and the client did with each, for display.

use crate::book::{BadDepth, L2Book};
use crate::client::{Action, Client, Event, Resync, State};
use crate::network::{BadNetParams, Marks, NetParams, NetStats, Network, Sent, PERMILLE};
use crate::venue::{to_json, Venue};
use crate::wire::BookMessage;
use deterministic::SplitMix64;
use std::collections::VecDeque;

/// Most ticks one session may run.
pub const MAX_TICKS: u64 = 10_000_000;
/// Frames sent, and frames delivered, that the session keeps a record of (the newest).
pub const WIRE_RECORD: usize = 256;

/// One frame the venue sent: its tick, sequence number, kind and what the network did to it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SentFrame {
    pub tick: u64,
    pub seq: u64,
    pub snapshot: bool,
    /// The checksum the message carries: the venue's published book right after it.
    pub checksum: u32,
    pub fate: Sent,
}

/// What the client made of one delivered frame.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Verdict {
    /// Applied, its checksum equal to the book's after it (a snapshot or the next update).
    Applied,
    /// Older than the next expected sequence number (a duplicate or a late copy): ignored.
    Stale,
    /// An update while waiting for a snapshot: ignored.
    Ignored,
    /// The client threw its book away and resubscribed.
    Resync(Resync),
    /// Dropped unread (no connection).
    Discarded,
}

/// One frame the client received: its tick, its sequence number (when it could be read), its
/// kind, what the network did to it and the client's verdict.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DeliveredFrame {
    pub tick: u64,
    pub seq: Option<u64>,
    pub snapshot: bool,
    pub marks: Marks,
    pub verdict: Verdict,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SessionConfig {
    pub depth: usize,
    pub net: NetParams,
    /// Chance per tick that a live link is cut.
    pub cut_permille: u32,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SessionError {
    Depth(BadDepth),
    Net(BadNetParams),
    CutRate,
}

pub struct Session {
    venue: Venue,
    net: Network,
    client: Client,
    rng: SplitMix64,
    config: SessionConfig,
    tick: u64,
    link_up: bool,
    subscribed: bool,
    venue_paused: bool,
    sent: VecDeque<SentFrame>,
    delivered: VecDeque<DeliveredFrame>,
    delivered_total: u64,
}

fn push_bounded<T>(q: &mut VecDeque<T>, item: T) {
    if q.len() == WIRE_RECORD {
        q.pop_front();
    }
    q.push_back(item);
}

impl Session {
    pub fn new(seed: u64, config: SessionConfig) -> Result<Session, SessionError> {
        if config.cut_permille > PERMILLE {
            return Err(SessionError::CutRate);
        }
        let mut seeds = SplitMix64::new(seed);
        Ok(Session {
            venue: Venue::new(seeds.next_u64(), config.depth).map_err(SessionError::Depth)?,
            net: Network::new(seeds.next_u64(), config.net).map_err(SessionError::Net)?,
            client: Client::new(L2Book::new(config.depth).map_err(SessionError::Depth)?),
            rng: seeds.fork(),
            config,
            tick: 0,
            link_up: false,
            subscribed: false,
            venue_paused: false,
            sent: VecDeque::with_capacity(WIRE_RECORD),
            delivered: VecDeque::with_capacity(WIRE_RECORD),
            delivered_total: 0,
        })
    }

    /// The configuration, with the faults as they are now.
    pub fn config(&self) -> SessionConfig {
        self.config
    }

    /// Whether the client's connection is up.
    pub fn link_up(&self) -> bool {
        self.link_up
    }

    /// The newest frames sent (at most [`WIRE_RECORD`]), oldest first.
    pub fn sent(&self) -> impl DoubleEndedIterator<Item = &SentFrame> + ExactSizeIterator {
        self.sent.iter()
    }

    /// The newest frames delivered (at most [`WIRE_RECORD`]), oldest first.
    pub fn delivered(
        &self,
    ) -> impl DoubleEndedIterator<Item = &DeliveredFrame> + ExactSizeIterator {
        self.delivered.iter()
    }

    /// Frames delivered to the client so far.
    pub fn delivered_total(&self) -> u64 {
        self.delivered_total
    }

    /// The visitor pulls the cable: the link is cut now, as a random cut would (everything in
    /// flight is lost, the client backs off). False if the link was already down.
    pub fn pull_cable(&mut self) -> bool {
        if !self.link_up {
            return false;
        }
        self.cut_link();
        true
    }

    /// The next frame sent that has a quantity is corrupted (one digit changed).
    pub fn corrupt_next(&mut self) {
        self.net.corrupt_next();
    }

    /// Whether a [`Session::corrupt_next`] still waits for its frame.
    pub fn corrupt_pending(&self) -> bool {
        self.net.corrupt_pending()
    }

    /// Changes the faults from the next tick on, keeping every frame in flight (unlike
    /// [`Session::set_faults`], which starts a fresh network).
    pub fn adjust_faults(&mut self, net: NetParams, cut_permille: u32) -> Result<(), SessionError> {
        if cut_permille > PERMILLE {
            return Err(SessionError::CutRate);
        }
        self.net.set_params(net).map_err(SessionError::Net)?;
        self.config.net = net;
        self.config.cut_permille = cut_permille;
        Ok(())
    }

    fn cut_link(&mut self) {
        self.net.cut();
        self.link_up = false;
        self.subscribed = false;
        self.client.on_disconnected(self.tick);
    }

    fn send(&mut self, msg: &BookMessage) {
        let fate = self.net.send_marked(self.tick, to_json(msg));
        let item = SentFrame {
            tick: self.tick,
            seq: msg.seq.unwrap_or(0),
            snapshot: msg.kind == crate::wire::Kind::Snapshot,
            checksum: msg.checksum.unwrap_or(0),
            fate,
        };
        push_bounded(&mut self.sent, item);
    }

    fn receive(&mut self, frame: &str, marks: Marks) -> Action {
        let before = self.client.events().len();
        let action = self.client.on_frame(self.tick, frame);
        let (seq, verdict) = match self.client.events().get(before) {
            None => (None, Verdict::Discarded),
            Some(e) => match *e {
                Event::Applied { seq } | Event::SnapshotApplied { seq } => {
                    (Some(seq), Verdict::Applied)
                }
                Event::Stale { seq } => (Some(seq), Verdict::Stale),
                Event::Ignored { seq } => (Some(seq), Verdict::Ignored),
                Event::Resync { why, .. } => {
                    let seq = match why {
                        Resync::Gap { got, .. } => Some(got),
                        Resync::ChecksumMismatch { seq, .. } => Some(seq),
                        _ => None,
                    };
                    (seq, Verdict::Resync(why))
                }
                Event::Connected { .. } | Event::Disconnected { .. } => (None, Verdict::Discarded),
            },
        };
        self.delivered_total += 1;
        let item = DeliveredFrame {
            tick: self.tick,
            seq,
            snapshot: frame.contains(r#""type":"snapshot""#),
            marks,
            verdict,
        };
        push_bounded(&mut self.delivered, item);
        action
    }

    pub fn client(&self) -> &Client {
        &self.client
    }

    pub fn venue(&self) -> &Venue {
        &self.venue
    }

    pub fn net_stats(&self) -> NetStats {
        self.net.stats()
    }

    pub fn tick(&self) -> u64 {
        self.tick
    }

    /// Changes the faults from the next tick on (the lab's sliders; a test's "heal").
    pub fn set_faults(&mut self, net: NetParams, cut_permille: u32) -> Result<(), SessionError> {
        if cut_permille > PERMILLE {
            return Err(SessionError::CutRate);
        }
        self.net = Network::new(self.rng.next_u64(), net).map_err(SessionError::Net)?;
        self.config.net = net;
        self.config.cut_permille = cut_permille;
        Ok(())
    }

    /// Stops (or resumes) the venue's flow, so what is in flight can drain.
    pub fn pause_venue(&mut self, paused: bool) {
        self.venue_paused = paused;
    }

    fn act(&mut self, action: Action) {
        if action == Action::Subscribe && self.link_up {
            self.subscribed = true;
            let snapshot = self.venue.snapshot();
            self.send(&snapshot);
        }
    }

    /// Runs `ticks` ticks (bounded by [`MAX_TICKS`] in all).
    pub fn run(&mut self, ticks: u64) {
        let end = self.tick.saturating_add(ticks).min(MAX_TICKS);
        while self.tick < end {
            self.step();
        }
    }

    fn step(&mut self) {
        self.tick += 1;
        let tick = self.tick;
        if self.link_up
            && self.config.cut_permille > 0
            && self
                .rng
                .chance_unbiased(u64::from(self.config.cut_permille), u64::from(PERMILLE))
        {
            self.cut_link();
        }
        if !self.link_up && self.client.wants_connect(tick) {
            self.link_up = true;
            let action = self.client.on_connected(tick);
            self.act(action);
        }
        if !self.venue_paused {
            if let Some(update) = self.venue.step() {
                if self.subscribed {
                    self.send(&update);
                }
            }
        }
        for (frame, marks) in self.net.deliver_marked(tick) {
            let action = self.receive(&frame, marks);
            self.act(action);
        }
        let action = self.client.on_tick(tick);
        self.act(action);
    }

    /// Whether the client holds exactly the venue's published book, having applied every
    /// message up to the venue's last.
    pub fn in_sync(&self) -> bool {
        self.client.state() == State::Live
            && self.client.expected() == self.venue.seq() + 1
            && self.client.book().checksum() == self.venue.published().checksum()
            && self.client.book().bids() == self.venue.published().bids()
            && self.client.book().asks() == self.venue.published().asks()
    }
}
