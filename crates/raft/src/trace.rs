//! Observable simulation events and their exact JSON-line form (hand-written so the bytes are
//! stable across targets and serde versions).

use crate::kv::OpKind;
use crate::message::Command;
use std::fmt::Write;

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TraceEvent {
    Leader {
        t: u64,
        node: u8,
        term: u64,
    },
    Commit {
        t: u64,
        node: u8,
        index: u64,
        term: u64,
    },
    Apply {
        t: u64,
        node: u8,
        index: u64,
        term: u64,
        cmd: Command,
    },
    /// `installed`: received from the leader; otherwise the node compacted its own log.
    Snapshot {
        t: u64,
        node: u8,
        index: u64,
        term: u64,
        installed: bool,
    },
    /// A membership change requested from the current leader.
    Membership {
        t: u64,
        cmd: Command,
        accepted: bool,
    },
    Crash {
        t: u64,
        node: u8,
    },
    Restart {
        t: u64,
        node: u8,
    },
    Partition {
        t: u64,
        groups: Vec<Vec<u8>>,
    },
    Heal {
        t: u64,
    },
    BlockLink {
        t: u64,
        from: u8,
        to: u8,
    },
    UnblockLink {
        t: u64,
        from: u8,
        to: u8,
    },
    Client {
        t: u64,
        client: u8,
        op: OpKind,
        key: u8,
        value: Option<u64>,
        call: u64,
        ret: Option<u64>,
    },
}

fn opt(out: &mut String, v: Option<u64>) {
    match v {
        Some(v) => {
            let _ = write!(out, "{v}");
        }
        None => out.push_str("null"),
    }
}

impl TraceEvent {
    /// Appends the event as one JSON object (no newline).
    pub fn write_json(&self, out: &mut String) {
        // fmt::Write into a String is infallible.
        let _ = match self {
            TraceEvent::Leader { t, node, term } => {
                write!(
                    out,
                    r#"{{"t":{t},"ev":"leader","node":{node},"term":{term}}}"#
                )
            }
            TraceEvent::Commit {
                t,
                node,
                index,
                term,
            } => write!(
                out,
                r#"{{"t":{t},"ev":"commit","node":{node},"index":{index},"term":{term}}}"#
            ),
            TraceEvent::Apply {
                t,
                node,
                index,
                term,
                cmd,
            } => {
                let _ = write!(
                    out,
                    r#"{{"t":{t},"ev":"apply","node":{node},"index":{index},"term":{term},"cmd":""#
                );
                cmd.write_text(out);
                out.push_str("\"}");
                Ok(())
            }
            TraceEvent::Snapshot {
                t,
                node,
                index,
                term,
                installed,
            } => write!(
                out,
                r#"{{"t":{t},"ev":"snapshot","node":{node},"index":{index},"term":{term},"how":"{}"}}"#,
                if *installed { "install" } else { "compact" }
            ),
            TraceEvent::Membership { t, cmd, accepted } => {
                let _ = write!(out, r#"{{"t":{t},"ev":"membership","cmd":""#);
                cmd.write_text(out);
                let _ = write!(out, r#"","accepted":{accepted}}}"#);
                Ok(())
            }
            TraceEvent::Crash { t, node } => {
                write!(out, r#"{{"t":{t},"ev":"crash","node":{node}}}"#)
            }
            TraceEvent::Restart { t, node } => {
                write!(out, r#"{{"t":{t},"ev":"restart","node":{node}}}"#)
            }
            TraceEvent::Partition { t, groups } => {
                let _ = write!(out, r#"{{"t":{t},"ev":"partition","groups":["#);
                for (i, g) in groups.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    out.push('[');
                    for (j, n) in g.iter().enumerate() {
                        if j > 0 {
                            out.push(',');
                        }
                        let _ = write!(out, "{n}");
                    }
                    out.push(']');
                }
                out.push_str("]}");
                Ok(())
            }
            TraceEvent::Heal { t } => write!(out, r#"{{"t":{t},"ev":"heal"}}"#),
            TraceEvent::BlockLink { t, from, to } => {
                write!(
                    out,
                    r#"{{"t":{t},"ev":"block_link","from":{from},"to":{to}}}"#
                )
            }
            TraceEvent::UnblockLink { t, from, to } => {
                write!(
                    out,
                    r#"{{"t":{t},"ev":"unblock_link","from":{from},"to":{to}}}"#
                )
            }
            TraceEvent::Client {
                t,
                client,
                op,
                key,
                value,
                call,
                ret,
            } => {
                let _ = write!(
                    out,
                    r#"{{"t":{t},"ev":"client","client":{client},"op":"{}","key":{key},"value":"#,
                    op.as_str()
                );
                opt(out, *value);
                let _ = write!(out, r#","call":{call},"ret":"#);
                opt(out, *ret);
                out.push('}');
                Ok(())
            }
        };
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_match_the_spec_shape() {
        let mut s = String::new();
        TraceEvent::Leader {
            t: 5,
            node: 2,
            term: 3,
        }
        .write_json(&mut s);
        assert_eq!(s, r#"{"t":5,"ev":"leader","node":2,"term":3}"#);
        s.clear();
        let cmd = Command::Put {
            client: 1,
            seq: 4,
            key: 2,
            value: 9,
        };
        TraceEvent::Apply {
            t: 7,
            node: 0,
            index: 3,
            term: 3,
            cmd,
        }
        .write_json(&mut s);
        assert_eq!(
            s,
            r#"{"t":7,"ev":"apply","node":0,"index":3,"term":3,"cmd":"put k2=9 c1#4"}"#
        );
        s.clear();
        TraceEvent::Client {
            t: 9,
            client: 0,
            op: OpKind::Get,
            key: 1,
            value: None,
            call: 2,
            ret: None,
        }
        .write_json(&mut s);
        assert_eq!(
            s,
            r#"{"t":9,"ev":"client","client":0,"op":"get","key":1,"value":null,"call":2,"ret":null}"#
        );
        assert!(serde_json::from_str::<serde_json::Value>(&s).is_ok());
    }
}
