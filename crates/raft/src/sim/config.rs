//! What a run is configured with (besides its fault schedule): cluster size and length,
//! timing, clients, checks, compaction, initial membership and the injected bugs.

use super::client::MAX_SIM_CLIENTS;
use crate::error::RaftError;
use crate::faults::LatencySpec;
use crate::linearizability::MAX_HISTORY_OPS;
use crate::message::NodeId;
use crate::node::{NodeConfig, MAX_NODES};
use serde::{Deserialize, Serialize};

/// Bugs that exist to prove the checkers can fail; off unless a test or `--inject-bug` asks.
/// They live in non-test builds because `raft-sweep`/`raft-sim --inject-bug` and the
/// integration tests in `tests/` (which link the library built without `cfg(test)`) are
/// where the checkers show that they catch them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum InjectedBug {
    /// Nodes grant a second vote in a term: breaks Election Safety.
    DoubleVote,
    /// A node that believes it is leader answers reads from its local state without
    /// confirming leadership: only the linearizability check sees it.
    StaleLocalRead,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SimConfig {
    pub seed: u64,
    pub nodes: usize,
    pub ticks: u64,
    pub clients: usize,
    /// Keys are drawn from `0..keys`; few keys make reads and writes contend.
    pub keys: u8,
    pub election_timeout_ticks: u32,
    pub heartbeat_interval_ticks: u32,
    pub pre_vote: bool,
    pub check_quorum: bool,
    /// Default latency of every link (the fault schedule may override it).
    pub latency: LatencySpec,
    pub client_think_max_ticks: u32,
    /// A client retries at another node after this long without a reply.
    pub client_attempt_timeout_ticks: u32,
    /// A client gives up on an operation after this long (recorded with `ret: null`).
    pub client_op_timeout_ticks: u32,
    /// Bound on operations per client; keeps the checked history bounded.
    pub max_ops_per_client: u32,
    pub check_linearizability: bool,
    /// Compact a node's log into a snapshot every this many applied entries (0 = never).
    pub snapshot_every_entries: u64,
    /// Nodes `0..initial_voters` start as voters, the rest as learners (0 = all voters).
    pub initial_voters: usize,
    /// Off in every real run: see [`InjectedBug`].
    pub injected_bug: Option<InjectedBug>,
}

impl Default for SimConfig {
    fn default() -> Self {
        SimConfig {
            seed: 1,
            nodes: 5,
            ticks: 2000,
            clients: 3,
            keys: 4,
            election_timeout_ticks: 20,
            heartbeat_interval_ticks: 3,
            pre_vote: true,
            check_quorum: true,
            latency: LatencySpec::default(),
            client_think_max_ticks: 8,
            client_attempt_timeout_ticks: 25,
            client_op_timeout_ticks: 200,
            max_ops_per_client: 1000,
            check_linearizability: true,
            snapshot_every_entries: 0,
            initial_voters: 0,
            injected_bug: None,
        }
    }
}

impl SimConfig {
    pub fn validate(&self) -> Result<(), RaftError> {
        let bad = |s: String| Err(RaftError::InvalidConfig(s));
        if self.nodes == 0 || self.nodes > MAX_NODES {
            return bad(format!("nodes must be in 1..={MAX_NODES}"));
        }
        if self.clients > MAX_SIM_CLIENTS {
            return bad(format!("clients must be <= {MAX_SIM_CLIENTS}"));
        }
        if self.keys == 0 {
            return bad("keys must be >= 1".into());
        }
        if self
            .clients
            .checked_mul(self.max_ops_per_client as usize)
            .is_none_or(|ops| ops > MAX_HISTORY_OPS)
        {
            return bad(format!(
                "clients * max_ops_per_client must be <= {MAX_HISTORY_OPS}"
            ));
        }
        if self.client_attempt_timeout_ticks == 0
            || self.client_op_timeout_ticks < self.client_attempt_timeout_ticks
            || self.client_think_max_ticks == 0
        {
            return bad("client timeouts and think time must be positive".into());
        }
        self.latency.validate()?;
        self.node_config(0).validate()
    }

    pub(super) fn node_config(&self, id: NodeId) -> NodeConfig {
        let mut c = NodeConfig::new(id, self.nodes);
        c.election_timeout_ticks = self.election_timeout_ticks;
        c.heartbeat_interval_ticks = self.heartbeat_interval_ticks;
        c.pre_vote = self.pre_vote;
        c.check_quorum = self.check_quorum;
        c.bug_double_vote = self.injected_bug == Some(InjectedBug::DoubleVote);
        if self.initial_voters > 0 {
            c.initial_voters = ((1u32 << self.initial_voters.min(self.nodes)) - 1) as u16;
        }
        c
    }
}
