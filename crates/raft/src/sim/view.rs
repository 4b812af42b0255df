//! The Raft lab's boundary with the engine: plain, serialisable snapshots of everything a
//! UI draws — nodes, messages in flight, cut links, clients, the fault rates, counters and
//! the first violation. [`Simulation::cluster_view`] fills one [`ClusterView`] per frame into
//! buffers the caller keeps, so steady-state drawing does not allocate.

use super::client::ClientState;
use super::network::Payload;
use super::{SimStats, Simulation};
use crate::checker::Violation;
use crate::kv::OpKind;
use crate::message::{MsgKind, NodeId};
use crate::node::Role;
use serde::Serialize;

/// An endpoint of an in-flight message.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Endpoint {
    Node(u8),
    Client(u8),
}

/// A message in flight, for animation.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct InFlightView {
    pub from: Endpoint,
    pub to: Endpoint,
    pub kind: MsgKind,
    pub send_tick: u64,
    pub arrive_tick: u64,
}

/// Snapshot of one node for the lab (persisted values when the node is down).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct NodeView {
    pub id: u8,
    pub up: bool,
    /// `None` while crashed.
    pub role: Option<Role>,
    pub term: u64,
    pub vote: Option<u8>,
    pub leader: Option<u8>,
    pub commit: u64,
    /// Last log index (compacted entries included).
    pub log_len: u64,
    /// Last index covered by the node's snapshot (0 when none).
    pub snapshot_index: u64,
    /// Voter set in this node's view (bitmask; from persisted state when down).
    pub voters: u16,
}

/// A cut directed link `from -> to` (a partition cuts both directions of each link).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct CutLink {
    pub from: NodeId,
    pub to: NodeId,
}

/// The operation a client waits on.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct ClientOpView {
    pub kind: OpKind,
    pub key: u8,
    /// Node its next attempt goes to.
    pub target: NodeId,
    /// Tick the operation was issued.
    pub call_tick: u64,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct ClientView {
    pub id: u8,
    /// The node the client believes leads.
    pub leader_guess: NodeId,
    /// `None` while it thinks or once it is done.
    pub waiting: Option<ClientOpView>,
    /// It has issued its last operation (`SimConfig::max_ops_per_client`, or the run ended).
    pub finished: bool,
    pub ops_started: u32,
}

/// Everything the lab draws, as of one tick.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct ClusterView {
    pub now: u64,
    pub nodes: Vec<NodeView>,
    /// In arrival order.
    pub in_flight: Vec<InFlightView>,
    pub cut_links: Vec<CutLink>,
    pub clients: Vec<ClientView>,
    pub drop_permille: u32,
    pub duplicate_permille: u32,
    pub stats: SimStats,
    pub violation: Option<Violation>,
}

impl Simulation {
    /// Fills `out` with the cluster as of now, reusing its buffers.
    pub fn cluster_view(&self, out: &mut ClusterView) {
        out.now = self.now;
        out.nodes.clear();
        self.fill_node_views(&mut out.nodes);
        out.in_flight.clear();
        self.in_flight(&mut out.in_flight);
        out.cut_links.clear();
        self.cut_links(&mut out.cut_links);
        out.clients.clear();
        out.clients.extend(self.clients.iter().map(|c| ClientView {
            id: c.id,
            leader_guess: c.leader_guess,
            waiting: match c.state {
                ClientState::Waiting(w) => Some(ClientOpView {
                    kind: w.kind,
                    key: w.key,
                    target: w.target,
                    call_tick: w.call,
                }),
                ClientState::Idle | ClientState::Finished => None,
            },
            finished: matches!(c.state, ClientState::Finished),
            ops_started: c.ops_started,
        }));
        out.drop_permille = self.net.drop_permille;
        out.duplicate_permille = self.net.duplicate_permille;
        out.stats.clone_from(&self.stats);
        out.violation.clone_from(&self.violation);
    }

    pub fn node_views(&self) -> Vec<NodeView> {
        let mut out = Vec::with_capacity(self.replicas.len());
        self.fill_node_views(&mut out);
        out
    }

    /// Appends one view per node to `out`, in id order.
    pub fn fill_node_views(&self, out: &mut Vec<NodeView>) {
        out.extend(self.replicas.iter().enumerate().map(|(i, r)| {
            let id = i as u8;
            match &r.node {
                Some(n) => {
                    let st = n.status();
                    NodeView {
                        id,
                        up: true,
                        role: Some(st.role),
                        term: st.term,
                        vote: st.vote,
                        leader: st.leader,
                        commit: st.commit,
                        log_len: st.last_index,
                        snapshot_index: st.snapshot_index,
                        voters: st.voters,
                    }
                }
                None => NodeView {
                    id,
                    up: false,
                    role: None,
                    term: r.storage.hard.term,
                    vote: r.storage.hard.vote,
                    leader: None,
                    commit: r.storage.hard.commit,
                    log_len: r.storage.last_index(),
                    snapshot_index: r.storage.offset(),
                    voters: r.storage.voters(self.cfg.node_config(id).voters()),
                },
            }
        }));
    }

    /// Appends every in-flight message to `out`, in arrival order.
    pub fn in_flight(&self, out: &mut Vec<InFlightView>) {
        out.extend(self.net.in_arrival_order(self.now).map(|ev| {
            let (from, to, kind) = match &ev.payload {
                Payload::Raft(m) => (Endpoint::Node(m.from), Endpoint::Node(m.to), m.kind()),
                Payload::Request { client, node, .. } => (
                    Endpoint::Client(*client),
                    Endpoint::Node(*node),
                    MsgKind::ClientRequest,
                ),
                Payload::Reply { client, node, .. } => (
                    Endpoint::Node(*node),
                    Endpoint::Client(*client),
                    MsgKind::ClientReply,
                ),
            };
            InFlightView {
                from,
                to,
                kind,
                send_tick: ev.send_tick,
                arrive_tick: ev.arrive_tick,
            }
        }));
    }

    /// Appends every cut node-to-node link to `out` (client links are never cut).
    pub fn cut_links(&self, out: &mut Vec<CutLink>) {
        let n = self.cfg.nodes as NodeId;
        for from in 0..n {
            for to in (0..n).filter(|&to| to != from && self.net.is_blocked(from, to)) {
                out.push(CutLink { from, to });
            }
        }
    }
}
