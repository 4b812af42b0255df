//! What a fault schedule or the lab does to a running cluster: crash and restart nodes, cut
//! and heal links, change the loss and duplication rates, propose commands and membership
//! changes. Every call checks its node ids and rates and returns a typed error.

use super::Simulation;
use crate::error::RaftError;
use crate::faults::{
    FaultAction, FaultEvent, FaultSchedule, LatencySpec, MAX_LATENCY_TICKS, PERMILLE,
};
use crate::kv::KvStore;
use crate::message::{Command, NodeId};
use crate::node::{Node, MAX_NODES};
use crate::trace::TraceEvent;

/// What [`Simulation::inject`] recorded, and whether the cluster refused it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Injected {
    pub event: FaultEvent,
    pub refused: Option<RaftError>,
}

impl Simulation {
    pub fn apply_fault(&mut self, action: &FaultAction) -> Result<(), RaftError> {
        match action {
            FaultAction::Crash { node } => self.crash(*node),
            FaultAction::Restart { node } => self.restart(*node),
            FaultAction::Partition { groups } => self.partition(groups),
            FaultAction::Heal => {
                self.heal();
                Ok(())
            }
            FaultAction::BlockLink { from, to } => self.block_link(*from, *to),
            FaultAction::UnblockLink { from, to } => self.unblock_link(*from, *to),
            FaultAction::SetDrop { permille } => self.set_drop_permille(*permille),
            FaultAction::SetDuplicate { permille } => self.set_duplicate_permille(*permille),
            FaultAction::AddVoter { node } => self
                .change_membership(Command::AddVoter { node: *node })
                .map(|_| ()),
            FaultAction::RemoveVoter { node } => self
                .change_membership(Command::RemoveVoter { node: *node })
                .map(|_| ()),
            FaultAction::TimeoutNow { node } => self.timeout_now(*node),
            FaultAction::SetReorder {
                permille,
                extra_ticks,
            } => self.set_reorder(*permille, *extra_ticks),
            FaultAction::SetLatency {
                min_ticks,
                max_ticks,
            } => self.set_latency(LatencySpec::uniform(*min_ticks, *max_ticks)),
            FaultAction::Request { op, key } => self.request(*op, *key),
        }
    }

    /// Applies `action` now, as a schedule event at the current tick would be, and records it
    /// in the run's schedule so a fresh run of [`Simulation::schedule`] replays it exactly:
    /// it goes before any event still due at this tick (this tick's scheduled events run
    /// when it is stepped, after this one). Events after this tick stay.
    ///
    /// An action the schedule could not hold (a node outside the cluster, a bad rate, a
    /// request the run has no room for) is an error and changes nothing. One the cluster
    /// refuses (a membership change with no leader) is recorded all the same, as a scheduled
    /// event would be, and the refusal is returned in [`Injected::refused`].
    pub fn inject(&mut self, action: FaultAction) -> Result<Injected, RaftError> {
        let event = FaultEvent {
            at: self.now,
            action,
        };
        let check = FaultSchedule {
            events: vec![event.clone()],
            ..FaultSchedule::default()
        };
        check.validate(self.cfg.nodes)?;
        self.faults.check_room()?;
        if let FaultAction::Request { key, .. } = event.action {
            self.check_request(key)?;
        }
        self.stats.steps += 1;
        let refused = self.apply_fault(&event.action).err();
        self.faults.insert_now(event.clone());
        Ok(Injected { event, refused })
    }

    /// Removes every schedule event after the current tick (the lab's "act in the past":
    /// the old future is dropped before the new action is recorded).
    pub fn drop_events_after_now(&mut self) {
        let now = self.now;
        self.faults.schedule.events.retain(|e| e.at <= now);
    }

    /// The run's schedule as a fresh run needs it: the initial rates and links, and every
    /// event, those injected included, in the order they apply.
    pub fn schedule(&self) -> &FaultSchedule {
        &self.faults.schedule
    }

    /// `node`'s election timer fires now (ignored by a leader, a learner or a crashed node).
    pub fn timeout_now(&mut self, node: NodeId) -> Result<(), RaftError> {
        let i = self.check_node(node)?;
        if let Some(n) = self.replicas[i].node.as_mut() {
            n.timeout_now();
            self.process_ready(i);
        }
        Ok(())
    }

    pub fn set_reorder(&mut self, permille: u32, extra_ticks: u32) -> Result<(), RaftError> {
        if permille > PERMILLE || extra_ticks > MAX_LATENCY_TICKS / 2 {
            return Err(RaftError::InvalidConfig(format!(
                "reorder needs permille <= 1000 and extra_ticks <= {}",
                MAX_LATENCY_TICKS / 2
            )));
        }
        self.net.reorder_permille = permille;
        self.net.reorder_extra_ticks = extra_ticks;
        Ok(())
    }

    /// Gives every node-to-node link (per-link overrides included) and the client links
    /// `latency`.
    pub fn set_latency(&mut self, latency: LatencySpec) -> Result<(), RaftError> {
        latency.validate()?;
        self.net.set_latency(latency);
        Ok(())
    }

