//! Unit tests for the node, named after the Raft paper's rules and scenarios. A tiny
//! hand-driven cluster delivers messages in FIFO order with optional isolation.

use crate::error::RaftError;
use crate::message::{Body, Command, Entry, Message, NodeId};
use crate::node::{HardState, Node, NodeConfig, Ready, Role};
use deterministic::SplitMix64;
use std::collections::VecDeque;

struct Cluster {
    nodes: Vec<Node>,
    queue: VecDeque<Message>,
    isolated: Vec<bool>,
    ready: Ready,
    rejections: usize,
}

fn cfg(id: u8, n: usize, pre_vote: bool, check_quorum: bool) -> NodeConfig {
    let mut c = NodeConfig::new(id, n);
    c.election_timeout_ticks = 10;
    c.heartbeat_interval_ticks = 2;
    c.pre_vote = pre_vote;
    c.check_quorum = check_quorum;
    c
}

/// A node restarted from `(term, vote, commit)` and a log, with its RNG seeded by `seed`.
fn restarted(
    cfg: NodeConfig,
    (term, vote, commit): (u64, Option<NodeId>, u64),
    log: &[Entry],
    seed: u64,
) -> Node {
    Node::restart(
        cfg,
        HardState { term, vote, commit },
        log,
        SplitMix64::new(seed),
    )
    .unwrap()
}

/// A (real, not pre-) vote request from `from` to `to` in `term`, with the candidate's last
/// log position `(index, term)`.
fn vote_request(
    from: NodeId,
    to: NodeId,
    term: u64,
    (last_index, last_term): (u64, u64),
) -> Message {
    Message {
        from,
        to,
        term,
        body: Body::Vote {
            last_index,
            last_term,
        },
    }
}

fn entries(terms: &[u64]) -> Vec<Entry> {
    terms
        .iter()
        .enumerate()
        .map(|(i, &t)| Entry {
            term: t,
            index: i as u64 + 1,
            cmd: Command::Noop,
        })
        .collect()
}

impl Cluster {
    fn new(n: usize, pre_vote: bool, check_quorum: bool) -> Self {
        let nodes = (0..n as u8)
            .map(|i| {
                Node::new(
                    cfg(i, n, pre_vote, check_quorum),
                    SplitMix64::new(100 + i as u64),
                )
            })
            .collect::<Result<Vec<_>, _>>()
            .unwrap();
        Self::from_nodes(nodes)
    }

    fn from_nodes(nodes: Vec<Node>) -> Self {
        let n = nodes.len();
        Cluster {
            nodes,
            queue: VecDeque::new(),
            isolated: vec![false; n],
            ready: Ready::default(),
            rejections: 0,
        }
    }

    fn collect(&mut self, i: usize) {
        self.nodes[i].ready(&mut self.ready);
        self.queue.extend(self.ready.messages.drain(..));
    }

    fn tick(&mut self, i: usize) {
        self.nodes[i].tick();
        self.collect(i);
    }

    fn tick_all(&mut self) {
        for i in 0..self.nodes.len() {
            self.tick(i);
        }
    }

    fn deliver_all(&mut self) {
        let mut budget = 100_000;
        while let Some(m) = self.queue.pop_front() {
            budget -= 1;
            assert!(budget > 0, "message storm");
            if self.isolated[m.from as usize] || self.isolated[m.to as usize] {
                continue;
            }
            if matches!(m.body, Body::AppendResp { success: false, .. }) {
                self.rejections += 1;
            }
            let to = m.to as usize;
            self.nodes[to].step(m).unwrap();
            self.collect(to);
        }
    }

    /// Ticks node `i` until it campaigns, then delivers everything.
    fn elect(&mut self, i: usize) {
        for _ in 0..40 {
            if self.nodes[i].role() != Role::Follower {
                break;
            }
            self.tick(i);
        }
        self.deliver_all();
    }

    /// Ticks everyone (with delivery) for `rounds` rounds.
    fn run(&mut self, rounds: usize) {
        for _ in 0..rounds {
            self.tick_all();
            self.deliver_all();
        }
    }

