//! The Raft lab's boundary with the engine: plain, serialisable snapshots of everything a
//! UI draws — nodes, messages in flight, cut links, clients, the fault rates, counters and
//! the first violation. [`Simulation::cluster_view`] fills one [`ClusterView`] per frame into
//! buffers the caller keeps, so steady-state drawing does not allocate.

use super::client::ClientState;
use super::network::{Payload, ReplyResult};
use super::{SimStats, Simulation};
use crate::checker::Violation;
use crate::faults::LatencySpec;
use crate::kv::OpKind;
use crate::message::{Body, Command, Entry, MsgKind, NodeId};
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
    pub fields: MsgFields,
}

/// A message's fields as the Raft paper names them (serialised in its camelCase), for an
/// inspector; an AppendEntries carries the count and the term range of its entries.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(untagged, rename_all_fields = "camelCase")]
pub enum MsgFields {
    /// PreVote and RequestVote (a PreVote's term is the one the sender would campaign in).
    Vote {
        term: u64,
        last_log_index: u64,
        last_log_term: u64,
    },
    VoteReply {
        term: u64,
        vote_granted: bool,
    },
    Append {
        term: u64,
        prev_log_index: u64,
        prev_log_term: u64,
        leader_commit: u64,
        entries: usize,
        /// Terms of the first and last entry carried (0 for a heartbeat).
        first_entry_term: u64,
        last_entry_term: u64,
    },
    AppendReply {
        term: u64,
        success: bool,
        /// The follower's match index on success, the rejected prevLogIndex otherwise.
        index: u64,
        conflict_index: u64,
        conflict_term: u64,
    },
    InstallSnapshot {
        term: u64,
        last_included_index: u64,
        last_included_term: u64,
    },
    ClientRequest {
        client: u8,
        op: OpKind,
        key: u8,
        seq: u32,
    },
    ClientReply {
        client: u8,
        seq: u32,
        ok: bool,
        value: Option<u64>,
        leader_hint: Option<u8>,
    },
    /// A membership change sent by a client (not used by the simulator's clients).
    Other,
}

/// The last entries of a node's log, for drawing: terms of `first..=first + terms.len() - 1`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct LogTail {
    pub first: u64,
    pub terms: Vec<u64>,
}

/// Bound on the entries of a [`LogTail`].
pub const MAX_LOG_TAIL: usize = 32;
/// Bound on the entries of a [`NodeDetail`].
pub const MAX_DETAIL_ENTRIES: usize = 64;

/// One log entry for the inspector.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct EntryView {
    pub index: u64,
    pub term: u64,
    pub cmd: Command,
}

/// A leader's view of one follower's replication.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct PeerProgress {
    pub peer: NodeId,
    pub next_index: u64,
    pub match_index: u64,
}

