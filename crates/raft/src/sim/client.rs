//! Closed-loop KV clients: each thinks, issues one put/get/delete at the node it believes
//! leads, follows redirects, retries at the next node after an attempt timeout and gives up
//! after an operation timeout. Every finished or abandoned operation enters the history the
//! linearizability checker reads.

use super::network::{Payload, ReplyResult};
use super::Simulation;
use crate::error::RaftError;
use crate::kv::{OpKind, MAX_CLIENTS};
use crate::linearizability::{Operation, MAX_HISTORY_OPS};
use crate::message::{Command, NodeId};
use crate::trace::TraceEvent;
use deterministic::SplitMix64;
use std::collections::VecDeque;

/// Bound on simulated clients (the configured ones and the schedule's own).
pub const MAX_SIM_CLIENTS: usize = 16;
/// Bound on the schedule's requests waiting for its client to issue them; more are refused.
pub const MAX_QUEUED_REQUESTS: usize = 64;

const _: () = assert!(MAX_SIM_CLIENTS <= MAX_CLIENTS);

/// The operation a client waits on.
#[derive(Clone, Copy, Debug)]
pub(super) struct PendingOp {
    pub(super) cmd: Command,
    pub(super) kind: OpKind,
    pub(super) key: u8,
    /// The value written (puts only).
    pub(super) value: Option<u64>,
    /// Tick the operation was issued.
    pub(super) call: u64,
    /// Node the next attempt goes to.
    pub(super) target: NodeId,
    pub(super) attempt_deadline: u64,
    pub(super) op_deadline: u64,
}

#[derive(Clone, Copy, Debug)]
pub(super) enum ClientState {
    Idle,
    Waiting(PendingOp),
    Finished,
}

pub(super) struct Client {
    pub(super) id: u8,
    rng: SplitMix64,
    seq: u32,
    pub(super) leader_guess: NodeId,
    pub(super) state: ClientState,
    next_action: u64,
    pub(super) ops_started: u32,
    /// The schedule's own client issues only what `FaultAction::Request` queued, in order,
    /// one at a time; `None` for the configured, closed-loop clients.
    pub(super) requests: Option<VecDeque<(OpKind, u8)>>,
}

impl Client {
    /// A client with its own stream: a first guess at the leader and a first think time.
    pub(super) fn new(id: u8, mut rng: SplitMix64, nodes: usize, think_max_ticks: u32) -> Self {
        let leader_guess = rng.below_unbiased(nodes as u64) as NodeId;
        let next_action = 1 + rng.below_unbiased(think_max_ticks as u64);
        Client {
            id,
            rng,
            seq: 0,
            leader_guess,
            state: ClientState::Idle,
            next_action,
            ops_started: 0,
            requests: None,
        }
    }

    /// The schedule's own client: it draws nothing (so adding it changes no other stream),
    /// first tries node 0 and issues a queued request on the tick after the last one ends.
    pub(super) fn scheduled(id: u8) -> Self {
        Client {
            id,
            rng: SplitMix64::new(0),
            seq: 0,
            leader_guess: 0,
            state: ClientState::Idle,
            next_action: 0,
            ops_started: 0,
            requests: Some(VecDeque::new()),
        }
    }

    fn think(&mut self, now: u64, think_max_ticks: u32) {
        self.state = ClientState::Idle;
        self.next_action = match self.requests {
            Some(_) => now + 1,
            None => now + 1 + self.rng.below_unbiased(think_max_ticks as u64),
        };
    }

    /// The next operation: the queued one for the schedule's client, a random one otherwise.
    fn next_op(&mut self, keys: u8) -> Option<(OpKind, u8)> {
        match &mut self.requests {
            Some(queue) => queue.pop_front(),
            None => {
                let key = self.rng.below_unbiased(keys as u64) as u8;
                let r = self.rng.below_unbiased(100);
                let kind = if r < 40 {
                    OpKind::Put
                } else if r < 85 {
                    OpKind::Get
                } else {
                    OpKind::Delete
                };
                Some((kind, key))
            }
        }
    }
}

impl Simulation {
    /// Queues a request for the schedule's own client, which joins the run on its first
    /// request (after the configured clients, so their ids and streams are unchanged).
    pub fn request(&mut self, op: OpKind, key: u8) -> Result<(), RaftError> {
        self.check_request(key)?;
        let id = self.cfg.clients;
        if self.clients.len() == id {
            self.clients.push(Client::scheduled(id as u8));
        }
        if let Some(q) = self.clients[id].requests.as_mut() {
            q.push_back((op, key));
        }
        Ok(())
    }

    /// Whether [`Simulation::request`] would take a request for `key` now.
    pub(super) fn check_request(&self, key: u8) -> Result<(), RaftError> {
        if key >= self.cfg.keys {
            return Err(RaftError::InvalidConfig(format!(
                "key {key} outside 0..{}",
                self.cfg.keys
            )));
        }
        let id = self.cfg.clients;
        let ops = (id + 1) * self.cfg.max_ops_per_client as usize;
        if id >= MAX_SIM_CLIENTS || ops > MAX_HISTORY_OPS {
            return Err(RaftError::InvalidConfig(format!(
                "no room for the schedule's client: clients must be < {MAX_SIM_CLIENTS} \
                 and (clients + 1) * max_ops_per_client <= {MAX_HISTORY_OPS}"
            )));
        }
        let queued = self
            .clients
            .get(id)
            .and_then(|c| c.requests.as_ref())
            .map_or(0, |q| q.len());
        if queued >= MAX_QUEUED_REQUESTS {
            return Err(RaftError::InvalidConfig(format!(
                "more than {MAX_QUEUED_REQUESTS} requests waiting"
            )));
        }
        Ok(())
    }

