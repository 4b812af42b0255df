//! The lab's state in the address: `seed`, the starting faults (`drop`, `dup`, `reorder`,
//! `corrupt` per mille, `delay` in ticks, `cut` per mille per tick), `until` (the tick it opens
//! at, paused) and `acts`, the visitor's actions with their ticks: `c@<tick>` pulls the cable,
//! `x@<tick>` corrupts the next message, `f@<tick>:<drop>.<dup>.<reorder>.<corrupt>.<delay>.<cut>`
//! sets new faults. Every value has a named bound; a bad one is reported and its default kept,
//! and nothing in an address can make the lab panic. The presets are addresses too.

use super::session::{Act, Action, Faults, Knob, RunConfig, MAX_ACTIONS, MAX_RUN_TICKS};
use crate::content::schema::MarketDataLinkWords;
use crate::labs::kit::{self, format::fill};

/// The longest query the lab reads (every action fits well within it).
pub const MAX_QUERY_CHARS: usize = 8_192;

/// What an address describes, and what in it could not be used (each problem names its key).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Address {
    pub run: RunConfig,
    pub actions: Vec<Action>,
    pub until: u64,
    pub problems: Vec<String>,
}

fn faults_text(f: &Faults) -> String {
    Knob::ALL
        .iter()
        .map(|&k| f.get(k).to_string())
        .collect::<Vec<_>>()
        .join(".")
}

fn action(text: &str) -> Option<Action> {
    let (what, rest) = text.split_once('@')?;
    let (tick, faults) = match rest.split_once(':') {
        Some((t, f)) => (t, Some(f)),
        None => (rest, None),
    };
    let at_tick = tick.parse::<u64>().ok()?;
    let act = match (what, faults) {
        ("c", None) => Act::Cable,
        ("x", None) => Act::Corrupt,
        ("f", Some(values)) => {
            let values: Vec<u32> = values
                .split('.')
                .map(|v| v.parse::<u32>().ok())
                .collect::<Option<_>>()?;
            if values.len() != Knob::ALL.len() {
                return None;
            }
            let f = Knob::ALL
                .iter()
                .zip(&values)
                .fold(Faults::CLEAN, |f, (&k, &v)| f.with(k, v));
            f.problem().is_none().then_some(Act::Faults(f))?
        }
        _ => return None,
    };
    Some(Action { at_tick, act })
}

fn action_text(a: &Action) -> String {
    match a.act {
        Act::Cable => format!("c@{}", a.at_tick),
        Act::Corrupt => format!("x@{}", a.at_tick),
        Act::Faults(f) => format!("f@{}:{}", a.at_tick, faults_text(&f)),
    }
}

/// Reads a query (`decode` undoes percent-encoding).
pub fn parse(query: &str, w: &MarketDataLinkWords, decode: impl Fn(&str) -> String) -> Address {
    let mut a = Address::default();
    let p = &mut a.problems;
    for (key, raw) in kit::query::pairs(query) {
        let text = decode(raw);
        if let Some(knob) = Knob::ALL.into_iter().find(|k| k.key() == key) {
            let (min, max) = knob.bounds();
            if let Some(v) = kit::query::number(
                &w.out_of_range,
                p,
                key,
                &text,
                (u64::from(min), u64::from(max)),
            ) {
                // Within a u32's bounds, checked just above.
                a.run.faults = a.run.faults.with(knob, v as u32);
            }
            continue;
        }
        match key {
            "seed" => {
                if let Some(v) = kit::query::number(&w.out_of_range, p, key, &text, (0, u64::MAX)) {
                    a.run.seed = v;
                }
            }
            "until" => {
                if let Some(v) =
                    kit::query::number(&w.out_of_range, p, key, &text, (0, MAX_RUN_TICKS))
                {
                    a.until = v;
                }
            }
            "acts" => {
                let actions: Option<Vec<Action>> = text
                    .split(',')
                    .filter(|t| !t.is_empty())
                    .map(action)
                    .collect();
                match actions {
                    Some(acts)
                        if acts.len() <= MAX_ACTIONS
                            && acts.iter().all(|x| x.at_tick < MAX_RUN_TICKS)
                            && acts.windows(2).all(|x| x[0].at_tick <= x[1].at_tick) =>
                    {
                        a.actions = acts
                    }
                    _ => p.push(fill(&w.bad_value, &[("key", key)])),
                }
            }
            _ => p.push(fill(&w.unknown_key, &[("key", key)])),
        }
    }
    a
}

