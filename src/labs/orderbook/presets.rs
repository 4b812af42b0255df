//! Preset scenarios: their words and commands live in `content/site.toml` in the replay format,
//! parsed here by the engine's own protocol parser.

use orderbook::protocol::parse_line;
use orderbook::{Command, Request};

/// Commands of replay text; the message names the first bad line. Blank lines and `PRINT` are
/// skipped.
pub fn parse_commands(text: &str) -> Result<Vec<Command>, String> {
    let mut out = Vec::new();
    for (i, line) in text.lines().enumerate() {
        match parse_line(line) {
            Ok(Some(Request::Command(cmd))) => out.push(cmd),
            Ok(_) => {}
            Err(e) => return Err(format!("line {}: {e}", i + 1)),
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::labs::orderbook::step::{explain, StepRun};
    use orderbook::{Book, Event, RejectReason};

    fn explain_words() -> &'static crate::content::schema::OrderbookExplainWords {
        &crate::labs::orderbook::Words::of(crate::labs::orderbook::bundle())
            .own
            .explain
    }

    /// Runs a preset; returns every event of its steps and their explanations.
    fn run(slug: &str) -> (Vec<Event>, Vec<String>) {
        let lab = &crate::labs::orderbook::bundle().live;
        let preset = lab.presets.iter().find(|p| p.slug == slug).expect(slug);
        let mut book = Book::new();
        let mut setup_events = Vec::new();
        for cmd in parse_commands(&preset.setup).expect("setup parses") {
            book.apply(&cmd, &mut setup_events);
        }
        assert!(
            !setup_events
                .iter()
                .any(|e| matches!(e, Event::Reject { .. } | Event::Trade { .. })),
            "{slug}: setup only rests orders"
        );
        let (mut events, mut words) = (Vec::new(), Vec::new());
        for cmd in parse_commands(&preset.steps).expect("steps parse") {
            let run = StepRun::new(&book, cmd);
            for e in &run.events {
                words.push(explain(explain_words(), &run.before, &cmd, e));
            }
            events.extend(run.events.iter().copied());
            book.apply(&cmd, &mut Vec::new());
            book.check_invariants().expect("invariants");
        }
        for w in &words {
            assert!(!w.contains('{'), "{slug}: a template value is missing: {w}");
        }
        (events, words)
    }

    fn trades(events: &[Event]) -> Vec<(u64, u64, u64)> {
        events
            .iter()
            .filter_map(|e| match *e {
                Event::Trade {
                    maker_id,
                    price,
                    qty,
                    ..
                } => Some((maker_id, price, qty)),
                _ => None,
            })
            .collect()
    }

    #[test]
    fn sweep_takes_levels_best_price_first() {
        let (events, words) = run("sweep");
        assert_eq!(trades(&events), vec![(1, 101, 5), (2, 102, 5), (3, 103, 2)]);
        assert!(words.iter().any(|w| w.contains("better level")));
    }

    #[test]
    fn fok_that_cannot_fill_is_rejected_then_one_that_can_fills() {
        let (events, words) = run("fok");
        assert!(events.contains(&Event::Reject {
            id: 7,
            reason: RejectReason::FokUnfillable
        }));
        assert_eq!(trades(&events), vec![(1, 101, 5), (2, 102, 5)]);
        assert!(words.iter().any(|w| w.contains("only 10 is offered")));
    }

    #[test]
    fn post_only_that_would_cross_is_rejected() {
        let (events, _) = run("post-only");
        assert!(events.contains(&Event::Reject {
            id: 7,
            reason: RejectReason::PostOnlyWouldCross
        }));
        assert!(events.contains(&Event::Accept { id: 8 }));
        assert!(trades(&events).is_empty());
    }

    #[test]
    fn self_trade_prevention_cancels_the_resting_order_of_the_same_owner() {
        let (events, words) = run("self-trade");
        assert!(events.contains(&Event::Cancelled {
            id: 1,
            remaining_qty: 5
        }));
        assert_eq!(trades(&events), vec![(2, 101, 5)]);
        assert!(words.iter().any(|w| w.contains("Self-trade prevention")));
    }

    #[test]
    fn a_larger_modify_loses_queue_priority() {
        let (events, words) = run("queue-priority");
        assert_eq!(trades(&events), vec![(2, 101, 5)]);
        assert!(words.iter().any(|w| w.contains("keeps its place")));
        assert!(words.iter().any(|w| w.contains("loses queue priority")));
    }

    #[test]
    fn bad_lines_are_reported_with_their_number() {
        assert_eq!(parse_commands("\nLIMIT 1 BUY 1 1\n").unwrap().len(), 1);
        assert!(parse_commands("LIMIT 1 BUY 1 1\nBOGUS")
            .unwrap_err()
            .starts_with("line 2"));
    }
}