/// Everything the inspector shows of one node: its view, the last entries of its log, a
/// leader's progress per peer and its key-value state.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct NodeDetail {
    pub entries: Vec<EntryView>,
    pub progress: Vec<PeerProgress>,
    /// Value per key `0..keys` in its state machine (`None`: absent; empty while crashed).
    pub kv: Vec<Option<u64>>,
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
    /// Last index applied to its state machine (0 while crashed).
    pub applied: u64,
    /// Election timer: ticks since reset and the timeout at which it fires (0 while crashed).
    pub election_elapsed: u32,
    pub election_timeout: u32,
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
    /// Requests queued for the schedule's own client (0 for the others).
    pub queued: usize,
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
    /// Last entries of each node's log, by node id.
    pub logs: Vec<LogTail>,
    pub drop_permille: u32,
    pub duplicate_permille: u32,
    pub reorder_permille: u32,
    pub reorder_extra_ticks: u32,
    /// The node links' latency when every link has the same one.
    pub latency: Option<LatencySpec>,
    /// The schedule's own client (the visitor's), once it has joined.
    pub scheduled_client: Option<u8>,
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
            queued: c.requests.as_ref().map_or(0, |q| q.len()),
        }));
        out.logs.resize_with(self.replicas.len(), LogTail::default);
        for (i, tail) in out.logs.iter_mut().enumerate() {
            self.log_tail(i, tail);
        }
        out.drop_permille = self.net.drop_permille;
        out.reorder_permille = self.net.reorder_permille;
        out.reorder_extra_ticks = self.net.reorder_extra_ticks;
        out.latency = self.net.uniform_latency();
        out.scheduled_client = self.scheduled_client();
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
                        applied: st.applied,
                        election_elapsed: st.election_elapsed,
                        election_timeout: st.election_timeout,
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
                    applied: 0,
                    election_elapsed: 0,
                    election_timeout: 0,
                },
            }
        }));
    }

    /// The entries of node `i`'s log (its persisted log while crashed), oldest first.
    fn log_entries(&self, i: usize) -> &[Entry] {
        let r = &self.replicas[i];
        match &r.node {
            Some(n) => n.log().entries(),
            None => &r.storage.log,
        }
    }

    fn log_tail(&self, i: usize, out: &mut LogTail) {
        let entries = self.log_entries(i);
        let tail = &entries[entries.len().saturating_sub(MAX_LOG_TAIL)..];
        out.first = tail.first().map_or(0, |e| e.index);
        out.terms.clear();
        out.terms.extend(tail.iter().map(|e| e.term));
    }

    /// Fills `out` with node `node`'s detail (nothing for an unknown node).
    pub fn node_detail(&self, node: NodeId, out: &mut NodeDetail) {
        out.entries.clear();
        out.progress.clear();
        out.kv.clear();
        let Ok(i) = self.check_node(node) else {
            return;
        };
        let entries = self.log_entries(i);
        let tail = &entries[entries.len().saturating_sub(MAX_DETAIL_ENTRIES)..];
        out.entries.extend(tail.iter().map(|e| EntryView {
            index: e.index,
            term: e.term,
            cmd: e.cmd,
        }));
        if let Some(n) = &self.replicas[i].node {
            for peer in (0..self.cfg.nodes as NodeId).filter(|&p| p != node) {
                if let Some((next_index, match_index)) = n.progress(peer) {
                    out.progress.push(PeerProgress {
                        peer,
                        next_index,
                        match_index,
                    });
                }
            }
            let kv = &self.replicas[i].kv;
            out.kv.extend((0..self.cfg.keys).map(|k| kv.read_local(k)));
        }
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
                fields: fields_of(&ev.payload),
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

fn fields_of(p: &Payload) -> MsgFields {
    match p {
        Payload::Raft(m) => {
            let term = m.term;
            match &m.body {
                Body::PreVote {
                    last_index,
                    last_term,
                }
                | Body::Vote {
                    last_index,
                    last_term,
                } => MsgFields::Vote {
                    term,
                    last_log_index: *last_index,
                    last_log_term: *last_term,
                },
                Body::PreVoteResp { granted } | Body::VoteResp { granted } => {
                    MsgFields::VoteReply {
                        term,
                        vote_granted: *granted,
                    }
                }
                Body::Append {
                    prev_index,
                    prev_term,
                    commit,
                    entries,
                } => MsgFields::Append {
                    term,
                    prev_log_index: *prev_index,
                    prev_log_term: *prev_term,
                    leader_commit: *commit,
                    entries: entries.len(),
                    first_entry_term: entries.first().map_or(0, |e| e.term),
                    last_entry_term: entries.last().map_or(0, |e| e.term),
                },
                Body::AppendResp {
                    success,
                    index,
                    hint_index,
                    hint_term,
                } => MsgFields::AppendReply {
                    term,
                    success: *success,
                    index: *index,
                    conflict_index: *hint_index,
                    conflict_term: *hint_term,
                },
                Body::Snapshot { snapshot } => MsgFields::InstallSnapshot {
                    term,
                    last_included_index: snapshot.index,
                    last_included_term: snapshot.term,
                },
            }
        }
        Payload::Request { client, cmd, .. } => match *cmd {
            Command::Put { seq, key, .. } => MsgFields::ClientRequest {
                client: *client,
                op: OpKind::Put,
                key,
                seq,
            },
            Command::Get { seq, key, .. } => MsgFields::ClientRequest {
                client: *client,
                op: OpKind::Get,
                key,
                seq,
            },
            Command::Delete { seq, key, .. } => MsgFields::ClientRequest {
                client: *client,
                op: OpKind::Delete,
                key,
                seq,
            },
            _ => MsgFields::Other,
        },
        Payload::Reply {
            client,
            seq,
            result,
            ..
        } => {
            let (ok, value, leader_hint) = match *result {
                ReplyResult::Ok(v) => (true, v, None),
                ReplyResult::NotLeader(h) => (false, None, h),
            };
            MsgFields::ClientReply {
                client: *client,
                seq: *seq,
                ok,
                value,
                leader_hint,
            }
        }
    }
}
