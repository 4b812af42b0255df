//! Reading a log's records as bytes from an offset (what a log shipper does): every offset from
//! any starting point, across segment boundaries, each record decoding to what `read` gives.

use marketdata::log::{
    decode_record, encode_record, read, read_raw, replay, segment_base, EventLog, LogError,
};
use marketdata::venue::Venue;
use marketdata::L2Book;

/// A log of several segments: a snapshot, then updates until the third segment has begun.
fn log_of_three_segments() -> EventLog {
    let mut venue = Venue::new(9, 10).unwrap();
    let mut log = EventLog::new();
    log.append(&venue.snapshot()).unwrap();
    while log.segments().len() < 3 {
        if let Some(update) = venue.step() {
            log.append(&update).unwrap();
        }
    }
    log
}

#[test]
fn raw_records_from_any_offset_are_the_decoded_log_from_there() {
    let log = log_of_three_segments();
    let all: Vec<_> = read(log.segments()).map(Result::unwrap).collect();
    assert_eq!(all.len() as u64, log.next_offset());
    // Starting points: the first record, inside a segment, at and next to each boundary, the end.
    let mut starts = vec![0, 1, all.len() as u64 / 2, log.next_offset()];
    for seg in &log.segments()[1..] {
        let base = u64::from_le_bytes(seg[8..16].try_into().unwrap());
        starts.extend([base - 1, base, base + 1]);
    }
    for from in starts {
        let raw: Vec<_> = read_raw(log.segments(), from).map(Result::unwrap).collect();
        assert_eq!(raw.len() as u64, log.next_offset() - from, "from {from}");
        for (offset, record) in raw {
            let msg = decode_record(offset, record).unwrap();
            assert_eq!(msg, all[offset as usize].1, "offset {offset}");
            assert_eq!(encode_record(&msg).unwrap(), record, "offset {offset}");
        }
    }
}

#[test]
fn the_last_record_is_the_one_just_appended() {
    let mut venue = Venue::new(2, 10).unwrap();
    let mut log = EventLog::new();
    assert!(log.last_record().is_none());
    log.append(&venue.snapshot()).unwrap();
    while log.segments().len() < 2 || !log.next_offset().is_multiple_of(7) {
        if let Some(update) = venue.step() {
            log.append(&update).unwrap();
            let (offset, record) = log.last_record().unwrap();
            assert_eq!(offset, log.next_offset() - 1);
            assert_eq!(decode_record(offset, record).unwrap(), update);
        }
    }
}

#[test]
fn a_damaged_record_is_named_and_trailing_bytes_are_refused() {
    let log = log_of_three_segments();
    let (offset, record) = read_raw(log.segments(), 5).next().unwrap().unwrap();
    let mut bad = record.to_vec();
    let last = bad.len() - 1;
    bad[last] ^= 1;
    assert_eq!(
        decode_record(offset, &bad),
        Err(LogError::BadCrc { offset })
    );
    assert_eq!(
        decode_record(offset, &record[..record.len() - 1]),
        Err(LogError::Truncated { offset })
    );
    let mut longer = record.to_vec();
    longer.push(0);
    assert!(matches!(
        decode_record(offset, &longer),
        Err(LogError::BadRecord { .. })
    ));
}

#[test]
fn releasing_sealed_segments_keeps_the_tail_readable_from_its_base() {
    let mut log = log_of_three_segments();
    let all: Vec<_> = read(log.segments()).map(Result::unwrap).collect();
    let last_base = segment_base(log.segments().last().unwrap()).unwrap();
    assert_eq!(log.release_sealed(), 2);
    assert_eq!(log.segments().len(), 1);
    assert_eq!(log.release_sealed(), 0);
    let tail: Vec<_> = read(log.segments()).map(Result::unwrap).collect();
    assert_eq!(tail[..], all[last_base as usize..]);
    assert_eq!(log.next_offset(), all.len() as u64);
    // Offsets before the kept segment are gone; no snapshot is left to rebuild from either.
    let depth_10 = || L2Book::new(10).unwrap();
    assert!(replay(log.segments(), last_base - 1, depth_10())
        .unwrap()
        .is_none());
    assert!(replay(log.segments(), last_base, depth_10())
        .unwrap()
        .is_none());
    // Appending goes on at the same offsets.
    let (offset, record) = log.last_record().unwrap();
    assert_eq!(
        decode_record(offset, record).unwrap(),
        all.last().unwrap().1
    );
}
