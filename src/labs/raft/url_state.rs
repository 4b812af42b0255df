//! The lab's state in the address: `seed`, `nodes`, `until` (the tick it opens at, paused),
//! `pv` / `cq` (PreVote and CheckQuorum, `on` or `off`), `voters` (initial voters), `snap`
//! (compaction interval) and `faults` (the schedule, in the JSON `raft-sim --faults` reads,
//! the visitor's actions included). Each value has a named bound; a bad one is reported and
//! its default used, and nothing in an address can make the lab panic.

use super::session::{RunConfig, MAX_NODES, MAX_RUN_TICKS, MIN_NODES};
use crate::content::schema::RaftLinkWords;
use crate::labs::kit::{self, format::fill};
use raft::faults::FaultSchedule;

/// The longest query the lab reads (a long schedule of clicks fits well within it).
pub const MAX_QUERY_CHARS: usize = 65_536;
/// The largest compaction interval a link may ask for.
pub const MAX_SNAPSHOT_EVERY: u64 = 1_000_000;

/// What an address describes, and what in it could not be used.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Address {
    pub run: RunConfig,
    pub schedule: FaultSchedule,
    pub until: u64,
    pub problems: Vec<String>,
}

fn number(
    words: &RaftLinkWords,
    problems: &mut Vec<String>,
    key: &str,
    text: &str,
    range: (u64, u64),
) -> Option<u64> {
    kit::query::number(&words.out_of_range, problems, key, text, range)
}

fn switch(
    words: &RaftLinkWords,
    problems: &mut Vec<String>,
    key: &str,
    text: &str,
) -> Option<bool> {
    match text {
        "on" => Some(true),
        "off" => Some(false),
        _ => {
            problems.push(fill(
                &words.out_of_range,
                &[("key", key), ("min", "on"), ("max", "off")],
            ));
            None
        }
    }
}

/// Reads `query` (`decode` percent-decodes a value). Defaults are `raft-sim`'s.
pub fn parse(query: &str, words: &RaftLinkWords, decode: impl Fn(&str) -> String) -> Address {
    let mut a = Address::default();
    let p = &mut a.problems;
    for (key, raw) in kit::query::pairs(query) {
        let text = decode(raw);
        match key {
            "seed" => {
                if let Some(v) = number(words, p, key, &text, (0, u64::MAX)) {
                    a.run.seed = v;
                }
            }
            "nodes" => {
                let range = (MIN_NODES as u64, MAX_NODES as u64);
                if let Some(v) = number(words, p, key, &text, range) {
                    a.run.nodes = v as usize;
                }
            }
            "until" => {
                if let Some(v) = number(words, p, key, &text, (0, MAX_RUN_TICKS)) {
                    a.until = v;
                }
            }
            "pv" => {
                if let Some(v) = switch(words, p, key, &text) {
                    a.run.pre_vote = v;
                }
            }
            "cq" => {
                if let Some(v) = switch(words, p, key, &text) {
                    a.run.check_quorum = v;
                }
            }
            "voters" => {
                if let Some(v) = number(words, p, key, &text, (0, MAX_NODES as u64)) {
                    a.run.initial_voters = v as usize;
                }
            }
            "snap" => {
                if let Some(v) = number(words, p, key, &text, (0, MAX_SNAPSHOT_EVERY)) {
                    a.run.snapshot_every = v;
                }
            }
            "faults" => match FaultSchedule::from_json(&text) {
                Ok(s) => a.schedule = s,
                Err(e) => p.push(fill(&words.bad_schedule, &[("error", &e.to_string())])),
            },
            _ => p.push(fill(&words.unknown_key, &[("key", key)])),
        }
    }
    if a.run.initial_voters > a.run.nodes {
        a.run.initial_voters = 0;
    }
    // A schedule for another cluster size is refused here, before the run starts.
    if let Err(e) = a.schedule.validate(a.run.nodes) {
        a.problems
            .push(fill(&words.bad_schedule, &[("error", &e.to_string())]));
        a.schedule = FaultSchedule::default();
    }
    a
}

/// `encode` percent-encodes a value (the page uses `encodeURIComponent`).
pub fn query(
    run: &RunConfig,
    schedule: &FaultSchedule,
    until: u64,
    encode: impl Fn(&str) -> String,
) -> String {
    let d = RunConfig::default();
    let mut q = format!("seed={}&nodes={}&until={until}", run.seed, run.nodes);
    if run.pre_vote != d.pre_vote {
        q.push_str(if run.pre_vote { "&pv=on" } else { "&pv=off" });
    }
    if run.check_quorum != d.check_quorum {
        q.push_str(if run.check_quorum {
            "&cq=on"
        } else {
            "&cq=off"
        });
    }
    if run.initial_voters != d.initial_voters {
        q.push_str(&format!("&voters={}", run.initial_voters));
    }
    if run.snapshot_every != d.snapshot_every {
        q.push_str(&format!("&snap={}", run.snapshot_every));
    }
    if *schedule != FaultSchedule::default() {
        q.push_str("&faults=");
        q.push_str(&encode(&schedule.to_json()));
    }
    q
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words() -> RaftLinkWords {
        RaftLinkWords {
            unknown_key: "unknown {key}".into(),
            out_of_range: "{key} in {min}..{max}".into(),
            bad_schedule: "schedule: {error}".into(),
            bad_run: "run: {error}".into(),
        }
    }

    fn id(s: &str) -> String {
        s.to_string()
    }

    #[test]
    fn a_query_round_trips() {
        let run = RunConfig {
            seed: 7,
            nodes: 3,
            pre_vote: false,
            initial_voters: 2,
            ..RunConfig::default()
        };
        let schedule =
            FaultSchedule::from_json(r#"{"events":[{"at":4,"kind":"crash","node":1}]}"#).unwrap();
        let q = query(&run, &schedule, 90, id);
        let a = parse(&q, &words(), id);
        assert_eq!(a.problems, Vec::<String>::new());
        assert_eq!((a.run, a.schedule, a.until), (run, schedule, 90));
    }

    #[test]
    fn bad_values_are_reported_and_defaulted() {
        let a = parse(
            "seed=x&nodes=9&until=99999999999&pv=maybe&bogus=1&faults={nope",
            &words(),
            id,
        );
        assert_eq!(a.run, RunConfig::default());
        assert_eq!(a.until, 0);
        assert_eq!(a.problems.len(), 6, "{:?}", a.problems);
        assert!(a.problems.iter().any(|p| p == "unknown bogus"));
        assert!(a.problems.iter().any(|p| p == "nodes in 3..7"));
        // A schedule naming a node outside the cluster is refused, not run.
        let a = parse(
            r#"nodes=3&faults={"events":[{"at":1,"kind":"crash","node":5}]}"#,
            &words(),
            id,
        );
        assert_eq!(a.schedule, FaultSchedule::default());
        assert_eq!(a.problems.len(), 1);
    }
}
