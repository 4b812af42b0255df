//! A node's static configuration: identity, cluster size, timing, the protocol options and
//! the bounds on what one node holds and sends.

use super::MAX_NODES;
use crate::error::RaftError;
use crate::log::DEFAULT_MAX_LOG_ENTRIES;
use crate::message::NodeId;
use serde::{Deserialize, Serialize};

/// Bound on the base election timeout: a node draws its timeout from `[base, 2*base)`, which
/// must fit the `u32` the timer counts in (and no useful run waits a million ticks to elect).
pub const MAX_ELECTION_TIMEOUT_TICKS: u32 = 1_000_000;

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct NodeConfig {
    pub id: NodeId,
    pub cluster_size: usize,
    /// Base election timeout; each node draws its timeout from `[base, 2*base)`.
    pub election_timeout_ticks: u32,
    pub heartbeat_interval_ticks: u32,
    pub pre_vote: bool,
    pub check_quorum: bool,
    /// Bound on entries carried by one AppendEntries.
    pub max_entries_per_append: usize,
    /// Bound on entries held in memory after the last snapshot.
    pub max_log_entries: usize,
    /// Voters at the start (bitmask over node ids; 0 means every node of the cluster).
    /// Other nodes are learners until a membership change adds them.
    #[serde(default)]
    pub initial_voters: u16,
    /// Injected bug: grant votes even after voting for someone else this term. It exists
    /// outside `cfg(test)` because the checkers' own demonstrations run in non-test builds of
    /// this library (`raft-sweep --inject-bug double-vote`, the integration tests in
    /// `tests/`); it is crate-private and never deserialized, so only
    /// `SimConfig::injected_bug` can turn it on.
    #[serde(skip)]
    pub(crate) bug_double_vote: bool,
}

impl NodeConfig {
    pub fn new(id: NodeId, cluster_size: usize) -> Self {
        NodeConfig {
            id,
            cluster_size,
            election_timeout_ticks: 20,
            heartbeat_interval_ticks: 3,
            pre_vote: true,
            check_quorum: true,
            max_entries_per_append: 64,
            max_log_entries: DEFAULT_MAX_LOG_ENTRIES,
            initial_voters: 0,
            bug_double_vote: false,
        }
    }

    /// The initial voter bitmask with 0 resolved to "all nodes".
    pub fn voters(&self) -> u16 {
        let all = ((1u32 << self.cluster_size.min(MAX_NODES)) - 1) as u16;
        if self.initial_voters == 0 {
            all
        } else {
            self.initial_voters & all
        }
    }

    pub fn validate(&self) -> Result<(), RaftError> {
        if self.cluster_size == 0 || self.cluster_size > MAX_NODES {
            return Err(RaftError::InvalidConfig(format!(
                "cluster_size {} not in 1..={MAX_NODES}",
                self.cluster_size
            )));
        }
        if self.id as usize >= self.cluster_size {
            return Err(RaftError::InvalidConfig(format!(
                "id {} >= cluster_size {}",
                self.id, self.cluster_size
            )));
        }
        if self.heartbeat_interval_ticks == 0
            || self.election_timeout_ticks <= self.heartbeat_interval_ticks
        {
            return Err(RaftError::InvalidConfig(
                "need 0 < heartbeat_interval_ticks < election_timeout_ticks".into(),
            ));
        }
        if self.election_timeout_ticks > MAX_ELECTION_TIMEOUT_TICKS {
            return Err(RaftError::InvalidConfig(format!(
                "election_timeout_ticks {} > {MAX_ELECTION_TIMEOUT_TICKS}",
                self.election_timeout_ticks
            )));
        }
        if self.initial_voters != 0 && self.voters() == 0 {
            return Err(RaftError::InvalidConfig(
                "initial_voters names no node".into(),
            ));
        }
        if self.max_entries_per_append == 0 || self.max_log_entries == 0 {
            return Err(RaftError::InvalidConfig(
                "max_entries_per_append and max_log_entries must be > 0".into(),
            ));
        }
        Ok(())
    }
}
