//! Online checker for the Raft safety properties (paper Figure 3), fed by the simulator with
//! what nodes persist, commit and apply. Each check is incremental so it can run on every step.

use crate::hash::FxHashMap;
use crate::message::{Command, Entry, NodeId};
use serde::Serialize;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ViolationKind {
    ElectionSafety,
    LeaderAppendOnly,
    LogMatching,
    LeaderCompleteness,
    StateMachineSafety,
    Linearizability,
}

impl ViolationKind {
    pub fn as_str(self) -> &'static str {
        match self {
            ViolationKind::ElectionSafety => "election_safety",
            ViolationKind::LeaderAppendOnly => "leader_append_only",
            ViolationKind::LogMatching => "log_matching",
            ViolationKind::LeaderCompleteness => "leader_completeness",
            ViolationKind::StateMachineSafety => "state_machine_safety",
            ViolationKind::Linearizability => "linearizability",
        }
    }
}

/// A failed invariant, with what is needed to replay it: seed, step and tick.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Violation {
    pub kind: ViolationKind,
    pub seed: u64,
    pub step: u64,
    pub tick: u64,
    pub detail: String,
}

impl std::fmt::Display for Violation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} violated (seed {}, step {}, tick {}): {}",
            self.kind.as_str(),
            self.seed,
            self.step,
            self.tick,
            self.detail
        )
    }
}

impl std::error::Error for Violation {}

/// What a check found; the simulator adds seed, step and tick to make it a [`Violation`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Finding {
    pub kind: ViolationKind,
    pub detail: String,
}

impl Finding {
    pub fn new(kind: ViolationKind, detail: String) -> Self {
        Finding { kind, detail }
    }
}

/// A node that currently leads, for Leader Completeness on new commits.
#[derive(Clone, Copy, Debug)]
pub struct LeaderLog<'a> {
    pub node: NodeId,
    pub term: u64,
    pub log: LogView<'a>,
}

/// A node's persisted log: a snapshot point (`offset`, `offset_term`) and the entries after.
#[derive(Clone, Copy, Debug)]
pub struct LogView<'a> {
    pub offset: u64,
    pub offset_term: u64,
    pub entries: &'a [Entry],
}

impl<'a> LogView<'a> {
    /// An uncompacted log.
    pub fn full(entries: &'a [Entry]) -> Self {
        LogView {
            offset: 0,
            offset_term: 0,
            entries,
        }
    }

    pub fn last_index(&self) -> u64 {
        self.offset + self.entries.len() as u64
    }

    pub fn get(&self, index: u64) -> Option<&'a Entry> {
        if index <= self.offset {
            return None;
        }
        self.entries.get((index - self.offset - 1) as usize)
    }

    pub fn term(&self, index: u64) -> Option<u64> {
        if index == self.offset {
            return Some(self.offset_term);
        }
        self.get(index).map(|e| e.term)
    }

    /// Whether the log holds `e`; entries inside the compacted prefix count as held (they
    /// were committed when compacted, and the snapshot point itself is checked).
    pub fn holds(&self, e: &Entry) -> bool {
        if e.index < self.offset {
            return true;
        }
        if e.index == self.offset {
            return self.offset_term == e.term;
        }
        self.get(e.index) == Some(e)
    }
}

#[derive(Debug, Default)]
pub struct InvariantChecker {
    leader_of_term: FxHashMap<u64, NodeId>,
    /// (index, term) -> what the first log holding it had: Log Matching by induction.
    entries_seen: FxHashMap<(u64, u64), SeenEntry>,
    /// The committed prefix as first observed by any node, with the observer's term then.
    /// That term bounds the (unknown) term in which the entry was committed from above, so
    /// Leader Completeness is checked only for leaders of later terms: sound, never a false
    /// alarm from a stale leader elected by delayed votes.
    committed: Vec<CommittedEntry>,
}

/// The entry first seen at an (index, term), and the term of the entry before it.
#[derive(Clone, Copy, Debug)]
struct SeenEntry {
    prev_term: u64,
    cmd: Command,
}

/// A committed entry and the term of the node that first reported it committed.
#[derive(Clone, Copy, Debug)]
struct CommittedEntry {
    entry: Entry,
    observer_term: u64,
}

impl InvariantChecker {
    pub fn committed_len(&self) -> u64 {
        self.committed.len() as u64
    }

    /// Election Safety: at most one leader per term. Leader Completeness: the new leader's
    /// log holds every entry committed so far.
    pub fn on_leader(&mut self, node: NodeId, term: u64, log: LogView) -> Result<(), Finding> {
        if let Some(&other) = self.leader_of_term.get(&term) {
            if other != node {
                return Err(Finding::new(
                    ViolationKind::ElectionSafety,
                    format!("nodes {other} and {node} both leader in term {term}"),
                ));
            }
        }
        self.leader_of_term.insert(term, node);
        let skip = log.offset.saturating_sub(1) as usize;
        for c in self.committed.iter().skip(skip) {
            if c.observer_term < term && !log.holds(&c.entry) {
                return Err(Finding::new(
                    ViolationKind::LeaderCompleteness,
                    format!(
                        "leader {node} of term {term} lacks committed entry {} (term {})",
                        c.entry.index, c.entry.term
                    ),
                ));
            }
        }
        Ok(())
    }

