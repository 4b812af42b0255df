//! Venue, network and client together: under every fault the client recovers and, once the
//! faults stop and the wire drains, holds exactly the venue's book with every sequence number up
//! to the venue's last accounted for; the same seed gives the same events.

use marketdata::client::{Event, Resync};
use marketdata::log::{read, LogError};
use marketdata::network::{NetParams, FAULTY};
use marketdata::session::{Session, SessionConfig};

fn faulty() -> SessionConfig {
    SessionConfig {
        depth: 10,
        net: FAULTY,
        cut_permille: 1,
    }
}

fn heal_and_drain(s: &mut Session) {
    s.set_faults(
        NetParams {
            min_delay_ticks: 1,
            max_delay_ticks: 1,
            ..NetParams::default()
        },
        0,
    )
    .unwrap();
    s.run(2_000);
    s.pause_venue(true);
    s.run(500);
}

#[test]
fn every_fault_is_recovered_from_and_the_books_agree_at_the_end() {
    let mut s = Session::new(11, faulty()).unwrap();
    s.run(30_000);
    let events = s.client().events();
    let count = |f: &dyn Fn(&Event) -> bool| events.iter().filter(|e| f(e)).count();
    let gaps = count(&|e| {
        matches!(
            e,
            Event::Resync {
                why: Resync::Gap { .. },
                ..
            }
        )
    });
    let mismatches = count(&|e| {
        matches!(
            e,
            Event::Resync {
                why: Resync::ChecksumMismatch { .. },
                ..
            }
        )
    });
    let stale = count(&|e| matches!(e, Event::Stale { .. }));
    let cuts = count(&|e| matches!(e, Event::Disconnected { .. }));
    let applied = count(&|e| matches!(e, Event::Applied { .. }));
    let stats = s.net_stats();
    assert!(
        stats.dropped > 0 && stats.duplicated > 0 && stats.reordered > 0 && stats.corrupted > 0
    );
    assert!(gaps > 0, "drops and reorders are seen as gaps");
    assert!(mismatches > 0, "corruption is caught by the checksum");
    assert!(stale > 0, "duplicates are ignored");
    assert!(cuts > 0, "the link was cut and reconnected");
    println!(
        "30 000 ticks: {applied} updates applied; resyncs: {gaps} gaps, {mismatches} checksum \
         mismatches; {stale} stale copies ignored; {cuts} cuts; network: {stats:?}"
    );
    assert!(applied > 5_000, "{applied}");
    heal_and_drain(&mut s);
    assert!(
        s.in_sync(),
        "{:?} {} {}",
        s.client().state(),
        s.client().expected(),
        s.venue().seq()
    );

    // The log is the source of truth: the book rebuilt from it at any offset is the one whose
    // checksum that record carries, and at its end the client's.
    let log = s.client().log();
    let records: Vec<_> = read(log.segments()).collect::<Result<_, _>>().unwrap();
    assert_eq!(records.len() as u64, log.next_offset());
    assert!(
        log.segments().len() > 1,
        "the log rolled over into several segments"
    );
    for (offset, msg) in records.iter().step_by(997) {
        let book = log.book_at(*offset, 10).unwrap().unwrap();
        assert_eq!(Some(book.checksum()), msg.checksum, "offset {offset}");
    }
    let last = log.next_offset() - 1;
    assert_eq!(&log.book_at(last, 10).unwrap().unwrap(), s.client().book());

    // A flipped byte or a torn tail is found, with its offset.
    let mut damaged = log.segments().to_vec();
    let at = damaged[0].len() / 2;
    damaged[0][at] ^= 0x40;
    let err = read(&damaged).find_map(Result::err);
    assert!(
        matches!(
            err,
            Some(LogError::BadCrc { .. } | LogError::BadRecord { .. } | LogError::Truncated { .. })
        ),
        "{err:?}"
    );
    let mut torn = log.segments().to_vec();
    let tail = torn.len() - 1;
    let cut = torn[tail].len() - 3;
    torn[tail].truncate(cut);
    assert_eq!(
        read(&torn).find_map(Result::err),
        Some(LogError::Truncated { offset: last })
    );
}

#[test]
fn a_clean_network_needs_no_resync() {
    let mut s = Session::new(
        5,
        SessionConfig {
            depth: 25,
            net: NetParams {
                min_delay_ticks: 1,
                max_delay_ticks: 3,
                ..NetParams::default()
            },
            cut_permille: 0,
        },
    )
    .unwrap();
    s.run(5_000);
    assert!(!s
        .client()
        .events()
        .iter()
        .any(|e| matches!(e, Event::Resync { .. })));
    s.pause_venue(true);
    s.run(10);
    assert!(s.in_sync());
}

#[test]
fn the_same_seed_gives_the_same_events() {
    let run = |seed| {
        let mut s = Session::new(seed, faulty()).unwrap();
        s.run(5_000);
        s.client().events().to_vec()
    };
    assert_eq!(run(3), run(3));
    assert_ne!(run(3), run(4));
}

#[test]
fn bad_configs_are_typed_errors() {
    let mut c = faulty();
    c.cut_permille = 1001;
    assert!(Session::new(1, c).is_err());
    let mut c = faulty();
    c.net.min_delay_ticks = 9;
    assert!(Session::new(1, c).is_err());
    let mut c = faulty();
    c.depth = 11;
    assert!(Session::new(1, c).is_err());
}
