//! The worker's messages (JSON both ways, in the kit's envelope) and its two jobs, shared by the
//! page and the `lab-raft-worker` bin:
//!
//! - **replay**: a fresh traced run of the page's `(config, schedule)` to its tick — exactly
//!   what `raft-sim … --digest` does — for the digest and the linearizability verdict, so the
//!   page's thread never runs the trace or the history search;
//! - **chaos**: the sweep's random schedules over a range of seeds, with progress.

use super::session::{RunConfig, MAX_NODES, MAX_RUN_TICKS, MIN_NODES};
use super::url_state;
use crate::labs::kit::worker::now_ms;
use raft::faults::FaultSchedule;
use raft::run_traced;
use raft::sweep::{random_schedule, run_seed, SWEEP_SNAPSHOT_EVERY_ENTRIES};
use serde::{Deserialize, Serialize};

/// Seeds the chaos panel runs by default, and the most it may ask for.
pub const DEFAULT_CHAOS_SEEDS: u64 = 1_000;
pub const MAX_CHAOS_SEEDS: u64 = 100_000;
/// Ticks per chaos seed (as `raft-sweep`'s default).
pub const CHAOS_TICKS: u64 = 2_000;
/// Violations listed (all are counted).
pub const MAX_LISTED_VIOLATIONS: usize = 20;
/// The worker reports progress at most this often.
pub const PROGRESS_EVERY_MS: f64 = 100.0;

/// Page → worker.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "job", rename_all = "snake_case")]
pub enum WorkerRequest {
    Replay {
        /// Echoed, so the page can ignore the answer to a question it no longer asks.
        generation: u64,
        run: RunConfig,
        schedule: FaultSchedule,
        until: u64,
    },
    Chaos {
        first_seed: u64,
        seeds: u64,
        nodes: usize,
    },
}

/// A failing seed, with the address that replays it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct FoundViolation {
    pub seed: u64,
    pub kind: String,
    pub tick: u64,
    pub detail: String,
    /// The lab's query for this seed's run, paused at the violation.
    pub query: String,
}

/// What the sweep has done so far (or in all, when `done`).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct ChaosProgress {
    pub seeds: u64,
    pub done: u64,
    pub violations: u64,
    pub deliveries: u64,
    pub elapsed_ms: f64,
    pub found: Vec<FoundViolation>,
    pub finished: bool,
}

/// Worker → page.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "reply", rename_all = "snake_case")]
pub enum WorkerReply {
    Replayed {
        generation: u64,
        /// 16 lowercase hex digits, as `raft-sim --digest` prints them.
        digest: String,
        until: u64,
        /// The first violation's kind and detail, the linearizability check's included.
        violation: Option<(String, String)>,
        linearizability_unknown: bool,
        operations: usize,
    },
    Chaos(ChaosProgress),
    Failed {
        error: String,
    },
}

/// Runs one job, posting each reply with `reply`.
pub fn handle(req: WorkerRequest, reply: &mut dyn FnMut(WorkerReply)) {
    match req {
        WorkerRequest::Replay {
            generation,
            run,
            schedule,
            until,
        } => {
            let until = until.min(MAX_RUN_TICKS);
            match run_traced(run.sim_config(until), schedule, |_| {}) {
                Ok(d) => reply(WorkerReply::Replayed {
                    generation,
                    digest: format!("{:016x}", d.digest),
                    until,
                    violation: d.violation.map(|v| (v.kind.as_str().to_string(), v.detail)),
                    linearizability_unknown: d.linearizability_unknown,
                    operations: d.operations,
                }),
                Err(e) => reply(WorkerReply::Failed {
                    error: e.to_string(),
                }),
            }
        }
        WorkerRequest::Chaos {
            first_seed,
            seeds,
            nodes,
        } => chaos(first_seed, seeds.min(MAX_CHAOS_SEEDS), nodes, reply),
    }
}

/// The lab's address of sweep seed `seed`, paused at `tick`.
pub fn chaos_query(seed: u64, nodes: usize, tick: u64, encode: impl Fn(&str) -> String) -> String {
    let run = RunConfig {
        seed,
        nodes,
        snapshot_every: SWEEP_SNAPSHOT_EVERY_ENTRIES,
        ..RunConfig::default()
    };
    let schedule = random_schedule(seed, nodes, CHAOS_TICKS);
    url_state::query(&run, &schedule, tick, encode)
}

fn chaos(first_seed: u64, seeds: u64, nodes: usize, reply: &mut dyn FnMut(WorkerReply)) {
    if !(MIN_NODES..=MAX_NODES).contains(&nodes) {
        return reply(WorkerReply::Failed {
            error: format!("nodes must be in {MIN_NODES}..={MAX_NODES}"),
        });
    }
    let start = now_ms();
    let mut last_report = start;
    let mut p = ChaosProgress {
        seeds,
        ..ChaosProgress::default()
    };
    for seed in first_seed..first_seed.saturating_add(seeds) {
        let r = match run_seed(seed, nodes, CHAOS_TICKS, None) {
            Ok(r) => r,
            Err(e) => {
                return reply(WorkerReply::Failed {
                    error: e.to_string(),
                })
            }
        };
        p.done += 1;
        p.deliveries += r.stats.deliveries;
        if let Some(v) = r.violation {
            p.violations += 1;
            if p.found.len() < MAX_LISTED_VIOLATIONS {
                p.found.push(FoundViolation {
                    seed,
                    kind: v.kind.as_str().to_string(),
                    tick: v.tick,
                    detail: v.detail,
                    query: chaos_query(seed, nodes, v.tick + 1, encode),
                });
            }
        }
        let now = now_ms();
        if now - last_report >= PROGRESS_EVERY_MS {
            last_report = now;
            p.elapsed_ms = now - start;
            reply(WorkerReply::Chaos(p.clone()));
        }
    }
    p.elapsed_ms = now_ms() - start;
    p.finished = true;
    reply(WorkerReply::Chaos(p));
}

/// `encodeURIComponent` where there is one (the worker and the page), the text as is natively.
pub fn encode(s: &str) -> String {
    #[cfg(target_arch = "wasm32")]
    {
        String::from(js_sys::encode_uri_component(s))
    }
    #[cfg(not(target_arch = "wasm32"))]
    {
        s.to_string()
    }
}

/// The worker's main.
pub fn serve() {
    crate::labs::kit::worker::serve(handle);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replay_is_raft_sims_digest() {
        let mut got = Vec::new();
        let schedule =
            FaultSchedule::from_json(r#"{"events":[{"at":50,"kind":"crash","node":0}]}"#).unwrap();
        handle(
            WorkerRequest::Replay {
                generation: 3,
                run: RunConfig::default(),
                schedule: schedule.clone(),
                until: 300,
            },
            &mut |r| got.push(r),
        );
        let d = run_traced(RunConfig::default().sim_config(300), schedule, |_| {}).unwrap();
        match &got[..] {
            [WorkerReply::Replayed {
                generation: 3,
                digest,
                violation: None,
                ..
            }] => assert_eq!(*digest, format!("{:016x}", d.digest)),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn bad_requests_fail_with_a_message() {
        let mut got = Vec::new();
        handle(
            WorkerRequest::Chaos {
                first_seed: 0,
                seeds: 1,
                nodes: 20,
            },
            &mut |r| got.push(r),
        );
        assert!(matches!(&got[..], [WorkerReply::Failed { .. }]));
    }
}