    /// Called before a node persists `new_entries` starting at `first_index` over `old_log`.
    /// Leader Append-Only: a leader (same term as at its previous output) never overwrites.
    /// Log Matching: an (index, term) pair always has the same predecessor term and command.
    pub fn on_persist(
        &mut self,
        node: NodeId,
        leader_same_term: bool,
        old_log: LogView,
        first_index: u64,
        new_entries: &[Entry],
    ) -> Result<(), Finding> {
        if leader_same_term && first_index <= old_log.last_index() {
            return Err(Finding::new(
                ViolationKind::LeaderAppendOnly,
                format!(
                    "leader {node} rewrote its log from index {first_index} (had {})",
                    old_log.last_index()
                ),
            ));
        }
        let mut prev_term = old_log.term(first_index.saturating_sub(1)).unwrap_or(0);
        for e in new_entries {
            match self.entries_seen.get(&(e.index, e.term)) {
                Some(seen) if seen.prev_term != prev_term || seen.cmd != e.cmd => {
                    return Err(Finding::new(
                        ViolationKind::LogMatching,
                        format!(
                            "node {node} entry {} term {} differs from another log's entry \
                             with the same index and term",
                            e.index, e.term
                        ),
                    ));
                }
                Some(_) => {}
                None => {
                    let seen = SeenEntry {
                        prev_term,
                        cmd: e.cmd,
                    };
                    self.entries_seen.insert((e.index, e.term), seen);
                }
            }
            prev_term = e.term;
        }
        Ok(())
    }

    /// A node in `observer_term` advanced its commit index from `old_commit` to `new_commit`
    /// over `log`. Committed entries must agree across nodes; newly committed entries must be
    /// present in every current leader of a later term.
    pub fn on_commit(
        &mut self,
        node: NodeId,
        observer_term: u64,
        old_commit: u64,
        new_commit: u64,
        log: LogView,
        leaders: &[LeaderLog],
    ) -> Result<(), Finding> {
        for i in old_commit + 1..=new_commit {
            let Some(e) = log.get(i) else {
                if i <= log.offset {
                    // Committed through an installed snapshot: it must cover known commits.
                    if i == log.offset {
                        self.on_snapshot(node, log.offset, log.offset_term)?;
                    }
                    continue;
                }
                return Err(Finding::new(
                    ViolationKind::StateMachineSafety,
                    format!("node {node} committed index {i} beyond its log"),
                ));
            };
            if let Some(c) = self.committed.get((i - 1) as usize).map(|c| &c.entry) {
                if c != e {
                    return Err(Finding::new(
                        ViolationKind::StateMachineSafety,
                        format!(
                            "node {node} committed term {} at index {i}, another node term {}",
                            e.term, c.term
                        ),
                    ));
                }
            } else if i == self.committed.len() as u64 + 1 {
                self.committed.push(CommittedEntry {
                    entry: *e,
                    observer_term,
                });
                for &LeaderLog {
                    node: l,
                    term: lt,
                    log: llog,
                } in leaders
                {
                    if lt > observer_term && !llog.holds(e) {
                        return Err(Finding::new(
                            ViolationKind::LeaderCompleteness,
                            format!("leader {l} of term {lt} lacks newly committed entry {i}"),
                        ));
                    }
                }
            }
        }
        Ok(())
    }

    /// A snapshot at (`index`, `term`) may only cover entries known to be committed, and must
    /// agree with the committed entry at its index.
    pub fn on_snapshot(&self, node: NodeId, index: u64, term: u64) -> Result<(), Finding> {
        match self.committed.get((index.wrapping_sub(1)) as usize) {
            Some(c) if c.entry.term == term => Ok(()),
            Some(c) => Err(Finding::new(
                ViolationKind::StateMachineSafety,
                format!(
                    "node {node} snapshot at {index} has term {term}, committed entry term {}",
                    c.entry.term
                ),
            )),
            None if index == 0 => Ok(()),
            None => Err(Finding::new(
                ViolationKind::StateMachineSafety,
                format!("node {node} snapshot at {index} covers uncommitted entries"),
            )),
        }
    }

