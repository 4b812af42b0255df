//! The replicated key-value state machine with client sessions for at-most-once execution of
//! retried commands.

use crate::error::RaftError;
use crate::message::Command;

/// Bound on distinct keys (keys are `u8` indices into a fixed table).
pub const MAX_KEYS: usize = 256;
/// Bound on client sessions.
pub const MAX_CLIENTS: usize = 64;

#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OpKind {
    Put,
    Get,
    Delete,
}

impl OpKind {
    pub fn as_str(self) -> &'static str {
        match self {
            OpKind::Put => "put",
            OpKind::Get => "get",
            OpKind::Delete => "delete",
        }
    }
}

/// Result of applying a client command, to be sent back to that client.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct KvReply {
    pub client: u8,
    pub seq: u32,
    /// Value read for `Get`; `None` for writes.
    pub value: Option<u64>,
}

#[derive(Clone, Copy, Debug, Default)]
struct Session {
    last_seq: u32,
    last_value: Option<u64>,
    used: bool,
}

#[derive(Clone, Debug)]
pub struct KvStore {
    values: Vec<Option<u64>>,
    sessions: Vec<Session>,
}

impl Default for KvStore {
    fn default() -> Self {
        KvStore {
            values: vec![None; MAX_KEYS],
            sessions: vec![Session::default(); MAX_CLIENTS],
        }
    }
}

impl KvStore {
    /// Applies a committed command. Returns the reply for the client, or `None` for no-ops and
    /// for stale duplicates of an older request (the client has moved on).
    pub fn apply(&mut self, cmd: &Command) -> Option<KvReply> {
        let (client, seq) = cmd.origin()?;
        let s = self.sessions.get_mut(client as usize)?;
        if s.used && seq == s.last_seq {
            // A retried request that already took effect: answer from the session.
            return Some(KvReply {
                client,
                seq,
                value: s.last_value,
            });
        }
        if s.used && seq < s.last_seq {
            return None;
        }
        let value = match *cmd {
            Command::Noop | Command::AddVoter { .. } | Command::RemoveVoter { .. } => return None,
            Command::Put { key, value, .. } => {
                self.values[key as usize] = Some(value);
                None
            }
            Command::Get { key, .. } => self.values[key as usize],
            Command::Delete { key, .. } => {
                self.values[key as usize] = None;
                None
            }
        };
        *s = Session {
            last_seq: seq,
            last_value: value,
            used: true,
        };
        Some(KvReply { client, seq, value })
    }

    /// Encodes the store (values and sessions) as snapshot data. Layout, little-endian:
    /// `n_values: u16`, then `(key: u8, value: u64)` per present key; `n_sessions: u8`, then
    /// `(client: u8, last_seq: u32, has_value: u8, value: u64)` per used session.
    pub fn encode_snapshot(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(64);
        let present = self.values.iter().filter(|v| v.is_some()).count() as u16;
        out.extend_from_slice(&present.to_le_bytes());
        for (k, v) in self.values.iter().enumerate() {
            if let Some(v) = v {
                out.push(k as u8);
                out.extend_from_slice(&v.to_le_bytes());
            }
        }
        let used = self.sessions.iter().filter(|s| s.used).count() as u8;
        out.push(used);
        for (c, s) in self.sessions.iter().enumerate() {
            if s.used {
                out.push(c as u8);
                out.extend_from_slice(&s.last_seq.to_le_bytes());
                out.push(s.last_value.is_some() as u8);
                out.extend_from_slice(&s.last_value.unwrap_or(0).to_le_bytes());
            }
        }
        out
    }