    fn leaders(&self) -> Vec<usize> {
        (0..self.nodes.len())
            .filter(|&i| self.nodes[i].role() == Role::Leader)
            .collect()
    }
}

#[test]
fn election_elects_exactly_one_leader_and_commits_its_noop() {
    let mut c = Cluster::new(3, true, true);
    c.elect(0);
    assert_eq!(c.leaders(), vec![0]);
    assert_eq!(c.nodes[0].term(), 1);
    for i in 1..3 {
        assert_eq!(c.nodes[i].role(), Role::Follower);
        assert_eq!(c.nodes[i].term(), 1);
        assert_eq!(c.nodes[i].leader(), Some(0));
    }
    // The leader's no-op of its own term commits once a majority stores it.
    assert_eq!(c.nodes[0].commit(), 1);
}

#[test]
fn election_timeouts_are_randomized_per_node() {
    let timeouts: Vec<u32> = (0..5u8)
        .map(|i| {
            let mut n = Node::new(cfg(i, 5, false, false), SplitMix64::new(7 + i as u64)).unwrap();
            let mut t = 0;
            while n.role() == Role::Follower {
                n.tick();
                t += 1;
            }
            t
        })
        .collect();
    assert!(
        timeouts.iter().all(|&t| (10..20).contains(&t)),
        "{timeouts:?}"
    );
    assert!(timeouts.iter().any(|&t| t != timeouts[0]), "{timeouts:?}");
}

#[test]
fn split_vote_elects_nobody_then_a_later_term_resolves_it() {
    // Four nodes, quorum 3: two simultaneous candidates each get one other vote.
    let mut c = Cluster::new(4, false, false);
    while c.nodes[0].role() != Role::Candidate {
        c.tick(0);
    }
    while c.nodes[1].role() != Role::Candidate {
        c.tick(1);
    }
    // Node 2 hears node 0 first, node 3 hears node 1 first.
    let mut q: Vec<Message> = c.queue.drain(..).collect();
    q.sort_by_key(|m| match (m.from, m.to) {
        (0, 2) | (1, 3) => 0,
        _ => 1,
    });
    c.queue.extend(q);
    c.deliver_all();
    assert!(c.leaders().is_empty(), "split vote must not elect");
    assert_eq!(c.nodes[0].term(), 1);
    assert_eq!(c.nodes[1].term(), 1);
    // Randomized timeouts break the tie in a later term.
    c.run(60);
    let leaders = c.leaders();
    assert_eq!(leaders.len(), 1);
    assert!(c.nodes[leaders[0]].term() >= 2);
}

#[test]
fn log_conflict_repair_with_fast_backoff() {
    // Node 1 was leader of term 2 and appended 10 entries no one else has.
    let a = restarted(cfg(0, 3, true, true), (3, None, 2), &entries(&[1, 1, 1]), 1);
    let b_log = entries(&[1, 1, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2]);
    let b = restarted(cfg(1, 3, true, true), (2, Some(1), 2), &b_log, 2);
    let cn = restarted(cfg(2, 3, true, true), (3, None, 2), &entries(&[1, 1, 1]), 3);
    let mut c = Cluster::from_nodes(vec![a, b, cn]);
    c.elect(0);
    assert_eq!(c.leaders(), vec![0]);
    c.run(3);
    assert_eq!(c.nodes[1].log().entries(), c.nodes[0].log().entries());
    assert_eq!(c.nodes[1].log().last_index(), 4);
    // Fast back-off skips the whole conflicting term: one rejection, not ten.
    assert_eq!(c.rejections, 1);
}

#[test]
fn follower_rejects_append_that_fails_consistency_check() {
    let mut n = Node::new(cfg(1, 3, false, false), SplitMix64::new(1)).unwrap();
    let m = Message {
        from: 0,
        to: 1,
        term: 1,
        body: Body::Append {
            prev_index: 5,
            prev_term: 1,
            commit: 0,
            entries: vec![],
        },
    };
    n.step(m).unwrap();
    let mut r = Ready::default();
    n.ready(&mut r);
    assert_eq!(
        r.messages[0].body,
        Body::AppendResp {
            success: false,
            index: 5,
            hint_index: 1,
            hint_term: 0
        }
    );
}