    /// State Machine Safety: an applied entry equals the committed entry at its index.
    pub fn on_apply(&self, node: NodeId, e: &Entry) -> Result<(), Finding> {
        match self.committed.get((e.index - 1) as usize).map(|c| &c.entry) {
            Some(c) if c == e => Ok(()),
            Some(c) => Err(Finding::new(
                ViolationKind::StateMachineSafety,
                format!(
                    "node {node} applied term {} at index {}, committed was term {}",
                    e.term, e.index, c.term
                ),
            )),
            None => Err(Finding::new(
                ViolationKind::StateMachineSafety,
                format!("node {node} applied uncommitted index {}", e.index),
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn leader(node: NodeId, term: u64, entries: &[Entry]) -> LeaderLog<'_> {
        LeaderLog {
            node,
            term,
            log: LogView::full(entries),
        }
    }

    fn e(index: u64, term: u64) -> Entry {
        Entry {
            index,
            term,
            cmd: Command::Noop,
        }
    }

    #[test]
    fn two_leaders_in_one_term_fail_election_safety() {
        let mut c = InvariantChecker::default();
        c.on_leader(0, 3, LogView::full(&[])).unwrap();
        let err = c.on_leader(1, 3, LogView::full(&[])).unwrap_err();
        assert_eq!(err.kind, ViolationKind::ElectionSafety);
    }

    #[test]
    fn leader_overwrite_fails_append_only() {
        let mut c = InvariantChecker::default();
        let old = [e(1, 1), e(2, 1)];
        let err = c
            .on_persist(0, true, LogView::full(&old), 2, &[e(2, 2)])
            .unwrap_err();
        assert_eq!(err.kind, ViolationKind::LeaderAppendOnly);
        c.on_persist(0, false, LogView::full(&old), 2, &[e(2, 2)])
            .unwrap();
    }

    #[test]
    fn same_index_term_with_different_prefix_fails_log_matching() {
        let mut c = InvariantChecker::default();
        c.on_persist(0, false, LogView::full(&[]), 1, &[e(1, 1), e(2, 2)])
            .unwrap();
        let err = c
            .on_persist(1, false, LogView::full(&[]), 1, &[e(1, 2), e(2, 2)])
            .unwrap_err();
        assert_eq!(err.kind, ViolationKind::LogMatching);
    }

    #[test]
    fn divergent_commits_and_incomplete_leaders_are_caught() {
        let mut c = InvariantChecker::default();
        c.on_commit(0, 1, 0, 2, LogView::full(&[e(1, 1), e(2, 1)]), &[])
            .unwrap();
        let err = c
            .on_commit(1, 2, 0, 2, LogView::full(&[e(1, 1), e(2, 2)]), &[])
            .unwrap_err();
        assert_eq!(err.kind, ViolationKind::StateMachineSafety);
        let err = c.on_leader(2, 5, LogView::full(&[e(1, 1)])).unwrap_err();
        assert_eq!(err.kind, ViolationKind::LeaderCompleteness);
        let stale = [e(1, 1)];
        // A stale leader of an earlier term may lack it; one of a later term may not.
        c.on_leader(4, 1, LogView::full(&[])).unwrap();
        let log3 = [e(1, 1), e(2, 1), e(3, 1)];
        c.on_commit(0, 2, 2, 3, LogView::full(&log3), &[leader(4, 1, &stale)])
            .unwrap();
        let again = c.on_commit(1, 2, 0, 3, LogView::full(&log3), &[leader(3, 4, &stale)]);
        assert!(
            again.is_ok(),
            "index 3 already recorded; only new commits check leaders"
        );
        let log4 = [e(1, 1), e(2, 1), e(3, 1), e(4, 2)];
        let err = c
            .on_commit(0, 2, 3, 4, LogView::full(&log4), &[leader(3, 4, &stale)])
            .unwrap_err();
        assert_eq!(err.kind, ViolationKind::LeaderCompleteness);
        assert!(c.on_apply(0, &e(2, 7)).is_err());
        assert!(c.on_apply(0, &e(2, 1)).is_ok());
    }

    #[test]
    fn snapshots_must_match_commits_and_compacted_logs_are_checked_from_the_snapshot() {
        let mut c = InvariantChecker::default();
        let log = [e(1, 1), e(2, 1), e(3, 2)];
        c.on_commit(0, 2, 0, 3, LogView::full(&log), &[]).unwrap();
        assert!(c.on_snapshot(1, 2, 1).is_ok());
        assert!(c.on_snapshot(1, 3, 1).is_err());
        assert!(c.on_snapshot(1, 4, 2).is_err());
        // A leader whose log starts after a snapshot at 2 still holds everything.
        let tail = [e(3, 2)];
        let view = LogView {
            offset: 2,
            offset_term: 1,
            entries: &tail,
        };
        c.on_leader(1, 3, view).unwrap();
        // A node that installed a snapshot at 3 commits through it.
        let snap_only = LogView {
            offset: 3,
            offset_term: 2,
            entries: &[],
        };
        c.on_commit(2, 3, 0, 3, snap_only, &[]).unwrap();
        let wrong = LogView {
            offset: 3,
            offset_term: 1,
            entries: &[],
        };
        assert!(c.on_commit(2, 3, 0, 3, wrong, &[]).is_err());
    }
}
