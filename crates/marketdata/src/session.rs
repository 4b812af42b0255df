//! One run of venue, network and client in ticks, from `(seed, SessionConfig)` alone. Each tick:
//! the link may be cut (every frame in flight is lost, the client backs off), a client whose
//! back-off is over connects and subscribes, the venue runs its flow and publishes one message
//! to a subscribed client through the network, and the frames that are due reach the client. A
//! resubscribe makes the venue send a fresh snapshot.

use crate::book::{BadDepth, L2Book};
use crate::client::{Action, Client, State};
use crate::network::{BadNetParams, NetParams, NetStats, Network, PERMILLE};
use crate::venue::{to_json, Venue};
use deterministic::SplitMix64;

/// Most ticks one session may run.
pub const MAX_TICKS: u64 = 10_000_000;

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
        })
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
            let snapshot = to_json(&self.venue.snapshot());
            self.net.send(self.tick, snapshot);
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
            self.net.cut();
            self.link_up = false;
            self.subscribed = false;
            self.client.on_disconnected(tick);
        }
        if !self.link_up && self.client.wants_connect(tick) {
            self.link_up = true;
            let action = self.client.on_connected(tick);
            self.act(action);
        }
        if !self.venue_paused {
            if let Some(update) = self.venue.step() {
                if self.subscribed {
                    self.net.send(tick, to_json(&update));
                }
            }
        }
        for frame in self.net.deliver(tick) {
            let action = self.client.on_frame(tick, &frame);
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
