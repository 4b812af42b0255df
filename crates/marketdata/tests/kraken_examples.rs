//! The checksum against Kraken's own documented examples (the fixtures are the messages as the
//! documentation prints them), and `md-checksum` end to end.

use marketdata::{parse, L2Book, Precision};
use std::io::Write;
use std::process::{Command, Stdio};

fn fixture(name: &str) -> Vec<String> {
    let path = format!("{}/tests/fixtures/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("{path}: {e}"))
        .lines()
        .map(str::to_string)
        .collect()
}

/// Applies each line to one book; returns (our checksum, the message's) after each.
fn run(lines: &[String], book: &mut L2Book) -> Vec<(u32, Option<u32>)> {
    lines
        .iter()
        .map(|line| {
            let msg = parse(line).unwrap();
            book.apply(&msg).unwrap();
            (book.checksum(), msg.checksum)
        })
        .collect()
}

#[test]
fn the_v2_book_guide_snapshot_gives_kraken_s_checksum() {
    // docs.kraken.com, "Spot Websockets (v2) Book Checksum": BTC/USD, values as strings.
    let lines = fixture("kraken-v2-book-guide-btc.jsonl");
    let mut book = L2Book::new(10).unwrap();
    assert_eq!(
        run(&lines, &mut book),
        [(3_310_070_434, Some(3_310_070_434))]
    );
}

#[test]
fn the_v2_book_reference_messages_need_the_pair_s_precision() {
    // docs.kraken.com, WebSocket v2 `book` reference: MATIC/USD, values as JSON numbers, which
    // dropped trailing zeros (0.566, 18097.1547); Kraken's checksums are over 4 and 8 places.
    let lines = fixture("kraken-v2-book-reference-matic.jsonl");
    let precision = Precision { price: 4, qty: 8 };
    let mut book = L2Book::new(10).unwrap().with_precision(precision);
    assert_eq!(
        run(&lines, &mut book),
        [
            (2_439_117_997, Some(2_439_117_997)),
            (2_114_181_697, Some(2_114_181_697))
        ]
    );
    let mut raw = L2Book::new(10).unwrap();
    let sums = run(&lines, &mut raw);
    assert!(sums.iter().all(|(ours, theirs)| Some(*ours) != *theirs));
}

#[test]
fn the_v1_guide_book_gives_kraken_s_checksum() {
    // docs.kraken.com, "Spot Websockets (v1) Book Checksum": ten asks 0.05005…0.05050 and ten
    // bids 0.05000…0.04950 (no 0.04985), each 0.00000500; the same algorithm as v2.
    let asks = [
        "0.05005", "0.05010", "0.05015", "0.05020", "0.05025", "0.05030", "0.05035", "0.05040",
        "0.05045", "0.05050",
    ];
    let bids = [
        "0.05000", "0.04995", "0.04990", "0.04980", "0.04975", "0.04970", "0.04965", "0.04960",
        "0.04955", "0.04950",
    ];
    let side = |prices: &[&str]| {
        prices
            .iter()
            .map(|p| format!(r#"{{"price":"{p}","qty":"0.00000500"}}"#))
            .collect::<Vec<_>>()
            .join(",")
    };
    let line = format!(
        r#"{{"channel":"book","type":"snapshot","data":[{{"symbol":"XBT/USD","bids":[{}],"asks":[{}]}}]}}"#,
        side(&bids),
        side(&asks)
    );
    let mut book = L2Book::new(100).unwrap();
    assert_eq!(run(&[line], &mut book), [(974_947_235, None)]);
}

fn md_checksum(args: &[&str], input: &str) -> String {
    let mut child = Command::new(env!("CARGO_BIN_EXE_md-checksum"))
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(input.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success());
    String::from_utf8(out.stdout).unwrap()
}

#[test]
fn md_checksum_prints_one_line_per_input_line_and_errors_leave_the_book() {
    let matic = fixture("kraken-v2-book-reference-matic.jsonl");
    let update = r#"{"channel":"book","type":"update","data":[{"symbol":"MATIC/USD","bids":[],"asks":[{"price":0.5668,"qty":0}],"checksum":1}]}"#;
    let input = [
        r#"{"channel":"book","type":"update","data":[{"symbol":"MATIC/USD","bids":[],"asks":[]}]}"#,
        matic[0].as_str(),
        "not json",
        r#"{"channel":"heartbeat"}"#,
        r#"{"channel":"book","type":"update","data":[{"symbol":"ETH/USD","bids":[],"asks":[]}]}"#,
        r#"{"channel":"book","type":"update","data":[{"symbol":"A","bids":[],"asks":[]},{"symbol":"B","bids":[],"asks":[]}]}"#,
        r#"{"channel":"book","type":"update","data":[{"symbol":"MATIC/USD","bids":[{"price":-1,"qty":1}],"asks":[]}]}"#,
        matic[1].as_str(),
        update,
    ]
    .join("\n");
    let out = md_checksum(&["--price-precision", "4", "--qty-precision", "8"], &input);
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), 9, "{out}");
    assert_eq!(lines[0], "ERROR 1 update before any snapshot");
    assert_eq!(lines[1], "2439117997");
    assert!(
        lines[2].starts_with("ERROR 3 malformed message"),
        "{}",
        lines[2]
    );
    assert_eq!(
        lines[3],
        r#"ERROR 4 not a book message (channel "heartbeat")"#
    );
    assert!(
        lines[4].starts_with("ERROR 5 update for \"ETH/USD\""),
        "{}",
        lines[4]
    );
    assert_eq!(lines[5], "ERROR 6 2 data entries (one symbol per message)");
    assert_eq!(lines[6], "ERROR 7 bids[0].price: negative value");
    // The errors left the book as the snapshot made it: Kraken's next checksum follows.
    assert_eq!(lines[7], "2114181697");
    // Printed whether or not it equals the message's own (here a wrong 1).
    assert!(
        lines[8].parse::<u32>().is_ok_and(|c| c != 1),
        "{}",
        lines[8]
    );

    let bad = Command::new(env!("CARGO_BIN_EXE_md-checksum"))
        .args(["--depth", "7"])
        .output()
        .unwrap();
    assert_eq!(bad.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&bad.stderr).contains("not one of [10, 25, 100, 500, 1000]"));
}