#[test]
fn stale_leader_steps_down_on_higher_term() {
    // No CheckQuorum here, so the isolated leader keeps believing it leads.
    let mut c = Cluster::new(3, true, false);
    c.elect(0);
    c.isolated[0] = true;
    c.run(60);
    assert_eq!(c.nodes[0].role(), Role::Leader, "stale leader of term 1");
    let new_leader = c
        .leaders()
        .into_iter()
        .find(|&i| i != 0)
        .expect("new leader");
    assert!(c.nodes[new_leader].term() > 1);
    c.isolated[0] = false;
    c.run(3);
    assert_eq!(c.nodes[0].role(), Role::Follower);
    assert_eq!(c.nodes[0].term(), c.nodes[new_leader].term());
    assert_eq!(c.leaders(), vec![new_leader]);
}

#[test]
fn check_quorum_makes_an_isolated_leader_step_down() {
    let mut c = Cluster::new(3, true, true);
    c.elect(0);
    c.isolated[0] = true;
    for _ in 0..25 {
        c.tick(0);
    }
    assert_eq!(c.nodes[0].role(), Role::Follower);
    assert_eq!(c.nodes[0].term(), 1, "stepping down does not bump the term");
}

#[test]
fn commit_rules_need_a_majority() {
    let mut c = Cluster::new(5, false, false);
    c.elect(0);
    assert_eq!(c.nodes[0].commit(), 1);
    // Only one follower reachable: leader + 1 = 2 of 5 is not a majority.
    for i in 2..5 {
        c.isolated[i] = true;
    }
    c.nodes[0]
        .propose(Command::Put {
            client: 0,
            seq: 1,
            key: 0,
            value: 1,
        })
        .unwrap();
    c.collect(0);
    c.deliver_all();
    assert_eq!(c.nodes[0].commit(), 1);
    c.isolated[2] = false;
    c.run(2);
    assert_eq!(c.nodes[0].commit(), 2);
}

#[test]
fn commit_rules_only_count_replicas_of_current_term_entries() {
    // Figure 8: the leader of term 4 holds an entry of term 2 at index 2 that a majority
    // stores; counting replicas must not commit it until an entry of term 4 is replicated.
    let leader = restarted(cfg(0, 3, false, false), (3, None, 1), &entries(&[1, 2]), 5);
    let f1 = restarted(cfg(1, 3, false, false), (3, None, 1), &entries(&[1, 2]), 6);
    let f2 = restarted(cfg(2, 3, false, false), (3, None, 1), &entries(&[1]), 7);
    let mut c = Cluster::from_nodes(vec![leader, f1, f2]);
    while c.nodes[0].role() != Role::Candidate {
        c.tick(0);
    }
    c.deliver_all();
    // Elected (term 4) and its no-op replicated, so index 2 commits together with index 3.
    assert_eq!(c.nodes[0].role(), Role::Leader);
    assert_eq!(c.nodes[0].commit(), 3);

    // Directly: a success ack covering only the old-term entry does not commit it.
    let mut l = restarted(cfg(0, 3, false, false), (3, None, 1), &entries(&[1, 2]), 5);
    while l.role() != Role::Candidate {
        l.tick();
    }
    let term = l.term();
    l.step(Message {
        from: 1,
        to: 0,
        term,
        body: Body::VoteResp { granted: true },
    })
    .unwrap();
    assert_eq!(l.role(), Role::Leader);
    let ack = |index| Message {
        from: 1,
        to: 0,
        term,
        body: Body::AppendResp {
            success: true,
            index,
            hint_index: 0,
            hint_term: 0,
        },
    };
    l.step(ack(2)).unwrap();
    assert_eq!(
        l.commit(),
        1,
        "term-2 entry must not commit by counting in term 4"
    );
    l.step(ack(3)).unwrap();
    assert_eq!(l.commit(), 3);
}

