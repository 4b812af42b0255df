//! The book and its checksum against a plain model: levels in `BTreeMap`s keyed by value, each
//! keeping the text it was sent as, the checksum string built from those texts exactly as
//! Kraken's guide describes it and hashed in one go. Messages are generated as JSON text (prices
//! and quantities as numbers or strings, with varying scales), so the parser is in the loop.
//! Errors must leave the book unchanged, and no input panics.

use marketdata::{parse, L2Book, DEPTHS};
use proptest::prelude::*;
use std::collections::BTreeMap;

/// A level as generated: integer ticks (the value) and how it is written.
#[derive(Clone, Debug)]
struct Lv {
    price_ticks: u64,
    qty: u64,
    /// Extra trailing zeros on the price and the quantity text.
    pad: (usize, usize),
    as_string: bool,
}

/// `n × 10^-places` written with `places + pad` decimals.
fn text(n: u64, places: usize, pad: usize) -> String {
    let s = format!("{:0>w$}", n, w = places + 1);
    let (int, frac) = s.split_at(s.len() - places);
    format!("{int}.{frac}{}", "0".repeat(pad))
}

const PRICE_PLACES: usize = 2;
const QTY_PLACES: usize = 4;

fn level_json(l: &Lv) -> String {
    let p = text(l.price_ticks, PRICE_PLACES, l.pad.0);
    let q = text(l.qty, QTY_PLACES, l.pad.1);
    if l.as_string {
        format!(r#"{{"price":"{p}","qty":"{q}"}}"#)
    } else {
        format!(r#"{{"price":{p},"qty":{q}}}"#)
    }
}

fn message(kind: &str, bids: &[Lv], asks: &[Lv]) -> String {
    let side = |ls: &[Lv]| ls.iter().map(level_json).collect::<Vec<_>>().join(",");
    format!(
        r#"{{"channel":"book","type":"{kind}","data":[{{"symbol":"SIM/USD","bids":[{}],"asks":[{}],"checksum":0}}]}}"#,
        side(bids),
        side(asks)
    )
}

fn level(centre: u64) -> impl Strategy<Value = Lv> {
    (
        0u64..40,
        prop_oneof![1 => Just(0u64), 4 => 1u64..5_000_000],
        (0usize..3, 0usize..3),
        any::<bool>(),
    )
        .prop_map(move |(off, qty, pad, as_string)| Lv {
            price_ticks: centre + off,
            qty,
            pad,
            as_string,
        })
}

#[derive(Default, Clone)]
struct Model {
    /// key → (price text, qty text); bids read from the back (highest), asks from the front.
    bids: BTreeMap<u64, (String, String)>,
    asks: BTreeMap<u64, (String, String)>,
}

impl Model {
    fn apply(&mut self, snapshot: bool, bids: &[Lv], asks: &[Lv], depth: usize) {
        if snapshot {
            self.bids.clear();
            self.asks.clear();
        }
        for (map, levels) in [(&mut self.bids, bids), (&mut self.asks, asks)] {
            for l in levels {
                if l.qty == 0 {
                    map.remove(&l.price_ticks);
                } else {
                    map.insert(
                        l.price_ticks,
                        (
                            text(l.price_ticks, PRICE_PLACES, l.pad.0),
                            text(l.qty, QTY_PLACES, l.pad.1),
                        ),
                    );
                }
            }
        }
        while self.bids.len() > depth {
            self.bids.pop_first();
        }
        while self.asks.len() > depth {
            self.asks.pop_last();
        }
    }

    fn checksum(&self) -> u32 {
        let digits = |t: &str| t.replace('.', "").trim_start_matches('0').to_string();
        let mut s = String::new();
        for (p, q) in self.asks.values().take(10) {
            s += &(digits(p) + &digits(q));
        }
        for (p, q) in self.bids.values().rev().take(10) {
            s += &(digits(p) + &digits(q));
        }
        crc32fast::hash(s.as_bytes())
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn book_and_checksum_match_the_model(
        depth_i in 0usize..2,
        steps in prop::collection::vec(
            (prop_oneof![1 => Just(true), 8 => Just(false)],
             prop::collection::vec(level(1_000), 0..30),
             prop::collection::vec(level(1_020), 0..30)),
            1..40),
    ) {
        let depth = DEPTHS[depth_i];
        let mut book = L2Book::new(depth).unwrap();
        let mut model = Model::default();
        let mut started = false;
        for (snapshot, bids, asks) in steps {
            let snapshot = snapshot || !started;
            started = true;
            let line = message(if snapshot { "snapshot" } else { "update" }, &bids, &asks);
            let msg = parse(&line).unwrap();
            book.apply(&msg).unwrap();
            model.apply(snapshot, &bids, &asks, depth);
            prop_assert_eq!(book.checksum(), model.checksum());
            prop_assert_eq!(book.bids().len(), model.bids.len());
            prop_assert_eq!(book.asks().len(), model.asks.len());
            let texts: Vec<String> = book.bids().iter().map(|l| l.price.to_string()).collect();
            let want: Vec<String> = model.bids.values().rev().map(|(p, _)| p.clone()).collect();
            prop_assert_eq!(texts, want);
        }
    }

    #[test]
    fn a_rejected_line_leaves_the_book_as_it_was(
        bids in prop::collection::vec(level(1_000), 1..20),
        cut in 0usize..400,
        junk in "[-0-9.eE\"{}:,a-z ]{0,12}",
    ) {
        let mut book = L2Book::new(10).unwrap();
        book.apply(&parse(&message("snapshot", &bids, &[])).unwrap()).unwrap();
        let before = book.clone();
        let line = message("update", &bids, &[]);
        let cut = cut.min(line.len());
        let broken = format!("{}{junk}{}", &line[..cut], &line[cut..]);
        match parse(&broken) {
            Ok(msg) => {
                // Still a well-formed update (the junk landed harmlessly): it applies.
                let _ = book.apply(&msg);
            }
            Err(_) => prop_assert_eq!(&book, &before),
        }
    }

    #[test]
    fn no_input_panics(line in "\\PC{0,200}") {
        let _ = parse(&line);
    }
}