    /// Proposes a single-server membership change at the current leader (the live leader of
    /// the highest term). Refusals are counted in `conf_changes_rejected` and returned.
    pub fn change_membership(&mut self, cmd: Command) -> Result<u64, RaftError> {
        let node = match cmd {
            Command::AddVoter { node } | Command::RemoveVoter { node } => node,
            _ => {
                return Err(RaftError::ConfChangeRejected(
                    "not a membership change".into(),
                ))
            }
        };
        self.check_node(node)?;
        let leader = self
            .replicas
            .iter()
            .enumerate()
            .filter_map(|(i, r)| {
                r.node
                    .as_ref()
                    .filter(|n| n.is_leader())
                    .map(|n| (n.term(), i))
            })
            .max();
        let result = match leader {
            Some((_, i)) => self.propose(i as u8, cmd),
            None => Err(RaftError::NotLeader { leader_hint: None }),
        };
        let accepted = result.is_ok();
        if accepted {
            self.stats.conf_changes += 1;
        } else {
            self.stats.conf_changes_rejected += 1;
        }
        self.trace_event(TraceEvent::Membership {
            t: self.now,
            cmd,
            accepted,
        });
        result
    }

    pub(super) fn check_node(&self, node: NodeId) -> Result<usize, RaftError> {
        if (node as usize) < self.cfg.nodes {
            Ok(node as usize)
        } else {
            Err(RaftError::UnknownNode(node))
        }
    }

    /// Crashes a node: volatile state (role, commit knowledge beyond persisted, state
    /// machine, pending client requests) is lost; persisted term, vote and log survive.
    pub fn crash(&mut self, node: NodeId) -> Result<(), RaftError> {
        let i = self.check_node(node)?;
        if self.replicas[i].crash() {
            self.stats.crashes += 1;
            self.trace_event(TraceEvent::Crash { t: self.now, node });
        }
        Ok(())
    }

    /// Restarts a crashed node from its storage (a no-op for a live node).
    pub fn restart(&mut self, node: NodeId) -> Result<(), RaftError> {
        let i = self.check_node(node)?;
        if self.replicas[i].node.is_some() {
            return Ok(());
        }
        let cfg = self.cfg.node_config(node);
        let rng = self.rng.fork();
        let r = &mut self.replicas[i];
        let s = &r.storage;
        let n = Node::restart_with_snapshot(cfg, s.hard, s.snapshot.clone(), &s.log, rng)?;
        r.kv = match &s.snapshot {
            Some(snap) => KvStore::decode_snapshot(&snap.data)?,
            None => KvStore::default(),
        };
        r.commit = n.commit();
        r.node = Some(n);
        self.stats.restarts += 1;
        self.trace_event(TraceEvent::Restart { t: self.now, node });
        self.process_ready(i);
        Ok(())
    }

    /// Cuts every link between different groups; unlisted nodes form one more group.
    pub fn partition(&mut self, groups: &[Vec<NodeId>]) -> Result<(), RaftError> {
        let n = self.cfg.nodes;
        let mut group_of = [groups.len(); MAX_NODES];
        for (g, members) in groups.iter().enumerate() {
            for &m in members {
                group_of[self.check_node(m)?] = g;
            }
        }
        for a in 0..n {
            let mut mask = 0u16;
            for b in 0..n {
                if group_of[a] != group_of[b] {
                    mask |= 1 << b;
                }
            }
            self.net.blocked[a] = mask;
        }
        self.stats.partitions += 1;
        self.trace_event(TraceEvent::Partition {
            t: self.now,
            groups: groups.to_vec(),
        });
        Ok(())
    }

    /// Restores every node-to-node link.
    pub fn heal(&mut self) {
        self.net.blocked = [0; MAX_NODES];
        self.trace_event(TraceEvent::Heal { t: self.now });
    }

    /// Cuts only the directed link `from -> to`.
    pub fn block_link(&mut self, from: NodeId, to: NodeId) -> Result<(), RaftError> {
        let (f, t) = (self.check_node(from)?, self.check_node(to)?);
        self.net.blocked[f] |= 1 << t;
        self.stats.partitions += 1;
        self.trace_event(TraceEvent::BlockLink {
            t: self.now,
            from,
            to,
        });
        Ok(())
    }

    pub fn unblock_link(&mut self, from: NodeId, to: NodeId) -> Result<(), RaftError> {
        let (f, t) = (self.check_node(from)?, self.check_node(to)?);
        self.net.blocked[f] &= !(1 << t);
        self.trace_event(TraceEvent::UnblockLink {
            t: self.now,
            from,
            to,
        });
        Ok(())
    }

    pub fn set_drop_permille(&mut self, permille: u32) -> Result<(), RaftError> {
        if permille > PERMILLE {
            return Err(RaftError::InvalidConfig("drop_permille > 1000".into()));
        }
        self.net.drop_permille = permille;
        Ok(())
    }

    pub fn set_duplicate_permille(&mut self, permille: u32) -> Result<(), RaftError> {
        if permille > PERMILLE {
            return Err(RaftError::InvalidConfig("duplicate_permille > 1000".into()));
        }
        self.net.duplicate_permille = permille;
        Ok(())
    }

    /// Proposes a command directly at a node (for the lab); errors if it is down or not leader.
    pub fn propose(&mut self, node: NodeId, cmd: Command) -> Result<u64, RaftError> {
        let i = self.check_node(node)?;
        let Some(n) = self.replicas[i].node.as_mut() else {
            return Err(RaftError::NotLeader { leader_hint: None });
        };
        let idx = n.propose(cmd)?;
        self.process_ready(i);
        Ok(idx)
    }
}
