//! The network between venue and client, as a seeded model in ticks: each frame sent is delayed
//! uniformly in `[min_delay_ticks, max_delay_ticks]` but, like a TCP stream, never overtakes a
//! frame sent before it; and with the given per-mille rates it is
//! dropped, duplicated (the copy with its own delay), reordered (an extra delay), or corrupted (one
//! digit of one quantity changed, so the message still parses and only the checksum can tell).
//! A cut drops everything in flight. Frames due at the same tick arrive in send order.

use deterministic::SplitMix64;
use std::cmp::Reverse;
use std::collections::BinaryHeap;

/// Per mille: a rate of `PERMILLE` always happens.
pub const PERMILLE: u32 = 1000;
/// Frames in flight at most; a frame sent beyond it is dropped (and counted).
pub const MAX_IN_FLIGHT: usize = 65_536;
/// Longest delay a frame may be given.
pub const MAX_DELAY_TICKS: u32 = 1_000;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct NetParams {
    pub min_delay_ticks: u32,
    pub max_delay_ticks: u32,
    pub drop_permille: u32,
    pub duplicate_permille: u32,
    pub reorder_permille: u32,
    /// Extra delay of a reordered frame: uniform in `[1, reorder_extra_ticks]`.
    pub reorder_extra_ticks: u32,
    pub corrupt_permille: u32,
}

/// The fault mix the tools and tests use by default: delays of 1–4 ticks, 1 % dropped, 2 %
/// duplicated, 2 % reordered by up to 6 ticks, 0.5 % corrupted.
pub const FAULTY: NetParams = NetParams {
    min_delay_ticks: 1,
    max_delay_ticks: 4,
    drop_permille: 10,
    duplicate_permille: 20,
    reorder_permille: 20,
    reorder_extra_ticks: 6,
    corrupt_permille: 5,
};

/// What the network did to one frame: a copy it made, a frame it held back, a digit it changed.
/// Carried with the frame to its delivery, so a display can say what happened on the wire.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Marks {
    /// This delivery is the network's extra copy of a frame.
    pub duplicate: bool,
    /// The frame was held back, so frames sent after it may arrive first.
    pub reordered: bool,
    /// One digit of one quantity was changed.
    pub corrupted: bool,
}

/// What became of one frame handed to [`Network::send_marked`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct Sent {
    /// Lost at once (a drop, or no room in flight).
    pub dropped: bool,
    /// The network also sends a copy.
    pub duplicated: bool,
    pub reordered: bool,
    pub corrupted: bool,
}

/// What the network did to the frames sent so far.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct NetStats {
    pub sent: u64,
    pub dropped: u64,
    pub duplicated: u64,
    pub reordered: u64,
    pub corrupted: u64,
    pub lost_in_cuts: u64,
    pub overflowed: u64,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BadNetParams(pub String);

impl NetParams {
    pub fn validate(&self) -> Result<(), BadNetParams> {
        let rates = [
            self.drop_permille,
            self.duplicate_permille,
            self.reorder_permille,
            self.corrupt_permille,
        ];
        if rates.iter().any(|&r| r > PERMILLE) {
            return Err(BadNetParams("rates are per mille (0..=1000)".into()));
        }
        if self.min_delay_ticks > self.max_delay_ticks
            || self.max_delay_ticks > MAX_DELAY_TICKS
            || self.reorder_extra_ticks > MAX_DELAY_TICKS
        {
            return Err(BadNetParams(format!(
                "delays need min <= max <= {MAX_DELAY_TICKS} and reorder_extra_ticks <= {MAX_DELAY_TICKS}"
            )));
        }
        Ok(())
    }
}

pub struct Network {
    rng: SplitMix64,
    params: NetParams,
    /// (due tick, send order) → frame, with what the network did to it.
    in_flight: BinaryHeap<Reverse<(u64, u64, String, Marks)>>,
    order: u64,
    /// Due tick of the last in-order frame: later ones are not delivered before it.
    last_due: u64,
    stats: NetStats,
    /// Set by [`Network::corrupt_next`]: the next frame sent that can be corrupted is.
    corrupt_pending: bool,
}

impl Network {
    pub fn new(seed: u64, params: NetParams) -> Result<Network, BadNetParams> {
        params.validate()?;
        Ok(Network {
            rng: SplitMix64::new(seed),
            params,
            in_flight: BinaryHeap::new(),
            order: 0,
            last_due: 0,
            stats: NetStats::default(),
            corrupt_pending: false,
        })
    }

    /// New fault rates from the next frame on; what is in flight stays in flight, and the random
    /// stream goes on (so a change mid-run loses nothing by itself).
    pub fn set_params(&mut self, params: NetParams) -> Result<(), BadNetParams> {
        params.validate()?;
        self.params = params;
        Ok(())
    }

