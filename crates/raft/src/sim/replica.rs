//! One simulated server: the Raft node (absent while crashed), its stable storage, its KV
//! state machine and the client requests waiting for their entry to apply. `process_ready`
//! is the pipeline every node output goes through, in the order Raft requires: persist
//! (checked as it is written), then commit and apply, then send.

use super::network::{Payload, ReplyResult};
use super::storage::Storage;
use super::{InjectedBug, Simulation};
use crate::checker::{Finding, LeaderLog, LogView, ViolationKind};
use crate::error::RaftError;
use crate::kv::KvStore;
use crate::message::{Command, Entry, NodeId};
use crate::node::{Node, Role, MAX_NODES};
use crate::trace::TraceEvent;
use std::collections::VecDeque;

/// Bound on client requests a node tracks for replying after apply.
pub const MAX_PENDING_PER_NODE: usize = 1024;

/// A client request a node appended at `index`; the reply goes out when it applies.
#[derive(Clone, Copy, Debug)]
pub(super) struct PendingReply {
    index: u64,
    client: u8,
    seq: u32,
}

pub(super) struct Replica {
    pub(super) node: Option<Node>,
    pub(super) storage: Storage,
    pub(super) kv: KvStore,
    /// In index order; at most [`MAX_PENDING_PER_NODE`].
    pending: VecDeque<PendingReply>,
    /// The term this node leads, as last seen in its output (`None` when not leader).
    pub(super) leader_term: Option<u64>,
    /// The commit index last seen in its output.
    pub(super) commit: u64,
}

impl Replica {
    pub(super) fn new(node: Node) -> Self {
        Replica {
            node: Some(node),
            storage: Storage::default(),
            kv: KvStore::default(),
            pending: VecDeque::new(),
            leader_term: None,
            commit: 0,
        }
    }

    /// A crash: the node and everything volatile go; storage stays.
    pub(super) fn crash(&mut self) -> bool {
        if self.node.take().is_none() {
            return false;
        }
        self.kv = KvStore::default();
        self.pending.clear();
        self.leader_term = None;
        true
    }

    fn drop_pending_through(&mut self, index: u64) {
        while self.pending.front().is_some_and(|p| p.index <= index) {
            self.pending.pop_front();
        }
    }

    /// The pending request at `index`, if any, after dropping those before it (their
    /// entries were overwritten, so they will never apply).
    fn take_pending_at(&mut self, index: u64) -> Option<PendingReply> {
        self.drop_pending_through(index.saturating_sub(1));
        if self.pending.front()?.index == index {
            self.pending.pop_front()
        } else {
            None
        }
    }
}

impl Simulation {
    pub(super) fn process_ready(&mut self, i: usize) {
        let mut ready = std::mem::take(&mut self.ready);
        let (term, role, commit) = {
            let Some(node) = self.replicas[i].node.as_mut() else {
                self.ready = ready;
                return;
            };
            if !node.has_ready() {
                self.ready = ready;
                return;
            }
            node.ready(&mut ready);
            (node.term(), node.role(), node.commit())
        };
        let id = i as NodeId;

        // Persist before anything is sent: an installed snapshot first, then entries.
        if let Some(snap) = ready.snapshot.take() {
            if let Err(f) = self.checker.on_snapshot(id, snap.index, snap.term) {
                self.fail(f);
            }
            match KvStore::decode_snapshot(&snap.data) {
                Ok(kv) => self.replicas[i].kv = kv,
                Err(e) => self.fail(Finding::new(
                    ViolationKind::StateMachineSafety,
                    e.to_string(),
                )),
            }
            let (index, term) = (snap.index, snap.term);
            let replica = &mut self.replicas[i];
            replica.drop_pending_through(index);
            replica.storage.store_snapshot(snap);
            self.stats.snapshots_installed += 1;
            self.trace_event(TraceEvent::Snapshot {
                t: self.now,
                node: id,
                index,
                term,
                installed: true,
            });
        }
        if !ready.entries.is_empty() {
            let replica = &self.replicas[i];
            let leader_same_term = role == Role::Leader && replica.leader_term == Some(term);
            let first = ready.entries_first_index;
            if let Err(f) = self.checker.on_persist(
                id,
                leader_same_term,
                replica.storage.view(),
                first,
                &ready.entries,
            ) {
                self.fail(f);
            }
            self.replicas[i]
                .storage
                .persist_entries(first, &ready.entries);
            if role == Role::Leader {
                for e in ready.entries.iter().filter(|e| e.term == term) {
                    self.latency.proposed(e.index, e.term, self.now);
                }
            }
        }
        if let Some(hs) = ready.hard_state {
            self.replicas[i].storage.hard = hs;
        }
        if let Some(ss) = ready.soft_state {
            if ss.role == Role::Leader {
                if self.replicas[i].leader_term != Some(term) {
                    self.replicas[i].leader_term = Some(term);
                    self.stats.leader_changes += 1;
                    self.trace_event(TraceEvent::Leader {
                        t: self.now,
                        node: id,
                        term,
                    });
                    let log = self.replicas[i].storage.view();
                    if let Err(f) = self.checker.on_leader(id, term, log) {
                        self.fail(f);
                    }
                }
            } else {
                self.replicas[i].leader_term = None;
            }
        }
        if commit > self.replicas[i].commit {
            self.observe_commit(i, term, commit);
        }
        for k in 0..ready.committed_entries.len() {
            let e = ready.committed_entries[k];
            self.apply_entry(i, &e);
        }
        self.maybe_compact(i);
        for m in ready.messages.drain(..) {
            let latency = self.net.link_latency(m.from, m.to);
            self.send(latency, Payload::Raft(m));
        }
        self.ready = ready;
    }