#[test]
fn prevote_and_check_quorum_stop_a_returning_partitioned_node_from_disrupting() {
    let mut c = Cluster::new(3, true, true);
    c.elect(0);
    c.isolated[2] = true;
    c.run(100);
    // With PreVote the isolated node never wins a pre-vote, so its term does not grow.
    assert_eq!(c.nodes[2].term(), 1);
    c.isolated[2] = false;
    c.run(10);
    assert_eq!(c.leaders(), vec![0]);
    assert_eq!(c.nodes[0].term(), 1);
    assert_eq!(c.nodes[2].leader(), Some(0));
}

#[test]
fn without_prevote_a_returning_partitioned_node_disrupts_the_leader() {
    // The counterfactual that motivates PreVote: the isolated node's term runs ahead and its
    // return deposes a healthy leader.
    let mut c = Cluster::new(3, false, false);
    c.elect(0);
    c.isolated[2] = true;
    c.run(100);
    assert!(c.nodes[2].term() > 1);
    let high = c.nodes[2].term();
    c.isolated[2] = false;
    c.run(30);
    assert!(
        c.nodes[0].term() >= high,
        "old leader was deposed by the higher term"
    );
}

#[test]
fn check_quorum_lease_ignores_higher_term_vote_requests() {
    let mut c = Cluster::new(3, false, true);
    c.elect(0);
    let m = vote_request(2, 1, 9, (99, 9));
    c.nodes[1].step(m).unwrap();
    assert_eq!(
        c.nodes[1].term(),
        1,
        "in-lease follower ignores the disruptive vote"
    );
    let mut r = Ready::default();
    c.nodes[1].ready(&mut r);
    assert!(r.messages.is_empty());
}

#[test]
fn persistent_vote_survives_crash() {
    let mut n = Node::new(cfg(1, 3, false, false), SplitMix64::new(1)).unwrap();
    n.step(vote_request(0, 1, 5, (0, 0))).unwrap();
    let mut r = Ready::default();
    n.ready(&mut r);
    let hs = r.hard_state.expect("vote must be persisted");
    assert_eq!(
        hs,
        HardState {
            term: 5,
            vote: Some(0),
            commit: 0
        }
    );
    // Crash and restart from persisted state: a second candidate of term 5 is refused.
    let mut n2 = Node::restart(cfg(1, 3, false, false), hs, &[], SplitMix64::new(2)).unwrap();
    n2.step(vote_request(2, 1, 5, (0, 0))).unwrap();
    n2.ready(&mut r);
    assert_eq!(r.messages[0].body, Body::VoteResp { granted: false });
}

#[test]
fn vote_is_refused_to_a_candidate_with_a_stale_log() {
    let mut n = restarted(cfg(1, 3, false, false), (2, None, 0), &entries(&[1, 2]), 1);
    n.step(vote_request(0, 1, 3, (5, 1))).unwrap();
    let mut r = Ready::default();
    n.ready(&mut r);
    assert_eq!(r.messages[0].body, Body::VoteResp { granted: false });
}

#[test]
fn double_vote_bug_knob_grants_two_votes_in_one_term() {
    let mut c = cfg(1, 3, false, false);
    c.bug_double_vote = true;
    let mut n = Node::new(c, SplitMix64::new(1)).unwrap();
    let vote = |from| vote_request(from, 1, 1, (0, 0));
    n.step(vote(0)).unwrap();
    n.step(vote(2)).unwrap();
    let mut r = Ready::default();
    n.ready(&mut r);
    let granted = r
        .messages
        .iter()
        .filter(|m| m.body == Body::VoteResp { granted: true })
        .count();
    assert_eq!(granted, 2);
}

#[test]
fn propose_on_follower_is_a_typed_error_with_leader_hint() {
    let mut c = Cluster::new(3, true, true);
    c.elect(0);
    let err = c.nodes[1].propose(Command::Noop).unwrap_err();
    assert_eq!(
        err,
        RaftError::NotLeader {
            leader_hint: Some(0)
        }
    );
}

#[test]
fn bad_messages_and_configs_are_typed_errors() {
    let mut n = Node::new(cfg(0, 3, true, true), SplitMix64::new(1)).unwrap();
    let m = Message {
        from: 7,
        to: 0,
        term: 1,
        body: Body::VoteResp { granted: true },
    };
    assert!(matches!(n.step(m), Err(RaftError::InvalidMessage(_))));
    assert!(Node::new(cfg(5, 3, true, true), SplitMix64::new(1)).is_err());
    let mut bad = cfg(0, 3, true, true);
    bad.heartbeat_interval_ticks = 50;
    assert!(Node::new(bad, SplitMix64::new(1)).is_err());
}

