//! Typed errors for every fallible entry point of the engine and simulator, so no input can panic.

use std::fmt;

/// Everything that can go wrong when driving a node or a simulation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RaftError {
    /// A configuration value is out of its documented range.
    InvalidConfig(String),
    /// A message names a node outside the cluster or is addressed to another node.
    InvalidMessage(String),
    /// `propose` on a node that is not the leader; carries the node's best guess of the leader.
    NotLeader { leader_hint: Option<u8> },
    /// The bounded log is full (`max_log_entries`); snapshots are not implemented.
    LogFull { max_log_entries: usize },
    /// A fault-schedule or simulation config could not be parsed.
    Parse(String),
    /// A node id passed to an interactive fault call is not in the cluster.
    UnknownNode(u8),
    /// A membership change was refused (one at a time, only after the leader committed an
    /// entry of its term, never removing the last voter).
    ConfChangeRejected(String),
    /// A snapshot request or payload is inconsistent with the log or cannot be decoded.
    InvalidSnapshot(String),
    /// The history handed to the linearizability checker exceeds its bound.
    HistoryTooLong { ops: usize, max_ops: usize },
}

impl fmt::Display for RaftError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RaftError::InvalidConfig(s) => write!(f, "invalid config: {s}"),
            RaftError::InvalidMessage(s) => write!(f, "invalid message: {s}"),
            RaftError::NotLeader { leader_hint } => match leader_hint {
                Some(l) => write!(f, "not leader (leader hint: node {l})"),
                None => write!(f, "not leader (leader unknown)"),
            },
            RaftError::LogFull { max_log_entries } => {
                write!(
                    f,
                    "log full ({max_log_entries} entries; snapshots not implemented)"
                )
            }
            RaftError::Parse(s) => write!(f, "parse error: {s}"),
            RaftError::UnknownNode(n) => write!(f, "unknown node {n}"),
            RaftError::ConfChangeRejected(s) => write!(f, "membership change rejected: {s}"),
            RaftError::InvalidSnapshot(s) => write!(f, "invalid snapshot: {s}"),
            RaftError::HistoryTooLong { ops, max_ops } => {
                write!(f, "history too long: {ops} ops > bound {max_ops}")
            }
        }
    }
}

impl std::error::Error for RaftError {}
