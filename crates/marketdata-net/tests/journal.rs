//! The journal on a real NATS JetStream server on loopback: the client's log shipped while the
//! server is restarted mid-stream, then read back — every record, in order, byte for byte the
//! client's log, and a replay of it ends at the venue's book.

mod common;

use common::{check_end, config, wait_in_sync, wait_records};
use marketdata::log::{read_raw, replay};
use marketdata::venue::SYMBOL;
use marketdata::L2Book;
use marketdata_net::account::account;
use marketdata_net::feed::{FeedConfig, FeedServer};
use marketdata_net::ingest::Ingest;
use marketdata_net::journal::{self, JournalRecord};
use marketdata_net::metrics::Metrics;
use marketdata_net::nats_server::NatsServer;
use std::time::Duration;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_journal_keeps_every_record_through_a_nats_restart() {
    let metrics = ship_through_outage(6, Duration::ZERO).await;
    eprintln!("journal retries: {}", metrics.journal_retries.get());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn publishes_that_time_out_in_an_outage_are_resent_in_order() {
    // Down for longer than an ack may take: the publishes in flight fail and are resent.
    let metrics =
        ship_through_outage(7, journal::REQUEST_TIMEOUT + Duration::from_millis(500)).await;
    assert!(metrics.journal_retries.get() > 0);
}

/// Ships a session's log while the NATS server is stopped for `outage` and started again, and
/// checks the stream afterwards.
async fn ship_through_outage(seed: u64, outage: Duration) -> Metrics {
    let mut nats = NatsServer::start().unwrap_or_else(|e| panic!("{e}"));
    let js = journal::connect(&nats.url()).await.unwrap();
    journal::create_stream(&js, SYMBOL).await.unwrap();
    let updates = 12_000 + 10 * outage.as_millis() as u64;
    let feed = FeedServer::start(FeedConfig::clean(seed, updates, 10))
        .await
        .unwrap();
    let mut ingest = Ingest::new(config(&feed)).unwrap();
    let records = ingest.journal(65_536).unwrap();
    let shipper = tokio::spawn(journal::ship(js.clone(), SYMBOL, records, ingest.metrics()));
    let mut running = ingest.start();
    wait_records(&mut running, 2_000).await;
    assert!(!feed.published().finished, "the restart falls mid-stream");
    tokio::task::block_in_place(|| {
        nats.stop();
        std::thread::sleep(outage);
        nats.restart()
    })
    .unwrap_or_else(|e| panic!("{e}"));
    let venue = wait_in_sync(&feed, &running).await;
    let metrics = running.metrics().clone();
    // Stopping the task closes the journal's queue; the shipper finishes what is queued.
    let client = running.stop().await.unwrap();
    check_end(&client, &venue);
    let published = shipper.await.unwrap().unwrap();
    let logged = client.log().next_offset();
    assert_eq!(published, logged);
    // The client reconnected to the restarted server. Publishes made while it was down were
    // either held by the client and sent on reconnect or failed and were resent by the shipper
    // (counted as retries); either way the stream below holds each record once, in order.
    let connects = js
        .client()
        .statistics()
        .connects
        .load(std::sync::atomic::Ordering::SeqCst);
    assert!(connects >= 2, "{connects} connections to NATS");
    let back = journal::read_back(&js, SYMBOL, 0).await.unwrap();
    let ours: Vec<JournalRecord> = read_raw(client.log().segments(), 0)
        .map(|r| {
            let (offset, bytes) = r.unwrap();
            JournalRecord {
                offset,
                bytes: bytes.to_vec(),
            }
        })
        .collect();
    assert_eq!(back.len() as u64, logged);
    assert!(back == ours, "the journal holds the log byte for byte");
    // The journal alone rebuilds the venue's book and accounts for every sequence number.
    let log = journal::to_log(&back).unwrap();
    let a = account(log.segments()).unwrap();
    assert_eq!(a.last_seq, venue.seq);
    let (book, _) = replay(log.segments(), logged - 1, L2Book::new(10).unwrap())
        .unwrap()
        .unwrap();
    assert_eq!(book.checksum(), venue.checksum);
    // Read back from a later offset: the rest of the log.
    let tail = journal::read_back(&js, SYMBOL, logged - 100).await.unwrap();
    assert_eq!(tail, ours[ours.len() - 100..]);
    metrics
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stream_that_holds_another_log_is_refused() {
    let nats = NatsServer::start().unwrap_or_else(|e| panic!("{e}"));
    let js = journal::connect(&nats.url()).await.unwrap();
    journal::create_stream(&js, SYMBOL).await.unwrap();
    let metrics = Metrics::new();
    // A first log of three records.
    let (tx, rx) = tokio::sync::mpsc::channel(8);
    let records: Vec<JournalRecord> = {
        let mut venue = marketdata::venue::Venue::new(1, 10).unwrap();
        let mut log = marketdata::log::EventLog::new();
        log.append(&venue.snapshot()).unwrap();
        while log.next_offset() < 3 {
            if let Some(u) = venue.step() {
                log.append(&u).unwrap();
            }
        }
        read_raw(log.segments(), 0)
            .map(|r| {
                let (offset, bytes) = r.unwrap();
                JournalRecord {
                    offset,
                    bytes: bytes.to_vec(),
                }
            })
            .collect()
    };
    for r in &records {
        tx.send(r.clone()).await.unwrap();
    }
    drop(tx);
    assert_eq!(
        journal::ship(js.clone(), SYMBOL, rx, metrics.clone())
            .await
            .unwrap(),
        3
    );
    // A second shipper of a log from offset 0 finds the stream already at 3.
    let (tx, rx) = tokio::sync::mpsc::channel(8);
    tx.send(records[0].clone()).await.unwrap();
    drop(tx);
    let err = journal::ship(js.clone(), SYMBOL, rx, metrics)
        .await
        .unwrap_err();
    assert!(
        matches!(
            err,
            journal::JournalError::Misaligned {
                stream_last: 3,
                next_offset: 0
            }
        ),
        "{err}"
    );
    assert_eq!(journal::read_back(&js, SYMBOL, 0).await.unwrap(), records);
    // After a fresh start the same log ships again.
    journal::delete_stream(&js, SYMBOL).await.unwrap();
    journal::create_stream(&js, SYMBOL).await.unwrap();
    assert!(journal::read_back(&js, SYMBOL, 0).await.unwrap().is_empty());
}