#[test]
fn replicated_logs_match_and_apply_in_order() {
    let mut c = Cluster::new(5, true, true);
    c.elect(0);
    for s in 1..=20u32 {
        c.nodes[0]
            .propose(Command::Put {
                client: 0,
                seq: s,
                key: 1,
                value: s as u64,
            })
            .unwrap();
        c.collect(0);
        if s % 3 == 0 {
            c.run(1);
        }
    }
    c.run(5);
    for i in 1..5 {
        assert_eq!(c.nodes[i].log().entries(), c.nodes[0].log().entries());
        assert_eq!(c.nodes[i].commit(), 21);
    }
}

mod fuzz {
    use super::*;
    use proptest::prelude::*;

    fn arb_body() -> impl Strategy<Value = Body> {
        let idx = 0u64..12;
        prop_oneof![
            (idx.clone(), 0u64..6).prop_map(|(i, t)| Body::PreVote {
                last_index: i,
                last_term: t
            }),
            any::<bool>().prop_map(|g| Body::PreVoteResp { granted: g }),
            (idx.clone(), 0u64..6).prop_map(|(i, t)| Body::Vote {
                last_index: i,
                last_term: t
            }),
            any::<bool>().prop_map(|g| Body::VoteResp { granted: g }),
            (
                idx.clone(),
                0u64..6,
                0u64..12,
                proptest::collection::vec((0u64..14, 1u64..6, 0u8..7), 0..5)
            )
                .prop_map(|(pi, pt, c, es)| Body::Append {
                    prev_index: pi,
                    prev_term: pt,
                    commit: c,
                    entries: es
                        .into_iter()
                        .map(|(i, t, k)| Entry {
                            index: i,
                            term: t,
                            cmd: match k {
                                0..=2 => Command::AddVoter { node: k },
                                3..=5 => Command::RemoveVoter { node: k - 3 },
                                _ => Command::Noop,
                            },
                        })
                        .collect(),
                }),
            (any::<bool>(), idx.clone(), idx.clone(), 0u64..6).prop_map(|(s, i, h, ht)| {
                Body::AppendResp {
                    success: s,
                    index: i,
                    hint_index: h,
                    hint_term: ht,
                }
            }),
            (idx, 0u64..6).prop_map(|(i, t)| Body::Snapshot {
                snapshot: crate::message::Snapshot {
                    index: i,
                    term: t,
                    voters: 0b111,
                    data: Vec::new().into()
                }
            }),
        ]
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(256))]
        /// Arbitrary (even nonsensical) message sequences never panic the node, never move
        /// the commit index back or past the log, and never rewrite committed entries.
        #[test]
        fn arbitrary_inputs_keep_local_invariants(
            inputs in proptest::collection::vec((0u8..4, 0u64..7, arb_body(), 0u8..4), 1..80),
            pre_vote in any::<bool>(),
            check_quorum in any::<bool>(),
        ) {
            let mut n = Node::new(cfg(0, 3, pre_vote, check_quorum), SplitMix64::new(9)).unwrap();
            let mut r = Ready::default();
            let mut commit = 0;
            let mut committed: Vec<Entry> = Vec::new();
            for (from, term, body, ticks) in inputs {
                for _ in 0..ticks {
                    n.tick();
                }
                let res = n.step(Message { from, to: 0, term, body });
                prop_assert_eq!(res.is_err(), from == 0 || from >= 3);
                if n.is_leader() {
                    let _ = n.propose(Command::Noop);
                }
                n.ready(&mut r);
                prop_assert!(n.commit() >= commit);
                prop_assert!(n.commit() <= n.log().last_index());
                prop_assert!(n.log().offset() <= n.commit());
                // The voter set always equals the base config with the log's changes applied.
                let mut v = n.snapshot().map_or(0b111, |s| s.voters);
                for e in n.log().entries() {
                    v = e.cmd.apply_to_voters(v);
                }
                prop_assert_eq!(n.voters(), v);
                for e in committed.iter().filter(|e| e.index > n.log().offset()) {
                    prop_assert_eq!(n.log().entry(e.index), Some(e), "committed entry rewritten");
                }
                commit = n.commit();
                committed = n.log().slice(1, commit).to_vec();
            }
            prop_assert_eq!(committed.len() as u64 + n.log().offset(), commit);
        }
    }
}

