//! Fault schedules as data (serde JSON): link latency distributions, drop/duplicate/reorder
//! rates and timed events (crash, restart, partition, heal, asymmetric link cuts).
//! A run is fully described by `(seed, SimConfig, FaultSchedule)`.

use crate::error::RaftError;
use crate::kv::{OpKind, MAX_KEYS};
use deterministic::SplitMix64;
use serde::{Deserialize, Serialize};

/// Upper bound on any sampled one-way latency; the event wheel is sized from it.
pub const MAX_LATENCY_TICKS: u32 = 500;
/// Bound on scheduled fault events in one schedule.
pub const MAX_FAULT_EVENTS: usize = 10_000;
/// Rates are per mille (integers, so runs are identical in WASM): a rate of `PERMILLE`
/// always happens.
pub const PERMILLE: u32 = 1000;

/// True with probability exactly `permille / PERMILLE` (drawing nothing for 0); every
/// simulator digest depends on this draw, so it is the unbiased one.
pub(crate) fn chance_permille(rng: &mut SplitMix64, permille: u32) -> bool {
    rng.chance_unbiased(u64::from(permille), u64::from(PERMILLE))
}

/// One-way latency: uniform in `[min_ticks, max_ticks]`, plus with probability
/// `tail_permille/1000` an extra uniform `[1, tail_ticks]` (a long tail).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LatencySpec {
    pub min_ticks: u32,
    pub max_ticks: u32,
    #[serde(default)]
    pub tail_permille: u32,
    #[serde(default)]
    pub tail_ticks: u32,
}

impl Default for LatencySpec {
    fn default() -> Self {
        LatencySpec {
            min_ticks: 1,
            max_ticks: 3,
            tail_permille: 0,
            tail_ticks: 0,
        }
    }
}

impl LatencySpec {
    /// Uniform in `[min_ticks, max_ticks]`, no tail.
    pub fn uniform(min_ticks: u32, max_ticks: u32) -> Self {
        LatencySpec {
            min_ticks,
            max_ticks,
            tail_permille: 0,
            tail_ticks: 0,
        }
    }

    pub fn validate(&self) -> Result<(), RaftError> {
        if self.min_ticks == 0
            || self.max_ticks < self.min_ticks
            || self
                .max_ticks
                .checked_add(self.tail_ticks)
                .is_none_or(|worst| worst > MAX_LATENCY_TICKS)
            || self.tail_permille > PERMILLE
        {
            return Err(RaftError::InvalidConfig(format!(
                "latency needs 1 <= min_ticks <= max_ticks, max_ticks + tail_ticks <= \
                 {MAX_LATENCY_TICKS}, tail_permille <= 1000 (got {self:?})"
            )));
        }
        Ok(())
    }

    pub fn sample(&self, rng: &mut SplitMix64) -> u32 {
        let mut l =
            rng.range_inclusive_unbiased(self.min_ticks as u64, self.max_ticks as u64) as u32;
        if self.tail_ticks > 0 && chance_permille(rng, self.tail_permille) {
            l += rng.range_inclusive_unbiased(1, self.tail_ticks as u64) as u32;
        }
        l.clamp(1, MAX_LATENCY_TICKS)
    }
}

