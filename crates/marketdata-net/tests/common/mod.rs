//! What the loopback tests share: running a feed and a pipeline until the client holds the
//! venue's final book, and the checks every run must pass at its end.

#![allow(dead_code)]

use marketdata::client::{Client, State};
use marketdata_net::account::{account, Accounting};
use marketdata_net::feed::{FeedServer, Published};
use marketdata_net::ingest::{Consumer, ConsumerError, FeedEvent, IngestConfig, Running, Status};
use std::time::{Duration, Instant};

/// Generous: the machine may be busy with other builds.
pub const SYNC_TIMEOUT: Duration = Duration::from_secs(60);

pub fn config(feed: &FeedServer) -> IngestConfig {
    IngestConfig::new(&feed.url())
}

/// Waits until `running`'s log holds at least `records`.
pub async fn wait_records(running: &mut Running, records: u64) -> Status {
    running
        .wait_for(SYNC_TIMEOUT, |s| s.log_records >= records)
        .await
        .unwrap_or_else(|s| panic!("never reached {records} records: {s:?}"))
}

/// Waits until the client is past venue sequence number `seq`.
pub async fn wait_seq(running: &mut Running, seq: u64) -> Status {
    running
        .wait_for(SYNC_TIMEOUT, |s| s.expected > seq)
        .await
        .unwrap_or_else(|s| panic!("never passed seq {seq}: {s:?}"))
}

/// Waits until the venue has published everything and the client is live at its last message
/// with its checksum; returns the venue's final state.
pub async fn wait_in_sync(feed: &FeedServer, running: &Running) -> Published {
    let deadline = Instant::now() + SYNC_TIMEOUT;
    loop {
        let venue = feed.published();
        let s = running.status();
        if venue.finished
            && s.state == State::Live
            && s.expected == venue.seq + 1
            && s.checksum == venue.checksum
        {
            return venue;
        }
        assert!(
            Instant::now() < deadline,
            "not in sync: client {s:?}, venue at {} (finished: {}), feed {:?}",
            venue.seq,
            venue.finished,
            feed.stats()
        );
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

/// The end of every run: the client's book is the venue's, level for level, and its log
/// accounts for every sequence number up to the venue's last.
pub fn check_end(client: &Client, venue: &Published) -> Accounting {
    check_end_with_log(client, client.log().segments(), venue)
}

/// [`check_end`] with the whole log in `segments` (the files, when the client's memory keeps
/// only the last segment).
pub fn check_end_with_log(client: &Client, segments: &[Vec<u8>], venue: &Published) -> Accounting {
    assert_eq!(client.book().checksum(), venue.checksum);
    assert_eq!(client.book().bids(), &venue.bids[..]);
    assert_eq!(client.book().asks(), &venue.asks[..]);
    let a = account(segments).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(a.last_seq, venue.seq);
    assert_eq!(a.records, client.log().next_offset());
    a
}

/// Takes every event `consumer` gets until the pipeline ends: the offsets of the logged ones,
/// or how many events it missed when it fell behind.
pub fn collect_offsets(mut consumer: Consumer) -> tokio::task::JoinHandle<Result<Vec<u64>, u64>> {
    tokio::spawn(async move {
        let mut offsets = Vec::new();
        loop {
            match consumer.recv().await {
                Ok(FeedEvent::Logged { offset, .. }) => offsets.push(offset),
                Ok(FeedEvent::Client(_)) => {}
                Err(ConsumerError::Closed) => return Ok(offsets),
                Err(ConsumerError::Lagged { missed }) => return Err(missed),
            }
        }
    })
}