#[test]
fn lagging_follower_catches_up_through_install_snapshot() {
    let mut c = Cluster::new(3, true, true);
    c.elect(0);
    c.isolated[2] = true;
    for s in 1..=10u32 {
        c.nodes[0]
            .propose(Command::Put {
                client: 0,
                seq: s,
                key: 0,
                value: s as u64,
            })
            .unwrap();
        c.collect(0);
        c.run(1);
    }
    assert_eq!(c.nodes[0].commit(), 11);
    // The leader compacts everything applied; follower 2 now needs a snapshot.
    let applied = c.nodes[0].applied();
    let data: std::sync::Arc<[u8]> = vec![1, 2, 3].into();
    let snap = c.nodes[0].compact(applied, data.clone()).unwrap();
    assert_eq!((snap.index, snap.term), (11, 1));
    assert_eq!(c.nodes[0].log().offset(), 11);
    assert!(
        c.nodes[0].compact(applied, data).is_err(),
        "cannot compact twice to one index"
    );
    c.isolated[2] = false;
    let mut installed = None;
    for _ in 0..5 {
        c.tick_all();
        while let Some(m) = c.queue.pop_front() {
            let to = m.to as usize;
            c.nodes[to].step(m).unwrap();
            c.nodes[to].ready(&mut c.ready);
            if to == 2 && c.ready.snapshot.is_some() {
                installed = c.ready.snapshot.clone();
            }
            c.queue.extend(c.ready.messages.drain(..));
        }
    }
    let installed = installed.expect("follower 2 received InstallSnapshot");
    assert_eq!(installed.index, 11);
    assert_eq!(&installed.data[..], &[1, 2, 3]);
    assert_eq!(c.nodes[2].commit(), 11);
    assert_eq!(c.nodes[2].log().offset(), 11);
    // Replication continues after the snapshot point.
    c.nodes[0].propose(Command::Noop).unwrap();
    c.collect(0);
    c.run(4); // followers learn the new commit index from the next heartbeat
    assert_eq!(c.nodes[2].log().last_index(), 12);
    assert_eq!(c.nodes[2].commit(), 12);
}

#[test]
fn restart_from_snapshot_and_suffix() {
    let snap = crate::message::Snapshot {
        index: 5,
        term: 2,
        voters: 0b111,
        data: vec![9u8].into(),
    };
    let suffix: Vec<Entry> = (6..=7)
        .map(|i| Entry {
            term: 3,
            index: i,
            cmd: Command::Noop,
        })
        .collect();
    let hard = HardState {
        term: 3,
        vote: None,
        commit: 6,
    };
    let n = Node::restart_with_snapshot(
        cfg(1, 3, true, true),
        hard,
        Some(snap.clone()),
        &suffix,
        SplitMix64::new(1),
    )
    .unwrap();
    assert_eq!(
        (
            n.log().offset(),
            n.log().last_index(),
            n.commit(),
            n.applied()
        ),
        (5, 7, 6, 5)
    );
    // Entries must continue right after the snapshot.
    let bad = Node::restart_with_snapshot(
        cfg(1, 3, true, true),
        hard,
        Some(snap),
        &suffix[1..],
        SplitMix64::new(1),
    );
    assert!(bad.is_err());
}

fn cluster_with_voters(n: usize, voters: u16) -> Cluster {
    let nodes = (0..n as u8)
        .map(|i| {
            let mut c = cfg(i, n, true, true);
            c.initial_voters = voters;
            Node::new(c, SplitMix64::new(300 + i as u64))
        })
        .collect::<Result<Vec<_>, _>>()
        .unwrap();
    Cluster::from_nodes(nodes)
}

