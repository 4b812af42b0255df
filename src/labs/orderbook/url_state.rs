//! The lab's state in the address: `seed`, `rate` and the session `s` (flow runs and explicit
//! commands), so a shared link rebuilds the exact book. A session step is `F<n>` (n flow
//! commands) or a replay-protocol command line with `.` for spaces; steps are joined by `,`.

use super::core::{Lab, Step};
use crate::labs::kit::url;
use orderbook::protocol::{parse_line, write_command};
use orderbook::Request;

/// The longest address query the lab reads: `MAX_LINK_COMMANDS` commands of at most about 100
/// characters each with a flow run between each two (a test builds that longest link).
pub const MAX_QUERY_CHARS: usize = 49_152;

/// Most explicit commands a link carries (flow runs cost one step each, whatever their length).
pub const MAX_LINK_COMMANDS: usize = 300;
/// Most flow commands a link may ask to replay on load (the page replays them synchronously).
pub const MAX_LINK_FLOW: u64 = 2_000_000;
/// Flow rates (commands per second) the speed control offers.
pub const RATES: &[u32] = &[10, 100, 1_000, 10_000, 50_000];
pub const DEFAULT_RATE: u32 = 1_000;
pub const DEFAULT_SEED: u64 = 42;
/// Flow commands applied when the page opens without a session, so the ladder has depth.
pub const OPENING_FLOW: u64 = 1_500;

/// The session as the `s` parameter, or `None` when it has too many explicit commands.
pub fn encode(steps: &[Step]) -> Option<String> {
    let commands = steps.iter().filter(|s| matches!(s, Step::Cmd(_))).count();
    if commands > MAX_LINK_COMMANDS {
        return None;
    }
    let parts: Vec<String> = steps
        .iter()
        .map(|step| match step {
            Step::Flow(n) => format!("F{n}"),
            Step::Cmd(cmd) => {
                let mut line = String::new();
                let _ = write_command(&mut line, cmd);
                line.replace(' ', ".")
            }
        })
        .collect();
    Some(parts.join(","))
}

/// Parses the `s` parameter; the message names the first bad step.
pub fn decode(text: &str) -> Result<Vec<Step>, String> {
    let mut steps = Vec::new();
    let mut commands = 0usize;
    let mut flow = 0u64;
    for (i, part) in text.split(',').enumerate().filter(|(_, p)| !p.is_empty()) {
        let bad = |why: &str| format!("step {} of the link: {why}", i + 1);
        if let Some(n) = part.strip_prefix('F') {
            let n: u64 = n.parse().map_err(|_| bad("flow length is not a number"))?;
            flow = flow.saturating_add(n);
            if flow > MAX_LINK_FLOW {
                return Err(bad(&format!(
                    "more than {MAX_LINK_FLOW} flow commands to replay"
                )));
            }
            steps.push(Step::Flow(n));
        } else {
            commands += 1;
            if commands > MAX_LINK_COMMANDS {
                return Err(bad(&format!("more than {MAX_LINK_COMMANDS} commands")));
            }
            match parse_line(&part.replace('.', " ")) {
                Ok(Some(Request::Command(cmd))) => steps.push(Step::Cmd(cmd)),
                Ok(_) => {}
                Err(e) => return Err(bad(&e.to_string())),
            }
        }
    }
    Ok(steps)
}

/// A fresh session: the seeded flow's opening commands, so the ladder has depth.
pub fn fresh(seed: u64) -> Lab {
    let mut lab = Lab::new(seed);
    lab.run_flow(OPENING_FLOW);
    lab
}

/// The seed, rate and session of a query; a missing or bad seed or rate takes its default, and
/// the session is `None` when the query has none.
pub fn parse_query(query: &str) -> (u64, u32, Option<Result<Vec<Step>, String>>) {
    let seed = url::value(query, "seed")
        .and_then(|s| s.parse::<u64>().ok())
        .unwrap_or(DEFAULT_SEED);
    let rate = url::value(query, "rate")
        .and_then(|r| parse_rate(&r))
        .unwrap_or(DEFAULT_RATE);
    let steps = url::value(query, "s").map(|s| decode(&s));
    (seed, rate, steps)
}

/// The query string (without `?`) for a seed, a rate and a session.
pub fn query(seed: u64, rate: u32, session: Option<&str>) -> String {
    let mut q = format!("seed={seed}&rate={rate}");
    if let Some(s) = session {
        q.push_str("&s=");
        // Steps use only letters, digits, `.` and `,`: nothing to escape.
        q.push_str(s);
    }
    q
}

/// A rate from the address, if it is one the control offers.
pub fn parse_rate(text: &str) -> Option<u32> {
    let rate: u32 = text.parse().ok()?;
    RATES.contains(&rate).then_some(rate)
}

#[cfg(test)]
mod tests {
    use super::*;
    use orderbook::{Command, Side, Tif};

    #[test]
    fn a_session_survives_the_round_trip() {
        let steps = vec![
            Step::Flow(1500),
            Step::Cmd(Command::Limit {
                id: 1_000_000_000,
                side: Side::Buy,
                price: 100,
                qty: 5,
                tif: Tif::Fok,
                owner: Some(3),
            }),
            Step::Cmd(Command::Cancel { id: 4 }),
            Step::Flow(20),
        ];
        let text = encode(&steps).unwrap();
        assert!(text
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'.' || b == b','));
        assert_eq!(decode(&text).unwrap(), steps);
    }

    #[test]
    fn bad_links_are_refused_with_a_reason() {
        assert!(decode("F12,LIMIT.1.UP.100.5")
            .unwrap_err()
            .contains("step 2"));
        assert!(decode("Fx").is_err());
        assert!(decode("F99999999999").is_err());
        assert_eq!(decode("").unwrap(), vec![]);
        assert_eq!(parse_rate("10000"), Some(10_000));
        assert_eq!(parse_rate("7"), None);
    }

    #[test]
    fn a_query_gives_seed_rate_and_session() {
        let (seed, rate, steps) = parse_query("seed=7&rate=10000&s=F3");
        assert_eq!((seed, rate), (7, 10_000));
        assert_eq!(steps, Some(Ok(vec![Step::Flow(3)])));
        let (seed, rate, steps) = parse_query("seed=x&rate=7");
        assert_eq!((seed, rate, steps), (DEFAULT_SEED, DEFAULT_RATE, None));
        let q = query(1, 100, encode(&[Step::Flow(5)]).as_deref());
        assert!(q.len() <= MAX_QUERY_CHARS);
        assert_eq!(parse_query(&q).2, Some(Ok(vec![Step::Flow(5)])));
    }

    #[test]
    fn the_longest_link_fits_the_query_bound() {
        let cmd = Step::Cmd(Command::Limit {
            id: u64::MAX,
            side: Side::Sell,
            price: u64::MAX,
            qty: u64::MAX,
            tif: Tif::Post,
            owner: Some(u64::MAX),
        });
        let steps: Vec<Step> = (0..MAX_LINK_COMMANDS)
            .flat_map(|_| [Step::Flow(MAX_LINK_FLOW / MAX_LINK_COMMANDS as u64), cmd])
            .collect();
        let q = query(u64::MAX, 50_000, encode(&steps).as_deref());
        assert!(
            q.len() <= MAX_QUERY_CHARS,
            "{} > {MAX_QUERY_CHARS}",
            q.len()
        );
    }
}
