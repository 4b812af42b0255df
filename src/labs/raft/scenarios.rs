//! The scenarios in `content/labs/raft.toml`, run here: each opens where it says and shows what
//! it says — checked on the engine, so a change to the engine or the content that breaks a
//! scenario's story fails the build's tests.

use super::session::{RunConfig, Session};
use crate::content::schema::RaftPreset;
use raft::faults::FaultSchedule;
use raft::RaftError;

/// The session a scenario describes.
pub fn session(p: &RaftPreset) -> Result<Session, RaftError> {
    let run = RunConfig {
        seed: p.seed,
        nodes: p.nodes,
        pre_vote: p.pre_vote,
        check_quorum: p.check_quorum,
        initial_voters: p.initial_voters,
        ..RunConfig::default()
    };
    Session::new(run, FaultSchedule::from_json(&p.schedule)?, p.until)
}

/// The lab's scenarios, from its bundle.
pub fn presets() -> &'static [RaftPreset] {
    &super::bundle().live.words.presets
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::labs::raft::session::Frame;
    use raft::Role;

    /// Frames of `slug`'s run from its opening tick to `to`, one per tick.
    fn frames(slug: &str, to: u64) -> Vec<Frame> {
        let p = presets().iter().find(|p| p.slug == slug).unwrap();
        let mut s = session(p).unwrap();
        assert_eq!(s.now(), p.until, "{slug} opens at its tick");
        let mut out = Vec::new();
        while s.now() < to {
            s.step(1);
            let mut f = Frame::default();
            s.frame(None, &mut f);
            assert!(f.view.violation.is_none(), "{slug}: {:?}", f.view.violation);
            out.push(f);
        }
        out
    }

    fn at(fs: &[Frame], tick: u64) -> &Frame {
        fs.iter().find(|f| f.view.now == tick).unwrap()
    }

    fn role(f: &Frame, n: usize) -> Option<Role> {
        f.view.nodes[n].role
    }

    #[test]
    fn every_scenario_opens() {
        assert_eq!(presets().len(), 7);
        for p in presets() {
            session(p).unwrap_or_else(|e| panic!("{}: {e}", p.slug));
        }
    }

    #[test]
    fn leader_crash_elects_a_new_leader_in_a_higher_term() {
        let fs = frames("leader-crash", 700);
        assert_eq!(at(&fs, 150).leader, Some(3));
        let after = at(&fs, 300);
        assert!(after.leader.is_some_and(|l| l != 3));
        assert!(after.max_term >= 2);
        assert_eq!(role(at(&fs, 700), 3), Some(Role::Follower));
    }

    #[test]
    fn split_vote_has_two_candidates_and_no_winner_in_term_2() {
        let fs = frames("split-vote", 400);
        let f = at(&fs, 161);
        assert_eq!(
            (role(f, 0), role(f, 1)),
            (Some(Role::Candidate), Some(Role::Candidate))
        );
        assert!(fs
            .iter()
            .all(|f| f.leader.is_none_or(|l| f.view.nodes[l as usize].term != 2)));
        assert!(at(&fs, 400)
            .view
            .nodes
            .iter()
            .any(|n| n.role == Some(Role::Leader) && n.term >= 3));
    }

    #[test]
    fn minority_partition_freezes_the_minority_while_the_majority_commits() {
        let fs = frames("minority-partition", 600);
        let (cut, later) = (at(&fs, 200), at(&fs, 600));
        for n in [3, 4] {
            assert_eq!(later.view.nodes[n].commit, cut.view.nodes[n].commit);
        }
        assert!(later.view.nodes[0].commit > cut.view.nodes[0].commit + 10);
        assert!(later.leader.is_some_and(|l| l <= 2));
    }

    #[test]
    fn pre_vote_keeps_a_returning_node_from_deposing_the_leader() {
        let on = frames("returning-node", 600);
        assert!(on.iter().all(|f| f.view.nodes[0].term == 1));
        assert!(on.iter().all(|f| f.leader == Some(3)));
        let off = frames("returning-node-off", 600);
        assert!(at(&off, 399).view.nodes[0].term > 3);
        assert!(at(&off, 600).view.nodes.iter().all(|n| n.term > 3));
    }

    #[test]
    fn flaky_network_keeps_a_leader_and_the_invariants() {
        let fs = frames("flaky-network", 1500);
        let last = fs.last().unwrap();
        assert!(last.view.stats.drops > 0 && last.view.stats.duplicates > 0);
        assert!(last.view.stats.entries_committed > 100);
    }

    #[test]
    fn membership_change_adds_learners_and_removes_the_leader() {
        let fs = frames("membership", 700);
        assert_eq!(at(&fs, 91).view.nodes[0].voters, 0b00111);
        let last = fs.last().unwrap();
        assert_eq!(last.view.nodes[1].voters, 0b11110);
        assert!(last.leader.is_some_and(|l| l != 0));
    }
}