    /// The id of the schedule's own client, once it has joined.
    pub fn scheduled_client(&self) -> Option<u8> {
        let id = self.cfg.clients;
        (self.clients.len() > id).then_some(id as u8)
    }

    pub(super) fn client_tick(&mut self, ci: usize) {
        let now = self.now;
        let n = self.cfg.nodes as u64;
        let c = &mut self.clients[ci];
        match c.state {
            ClientState::Finished => {}
            ClientState::Idle => {
                if now < c.next_action {
                    return;
                }
                if c.ops_started >= self.cfg.max_ops_per_client {
                    c.state = ClientState::Finished;
                    return;
                }
                let Some((kind, key)) = c.next_op(self.cfg.keys) else {
                    return;
                };
                c.ops_started += 1;
                c.seq += 1;
                let (client, seq) = (c.id, c.seq);
                let (cmd, value) = match kind {
                    OpKind::Put => {
                        let value = (client as u64 + 1) * 1_000_000 + seq as u64;
                        let cmd = Command::Put {
                            client,
                            seq,
                            key,
                            value,
                        };
                        (cmd, Some(value))
                    }
                    OpKind::Get => (Command::Get { client, seq, key }, None),
                    OpKind::Delete => (Command::Delete { client, seq, key }, None),
                };
                let target = c.leader_guess;
                c.state = ClientState::Waiting(PendingOp {
                    cmd,
                    kind,
                    key,
                    value,
                    call: now,
                    target: ((target as u64 + 1) % n) as u8,
                    attempt_deadline: now + self.cfg.client_attempt_timeout_ticks as u64,
                    op_deadline: now + self.cfg.client_op_timeout_ticks as u64,
                });
                self.stats.steps += 1;
                self.send_client(Payload::Request {
                    client,
                    node: target,
                    cmd,
                });
            }
            ClientState::Waiting(mut w) => {
                if now >= w.op_deadline {
                    c.think(now, self.cfg.client_think_max_ticks);
                    let client = c.id;
                    self.stats.steps += 1;
                    self.complete_op(client, w, w.written(), None);
                } else if now >= w.attempt_deadline {
                    let target = w.target;
                    w.target = ((target as u64 + 1) % n) as u8;
                    w.attempt_deadline = now + self.cfg.client_attempt_timeout_ticks as u64;
                    c.state = ClientState::Waiting(w);
                    let client = c.id;
                    self.stats.steps += 1;
                    self.send_client(Payload::Request {
                        client,
                        node: target,
                        cmd: w.cmd,
                    });
                }
            }
        }
    }

    pub(super) fn handle_reply(&mut self, client: u8, node: NodeId, seq: u32, result: ReplyResult) {
        let n = self.cfg.nodes as u64;
        let now = self.now;
        let c = &mut self.clients[client as usize];
        let ClientState::Waiting(mut w) = c.state else {
            return;
        };
        if seq != c.seq {
            return;
        }
        match result {
            ReplyResult::Ok(v) => {
                let value = match w.kind {
                    OpKind::Put => w.value,
                    OpKind::Get => v,
                    OpKind::Delete => None,
                };
                c.leader_guess = node;
                c.think(now, self.cfg.client_think_max_ticks);
                self.complete_op(client, w, value, Some(now));
            }
            ReplyResult::NotLeader(hint) => {
                let next = hint.unwrap_or(((node as u64 + 1) % n) as u8);
                c.leader_guess = next;
                w.target = next;
                w.attempt_deadline = now + 1;
                c.state = ClientState::Waiting(w);
            }
        }
    }

    /// Operations still outstanding when the run ends may or may not have taken effect:
    /// they are recorded as abandoned, so the history (and the trace) explains every applied
    /// write.
    pub(super) fn abandon_outstanding_ops(&mut self) {
        for ci in 0..self.clients.len() {
            if let ClientState::Waiting(w) = self.clients[ci].state {
                self.clients[ci].state = ClientState::Finished;
                self.complete_op(ci as u8, w, w.written(), None);
            }
        }
    }

    /// Records a finished (`ret` = reply tick) or abandoned (`ret` = `None`) operation.
    fn complete_op(&mut self, client: u8, w: PendingOp, value: Option<u64>, ret: Option<u64>) {
        if ret.is_some() {
            self.stats.client_ok += 1;
        } else {
            self.stats.client_abandoned += 1;
        }
        self.history.push(Operation {
            client,
            kind: w.kind,
            key: w.key,
            value,
            call: w.call,
            ret,
        });
        self.trace_event(TraceEvent::Client {
            t: self.now,
            client,
            op: w.kind,
            key: w.key,
            value,
            call: w.call,
            ret,
        });
    }
}

impl PendingOp {
    /// What an abandoned operation may have written: its value for a put, nothing otherwise.
    fn written(&self) -> Option<u64> {
        if self.kind == OpKind::Put {
            self.value
        } else {
            None
        }
    }
}
