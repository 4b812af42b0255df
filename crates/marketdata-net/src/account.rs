//! Accounting for every venue sequence number in a log: each one from the first snapshot's to the
//! last record's was either applied as an update or is covered by a later snapshot (the client
//! resynced past it). A log that passes lost nothing it did not recover.

use marketdata::log::{read, LogError};
use marketdata::Kind;

/// What a log accounts for.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Accounting {
    pub records: u64,
    pub snapshots: u64,
    pub updates: u64,
    /// Sequence numbers skipped over by a snapshot (not applied one by one).
    pub covered_by_snapshot: u64,
    pub first_seq: u64,
    pub last_seq: u64,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum AccountingError {
    Log(LogError),
    /// The log does not start with a snapshot.
    NoSnapshotFirst,
    /// An update that does not follow the record before it.
    Unaccounted {
        offset: u64,
        expected: u64,
        got: u64,
    },
    /// A snapshot older than the record before it.
    Backwards {
        offset: u64,
        after: u64,
        got: u64,
    },
}

impl std::fmt::Display for AccountingError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            AccountingError::Log(e) => write!(f, "log: {e}"),
            AccountingError::NoSnapshotFirst => write!(f, "the log does not start with a snapshot"),
            AccountingError::Unaccounted { offset, expected, got } => write!(
                f,
                "record {offset}: update {got} where {expected} was next (sequence numbers {expected}..{got} unaccounted for)"
            ),
            AccountingError::Backwards { offset, after, got } => {
                write!(f, "record {offset}: snapshot at {got} after {after}")
            }
        }
    }
}

impl std::error::Error for AccountingError {}

/// Checks the log in `segments`.
pub fn account(segments: &[Vec<u8>]) -> Result<Accounting, AccountingError> {
    let mut a = Accounting::default();
    for record in read(segments) {
        let (offset, msg) = record.map_err(AccountingError::Log)?;
        let seq = msg.seq.unwrap_or(0);
        match msg.kind {
            Kind::Snapshot => {
                if a.records > 0 {
                    if seq < a.last_seq {
                        return Err(AccountingError::Backwards {
                            offset,
                            after: a.last_seq,
                            got: seq,
                        });
                    }
                    a.covered_by_snapshot += seq - a.last_seq;
                } else {
                    a.first_seq = seq;
                }
                a.snapshots += 1;
            }
            Kind::Update => {
                if a.records == 0 {
                    return Err(AccountingError::NoSnapshotFirst);
                }
                if seq != a.last_seq + 1 {
                    return Err(AccountingError::Unaccounted {
                        offset,
                        expected: a.last_seq + 1,
                        got: seq,
                    });
                }
                a.updates += 1;
            }
        }
        a.last_seq = seq;
        a.records += 1;
    }
    debug_assert!(a.records == 0 || a.last_seq - a.first_seq == a.updates + a.covered_by_snapshot);
    Ok(a)
}

#[cfg(test)]
mod tests {
    use super::*;
    use marketdata::log::EventLog;
    use marketdata::venue::Venue;

    #[test]
    fn a_resync_s_snapshot_covers_what_it_skipped_and_a_hole_is_named() {
        let mut venue = Venue::new(3, 10).unwrap();
        let mut log = EventLog::new();
        let mut holed = EventLog::new();
        let first = venue.snapshot();
        log.append(&first).unwrap();
        holed.append(&first).unwrap();
        let mut n = 0;
        while n < 40 {
            if let Some(u) = venue.step() {
                n += 1;
                if n <= 10 || n > 30 {
                    log.append(&u).unwrap();
                }
                if n != 20 {
                    holed.append(&u).unwrap();
                }
            }
            if n == 30 && log.next_offset() == 11 {
                // The client resynced: a snapshot at the venue's seq covers 11..=30.
                log.append(&venue.published_snapshot().unwrap()).unwrap();
            }
        }
        let a = account(log.segments()).unwrap();
        assert_eq!((a.snapshots, a.updates, a.covered_by_snapshot), (2, 20, 20));
        assert_eq!(a.last_seq, venue.seq());
        let hole = account(holed.segments()).unwrap_err();
        assert!(
            matches!(hole, AccountingError::Unaccounted { expected, got, .. } if got == expected + 1),
            "{hole}"
        );
    }
}