/// Latency override for one directed link.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LinkLatency {
    pub from: u8,
    pub to: u8,
    pub latency: LatencySpec,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum FaultAction {
    /// Node loses volatile state; persisted term, vote and log survive.
    Crash {
        node: u8,
    },
    Restart {
        node: u8,
    },
    /// Cut every link between different groups (both directions). Nodes listed in no group
    /// form one extra group together.
    Partition {
        groups: Vec<Vec<u8>>,
    },
    /// Restore every node-to-node link.
    Heal,
    /// Cut the directed link `from -> to` only (asymmetric partition).
    BlockLink {
        from: u8,
        to: u8,
    },
    UnblockLink {
        from: u8,
        to: u8,
    },
    SetDrop {
        permille: u32,
    },
    SetDuplicate {
        permille: u32,
    },
    /// Ask the current leader to make `node` a voter (single-server change; refused while
    /// another change is uncommitted or no leader exists, counted as rejected).
    AddVoter {
        node: u8,
    },
    /// Ask the current leader to remove `node` from the voters.
    RemoveVoter {
        node: u8,
    },
    /// `node`'s election timer fires now: it campaigns as if its timeout had passed (a
    /// pre-vote round first when PreVote is on). Leaders, learners and crashed nodes ignore it.
    TimeoutNow {
        node: u8,
    },
    SetReorder {
        permille: u32,
        extra_ticks: u32,
    },
    /// Every node-to-node link and the client links get this latency (uniform, no tail).
    SetLatency {
        min_ticks: u32,
        max_ticks: u32,
    },
    /// A KV request by the schedule's own client (the visitor's in the lab): it joins the
    /// simulation as one more client after the configured ones, with a session, redirects,
    /// retries and timeouts like theirs, and its operations enter the checked history. A put
    /// writes a value unique to this client and operation.
    Request {
        op: OpKind,
        key: u8,
    },
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FaultEvent {
    /// Tick at which the action is applied (before that tick's deliveries).
    pub at: u64,
    #[serde(flatten)]
    pub action: FaultAction,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FaultSchedule {
    /// Probability (per mille) that a message is dropped at send.
    #[serde(default)]
    pub drop_permille: u32,
    /// Probability (per mille) that a message is delivered twice (independent latencies).
    #[serde(default)]
    pub duplicate_permille: u32,
    /// Probability (per mille) that a message gets `1..=reorder_extra_ticks` extra delay.
    #[serde(default)]
    pub reorder_permille: u32,
    #[serde(default)]
    pub reorder_extra_ticks: u32,
    /// Default node-to-node and client latency; `None` keeps the SimConfig's.
    #[serde(default)]
    pub latency: Option<LatencySpec>,
    #[serde(default)]
    pub links: Vec<LinkLatency>,
    #[serde(default)]
    pub events: Vec<FaultEvent>,
}

impl FaultSchedule {
    pub fn from_json(s: &str) -> Result<Self, RaftError> {
        serde_json::from_str(s).map_err(|e| RaftError::Parse(e.to_string()))
    }

    pub fn to_json(&self) -> String {
        // Serializing plain data structs to a String cannot fail.
        serde_json::to_string(self).unwrap_or_default()
    }

    pub fn validate(&self, nodes: usize) -> Result<(), RaftError> {
        let bad = |s: String| Err(RaftError::InvalidConfig(s));
        let node_ok = |n: u8| (n as usize) < nodes;
        if self.drop_permille > PERMILLE
            || self.duplicate_permille > PERMILLE
            || self.reorder_permille > PERMILLE
        {
            return bad("rates are per mille (0..=1000)".into());
        }
        if self.reorder_extra_ticks > MAX_LATENCY_TICKS / 2 {
            return bad(format!("reorder_extra_ticks > {}", MAX_LATENCY_TICKS / 2));
        }
        if let Some(l) = &self.latency {
            l.validate()?;
        }
        for l in &self.links {
            l.latency.validate()?;
            if !node_ok(l.from) || !node_ok(l.to) {
                return bad(format!("link {}->{} outside cluster", l.from, l.to));
            }
        }
        if self.events.len() > MAX_FAULT_EVENTS {
            return bad(format!("more than {MAX_FAULT_EVENTS} fault events"));
        }
        for e in &self.events {
            match &e.action {
                FaultAction::Crash { node }
                | FaultAction::Restart { node }
                | FaultAction::AddVoter { node }
                | FaultAction::RemoveVoter { node } => {
                    if !node_ok(*node) {
                        return bad(format!("node {node} outside cluster"));
                    }
                }
                FaultAction::Partition { groups } => {
                    for g in groups {
                        for n in g {
                            if !node_ok(*n) {
                                return bad(format!("node {n} outside cluster"));
                            }
                        }
                    }
                }
                FaultAction::BlockLink { from, to } | FaultAction::UnblockLink { from, to } => {
                    if !node_ok(*from) || !node_ok(*to) {
                        return bad(format!("link {from}->{to} outside cluster"));
                    }
                }
                FaultAction::SetDrop { permille } | FaultAction::SetDuplicate { permille } => {
                    if *permille > PERMILLE {
                        return bad("rates are per mille (0..=1000)".into());
                    }
                }
                FaultAction::TimeoutNow { node } => {
                    if !node_ok(*node) {
                        return bad(format!("node {node} outside cluster"));
                    }
                }
                FaultAction::SetReorder {
                    permille,
                    extra_ticks,
                } => {
                    if *permille > PERMILLE || *extra_ticks > MAX_LATENCY_TICKS / 2 {
                        return bad(format!(
                            "reorder needs permille <= 1000 and extra_ticks <= {}",
                            MAX_LATENCY_TICKS / 2
                        ));
                    }
                }
                FaultAction::SetLatency {
                    min_ticks,
                    max_ticks,
                } => LatencySpec::uniform(*min_ticks, *max_ticks).validate()?,
                FaultAction::Request { key, .. } => {
                    if *key as usize >= MAX_KEYS {
                        return bad(format!("key {key} >= {MAX_KEYS}"));
                    }
                }
                FaultAction::Heal => {}
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn documented_example_parses() {
        let json = r#"{
          "drop_permille": 10, "duplicate_permille": 5,
          "reorder_permille": 20, "reorder_extra_ticks": 6,
          "latency": {"min_ticks": 1, "max_ticks": 4, "tail_permille": 10, "tail_ticks": 20},
          "links": [{"from": 0, "to": 1, "latency": {"min_ticks": 5, "max_ticks": 9}}],
          "events": [
            {"at": 100, "kind": "crash", "node": 1},
            {"at": 150, "kind": "restart", "node": 1},
            {"at": 200, "kind": "partition", "groups": [[0, 1], [2, 3, 4]]},
            {"at": 300, "kind": "heal"},
            {"at": 400, "kind": "block_link", "from": 0, "to": 2},
            {"at": 450, "kind": "unblock_link", "from": 0, "to": 2},
            {"at": 500, "kind": "set_drop", "permille": 100},
            {"at": 600, "kind": "set_duplicate", "permille": 0},
            {"at": 610, "kind": "timeout_now", "node": 3},
            {"at": 620, "kind": "set_reorder", "permille": 50, "extra_ticks": 4},
            {"at": 630, "kind": "set_latency", "min_ticks": 2, "max_ticks": 6},
            {"at": 640, "kind": "request", "op": "put", "key": 1}
          ]
        }"#;
        let s = FaultSchedule::from_json(json).unwrap();
        assert_eq!(s.events.len(), 12);
        s.validate(5).unwrap();
        assert!(s.validate(2).is_err());
        let back = FaultSchedule::from_json(&s.to_json()).unwrap();
        assert_eq!(back, s);
    }

    #[test]
    fn bad_json_is_a_typed_error() {
        assert!(matches!(
            FaultSchedule::from_json("{\"events\": 3}"),
            Err(RaftError::Parse(_))
        ));
        assert!(FaultSchedule::from_json("{\"bogus\": 1}").is_err());
    }

    #[test]
    fn latency_samples_stay_in_bounds() {
        let spec = LatencySpec {
            min_ticks: 2,
            max_ticks: 5,
            tail_permille: 500,
            tail_ticks: 10,
        };
        let mut rng = SplitMix64::new(3);
        for _ in 0..1000 {
            let l = spec.sample(&mut rng);
            assert!((2..=15).contains(&l));
        }
    }
}
