//! A visitor's actions on a running session — pulling the cable, corrupting the next message,
//! changing the faults — each take the client down the recovery path it names and back to the
//! venue's book, the record of frames on the wire says what happened to each, and a run with
//! the same actions at the same ticks is the same run.

use marketdata::client::{Event, Resync, State};
use marketdata::network::{NetParams, FAULTY};
use marketdata::session::{Session, SessionConfig, Verdict, WIRE_RECORD};

fn clean(delay: u32) -> SessionConfig {
    SessionConfig {
        depth: 10,
        net: NetParams {
            min_delay_ticks: delay,
            max_delay_ticks: delay,
            ..NetParams::default()
        },
        cut_permille: 0,
    }
}

fn resyncs(s: &Session) -> Vec<Resync> {
    s.client()
        .events()
        .iter()
        .filter_map(|e| match e {
            Event::Resync { why, .. } => Some(*why),
            _ => None,
        })
        .collect()
}

fn drained_in_sync(s: &mut Session) -> bool {
    s.pause_venue(true);
    s.run(50);
    let ok = s.in_sync();
    s.pause_venue(false);
    ok
}

#[test]
fn pulling_the_cable_backs_off_then_resubscribes_to_a_fresh_snapshot() {
    let mut s = Session::new(2, clean(1)).unwrap();
    s.run(200);
    assert_eq!(s.client().state(), State::Live);
    let pulled_at = s.tick();
    assert!(s.pull_cable());
    assert!(!s.link_up());
    assert!(matches!(s.client().state(), State::Disconnected { retry_at } if retry_at > s.tick()));
    // A second pull with the link down changes nothing.
    assert!(!s.pull_cable());
    let disconnects = |s: &Session| {
        s.client()
            .events()
            .iter()
            .filter(|e| matches!(e, Event::Disconnected { .. }))
            .count()
    };
    assert_eq!(disconnects(&s), 1);
    s.run(100);
    assert_eq!(s.client().state(), State::Live);
    let connects = s
        .client()
        .events()
        .iter()
        .filter(|e| matches!(e, Event::Connected { .. }))
        .count();
    assert_eq!(connects, 2);
    // The resubscription asked for a snapshot, and it was sent and applied.
    assert!(s.sent().any(|f| f.snapshot && f.tick > pulled_at));
    assert!(s
        .delivered()
        .any(|f| f.snapshot && f.verdict == Verdict::Applied));
    assert!(resyncs(&s).is_empty());
    assert!(drained_in_sync(&mut s));
}

#[test]
fn a_corrupted_message_is_caught_by_the_checksum_and_resynced() {
    let mut s = Session::new(4, clean(2)).unwrap();
    s.run(200);
    s.corrupt_next();
    assert!(s.corrupt_pending());
    s.run(10);
    assert!(!s.corrupt_pending());
    assert!(matches!(
        resyncs(&s).as_slice(),
        [Resync::ChecksumMismatch { .. }]
    ));
    let bad = s
        .delivered()
        .find(|f| f.marks.corrupted)
        .copied()
        .expect("the corrupted frame is on the record");
    assert!(matches!(
        bad.verdict,
        Verdict::Resync(Resync::ChecksumMismatch { seq, ours, theirs }) if Some(seq) == bad.seq && ours != theirs
    ));
    assert_eq!(s.sent().filter(|f| f.fate.corrupted).count(), 1);
    s.run(100);
    assert_eq!(s.client().state(), State::Live);
    assert!(drained_in_sync(&mut s));
}

#[test]
fn a_duplicate_is_seen_as_stale_and_changes_nothing() {
    let mut config = clean(1);
    config.net.duplicate_permille = 500;
    let mut s = Session::new(6, config).unwrap();
    s.run(2_000);
    assert!(resyncs(&s).is_empty());
    let record: Vec<_> = s.delivered().copied().collect();
    assert_eq!(record.len(), WIRE_RECORD);
    // The numbers are applied one after the other; every other copy is older, and stale.
    let mut next = None;
    for f in &record {
        let seq = f.seq.expect("an intact frame's number is read");
        match f.verdict {
            Verdict::Applied => {
                assert!(next.is_none_or(|n| n == seq), "{f:?}");
                next = Some(seq + 1);
            }
            Verdict::Stale => assert!(next.is_none_or(|n| seq < n), "{f:?}"),
            other => panic!("{other:?}"),
        }
    }
    assert!(record.iter().any(|f| f.verdict == Verdict::Stale));
    assert!(record.iter().any(|f| f.marks.duplicate));
    assert!(drained_in_sync(&mut s));
}

#[test]
fn a_dropped_update_is_a_gap_and_resyncs() {
    let mut config = clean(1);
    config.net.drop_permille = 100;
    let mut s = Session::new(8, config).unwrap();
    s.run(1_000);
    let gaps = resyncs(&s)
        .iter()
        .filter(|r| matches!(r, Resync::Gap { .. }))
        .count();
    assert!(gaps > 0);
    assert!(s.sent().any(|f| f.fate.dropped));
    s.adjust_faults(clean(1).net, 0).unwrap();
    s.run(300);
    assert!(drained_in_sync(&mut s));
}

#[test]
fn adjusting_the_faults_keeps_what_is_in_flight() {
    let mut s = Session::new(3, clean(4)).unwrap();
    s.run(300);
    for _ in 0..100 {
        s.adjust_faults(clean(4).net, 0).unwrap();
        s.run(1);
    }
    assert!(resyncs(&s).is_empty());
    assert_eq!(s.config(), clean(4));
    let mut bad = clean(1).net;
    bad.drop_permille = 5_000;
    assert!(s.adjust_faults(bad, 0).is_err());
    assert!(s.adjust_faults(clean(1).net, 5_000).is_err());
    assert_eq!(s.config(), clean(4));
}

#[test]
fn the_same_actions_at_the_same_ticks_give_the_same_run() {
    let run = || {
        let mut s = Session::new(
            9,
            SessionConfig {
                depth: 10,
                net: FAULTY,
                cut_permille: 2,
            },
        )
        .unwrap();
        s.run(400);
        s.pull_cable();
        s.run(300);
        s.corrupt_next();
        s.run(200);
        s.adjust_faults(clean(1).net, 0).unwrap();
        s.run(500);
        (
            s.client().events().to_vec(),
            s.delivered().copied().collect::<Vec<_>>(),
            s.sent().copied().collect::<Vec<_>>(),
            s.client().log().next_offset(),
        )
    };
    assert_eq!(run(), run());
}
