//! A Wing–Gong / Porcupine-style linearizability checker for the client-visible KV history.
//! The history is partitioned per key (each key is an independent register), and the search
//! memoises (linearized-set, register-state) pairs, which keeps it cheap for the small
//! concurrency (one outstanding op per client) the simulator produces.

use crate::error::RaftError;
use crate::hash::FxHashSet;
use crate::kv::OpKind;
use serde::Serialize;

/// Bound on the total history length the checker accepts.
pub const MAX_HISTORY_OPS: usize = 16_384;
/// Bound on memoised search states per key; beyond it the result is `Unknown`.
pub const MAX_SEARCH_STATES_PER_KEY: usize = 1_000_000;

/// One client operation as observed by the client.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct Operation {
    pub client: u8,
    pub kind: OpKind,
    pub key: u8,
    /// Written value for put, value read for get, `None` for delete or absent.
    pub value: Option<u64>,
    pub call: u64,
    /// `None` when the client gave up: the op may or may not have taken effect.
    pub ret: Option<u64>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum LinResult {
    Linearizable,
    /// No linearization exists for the operations on `key`.
    Violation {
        key: u8,
        ops_on_key: usize,
    },
    /// The search bound was hit on `key` before a verdict.
    Unknown {
        key: u8,
    },
}

/// Checks a complete history. Pending reads (no return) are dropped since they observed
/// nothing; pending writes may take effect at any time after their call.
pub fn check_history(ops: &[Operation]) -> Result<LinResult, RaftError> {
    if ops.len() > MAX_HISTORY_OPS {
        return Err(RaftError::HistoryTooLong {
            ops: ops.len(),
            max_ops: MAX_HISTORY_OPS,
        });
    }
    let mut keys: Vec<u8> = ops.iter().map(|o| o.key).collect();
    keys.sort_unstable();
    keys.dedup();
    let mut per_key: Vec<Operation> = Vec::new();
    for k in keys {
        per_key.clear();
        per_key.extend(
            ops.iter()
                .filter(|o| o.key == k && !(o.kind == OpKind::Get && o.ret.is_none())),
        );
        match check_register(&per_key) {
            Some(true) => {}
            Some(false) => {
                return Ok(LinResult::Violation {
                    key: k,
                    ops_on_key: per_key.len(),
                })
            }
            None => return Ok(LinResult::Unknown { key: k }),
        }
    }
    Ok(LinResult::Linearizable)
}

const NIL: usize = usize::MAX;