/// The address of a run (its values need no percent-encoding).
pub fn query(run: &RunConfig, actions: &[Action], until: u64) -> String {
    let mut q = format!("seed={}", run.seed);
    for k in Knob::ALL {
        q.push_str(&format!("&{}={}", k.key(), run.faults.get(k)));
    }
    q.push_str(&format!("&until={until}"));
    if !actions.is_empty() {
        q.push_str("&acts=");
        q.push_str(
            &actions
                .iter()
                .map(action_text)
                .collect::<Vec<_>>()
                .join(","),
        );
    }
    q
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words() -> MarketDataLinkWords {
        MarketDataLinkWords {
            out_of_range: "{key} out of range {min}..{max}".into(),
            bad_value: "{key} bad".into(),
            unknown_key: "{key} unknown".into(),
            bad_run: "{error}".into(),
        }
    }

    #[test]
    fn an_address_round_trips() {
        let run = RunConfig {
            seed: 99,
            faults: Faults {
                drop: 12,
                duplicate: 3,
                reorder: 40,
                corrupt: 1,
                delay: 7,
                cut: 2,
            },
        };
        let actions = vec![
            Action {
                at_tick: 10,
                act: Act::Cable,
            },
            Action {
                at_tick: 10,
                act: Act::Corrupt,
            },
            Action {
                at_tick: 300,
                act: Act::Faults(Faults::CLEAN),
            },
        ];
        let q = query(&run, &actions, 456);
        let a = parse(&q, &words(), str::to_string);
        assert_eq!(a.problems, Vec::<String>::new());
        assert_eq!((a.run, a.actions, a.until), (run, actions, 456));
    }

    #[test]
    fn bad_values_are_reported_and_change_nothing() {
        let a = parse(
            "drop=501&delay=0&seed=x&until=99999999&acts=c@5,q@1&what=1&acts=f@1:1.2.3",
            &words(),
            str::to_string,
        );
        assert_eq!(a.problems.len(), 7, "{:?}", a.problems);
        assert_eq!(a.run, RunConfig::default());
        assert!(a.actions.is_empty() && a.until == 0);
        let a = parse("acts=c@9,x@3", &words(), str::to_string);
        assert_eq!(a.problems, vec!["acts bad"]);
    }

    /// Each preset of the content opens without a problem and shows the recovery path it names.
    #[test]
    fn every_preset_shows_what_it_says() {
        use crate::labs::marketdata::session::{Run, StateView};
        let bundle = crate::labs::marketdata::bundle();
        let presets = &bundle.live.words.presets;
        let shows: Vec<&str> = presets.iter().map(|p| p.shows.as_str()).collect();
        for path in ["none", "gap", "checksum", "backoff", "all"] {
            assert!(shows.contains(&path), "no preset shows {path}");
        }
        for p in presets {
            let a = parse(&p.query, &bundle.live.words.link, str::to_string);
            assert_eq!(a.problems, Vec::<String>::new(), "{}", p.slug);
            let run = Run::new(a.run, a.actions.clone(), a.until).unwrap();
            let v = run.view();
            let c = v.counts;
            match p.shows.as_str() {
                "none" => {
                    assert_eq!((c.resyncs(), c.disconnects), (0, 0), "{}", p.slug);
                    assert!(v.in_sync || v.state == StateView::Live, "{}", p.slug);
                }
                "gap" => assert!(c.gaps > 0 && c.mismatches == 0, "{}: {c:?}", p.slug),
                "checksum" => assert!(c.mismatches == 1 && c.gaps == 0, "{}: {c:?}", p.slug),
                "backoff" => assert!(c.disconnects == 1 && c.resyncs() == 0, "{}: {c:?}", p.slug),
                "all" => assert!(
                    c.gaps > 0 && c.mismatches > 0 && c.disconnects > 0 && c.stale > 0,
                    "{}: {c:?}",
                    p.slug
                ),
                other => panic!("{}: unknown path {other}", p.slug),
            }
            // Each preset ends with its client Live again (it has recovered), except the heavy
            // one, which may be mid-recovery.
            if p.shows != "all" {
                assert_eq!(v.state, StateView::Live, "{}", p.slug);
            }
            // The recovery is on screen: within the stream's or the transitions' rows.
            if p.shows != "none" {
                assert!(!v.transitions.is_empty());
            }
        }
    }

    /// The prose states the client's back-off; its numbers are the engine's.
    #[test]
    fn the_prose_names_the_engines_back_off() {
        use marketdata::client::{BACKOFF_BASE_TICKS, BACKOFF_MAX_TICKS};
        let prose = &crate::labs::marketdata::bundle().lab.prose_html;
        assert!(prose.contains(&format!("is {BACKOFF_BASE_TICKS} ticks")));
        assert!(prose.contains(&format!("up to {BACKOFF_MAX_TICKS}")));
    }
}
