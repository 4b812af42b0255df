//! The lab's state in the address: `rate`, `burst`, `window` (ms), `traffic` (steady, bursty,
//! boundary or manual), `trate` (traffic rate), `seed`, `until` (the simulated millisecond it
//! opens at, paused), `policy` (open, closed or local, with `share` per mille), `press` (the
//! visitor's own requests, in ms) and `shards` (shard actions: `k<i>@<tick>` kill,
//! `r<i>@<tick>` restore, `a@<tick>` add, `x<i>@<tick>` remove). Every value has a named bound;
//! a bad one is reported and its default kept, and nothing in an address can make the lab panic.

use super::session::{
    RunConfig, Traffic, DEFAULT_SHARE_PERMILLE, MAX_BURST, MAX_MANUAL, MAX_RATE, MAX_RUN_MS,
    MAX_TRAFFIC_RATE, MAX_WINDOW_MS,
};
use crate::content::schema::RateLimiterLinkWords;
use crate::labs::kit::{self, format::fill};
use ratelimit::cluster::{DegradationPolicy, ShardAction, ShardEvent, MAX_SHARD_EVENTS};
use std::fmt::Write as _;

/// The longest query the lab reads (every press and shard action fits well within it).
pub const MAX_QUERY_CHARS: usize = 32_768;

/// What an address describes, and what in it could not be used (each problem names its key).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Address {
    pub run: RunConfig,
    pub manual_ms: Vec<u64>,
    pub events: Vec<ShardEvent>,
    pub until_ms: u64,
    pub problems: Vec<String>,
}

fn number(
    w: &RateLimiterLinkWords,
    problems: &mut Vec<String>,
    key: &str,
    text: &str,
    range: (u64, u64),
) -> Option<u64> {
    kit::query::number(&w.out_of_range, problems, key, text, range)
}

fn event(text: &str) -> Option<ShardEvent> {
    let (what, tick) = text.split_once('@')?;
    let at_tick = tick.parse::<u64>().ok()?;
    let shard = || what.get(1..).and_then(|s| s.parse::<u32>().ok());
    let action = match what.as_bytes().first()? {
        b'k' => ShardAction::Kill { shard: shard()? },
        b'r' => ShardAction::Restore { shard: shard()? },
        b'x' => ShardAction::Remove { shard: shard()? },
        b'a' if what.len() == 1 => ShardAction::Add,
        _ => return None,
    };
    Some(ShardEvent { at_tick, action })
}

fn event_text(e: &ShardEvent) -> String {
    match e.action {
        ShardAction::Kill { shard } => format!("k{shard}@{}", e.at_tick),
        ShardAction::Restore { shard } => format!("r{shard}@{}", e.at_tick),
        ShardAction::Remove { shard } => format!("x{shard}@{}", e.at_tick),
        ShardAction::Add => format!("a@{}", e.at_tick),
    }
}

/// Reads a query (`decode` undoes percent-encoding).
pub fn parse(query: &str, w: &RateLimiterLinkWords, decode: impl Fn(&str) -> String) -> Address {
    let mut a = Address::default();
    let p = &mut a.problems;
    let mut share = None;
    let mut policy = None;
    for (key, raw) in kit::query::pairs(query) {
        let text = decode(raw);
        match key {
            "rate" => {
                if let Some(v) = number(w, p, key, &text, (1, MAX_RATE)) {
                    a.run.limit.rate_per_s = v;
                }
            }
            "burst" => {
                if let Some(v) = number(w, p, key, &text, (1, MAX_BURST)) {
                    a.run.limit.burst = v;
                }
            }
            "window" => {
                if let Some(v) = number(w, p, key, &text, (1, MAX_WINDOW_MS)) {
                    a.run.limit.window_ms = v;
                }
            }
            "trate" => {
                if let Some(v) = number(w, p, key, &text, (1, MAX_TRAFFIC_RATE)) {
                    a.run.traffic_rate = v;
                }
            }
            "seed" => {
                if let Some(v) = number(w, p, key, &text, (0, u64::MAX)) {
                    a.run.seed = v;
                }
            }
            "until" => {
                if let Some(v) = number(w, p, key, &text, (0, MAX_RUN_MS)) {
                    a.until_ms = v;
                }
            }
            "traffic" => match Traffic::from_name(&text) {
                Some(t) => a.run.traffic = t,
                None => p.push(fill(&w.bad_value, &[("key", key)])),
            },
            "policy" => match text.as_str() {
                "open" | "closed" | "local" => policy = Some(text.clone()),
                _ => p.push(fill(&w.bad_value, &[("key", key)])),
            },
            "share" => share = number(w, p, key, &text, (1, 1000)),
            "press" => {
                let times: Option<Vec<u64>> = text
                    .split(',')
                    .filter(|t| !t.is_empty())
                    .map(|t| t.parse::<u64>().ok().filter(|&v| v <= MAX_RUN_MS))
                    .collect();
                match times {
                    Some(t) if t.len() <= MAX_MANUAL && t.windows(2).all(|w| w[0] <= w[1]) => {
                        a.manual_ms = t
                    }
                    _ => p.push(fill(&w.bad_value, &[("key", key)])),
                }
            }
            "shards" => {
                let events: Option<Vec<ShardEvent>> = text
                    .split(',')
                    .filter(|t| !t.is_empty())
                    .map(event)
                    .collect();
                match events {
                    Some(e)
                        if e.len() <= MAX_SHARD_EVENTS
                            && e.windows(2).all(|w| w[0].at_tick <= w[1].at_tick) =>
                    {
                        a.events = e
                    }
                    _ => p.push(fill(&w.bad_value, &[("key", key)])),
                }
            }
            _ => p.push(fill(&w.unknown_key, &[("key", key)])),
        }
    }
    // The default policy is the local fallback: a share alone means it too.
    let share_permille = share.unwrap_or(DEFAULT_SHARE_PERMILLE);
    a.run.policy = match policy.as_deref() {
        Some("open") => DegradationPolicy::FailOpen,
        Some("closed") => DegradationPolicy::FailClosed,
        _ => DegradationPolicy::LocalFallback { share_permille },
    };
    a
}