/// Returns Some(true) if linearizable, Some(false) if not, None if the state bound was hit.
fn check_register(ops: &[Operation]) -> Option<bool> {
    let n = ops.len();
    if n == 0 {
        return Some(true);
    }
    // Events: (time, is_return, op). Calls sort before returns at equal ticks, which treats
    // same-tick operations as concurrent (never a false alarm).
    let mut events: Vec<(u64, bool, usize)> = Vec::with_capacity(2 * n);
    for (i, o) in ops.iter().enumerate() {
        events.push((o.call, false, i));
        events.push((o.ret.unwrap_or(u64::MAX), true, i));
    }
    events.sort_unstable();
    let len = events.len();
    let head = len; // sentinel
    let mut next = vec![NIL; len + 1];
    let mut prev = vec![NIL; len + 1];
    let mut ret_pos = vec![0usize; n];
    let mut call_pos = vec![0usize; n];
    for (p, &(_, is_ret, op)) in events.iter().enumerate() {
        if is_ret {
            ret_pos[op] = p;
        } else {
            call_pos[op] = p;
        }
    }
    next[head] = 0;
    prev[0] = head;
    for p in 0..len {
        next[p] = if p + 1 < len { p + 1 } else { NIL };
        if p + 1 < len {
            prev[p + 1] = p;
        }
    }
    let words = n.div_ceil(64);
    let mut linearized = vec![0u64; words];
    let mut cache: FxHashSet<(Vec<u64>, Option<u64>)> = FxHashSet::default();
    let mut stack: Vec<(usize, Option<u64>)> = Vec::new();
    let mut state: Option<u64> = None;
    let mut entry = next[head];

    fn unlink(next: &mut [usize], prev: &mut [usize], p: usize) {
        let (a, b) = (prev[p], next[p]);
        next[a] = b;
        if b != NIL {
            prev[b] = a;
        }
    }
    fn relink(next: &mut [usize], prev: &mut [usize], p: usize) {
        let (a, b) = (prev[p], next[p]);
        next[a] = p;
        if b != NIL {
            prev[b] = p;
        }
    }

    while next[head] != NIL {
        let is_call = entry != NIL && !events[entry].1;
        if is_call {
            let op = events[entry].2;
            let o = &ops[op];
            let (ok, new_state) = match o.kind {
                OpKind::Put => (true, o.value),
                OpKind::Delete => (true, None),
                OpKind::Get => (state == o.value, state),
            };
            if ok {
                linearized[op / 64] |= 1 << (op % 64);
                if cache.insert((linearized.clone(), new_state)) {
                    if cache.len() > MAX_SEARCH_STATES_PER_KEY {
                        return None;
                    }
                    stack.push((op, state));
                    state = new_state;
                    unlink(&mut next, &mut prev, call_pos[op]);
                    unlink(&mut next, &mut prev, ret_pos[op]);
                    entry = next[head];
                    continue;
                }
                linearized[op / 64] &= !(1 << (op % 64));
            }
            entry = next[entry];
        } else {
            let Some((op, old_state)) = stack.pop() else {
                return Some(false);
            };
            state = old_state;
            linearized[op / 64] &= !(1 << (op % 64));
            relink(&mut next, &mut prev, ret_pos[op]);
            relink(&mut next, &mut prev, call_pos[op]);
            entry = next[call_pos[op]];
        }
    }
    Some(true)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn op(client: u8, kind: OpKind, value: Option<u64>, call: u64, ret: Option<u64>) -> Operation {
        Operation {
            client,
            kind,
            key: 0,
            value,
            call,
            ret,
        }
    }

    #[test]
    fn sequential_history_is_linearizable() {
        let h = [
            op(0, OpKind::Put, Some(1), 0, Some(2)),
            op(1, OpKind::Get, Some(1), 3, Some(4)),
            op(0, OpKind::Delete, None, 5, Some(6)),
            op(1, OpKind::Get, None, 7, Some(8)),
        ];
        assert_eq!(check_history(&h).unwrap(), LinResult::Linearizable);
    }

    #[test]
    fn stale_read_after_completed_write_is_caught() {
        let h = [
            op(0, OpKind::Put, Some(1), 0, Some(2)),
            op(0, OpKind::Put, Some(2), 3, Some(4)),
            op(1, OpKind::Get, Some(1), 5, Some(6)),
        ];
        assert!(matches!(
            check_history(&h).unwrap(),
            LinResult::Violation { .. }
        ));
    }

    #[test]
    fn concurrent_read_may_see_either_value() {
        let h = [
            op(0, OpKind::Put, Some(1), 0, Some(2)),
            op(0, OpKind::Put, Some(2), 3, Some(10)),
            op(1, OpKind::Get, Some(1), 4, Some(5)),
            op(2, OpKind::Get, Some(2), 6, Some(7)),
        ];
        assert_eq!(check_history(&h).unwrap(), LinResult::Linearizable);
    }

    #[test]
    fn reads_cannot_go_back_in_time() {
        // Two sequential reads during one long write: new value then old value is illegal.
        let h = [
            op(0, OpKind::Put, Some(1), 0, Some(1)),
            op(0, OpKind::Put, Some(2), 2, Some(20)),
            op(1, OpKind::Get, Some(2), 3, Some(4)),
            op(1, OpKind::Get, Some(1), 5, Some(6)),
        ];
        assert!(matches!(
            check_history(&h).unwrap(),
            LinResult::Violation { .. }
        ));
    }

    #[test]
    fn abandoned_write_may_or_may_not_take_effect() {
        let h = [
            op(0, OpKind::Put, Some(7), 0, None),
            op(1, OpKind::Get, None, 1, Some(2)),
            op(1, OpKind::Get, Some(7), 3, Some(4)),
            op(1, OpKind::Get, Some(7), 5, Some(6)),
        ];
        assert_eq!(check_history(&h).unwrap(), LinResult::Linearizable);
        let h2 = [
            op(0, OpKind::Put, Some(7), 0, None),
            op(1, OpKind::Get, Some(8), 1, Some(2)),
        ];
        assert!(matches!(
            check_history(&h2).unwrap(),
            LinResult::Violation { .. }
        ));
    }

    #[test]
    fn history_bound_is_enforced() {
        let h = vec![op(0, OpKind::Put, Some(1), 0, Some(1)); MAX_HISTORY_OPS + 1];
        assert!(matches!(
            check_history(&h),
            Err(RaftError::HistoryTooLong { .. })
        ));
    }
}