    pub fn params(&self) -> NetParams {
        self.params
    }

    /// Corrupts the next frame sent that has a quantity to change (whatever the corrupt rate):
    /// a visitor's "corrupt the next message".
    pub fn corrupt_next(&mut self) {
        self.corrupt_pending = true;
    }

    /// Whether a [`Network::corrupt_next`] is still waiting for its frame.
    pub fn corrupt_pending(&self) -> bool {
        self.corrupt_pending
    }

    pub fn stats(&self) -> NetStats {
        self.stats
    }

    pub fn in_flight(&self) -> usize {
        self.in_flight.len()
    }

    fn chance(&mut self, permille: u32) -> bool {
        permille > 0
            && self
                .rng
                .chance_unbiased(u64::from(permille), u64::from(PERMILLE))
    }

    fn delay(&mut self) -> u64 {
        let p = self.params;
        self.rng
            .range_inclusive_unbiased(u64::from(p.min_delay_ticks), u64::from(p.max_delay_ticks))
    }

    /// Queues a frame; false if there is no room (it is lost, and counted).
    fn enqueue(&mut self, due: u64, frame: String, marks: Marks) -> bool {
        if self.in_flight.len() >= MAX_IN_FLIGHT {
            self.stats.overflowed += 1;
            return false;
        }
        self.order += 1;
        self.in_flight
            .push(Reverse((due, self.order, frame, marks)));
        true
    }

    /// Sends `frame` at tick `now`.
    pub fn send(&mut self, now: u64, frame: String) {
        self.send_marked(now, frame);
    }

    /// Sends `frame` at tick `now` and says what the network did to it. The random draws are
    /// [`Network::send`]'s, so both give the same run.
    pub fn send_marked(&mut self, now: u64, mut frame: String) -> Sent {
        self.stats.sent += 1;
        let mut sent = Sent::default();
        if self.chance(self.params.drop_permille) {
            self.stats.dropped += 1;
            sent.dropped = true;
            return sent;
        }
        let drawn = self.chance(self.params.corrupt_permille);
        if (drawn || self.corrupt_pending) && corrupt(&mut frame, &mut self.rng) {
            self.stats.corrupted += 1;
            self.corrupt_pending = false;
            sent.corrupted = true;
        }
        let in_order = (now + self.delay()).max(self.last_due);
        let due = if self.chance(self.params.reorder_permille) {
            // Held back: frames sent after it may arrive first.
            self.stats.reordered += 1;
            sent.reordered = true;
            let extra = u64::from(self.params.reorder_extra_ticks.max(1));
            in_order + self.rng.range_inclusive_unbiased(1, extra)
        } else {
            self.last_due = in_order;
            in_order
        };
        let marks = Marks {
            duplicate: false,
            reordered: sent.reordered,
            corrupted: sent.corrupted,
        };
        if self.chance(self.params.duplicate_permille) {
            self.stats.duplicated += 1;
            sent.duplicated = true;
            let copy_due = (now + self.delay()).max(self.last_due);
            self.last_due = copy_due;
            let copy = Marks {
                duplicate: true,
                reordered: false,
                ..marks
            };
            self.enqueue(copy_due, frame.clone(), copy);
        }
        if !self.enqueue(due, frame, marks) {
            sent.dropped = true;
        }
        sent
    }

    /// The frames due by tick `now`, in due then send order.
    pub fn deliver(&mut self, now: u64) -> Vec<String> {
        self.deliver_marked(now)
            .into_iter()
            .map(|(frame, _)| frame)
            .collect()
    }

    /// [`Network::deliver`], each frame with what the network did to it.
    pub fn deliver_marked(&mut self, now: u64) -> Vec<(String, Marks)> {
        let mut out = Vec::new();
        while let Some(Reverse((due, ..))) = self.in_flight.peek() {
            if *due > now {
                break;
            }
            if let Some(Reverse((_, _, frame, marks))) = self.in_flight.pop() {
                out.push((frame, marks));
            }
        }
        out
    }

    /// The connection is cut: everything in flight is lost.
    pub fn cut(&mut self) {
        self.stats.lost_in_cuts += self.in_flight.len() as u64;
        self.in_flight.clear();
        self.last_due = 0;
    }
}