#[test]
fn membership_learner_never_campaigns_until_added() {
    let mut c = cluster_with_voters(4, 0b0111);
    c.isolated[3] = true;
    for _ in 0..100 {
        c.tick(3);
    }
    assert_eq!(c.nodes[3].role(), Role::Follower);
    assert_eq!(c.nodes[3].term(), 0, "a learner never starts an election");
    c.isolated[3] = false;
    c.elect(0);
    assert_eq!(c.leaders(), vec![0]);
    // 3 voters: leader + one follower is a majority even while the learner lags.
    c.nodes[0].propose(Command::AddVoter { node: 3 }).unwrap();
    c.collect(0);
    c.run(4);
    for i in 0..4 {
        assert_eq!(c.nodes[i].voters(), 0b1111, "node {i}");
    }
    assert_eq!(c.nodes[3].commit(), c.nodes[0].commit());
}

#[test]
fn membership_removed_leader_steps_down_and_the_rest_elect_a_new_one() {
    let mut c = cluster_with_voters(3, 0);
    c.elect(0);
    c.nodes[0]
        .propose(Command::RemoveVoter { node: 0 })
        .unwrap();
    c.collect(0);
    c.run(3);
    assert_ne!(c.nodes[0].role(), Role::Leader, "removed leader hands over");
    assert_eq!(c.nodes[1].voters(), 0b110);
    c.run(80);
    let leaders = c.leaders();
    assert_eq!(leaders.len(), 1);
    assert_ne!(leaders[0], 0);
    // Two voters left: both must store an entry to commit it.
    let l = leaders[0];
    let before = c.nodes[l].commit();
    c.nodes[l].propose(Command::Noop).unwrap();
    c.collect(l);
    c.run(3);
    assert!(c.nodes[l].commit() > before);
}

#[test]
fn membership_changes_wait_for_a_current_term_commit_and_go_one_at_a_time() {
    let mut c = cluster_with_voters(3, 0);
    for _ in 0..40 {
        if c.nodes[0].role() != Role::Follower {
            break;
        }
        c.tick(0);
    }
    // Deliver messages one by one until node 0 leads, before its no-op commits.
    while !c.nodes[0].is_leader() {
        let Some(m) = c.queue.pop_front() else {
            panic!("election did not complete");
        };
        let to = m.to as usize;
        c.nodes[to].step(m).unwrap();
        c.collect(to);
    }
    let early = c.nodes[0].propose(Command::RemoveVoter { node: 2 });
    assert!(
        matches!(early, Err(RaftError::ConfChangeRejected(_))),
        "{early:?}"
    );
    c.deliver_all();
    c.nodes[0]
        .propose(Command::RemoveVoter { node: 2 })
        .unwrap();
    let second = c.nodes[0].propose(Command::RemoveVoter { node: 1 });
    assert!(
        matches!(second, Err(RaftError::ConfChangeRejected(_))),
        "{second:?}"
    );
    assert!(c.nodes[0].propose(Command::AddVoter { node: 9 }).is_err());
    c.collect(0);
    c.run(3);
    assert_eq!(c.nodes[0].voters(), 0b011);
    assert!(matches!(
        c.nodes[0].propose(Command::AddVoter { node: 0 }),
        Err(RaftError::ConfChangeRejected(_))
    ));
}

#[test]
fn truncated_membership_entry_is_rolled_back() {
    // Node 1 holds an uncommitted RemoveVoter from a deposed leader of term 2.
    let mut log = entries(&[1]);
    log.push(Entry {
        term: 2,
        index: 2,
        cmd: Command::RemoveVoter { node: 2 },
    });
    let mut n = restarted(cfg(1, 3, false, false), (2, None, 1), &log, 1);
    assert_eq!(n.voters(), 0b011);
    // The leader of term 3 overwrites index 2 with its no-op.
    let e = Entry {
        term: 3,
        index: 2,
        cmd: Command::Noop,
    };
    n.step(Message {
        from: 0,
        to: 1,
        term: 3,
        body: Body::Append {
            prev_index: 1,
            prev_term: 1,
            commit: 1,
            entries: vec![e],
        },
    })
    .unwrap();
    assert_eq!(n.voters(), 0b111);
}
