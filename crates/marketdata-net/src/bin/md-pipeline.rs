//! `md-pipeline [--updates N] [--rate PER_MS] [--seed S] [--faulty] [--cut-permille P]
//! [--nats URL | --nats-local] [--log-dir DIR] [--metrics FILE]`: the whole pipeline on loopback
//! — the feed server publishing N updates at PER_MS a millisecond (over a faulty wire with
//! `--faulty`), the ingestion task, the segment files in DIR, and the journal on NATS
//! JetStream (a server at URL, or one started on loopback with `--nats-local`) — run until the
//! client holds the venue's final book. Prints one JSON object: what arrived, what was
//! recovered, how long it took, and whether the journal read back equals the log.

use marketdata::client::State;
use marketdata::network::{NetParams, FAULTY};
use marketdata::venue::SYMBOL;
use marketdata_net::account::account;
use marketdata_net::feed::{FeedConfig, FeedServer};
use marketdata_net::ingest::{Ingest, IngestConfig};
use marketdata_net::journal;
use marketdata_net::nats_server::NatsServer;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::{Duration, Instant};

const USAGE: &str = "usage: md-pipeline [--updates N] [--rate PER_MS] [--seed S] [--faulty] [--cut-permille P] [--nats URL | --nats-local] [--log-dir DIR] [--metrics FILE]";
/// How long the client may take to catch up after the venue's last update.
const CATCH_UP: Duration = Duration::from_secs(30);
/// How long after the venue's last update a client still behind has its connection cut.
const QUIET_BEFORE_CUT: Duration = Duration::from_millis(500);

/// Delays of 1–3 ms and no faults.
fn clean_wire() -> NetParams {
    NetParams {
        min_delay_ticks: 1,
        max_delay_ticks: 3,
        ..NetParams::default()
    }
}

struct Args {
    updates: u64,
    rate: u32,
    seed: u64,
    faulty: bool,
    cut_permille: u32,
    nats: Option<String>,
    nats_local: bool,
    log_dir: Option<PathBuf>,
    metrics: Option<PathBuf>,
}

fn parse() -> Result<Args, String> {
    let mut a = Args {
        updates: 200_000,
        rate: 100,
        seed: 1,
        faulty: false,
        cut_permille: 0,
        nats: None,
        nats_local: false,
        log_dir: None,
        metrics: None,
    };
    let mut args = std::env::args().skip(1);
    while let Some(flag) = args.next() {
        let mut value = || args.next().ok_or(format!("{flag} needs a value"));
        let number = |v: String| {
            v.parse::<u64>()
                .map_err(|_| format!("{v:?} is not a number"))
        };
        match flag.as_str() {
            "--updates" => a.updates = number(value()?)?,
            "--rate" => a.rate = u32::try_from(number(value()?)?).map_err(|e| e.to_string())?,
            "--seed" => a.seed = number(value()?)?,
            "--cut-permille" => {
                a.cut_permille = u32::try_from(number(value()?)?).map_err(|e| e.to_string())?
            }
            "--faulty" => a.faulty = true,
            "--nats" => a.nats = Some(value()?),
            "--nats-local" => a.nats_local = true,
            "--log-dir" => a.log_dir = Some(PathBuf::from(value()?)),
            "--metrics" => a.metrics = Some(PathBuf::from(value()?)),
            _ => return Err(format!("unknown argument {flag:?}\n{USAGE}")),
        }
    }
    Ok(a)
}