/// Changes one digit of the first nonzero `"qty":` value in `frame` (of the first, if all are
/// zero) to another digit; false if there is none (a message with no levels).
fn corrupt(frame: &mut String, rng: &mut SplitMix64) -> bool {
    const KEY: &str = "\"qty\":";
    // The digits of each quantity, in order; the first that is not zero is the one changed (a
    // level's new quantity is always in the checksum, while a removal's `0` may name a level that
    // only left the published range, where a changed value would be truncated away unseen).
    let quantities = frame.match_indices(KEY).map(|(at, _)| {
        let start = at + KEY.len();
        frame[start..]
            .char_indices()
            .take_while(|(_, c)| c.is_ascii_digit() || *c == '.' || *c == '"')
            .filter(|(_, c)| c.is_ascii_digit())
            .map(|(i, _)| start + i)
            .collect::<Vec<usize>>()
    });
    let mut first = None;
    let mut chosen = None;
    for digits in quantities {
        if digits.is_empty() {
            continue;
        }
        if digits.iter().any(|&i| frame.as_bytes()[i] != b'0') {
            chosen = Some(digits);
            break;
        }
        first.get_or_insert(digits);
    }
    let Some(digits) = chosen.or(first) else {
        return false;
    };
    let i = digits[rng.below_unbiased(digits.len() as u64) as usize];
    let old = frame.as_bytes()[i] - b'0';
    // The leading digit of a longer integer part must stay nonzero: `02.5` is not JSON, and the
    // corruption is for the checksum to catch, not the parser.
    let leading = i == digits[0] && frame.as_bytes().get(i + 1).is_some_and(u8::is_ascii_digit);
    let new = if leading {
        // One of 1..=9 other than `old` (itself 1..=9 here).
        let pick = 1 + rng.below_unbiased(8) as u8;
        if pick >= old {
            pick + 1
        } else {
            pick
        }
    } else {
        (old + 1 + rng.below_unbiased(9) as u8) % 10
    };
    debug_assert!(new != old && new <= 9);
    frame.replace_range(i..=i, &char::from(b'0' + new).to_string());
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_removal_s_zero_is_passed_over_for_a_quantity_the_checksum_covers() {
        let mut rng = SplitMix64::new(3);
        let sent = r#"{"bids":[{"price":10.5,"qty":0},{"price":10.4,"qty":2.50000000}]}"#;
        for _ in 0..100 {
            let mut frame = sent.to_string();
            assert!(corrupt(&mut frame, &mut rng));
            assert!(
                frame.starts_with(r#"{"bids":[{"price":10.5,"qty":0},"#),
                "{frame}"
            );
            assert_ne!(frame, sent);
        }
        // Only removals: one of them is changed.
        let mut frame = r#"{"asks":[{"price":1,"qty":0}]}"#.to_string();
        assert!(corrupt(&mut frame, &mut rng));
        assert!(!frame.contains(r#""qty":0}"#), "{frame}");
    }

    #[test]
    fn a_corrupted_quantity_is_still_a_json_number() {
        let mut rng = SplitMix64::new(5);
        for qty in ["12.00000000", "0.50000000", "7", "98765.1", "\"31.5\""] {
            for _ in 0..200 {
                let mut frame = format!(r#"{{"qty":{qty}}}"#);
                assert!(corrupt(&mut frame, &mut rng));
                assert_ne!(frame, format!(r#"{{"qty":{qty}}}"#));
                let v: serde_json::Value =
                    serde_json::from_str(&frame).unwrap_or_else(|e| panic!("{frame}: {e}"));
                let text = v["qty"].to_string();
                let digits = text.trim_matches('"');
                assert!(
                    !(digits.len() > 1 && digits.starts_with('0') && !digits.starts_with("0.")),
                    "{frame}"
                );
            }
        }
    }

    fn drain(net: &mut Network, until: u64) -> Vec<String> {
        (0..=until).flat_map(|t| net.deliver(t)).collect()
    }

    #[test]
    fn without_faults_frames_arrive_in_send_order_whatever_their_delays() {
        let params = NetParams {
            min_delay_ticks: 0,
            max_delay_ticks: 50,
            ..NetParams::default()
        };
        let mut net = Network::new(9, params).unwrap();
        for i in 0..500u64 {
            net.send(i / 3, i.to_string());
        }
        let got: Vec<u64> = drain(&mut net, 1_000)
            .iter()
            .map(|f| f.parse().unwrap())
            .collect();
        assert_eq!(got, (0..500).collect::<Vec<_>>());
    }

    #[test]
    fn a_corrupted_frame_differs_in_one_quantity_digit_and_still_parses() {
        let frame = r#"{"channel":"book","type":"update","data":[{"symbol":"S","bids":[{"price":10.5,"qty":1.25000000}],"asks":[],"checksum":7,"seq":3}]}"#;
        let params = NetParams {
            corrupt_permille: PERMILLE,
            ..NetParams::default()
        };
        let mut net = Network::new(1, params).unwrap();
        net.send(0, frame.to_string());
        let got = drain(&mut net, 0).remove(0);
        let differing: Vec<usize> = got
            .bytes()
            .zip(frame.bytes())
            .enumerate()
            .filter(|(_, (a, b))| a != b)
            .map(|(i, _)| i)
            .collect();
        assert_eq!(differing.len(), 1);
        assert!(
            frame[..differing[0]].ends_with("\"qty\":")
                || frame[..differing[0]].contains("\"qty\":1")
        );
        let parsed = crate::wire::parse(&got).unwrap();
        assert_ne!(
            parsed.bids[0].qty,
            crate::wire::parse(frame).unwrap().bids[0].qty
        );
        assert_eq!(net.stats().corrupted, 1);
    }

    #[test]
    fn a_cut_loses_what_is_in_flight_and_rates_are_checked() {
        let mut net = Network::new(
            1,
            NetParams {
                max_delay_ticks: 5,
                min_delay_ticks: 5,
                ..NetParams::default()
            },
        )
        .unwrap();
        net.send(0, "a".into());
        net.cut();
        assert!(drain(&mut net, 10).is_empty());
        assert_eq!(net.stats().lost_in_cuts, 1);
        let bad = NetParams {
            drop_permille: 1001,
            ..NetParams::default()
        };
        assert!(Network::new(1, bad).is_err());
    }

    #[test]
    fn marks_say_what_the_network_did_and_match_the_stats() {
        let frame = r#"{"channel":"book","type":"update","data":[{"symbol":"S","bids":[{"price":10.5,"qty":1.25000000}],"asks":[],"checksum":7,"seq":3}]}"#;
        let mut net = Network::new(5, FAULTY).unwrap();
        let mut sent = Vec::new();
        for t in 0..3_000u64 {
            sent.push(net.send_marked(t, frame.to_string()));
        }
        let got: Vec<(String, Marks)> = (0..=4_000).flat_map(|t| net.deliver_marked(t)).collect();
        let stats = net.stats();
        let count = |f: &dyn Fn(&Sent) -> bool| sent.iter().filter(|s| f(s)).count() as u64;
        assert_eq!(count(&|s| s.dropped), stats.dropped);
        assert_eq!(count(&|s| s.duplicated), stats.duplicated);
        assert_eq!(count(&|s| s.corrupted), stats.corrupted);
        assert_eq!(count(&|s| s.reordered), stats.reordered);
        assert!(stats.dropped > 0 && stats.duplicated > 0 && stats.corrupted > 0);
        let copies = got.iter().filter(|(_, m)| m.duplicate).count() as u64;
        assert_eq!(copies, stats.duplicated);
        assert_eq!(
            got.len() as u64,
            stats.sent - stats.dropped + stats.duplicated
        );
        // A frame marked corrupted differs from what was sent; every other one is intact.
        assert!(got.iter().all(|(f, m)| m.corrupted == (f != frame)));
    }

    #[test]
    fn send_and_send_marked_make_the_same_run() {
        let mut a = Network::new(3, FAULTY).unwrap();
        let mut b = Network::new(3, FAULTY).unwrap();
        for t in 0..500u64 {
            a.send(t, format!(r#"{{"qty":{t}.5}}"#));
            b.send_marked(t, format!(r#"{{"qty":{t}.5}}"#));
        }
        let da: Vec<String> = (0..=600).flat_map(|t| a.deliver(t)).collect();
        let db: Vec<String> = (0..=600)
            .flat_map(|t| b.deliver_marked(t))
            .map(|(f, _)| f)
            .collect();
        assert_eq!(da, db);
        assert_eq!(a.stats(), b.stats());
    }

    #[test]
    fn corrupt_next_waits_for_a_frame_with_a_quantity() {
        let mut net = Network::new(1, NetParams::default()).unwrap();
        net.corrupt_next();
        assert!(!net.send_marked(0, r#"{"bids":[]}"#.into()).corrupted);
        assert!(net.corrupt_pending());
        assert!(net.send_marked(0, r#"{"qty":1.5}"#.into()).corrupted);
        assert!(!net.corrupt_pending());
        assert!(!net.send_marked(0, r#"{"qty":1.5}"#.into()).corrupted);
        assert_eq!(net.stats().corrupted, 1);
    }

    #[test]
    fn new_params_keep_what_is_in_flight() {
        let slow = NetParams {
            min_delay_ticks: 5,
            max_delay_ticks: 5,
            ..NetParams::default()
        };
        let mut net = Network::new(1, slow).unwrap();
        net.send(0, "a".into());
        net.set_params(FAULTY).unwrap();
        assert_eq!(net.params(), FAULTY);
        assert_eq!(drain(&mut net, 10), vec!["a".to_string()]);
        let bad = NetParams {
            corrupt_permille: 2_000,
            ..NetParams::default()
        };
        assert!(net.set_params(bad).is_err());
        assert_eq!(net.params(), FAULTY);
    }
}