/// The address of a run (its values need no percent-encoding).
pub fn query(run: &RunConfig, manual_ms: &[u64], events: &[ShardEvent], until_ms: u64) -> String {
    let l = &run.limit;
    let mut q = format!(
        "rate={}&burst={}&window={}&traffic={}&trate={}&seed={}&until={until_ms}",
        l.rate_per_s,
        l.burst,
        l.window_ms,
        run.traffic.name(),
        run.traffic_rate,
        run.seed
    );
    match run.policy {
        DegradationPolicy::FailOpen => q.push_str("&policy=open"),
        DegradationPolicy::FailClosed => q.push_str("&policy=closed"),
        DegradationPolicy::LocalFallback { share_permille } => {
            let _ = write!(q, "&policy=local&share={share_permille}");
        }
    }
    if !manual_ms.is_empty() {
        q.push_str("&press=");
        q.push_str(
            &manual_ms
                .iter()
                .map(u64::to_string)
                .collect::<Vec<_>>()
                .join(","),
        );
    }
    if !events.is_empty() {
        q.push_str("&shards=");
        q.push_str(&events.iter().map(event_text).collect::<Vec<_>>().join(","));
    }
    q
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words() -> RateLimiterLinkWords {
        RateLimiterLinkWords {
            out_of_range: "{key} out of range {min}..{max}".into(),
            bad_value: "{key} bad".into(),
            unknown_key: "{key} unknown".into(),
            bad_run: "{error}".into(),
        }
    }

    #[test]
    fn an_address_round_trips() {
        let run = RunConfig {
            traffic: Traffic::Boundary,
            traffic_rate: 77,
            seed: 9,
            policy: DegradationPolicy::FailClosed,
            ..RunConfig::default()
        };
        let events = vec![
            ShardEvent {
                at_tick: 3,
                action: ShardAction::Kill { shard: 1 },
            },
            ShardEvent {
                at_tick: 9,
                action: ShardAction::Add,
            },
            ShardEvent {
                at_tick: 12,
                action: ShardAction::Remove { shard: 4 },
            },
        ];
        let q = query(&run, &[5, 5, 90], &events, 1_234);
        let a = parse(&q, &words(), str::to_string);
        assert_eq!(a.problems, Vec::<String>::new());
        assert_eq!(
            (a.run, a.manual_ms, a.events, a.until_ms),
            (run, vec![5, 5, 90], events, 1_234)
        );
    }

    #[test]
    fn bad_values_are_reported_and_change_nothing() {
        let a = parse(
            "rate=0&burst=x&traffic=loud&press=5,3&shards=z9@1&until=99999999&policy=maybe&what=1",
            &words(),
            str::to_string,
        );
        assert_eq!(a.problems.len(), 8, "{:?}", a.problems);
        assert_eq!(a.run, RunConfig::default());
        assert!(a.manual_ms.is_empty() && a.events.is_empty() && a.until_ms == 0);
    }
}
