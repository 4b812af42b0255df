//! The simulated network: a timing wheel of messages in flight (one bucket per tick, sized
//! past the largest delay), per-link latency, drop / duplicate / reorder rates, and the cut
//! links of partitions. Every random choice comes from the simulation's one RNG, in a fixed
//! order, so a seed replays the same deliveries.

use super::SimStats;
use crate::faults::{chance_permille, FaultSchedule, LatencySpec, MAX_LATENCY_TICKS};
use crate::message::{Command, Message, NodeId};
use crate::node::MAX_NODES;
use deterministic::SplitMix64;

/// Slots in the timing wheel; must exceed the largest possible delay (latency + reorder).
pub const WHEEL_SLOTS: usize = 1024;
/// Bound on messages in flight; beyond it new messages are dropped and counted.
pub const MAX_IN_FLIGHT: usize = 1 << 17;

const _: () = assert!(WHEEL_SLOTS > (MAX_LATENCY_TICKS + MAX_LATENCY_TICKS / 2) as usize);

/// A node's answer to a client request.
#[derive(Clone, Copy, Debug)]
pub(super) enum ReplyResult {
    Ok(Option<u64>),
    NotLeader(Option<NodeId>),
}

#[derive(Clone, Debug)]
pub(super) enum Payload {
    Raft(Message),
    Request {
        client: u8,
        node: NodeId,
        cmd: Command,
    },
    Reply {
        client: u8,
        node: NodeId,
        seq: u32,
        result: ReplyResult,
    },
}

#[derive(Clone, Debug)]
pub(super) struct InFlight {
    pub(super) send_tick: u64,
    pub(super) arrive_tick: u64,
    pub(super) payload: Payload,
}

pub(super) struct Network {
    /// `wheel[t % WHEEL_SLOTS]` holds the messages arriving at tick `t`.
    wheel: Vec<Vec<InFlight>>,
    in_flight: usize,
    nodes: usize,
    /// Latency of the directed link `from -> to` at `from * nodes + to`.
    link_latency: Vec<LatencySpec>,
    pub(super) client_latency: LatencySpec,
    /// `blocked[from]` has bit `to` set when `from -> to` is cut.
    pub(super) blocked: [u16; MAX_NODES],
    pub(super) drop_permille: u32,
    pub(super) duplicate_permille: u32,
    pub(super) reorder_permille: u32,
    pub(super) reorder_extra_ticks: u32,
}

impl Network {
    pub(super) fn new(
        nodes: usize,
        default_latency: LatencySpec,
        schedule: &FaultSchedule,
    ) -> Self {
        let mut link_latency = vec![default_latency; nodes * nodes];
        for l in &schedule.links {
            link_latency[l.from as usize * nodes + l.to as usize] = l.latency;
        }
        Network {
            wheel: (0..WHEEL_SLOTS).map(|_| Vec::new()).collect(),
            in_flight: 0,
            nodes,
            link_latency,
            client_latency: default_latency,
            blocked: [0; MAX_NODES],
            drop_permille: schedule.drop_permille,
            duplicate_permille: schedule.duplicate_permille,
            reorder_permille: schedule.reorder_permille,
            reorder_extra_ticks: schedule.reorder_extra_ticks,
        }
    }

    pub(super) fn set_latency(&mut self, latency: LatencySpec) {
        self.link_latency.fill(latency);
        self.client_latency = latency;
    }

    /// The latency of node-to-node links when they all share one (none per-link differs).
    pub(super) fn uniform_latency(&self) -> Option<LatencySpec> {
        let first = *self.link_latency.first()?;
        self.link_latency
            .iter()
            .all(|l| *l == first)
            .then_some(first)
    }

    pub(super) fn link_latency(&self, from: NodeId, to: NodeId) -> LatencySpec {
        self.link_latency[from as usize * self.nodes + to as usize]
    }

    pub(super) fn is_blocked(&self, from: NodeId, to: NodeId) -> bool {
        self.blocked[from as usize] & (1 << to) != 0
    }

    /// Drops, duplicates or delays `payload` as the link's rates say, then puts what is left
    /// on the wheel.
    pub(super) fn send(
        &mut self,
        rng: &mut SplitMix64,
        stats: &mut SimStats,
        now: u64,
        latency: LatencySpec,
        payload: Payload,
    ) {
        if chance_permille(rng, self.drop_permille) {
            stats.drops += 1;
            return;
        }
        if chance_permille(rng, self.duplicate_permille) {
            stats.duplicates += 1;
            let copy = payload.clone();
            self.enqueue(rng, stats, now, latency, copy);
        }
        self.enqueue(rng, stats, now, latency, payload);
    }

    fn enqueue(
        &mut self,
        rng: &mut SplitMix64,
        stats: &mut SimStats,
        now: u64,
        latency: LatencySpec,
        payload: Payload,
    ) {
        if self.in_flight >= MAX_IN_FLIGHT {
            stats.queue_overflow_drops += 1;
            return;
        }
        let mut delay = latency.sample(rng) as u64;
        if chance_permille(rng, self.reorder_permille) && self.reorder_extra_ticks > 0 {
            stats.reorders += 1;
            delay += rng.range_inclusive_unbiased(1, self.reorder_extra_ticks as u64);
        }
        let arrive_tick = now + delay;
        self.in_flight += 1;
        self.wheel[(arrive_tick % WHEEL_SLOTS as u64) as usize].push(InFlight {
            send_tick: now,
            arrive_tick,
            payload,
        });
    }

    /// Takes the bucket of messages arriving at `now`; hand it back with [`Network::put_back`]
    /// so its allocation is reused. Delivering them cannot refill it: every delay is at least
    /// one tick and less than the wheel.
    pub(super) fn take_due(&mut self, now: u64) -> Vec<InFlight> {
        std::mem::take(&mut self.wheel[(now % WHEEL_SLOTS as u64) as usize])
    }

    /// One message taken with `take_due` is being delivered: it no longer counts against
    /// [`MAX_IN_FLIGHT`], which messages sent while delivering it may use.
    pub(super) fn landed(&mut self) {
        self.in_flight -= 1;
    }

    pub(super) fn put_back(&mut self, now: u64, bucket: Vec<InFlight>) {
        debug_assert!(bucket.is_empty());
        let slot = (now % WHEEL_SLOTS as u64) as usize;
        debug_assert!(self.wheel[slot].is_empty());
        self.wheel[slot] = bucket;
    }

    /// Every message in flight, in arrival order.
    pub(super) fn in_arrival_order(&self, now: u64) -> impl Iterator<Item = &InFlight> {
        (0..WHEEL_SLOTS as u64)
            .flat_map(move |d| self.wheel[((now + d) % WHEEL_SLOTS as u64) as usize].iter())
    }
}
