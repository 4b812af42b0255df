//! Commit latency: from a leader appending an entry of its term to the first commit of that
//! entry anywhere. Proposals are remembered in a ring indexed by log index and latencies are
//! counted in a histogram, so memory stays bounded however long a run goes.

use crate::log::DEFAULT_MAX_LOG_ENTRIES;
use serde::Serialize;

/// Proposals remembered: a ring slot is reused only by an entry `MAX_TRACKED_PROPOSALS`
/// indices later. A leader holds at most `DEFAULT_MAX_LOG_ENTRIES` entries after its
/// snapshot, and a snapshot only covers committed entries, so by the time such an entry
/// exists the older one has committed and been measured: the ring forgets nothing that
/// would still be measured.
pub const MAX_TRACKED_PROPOSALS: usize = 1 << 16;
/// Latencies up to this many ticks are counted exactly; longer ones share the last bucket,
/// and a p99 that falls there is reported as this value (the mean stays exact).
pub const MAX_EXACT_COMMIT_LATENCY_TICKS: u64 = 4096;

const _: () = assert!(MAX_TRACKED_PROPOSALS >= DEFAULT_MAX_LOG_ENTRIES);

/// Mean and 99th percentile of the commit latencies of a run.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct CommitLatencySummary {
    /// Mean in milli-ticks (integer, so it is exact on every target).
    pub mean_milli_ticks: u64,
    /// Nearest-rank 99th percentile in ticks (at most [`MAX_EXACT_COMMIT_LATENCY_TICKS`]).
    pub p99_ticks: u64,
    pub samples: u64,
}

/// An entry a leader appended in its own term, and when.
#[derive(Clone, Copy, Debug, Default)]
struct Proposal {
    /// 0 marks an empty slot (log indices start at 1).
    index: u64,
    term: u64,
    tick: u64,
}

#[derive(Debug, Default)]
pub(super) struct CommitLatency {
    /// `proposals[(index - 1) % MAX_TRACKED_PROPOSALS]`; grows to the bound as the log does.
    proposals: Vec<Proposal>,
    /// `histogram[t]` counts latencies of `t` ticks, the last bucket those of
    /// `MAX_EXACT_COMMIT_LATENCY_TICKS` or more; allocated on the first sample.
    histogram: Vec<u64>,
    sum_ticks: u64,
    samples: u64,
}

impl CommitLatency {
    /// A leader appended `(index, term)` at `tick` (replacing an earlier proposal at that
    /// index, which a new leader overwrote).
    pub(super) fn proposed(&mut self, index: u64, term: u64, tick: u64) {
        debug_assert!(index > 0);
        let slot = ((index - 1) % MAX_TRACKED_PROPOSALS as u64) as usize;
        if self.proposals.len() <= slot {
            self.proposals.resize(slot + 1, Proposal::default());
        }
        self.proposals[slot] = Proposal { index, term, tick };
    }

    /// `index` committed for the first time at `tick`, holding an entry of `term`: counts a
    /// sample if that entry is the one a leader proposed there.
    pub(super) fn committed(&mut self, index: u64, term: u64, tick: u64) {
        let slot = (index.wrapping_sub(1) % MAX_TRACKED_PROPOSALS as u64) as usize;
        let Some(p) = self.proposals.get(slot) else {
            return;
        };
        if p.index != index || p.term != term {
            return;
        }
        let latency = u64::from((tick - p.tick) as u32);
        if self.histogram.is_empty() {
            self.histogram = vec![0; MAX_EXACT_COMMIT_LATENCY_TICKS as usize + 1];
        }
        self.histogram[latency.min(MAX_EXACT_COMMIT_LATENCY_TICKS) as usize] += 1;
        self.sum_ticks += latency;
        self.samples += 1;
    }

    pub(super) fn summary(&self) -> CommitLatencySummary {
        let n = self.samples;
        if n == 0 {
            return CommitLatencySummary::default();
        }
        let rank = (n * 99).div_ceil(100).max(1);
        let mut seen = 0;
        let mut p99_ticks = MAX_EXACT_COMMIT_LATENCY_TICKS;
        for (ticks, &count) in self.histogram.iter().enumerate() {
            seen += count;
            if seen >= rank {
                p99_ticks = ticks as u64;
                break;
            }
        }
        CommitLatencySummary {
            mean_milli_ticks: self.sum_ticks * 1000 / n,
            p99_ticks,
            samples: n,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn measures_from_proposal_to_first_commit() {
        let mut l = CommitLatency::default();
        for i in 1..=100 {
            l.proposed(i, 1, 10 * i);
        }
        for i in 1..=100 {
            l.committed(i, 1, 10 * i + if i == 100 { 50 } else { 2 });
        }
        let s = l.summary();
        assert_eq!(s.samples, 100);
        assert_eq!(s.mean_milli_ticks, (99 * 2 + 50) * 1000 / 100);
        assert_eq!(s.p99_ticks, 2); // nearest rank 99 of 100
    }

    #[test]
    fn an_overwritten_entry_is_not_measured() {
        let mut l = CommitLatency::default();
        l.proposed(5, 1, 0);
        l.proposed(5, 2, 7); // a new leader's entry at the same index
        l.committed(5, 1, 9);
        assert_eq!(l.summary().samples, 0);
        l.committed(5, 2, 9);
        assert_eq!(l.summary().p99_ticks, 2);
    }

    #[test]
    fn proposals_are_bounded_and_a_reused_slot_forgets_the_old_index() {
        let mut l = CommitLatency::default();
        let far = 1 + MAX_TRACKED_PROPOSALS as u64;
        l.proposed(1, 1, 0);
        l.proposed(far, 1, 5);
        assert!(l.proposals.len() <= MAX_TRACKED_PROPOSALS);
        l.committed(1, 1, 9);
        assert_eq!(l.summary().samples, 0);
        l.committed(far, 1, 9);
        assert_eq!(l.summary().samples, 1);
        for i in 1..=3 * MAX_TRACKED_PROPOSALS as u64 {
            l.proposed(i, 1, i);
        }
        assert_eq!(l.proposals.len(), MAX_TRACKED_PROPOSALS);
    }

    #[test]
    fn latencies_past_the_exact_range_share_the_last_bucket() {
        let mut l = CommitLatency::default();
        let long = 3 * MAX_EXACT_COMMIT_LATENCY_TICKS;
        for i in 1..=10 {
            l.proposed(i, 1, 0);
            l.committed(i, 1, long);
        }
        let s = l.summary();
        assert_eq!(l.histogram.len() as u64, MAX_EXACT_COMMIT_LATENCY_TICKS + 1);
        assert_eq!(s.p99_ticks, MAX_EXACT_COMMIT_LATENCY_TICKS);
        assert_eq!(s.mean_milli_ticks, long * 1000);
    }
}
