//! The pipeline over real sockets on loopback: a clean run, connections cut mid-stream, a
//! corrupted message, a faulty wire, and a stalled consumer. Each ends with the client holding
//! the venue's book and a log that accounts for every venue sequence number.

mod common;

use common::{check_end, check_end_with_log, config, wait_in_sync, wait_records};
use marketdata::log::read;
use marketdata::network::{NetParams, FAULTY};
use marketdata_net::feed::{FeedConfig, FeedServer};
use marketdata_net::ingest::{ConsumerError, Ingest, IngestConfig, IngestError};
use marketdata_net::metrics::{Reason, ReasonLabels};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_clean_stream_arrives_whole_and_the_files_are_the_log() {
    // Long enough for several segments: memory keeps the last, the files have them all.
    let feed = FeedServer::start(FeedConfig {
        wait_for_subscriber: true,
        ..FeedConfig::clean(1, 40_000, 25)
    })
    .await
    .unwrap();
    let dir = std::env::temp_dir().join(format!("md-net-clean-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let ingest = Ingest::new(IngestConfig {
        log_dir: Some(dir.clone()),
        // Room for the whole run: this consumer must see every event, however busy the machine.
        fanout_capacity: 1 << 17,
        ..config(&feed)
    })
    .unwrap();
    let consumer = ingest.consumer("collector");
    let collected = common::collect_offsets(consumer);
    let running = ingest.start();
    let venue = wait_in_sync(&feed, &running).await;
    let metrics = running.metrics().clone();
    let client = running.stop().await.unwrap();
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    let on_disk: Vec<Vec<u8>> = files.iter().map(|p| std::fs::read(p).unwrap()).collect();
    assert!(
        on_disk.len() >= 2,
        "{} segment files, {} records, {:?}",
        on_disk.len(),
        client.log().next_offset(),
        on_disk.iter().map(Vec::len).collect::<Vec<_>>()
    );
    // The files hold the log; memory holds its last segment, byte for byte the last file.
    assert_eq!(client.log().segments(), &on_disk[on_disk.len() - 1..]);
    let a = check_end_with_log(&client, &on_disk, &venue);
    // The venue waited for the client: one snapshot, then every update.
    assert_eq!((a.snapshots, a.covered_by_snapshot), (1, 0));
    assert_eq!((a.first_seq, a.updates), (1, 40_000));
    assert_eq!(metrics.resyncs_total(), 0);
    assert_eq!(metrics.reconnects.get(), 0);
    assert_eq!(metrics.updates.get(), a.updates);
    let offsets = collected.await.unwrap().expect("the consumer kept up");
    assert_eq!(offsets, (0..client.log().next_offset()).collect::<Vec<_>>());
    assert_eq!(read(&on_disk).count() as u64, client.log().next_offset());
    let text = metrics.render();
    assert!(
        text.contains(&format!("md_updates_applied_total {}", a.updates)),
        "{text}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn connections_killed_mid_stream_are_reconnected_and_resynced() {
    let feed = FeedServer::start(FeedConfig::clean(2, 8_000, 10))
        .await
        .unwrap();
    let ingest = Ingest::new(config(&feed)).unwrap();
    let mut running = ingest.start();
    wait_records(&mut running, 1_500).await;
    feed.cut_connections();
    let before = running.status().log_records;
    wait_records(&mut running, before + 1_500).await;
    feed.cut_connections();
    let venue = wait_in_sync(&feed, &running).await;
    let metrics = running.metrics().clone();
    let client = running.stop().await.unwrap();
    let a = check_end(&client, &venue);
    assert!(a.snapshots >= 3, "{a:?}");
    assert!(
        a.covered_by_snapshot > 0,
        "updates sent while disconnected: {a:?}"
    );
    assert!(metrics.reconnects.get() >= 2);
    assert!(feed.stats().cuts >= 2);
    assert!(metrics.disconnects.get() >= 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_corrupted_message_fails_its_checksum_and_the_book_is_rebuilt() {
    let feed = FeedServer::start(FeedConfig::clean(3, 20_000, 10))
        .await
        .unwrap();
    let ingest = Ingest::new(config(&feed)).unwrap();
    let mut running = ingest.start();
    wait_records(&mut running, 1_000).await;
    feed.corrupt_next();
    assert!(
        !feed.published().finished,
        "the venue has updates left to corrupt"
    );
    let venue = wait_in_sync(&feed, &running).await;
    let metrics = running.metrics().clone();
    let client = running.stop().await.unwrap();
    check_end(&client, &venue);
    assert_eq!(feed.stats().corrupted, 1);
    assert_eq!(metrics.checksum_failures.get(), 1);
    let mismatches = metrics
        .resyncs
        .get_or_create(&ReasonLabels {
            reason: Reason::ChecksumMismatch,
        })
        .get();
    assert_eq!(mismatches, 1);
    assert!(metrics.render().contains("md_checksum_failures_total 1"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_faulty_wire_is_recovered_from() {
    let feed = FeedServer::start(FeedConfig {
        net: FAULTY,
        cut_permille: 1,
        ..FeedConfig::clean(4, 9_000, 10)
    })
    .await
    .unwrap();
    let ingest = Ingest::new(config(&feed)).unwrap();
    let mut running = ingest.start();
    common::wait_seq(&mut running, 4_000).await;
    // Heal the wire for the rest of the stream, so its last updates arrive.
    let clean = NetParams {
        min_delay_ticks: 1,
        max_delay_ticks: 3,
        ..NetParams::default()
    };
    feed.set_faults(clean, 0).unwrap();
    let venue = wait_in_sync(&feed, &running).await;
    let metrics = running.metrics().clone();
    let client = running.stop().await.unwrap();
    let a = check_end(&client, &venue);
    let stats = feed.stats();
    assert!(
        stats.dropped > 0 && stats.duplicated > 0 && stats.reordered > 0,
        "{stats:?}"
    );
    assert!(metrics.resyncs_total() > 0);
    assert!(metrics.stale.get() > 0, "duplicates were ignored");
    assert!(a.covered_by_snapshot > 0, "{a:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stalled_consumer_is_told_what_it_missed_and_nobody_else_waits() {
    let feed = FeedServer::start(FeedConfig::clean(5, 12_000, 20))
        .await
        .unwrap();
    let ingest = Ingest::new(IngestConfig {
        fanout_capacity: 8_192,
        ..config(&feed)
    })
    .unwrap();
    let mut stalled = ingest.consumer("stalled");
    let fast = ingest.consumer("fast");
    let collected = common::collect_offsets(fast);
    let running = ingest.start();
    let venue = wait_in_sync(&feed, &running).await;
    let metrics = running.metrics().clone();
    // Only now does the stalled consumer look: it has lost all but the last 8 192 events.
    let missed = match stalled.recv().await {
        Err(ConsumerError::Lagged { missed }) => missed,
        other => panic!("expected a lag report, got {other:?}"),
    };
    assert!(missed > 12_000, "{missed}");
    assert_eq!(metrics.missed("stalled"), missed);
    assert_eq!(metrics.missed("fast"), 0);
    assert_eq!(metrics.fanout_backlog_max.get(), 8_192);
    assert!(
        stalled.recv().await.is_ok(),
        "it goes on from the oldest kept event"
    );
    let text = metrics.render();
    assert!(
        text.contains(&format!(
            "md_consumer_missed_total{{consumer=\"stalled\"}} {missed}"
        )),
        "{text}"
    );
    let client = running.stop().await.unwrap();
    check_end(&client, &venue);
    let offsets = collected.await.unwrap().expect("the consumer kept up");
    assert_eq!(offsets, (0..client.log().next_offset()).collect::<Vec<_>>());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_depth_the_feed_does_not_offer_ends_the_task_with_the_refusal() {
    let feed = FeedServer::start(FeedConfig::clean(8, 1_000, 10))
        .await
        .unwrap();
    let ingest = Ingest::new(IngestConfig {
        depth: 25,
        ..config(&feed)
    })
    .unwrap();
    let running = ingest.start();
    // The task ends on its own once the refusal arrives; stop() then hands back its error.
    let deadline = std::time::Instant::now() + common::SYNC_TIMEOUT;
    while !running.finished() {
        assert!(std::time::Instant::now() < deadline, "the task went on");
        tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    }
    match running.stop().await {
        Err(IngestError::Refused(why)) => assert!(why.contains("depth not offered"), "{why}"),
        Err(e) => panic!("expected the refusal, got {e}"),
        Ok(_) => panic!("expected the refusal"),
    }
}

#[test]
fn a_log_directory_with_another_run_s_segments_is_refused() {
    let dir = std::env::temp_dir().join(format!("md-net-used-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("00000000000000000000.seg"), b"old").unwrap();
    let refused = Ingest::new(IngestConfig {
        log_dir: Some(dir.clone()),
        ..IngestConfig::new("ws://127.0.0.1:9")
    });
    assert!(matches!(refused, Err(IngestError::Config(_))));
    let _ = std::fs::remove_dir_all(&dir);
}