    /// Compacts a node's log into a snapshot once enough applied entries have accumulated.
    fn maybe_compact(&mut self, i: usize) {
        let every = self.cfg.snapshot_every_entries;
        let replica = &mut self.replicas[i];
        let Some(node) = replica.node.as_mut() else {
            return;
        };
        if every == 0 || node.applied() < node.log().offset() + every {
            return;
        }
        let data: std::sync::Arc<[u8]> = replica.kv.encode_snapshot().into();
        let Ok(snap) = node.compact(node.applied(), data) else {
            return;
        };
        let (index, term) = (snap.index, snap.term);
        replica.storage.store_snapshot(snap);
        self.stats.snapshots_compacted += 1;
        if let Err(f) = self.checker.on_snapshot(i as NodeId, index, term) {
            self.fail(f);
        }
        self.trace_event(TraceEvent::Snapshot {
            t: self.now,
            node: i as u8,
            index,
            term,
            installed: false,
        });
    }

    fn observe_commit(&mut self, i: usize, term: u64, commit: u64) {
        let old = self.replicas[i].commit;
        let before = self.checker.committed_len();
        let entry_term = self.replicas[i].storage.view().term(commit).unwrap_or(0);
        self.trace_event(TraceEvent::Commit {
            t: self.now,
            node: i as u8,
            index: commit,
            term: entry_term,
        });
        let mut leaders = [LeaderLog {
            node: 0,
            term: 0,
            log: LogView::full(&[]),
        }; MAX_NODES];
        let mut nl = 0;
        for (j, r) in self.replicas.iter().enumerate() {
            if let (Some(term), Some(_)) = (r.leader_term, r.node.as_ref()) {
                leaders[nl] = LeaderLog {
                    node: j as NodeId,
                    term,
                    log: r.storage.view(),
                };
                nl += 1;
            }
        }
        let res = self.checker.on_commit(
            i as NodeId,
            term,
            old,
            commit,
            self.replicas[i].storage.view(),
            &leaders[..nl],
        );
        if let Err(f) = res {
            self.fail(f);
        }
        self.replicas[i].commit = commit;
        let after = self.checker.committed_len();
        for idx in before + 1..=after {
            if let Some(e) = self.replicas[i].storage.view().get(idx) {
                self.latency.committed(idx, e.term, self.now);
            }
        }
        self.stats.entries_committed = after;
    }

    fn apply_entry(&mut self, i: usize, e: &Entry) {
        if let Err(f) = self.checker.on_apply(i as NodeId, e) {
            self.fail(f);
        }
        self.trace_event(TraceEvent::Apply {
            t: self.now,
            node: i as u8,
            index: e.index,
            term: e.term,
            cmd: e.cmd,
        });
        let replica = &mut self.replicas[i];
        let reply = replica.kv.apply(&e.cmd);
        if let Some(p) = replica.take_pending_at(e.index) {
            if let Some(r) = reply.filter(|r| r.client == p.client && r.seq == p.seq) {
                let payload = Payload::Reply {
                    client: p.client,
                    node: i as u8,
                    seq: p.seq,
                    result: ReplyResult::Ok(r.value),
                };
                self.send_client(payload);
            }
        }
    }

    /// A client request reaching a live node: the leader appends it and answers once it
    /// applies; anyone else redirects at once.
    pub(super) fn handle_request(&mut self, client: u8, node: NodeId, cmd: Command) {
        let i = node as usize;
        let seq = cmd.origin().map_or(0, |(_, s)| s);
        let Some(n) = self.replicas[i].node.as_mut() else {
            return;
        };
        if let (Some(InjectedBug::StaleLocalRead), Command::Get { key, .. }) =
            (self.cfg.injected_bug, cmd)
        {
            if n.is_leader() {
                let v = self.replicas[i].kv.read_local(key);
                let payload = Payload::Reply {
                    client,
                    node,
                    seq,
                    result: ReplyResult::Ok(v),
                };
                self.send_client(payload);
                return;
            }
        }
        let result = match n.propose(cmd) {
            Ok(index) => {
                let replica = &mut self.replicas[i];
                if replica.pending.len() < MAX_PENDING_PER_NODE {
                    replica
                        .pending
                        .push_back(PendingReply { index, client, seq });
                }
                None
            }
            Err(RaftError::NotLeader { leader_hint }) => Some(ReplyResult::NotLeader(leader_hint)),
            Err(_) => Some(ReplyResult::NotLeader(None)),
        };
        self.process_ready(i);
        if let Some(result) = result {
            self.send_client(Payload::Reply {
                client,
                node,
                seq,
                result,
            });
        }
    }
}
