//! The venue's stream, through the wire text, rebuilds the venue's book in a client: after every
//! message the client's checksum equals the one the venue published, and the same seed gives the
//! same stream.

use marketdata::venue::{to_json, Venue};
use marketdata::{parse, L2Book};

fn stream(seed: u64, depth: usize, updates: usize) -> Vec<String> {
    let mut venue = Venue::new(seed, depth).unwrap();
    let mut lines = vec![to_json(&venue.snapshot())];
    lines.extend((0..updates).map_while(|_| venue.step().map(|m| to_json(&m))));
    lines
}

#[test]
fn a_client_applying_the_venue_stream_matches_every_published_checksum() {
    for depth in [10, 25] {
        let lines = stream(7, depth, 20_000);
        assert_eq!(lines.len(), 20_001, "the flow kept changing the top");
        let mut client = L2Book::new(depth).unwrap();
        let mut levels_seen = 0;
        for (i, line) in lines.iter().enumerate() {
            let msg = parse(line).unwrap_or_else(|e| panic!("line {i}: {e}: {line}"));
            client.apply(&msg).unwrap();
            assert_eq!(
                Some(client.checksum()),
                msg.checksum,
                "depth {depth} message {i}"
            );
            levels_seen += msg.bids.len() + msg.asks.len();
        }
        assert_eq!(client.bids().len(), depth);
        assert_eq!(client.asks().len(), depth);
        assert!(levels_seen > 20_000);
    }
}

#[test]
fn the_same_seed_gives_the_same_stream_and_another_seed_another() {
    assert_eq!(stream(3, 10, 2_000), stream(3, 10, 2_000));
    assert_ne!(stream(3, 10, 2_000), stream(4, 10, 2_000));
}

#[test]
fn a_late_subscriber_s_snapshot_continues_the_stream_without_a_gap() {
    let mut venue = Venue::new(5, 10).unwrap();
    assert!(venue.published_snapshot().is_none());
    let first = venue.snapshot();
    for _ in 0..300 {
        venue.step();
    }
    let late = venue.published_snapshot().unwrap();
    assert_eq!(late.seq, Some(venue.seq()), "it takes no number of its own");
    let mut book = L2Book::new(10).unwrap();
    book.apply(&parse(&to_json(&late)).unwrap()).unwrap();
    assert_eq!(Some(book.checksum()), late.checksum);
    assert_eq!(book.bids(), venue.published().bids());
    assert_eq!(book.asks(), venue.published().asks());
    // The next update follows it directly and applies.
    let next = loop {
        if let Some(update) = venue.step() {
            break update;
        }
    };
    assert_eq!(next.seq, Some(venue.seq()));
    assert_eq!(next.seq.unwrap(), late.seq.unwrap() + 1);
    book.apply(&next).unwrap();
    assert_eq!(Some(book.checksum()), next.checksum);
    assert!(first.seq < late.seq);
}
