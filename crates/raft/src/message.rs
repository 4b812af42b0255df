//! Wire types between nodes: log entries, KV commands and the Raft RPCs (with PreVote).

use serde::{Deserialize, Serialize};
use std::sync::Arc;

/// Node identifier, `0..cluster_size`.
pub type NodeId = u8;

/// A replicated command. `Copy` and fixed-size so log entries never allocate.
/// `client`/`seq` identify the request for at-most-once application (client sessions).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Command {
    /// Appended by every new leader; lets it commit entries of earlier terms (§5.4.2).
    Noop,
    Put {
        client: u8,
        seq: u32,
        key: u8,
        value: u64,
    },
    /// Reads go through the log, which makes them linearizable without ReadIndex.
    Get {
        client: u8,
        seq: u32,
        key: u8,
    },
    Delete {
        client: u8,
        seq: u32,
        key: u8,
    },
    /// Single-server membership change: make `node` a voter (§4.1 of the dissertation).
    /// Takes effect on each node as soon as it is in that node's log.
    AddVoter {
        node: u8,
    },
    /// Single-server membership change: `node` stops being a voter.
    RemoveVoter {
        node: u8,
    },
}

impl Command {
    /// True for membership-change entries.
    pub fn is_conf_change(&self) -> bool {
        matches!(self, Command::AddVoter { .. } | Command::RemoveVoter { .. })
    }

    /// Applies a membership change to a voter bitmask (other commands leave it as is).
    pub fn apply_to_voters(&self, voters: u16) -> u16 {
        match *self {
            Command::AddVoter { node } if node < 16 => voters | (1 << node),
            Command::RemoveVoter { node } if node < 16 => voters & !(1 << node),
            _ => voters,
        }
    }

    /// Short text form used in the trace's `cmd` field (empty for no-ops).
    pub fn write_text(&self, out: &mut String) {
        use std::fmt::Write;
        // Writing to a String cannot fail.
        let _ = match *self {
            Command::Noop => Ok(()),
            Command::Put {
                client,
                seq,
                key,
                value,
            } => {
                write!(out, "put k{key}={value} c{client}#{seq}")
            }
            Command::Get { client, seq, key } => write!(out, "get k{key} c{client}#{seq}"),
            Command::Delete { client, seq, key } => write!(out, "delete k{key} c{client}#{seq}"),
            Command::AddVoter { node } => write!(out, "add_voter n{node}"),
            Command::RemoveVoter { node } => write!(out, "remove_voter n{node}"),
        };
    }

    /// The requesting client and its sequence number, if this is a client command.
    pub fn origin(&self) -> Option<(u8, u32)> {
        match *self {
            Command::Noop | Command::AddVoter { .. } | Command::RemoveVoter { .. } => None,
            Command::Put { client, seq, .. }
            | Command::Get { client, seq, .. }
            | Command::Delete { client, seq, .. } => Some((client, seq)),
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Entry {
    pub term: u64,
    pub index: u64,
    pub cmd: Command,
}

/// A snapshot of the state machine covering the log up to (`index`, `term`). The data is
/// opaque to the node (the KV store encodes it) and shared, so sending it does not copy.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Snapshot {
    pub index: u64,
    pub term: u64,
    /// Voter set (bitmask) as of `index`: membership is part of the snapshot.
    pub voters: u16,
    pub data: Arc<[u8]>,
}

/// RPC payloads. `PreVote` carries the term the sender *would* campaign in.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Body {
    PreVote {
        last_index: u64,
        last_term: u64,
    },
    PreVoteResp {
        granted: bool,
    },
    Vote {
        last_index: u64,
        last_term: u64,
    },
    VoteResp {
        granted: bool,
    },
    /// AppendEntries; with no entries it is a heartbeat.
    Append {
        prev_index: u64,
        prev_term: u64,
        commit: u64,
        entries: Vec<Entry>,
    },
    /// On success `index` is the follower's new match index; on rejection it is the rejected
    /// `prev_index`, and (`hint_index`, `hint_term`) implement fast back-off: the first index
    /// of the conflicting term, or the follower's `last_index + 1` with `hint_term == 0`.
    AppendResp {
        success: bool,
        index: u64,
        hint_index: u64,
        hint_term: u64,
    },
    /// InstallSnapshot (sent in one piece); answered with an `AppendResp`.
    Snapshot {
        snapshot: Snapshot,
    },
}

/// Message kind without payload, for views and counters.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MsgKind {
    PreVote,
    PreVoteResp,
    Vote,
    VoteResp,
    Append,
    AppendResp,
    Snapshot,
    ClientRequest,
    ClientReply,
}

impl MsgKind {
    pub fn as_str(self) -> &'static str {
        match self {
            MsgKind::PreVote => "pre_vote",
            MsgKind::PreVoteResp => "pre_vote_resp",
            MsgKind::Vote => "vote",
            MsgKind::VoteResp => "vote_resp",
            MsgKind::Append => "append",
            MsgKind::AppendResp => "append_resp",
            MsgKind::Snapshot => "snapshot",
            MsgKind::ClientRequest => "client_request",
            MsgKind::ClientReply => "client_reply",
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Message {
    pub from: NodeId,
    pub to: NodeId,
    pub term: u64,
    pub body: Body,
}

impl Message {
    pub fn kind(&self) -> MsgKind {
        match self.body {
            Body::PreVote { .. } => MsgKind::PreVote,
            Body::PreVoteResp { .. } => MsgKind::PreVoteResp,
            Body::Vote { .. } => MsgKind::Vote,
            Body::VoteResp { .. } => MsgKind::VoteResp,
            Body::Append { .. } => MsgKind::Append,
            Body::AppendResp { .. } => MsgKind::AppendResp,
            Body::Snapshot { .. } => MsgKind::Snapshot,
        }
    }
}