    /// Decodes [`KvStore::encode_snapshot`] output; malformed data is a typed error.
    pub fn decode_snapshot(data: &[u8]) -> Result<Self, RaftError> {
        let bad = || RaftError::InvalidSnapshot("truncated or malformed KV snapshot".into());
        let mut r = data;
        let mut take = |n: usize| -> Result<&[u8], RaftError> {
            if r.len() < n {
                return Err(bad());
            }
            let (a, b) = r.split_at(n);
            r = b;
            Ok(a)
        };
        let mut kv = KvStore::default();
        let n_values = u16::from_le_bytes(take(2)?.try_into().map_err(|_| bad())?);
        for _ in 0..n_values {
            let k = take(1)?[0] as usize;
            let v = u64::from_le_bytes(take(8)?.try_into().map_err(|_| bad())?);
            *kv.values.get_mut(k).ok_or_else(bad)? = Some(v);
        }
        let n_sessions = take(1)?[0];
        for _ in 0..n_sessions {
            let c = take(1)?[0] as usize;
            let seq = u32::from_le_bytes(take(4)?.try_into().map_err(|_| bad())?);
            let has = take(1)?[0] != 0;
            let v = u64::from_le_bytes(take(8)?.try_into().map_err(|_| bad())?);
            *kv.sessions.get_mut(c).ok_or_else(bad)? = Session {
                last_seq: seq,
                last_value: has.then_some(v),
                used: true,
            };
        }
        if !r.is_empty() {
            return Err(bad());
        }
        Ok(kv)
    }

    /// Local read without consensus. Only the injected stale-read bug uses it.
    pub fn read_local(&self, key: u8) -> Option<u64> {
        self.values[key as usize]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn put_get_delete() {
        let mut kv = KvStore::default();
        kv.apply(&Command::Put {
            client: 0,
            seq: 1,
            key: 3,
            value: 9,
        });
        let r = kv.apply(&Command::Get {
            client: 1,
            seq: 1,
            key: 3,
        });
        assert_eq!(r.map(|r| r.value), Some(Some(9)));
        kv.apply(&Command::Delete {
            client: 0,
            seq: 2,
            key: 3,
        });
        let r = kv.apply(&Command::Get {
            client: 1,
            seq: 2,
            key: 3,
        });
        assert_eq!(r.map(|r| r.value), Some(None));
    }

    #[test]
    fn snapshot_round_trips_and_rejects_garbage() {
        let mut kv = KvStore::default();
        kv.apply(&Command::Put {
            client: 2,
            seq: 7,
            key: 3,
            value: 99,
        });
        kv.apply(&Command::Get {
            client: 1,
            seq: 1,
            key: 3,
        });
        let data = kv.encode_snapshot();
        let back = KvStore::decode_snapshot(&data).unwrap();
        assert_eq!(back.read_local(3), Some(99));
        assert_eq!(back.encode_snapshot(), data);
        // The restored sessions still deduplicate.
        let mut back = back;
        assert_eq!(
            back.apply(&Command::Put {
                client: 2,
                seq: 6,
                key: 3,
                value: 1
            }),
            None
        );
        assert!(KvStore::decode_snapshot(&data[..data.len() - 1]).is_err());
        assert!(KvStore::decode_snapshot(&[1, 0]).is_err());
    }

    #[test]
    fn retried_put_applies_once() {
        let mut kv = KvStore::default();
        kv.apply(&Command::Put {
            client: 0,
            seq: 1,
            key: 1,
            value: 5,
        });
        kv.apply(&Command::Put {
            client: 1,
            seq: 1,
            key: 1,
            value: 6,
        });
        // Client 0's retry of seq 1 commits again later: it must not overwrite 6.
        let r = kv.apply(&Command::Put {
            client: 0,
            seq: 1,
            key: 1,
            value: 5,
        });
        assert!(r.is_some());
        assert_eq!(kv.read_local(1), Some(6));
        // An even older request is dropped with no reply.
        kv.apply(&Command::Put {
            client: 0,
            seq: 2,
            key: 2,
            value: 1,
        });
        assert_eq!(
            kv.apply(&Command::Put {
                client: 0,
                seq: 1,
                key: 1,
                value: 5
            }),
            None
        );
    }
}