fn main() -> ExitCode {
    let args = match parse() {
        Ok(a) => a,
        Err(e) => {
            eprintln!("md-pipeline: {e}");
            return ExitCode::from(2);
        }
    };
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(r) => r,
        Err(e) => {
            eprintln!("md-pipeline: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(args)) {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::FAILURE,
        Err(e) => {
            eprintln!("md-pipeline: {e}");
            ExitCode::FAILURE
        }
    }
}

async fn run(args: Args) -> Result<bool, Box<dyn std::error::Error>> {
    let local = if args.nats_local {
        Some(NatsServer::start()?)
    } else {
        None
    };
    let nats_url = args.nats.clone().or(local.as_ref().map(NatsServer::url));
    let js = match &nats_url {
        Some(url) => {
            let js = journal::connect(url).await?;
            // The run owns its symbol's stream: start it afresh.
            journal::delete_stream(&js, SYMBOL).await?;
            journal::create_stream(&js, SYMBOL).await?;
            Some(js)
        }
        None => None,
    };
    let net = if args.faulty { FAULTY } else { clean_wire() };
    let feed = FeedServer::start(FeedConfig {
        net,
        cut_permille: args.cut_permille,
        ..FeedConfig::clean(args.seed, args.updates, args.rate)
    })
    .await?;
    let mut ingest = Ingest::new(IngestConfig {
        log_dir: args.log_dir.clone(),
        ..IngestConfig::new(&feed.url())
    })?;
    let shipper = match &js {
        Some(js) => {
            let records = ingest.journal(1 << 16)?;
            Some(tokio::spawn(journal::ship(
                js.clone(),
                SYMBOL,
                records,
                ingest.metrics(),
            )))
        }
        None => None,
    };
    let started = Instant::now();
    let running = ingest.start();
    let mut finished_at = None;
    let mut cut_after_finish = false;
    let venue = loop {
        let venue = feed.published();
        let s = running.status();
        if venue.finished
            && s.state == State::Live
            && s.expected == venue.seq + 1
            && s.checksum == venue.checksum
        {
            break Some(venue);
        }
        if venue.finished {
            let at = *finished_at.get_or_insert_with(|| {
                // The venue is done: heal the wire, so what is still to come arrives.
                let _ = feed.set_faults(clean_wire(), 0);
                Instant::now()
            });
            // A client whose last update was lost has no later one to show it the gap (a live
            // venue never stops): cut its connection once, and the resubscribe's snapshot
            // brings it level.
            if !cut_after_finish && at.elapsed() > QUIET_BEFORE_CUT {
                feed.cut_connections();
                cut_after_finish = true;
            }
            if at.elapsed() > CATCH_UP {
                break None;
            }
        }
        tokio::time::sleep(Duration::from_millis(1)).await;
    };
    let seconds = started.elapsed().as_secs_f64();
    let metrics = running.metrics().clone();
    let client = running.stop().await?;
    // Before the checks below read the whole log back into memory.
    let run_peak_rss = peak_rss_kib();
    // The whole log: the files when there are any (memory then keeps only the last segment).
    let whole_log = match &args.log_dir {
        Some(dir) => read_segments(dir)?,
        None => client.log().segments().to_vec(),
    };
    let accounting = account(&whole_log)?;
    let mut journal_json = serde_json::Value::Null;
    if let (Some(shipper), Some(js)) = (shipper, &js) {
        let published = tokio::time::timeout(CATCH_UP, shipper)
            .await
            .map_err(|_| format!("the journal did not finish within {CATCH_UP:?}"))???;
        let back = journal::read_back(js, SYMBOL, 0).await?;
        let log = journal::to_log(&back)?;
        journal_json = serde_json::json!({
            "url": nats_url,
            "published": published,
            "retries": metrics.journal_retries.get(),
            "equals_log": log.segments() == whole_log.as_slice(),
        });
    }
    if let Some(path) = &args.metrics {
        std::fs::write(path, metrics.render())?;
    }
    let in_sync = venue.is_some();
    let stats = feed.stats();
    let out = serde_json::json!({
        "updates": args.updates,
        "rate_per_ms": args.rate,
        "faulty": args.faulty,
        "in_sync": in_sync,
        "seconds": seconds,
        "updates_applied": metrics.updates.get(),
        "applied_per_s": metrics.updates.get() as f64 / seconds,
        "snapshots": accounting.snapshots,
        "covered_by_snapshot": accounting.covered_by_snapshot,
        "resyncs": metrics.resyncs_total(),
        "checksum_failures": metrics.checksum_failures.get(),
        "reconnects": metrics.reconnects.get(),
        "stale": metrics.stale.get(),
        "log_records": client.log().next_offset(),
        "feed": {
            "connections": stats.connections,
            "cuts": stats.cuts,
            "lagged": stats.lagged,
            "dropped": stats.dropped,
            "duplicated": stats.duplicated,
            "reordered": stats.reordered,
            "corrupted": stats.corrupted,
        },
        "journal": journal_json,
        "run_peak_rss_kib": run_peak_rss,
    });
    println!("{out}");
    Ok(in_sync)
}

/// The process's peak resident memory (Linux's `VmHWM`), if the system says.
fn peak_rss_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

/// The segment files in `dir`, in offset order (their names are their zero-padded base offsets).
fn read_segments(dir: &std::path::Path) -> std::io::Result<Vec<Vec<u8>>> {
    let mut paths: Vec<PathBuf> = std::fs::read_dir(dir)?
        .map(|e| e.map(|e| e.path()))
        .collect::<Result<_, _>>()?;
    paths.retain(|p| p.extension().is_some_and(|e| e == "seg"));
    paths.sort();
    paths.iter().map(std::fs::read).collect()
}
