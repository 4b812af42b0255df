//! The market-data lab's own words (`content/labs/market-data.toml`, `[words.market_data]`):
//! every label, note and message of its live part, and its presets. Templates name their values
//! in braces.

use crate::Figure;
use serde::{Deserialize, Serialize};

crate::words!(MarketDataStatusWords {
    tick,
    state,
    applied,
    resyncs,
    in_sync,
    in_sync_yes,
    /// `{seq}`: the last message applied, `{lag}`: messages sent since.
    in_sync_behind,
    in_sync_no,
    throughput,
    /// `{rate}`: ticks per second.
    rate,
    step,
    restart,
    /// `{ticks}`: the longest run.
    end_of_run,
});

crate::words!(MarketDataStateWords {
    heading,
    disconnected,
    awaiting,
    resyncing,
    live,
    disconnected_note,
    awaiting_note,
    live_note,
    /// `{tick}`: when the back-off ends.
    retry_at,
    transitions,
    transitions_empty,
    /// `{tick}`.
    connected_event,
    /// `{tick}`, `{retry}`.
    disconnected_event,
    /// `{seq}`.
    snapshot_event,
    /// `{tick}`, `{why}`.
    resync_event,
    /// `{expected}`, `{got}`.
    why_gap,
    /// `{seq}`, `{ours}`, `{theirs}`.
    why_mismatch,
    why_malformed,
    why_timeout,
    why_unverifiable,
});

crate::words!(MarketDataSetupWords {
    heading,
    lede,
    presets,
    seed,
    seed_apply,
    drop,
    duplicate,
    reorder,
    corrupt,
    delay,
    cut,
    /// `{v}`: a rate in per mille, shown as a percentage.
    permille_value,
    /// `{v}`: ticks.
    ticks_value,
    pull_cable,
    pull_cable_note,
    corrupt_next,
    corrupt_pending,
    cable_down,
    /// `{max}`.
    too_many_actions,
    not_a_number,
    /// `{min}`, `{max}`.
    out_of_range,
});

crate::words!(MarketDataStreamWords {
    heading,
    lede,
    received_caption,
    sent_caption,
    tick,
    seq,
    kind,
    wire,
    verdict,
    snapshot,
    update,
    applied,
    stale,
    ignored,
    gap,
    mismatch,
    malformed,
    unverifiable,
    timeout,
    discarded,
    duplicate_mark,
    reorder_mark,
    corrupt_mark,
    dropped_mark,
    intact,
    empty,
});

crate::words!(MarketDataBookWords {
    heading,
    lede,
    client,
    venue,
    bids,
    asks,
    price,
    qty,
    /// `{checksum}`.
    checksum,
    /// `{seq}`.
    venue_seq,
    /// `{seq}`.
    client_expected,
    same,
    differ,
    empty,
});

crate::words!(MarketDataLogWords {
    heading,
    lede,
    scrubber,
    /// `{offset}`, `{last}`.
    position,
    /// `{seq}`, `{kind}`, `{checksum}`.
    record,
    /// `{checksum}`.
    rebuilt_same,
    /// `{ours}`, `{theirs}`.
    rebuilt_differ,
    no_snapshot,
    empty,
    /// `{error}`.
    error,
    /// `{records}`, `{bytes}`, `{segments}`.
    size,
});

crate::words!(MarketDataBenchWords {
    run,
    cancel,
    starting,
    /// `{messages}`.
    preparing,
    failed,
    progress_label,
    /// `{done}`, `{of}`.
    progress,
    median,
    /// `{median}`, `{min}`, `{max}`.
    spread,
    rate_unit,
    versus,
    /// `{ratio}`.
    goal_met,
    /// `{ratio}`.
    goal_missed,
    checksum,
    /// `{checksum}`.
    checksum_same,
    /// `{ours}`, `{native}`.
    checksum_differ,
    /// `{messages}`, `{bytes}`, `{ms}`.
    workload,
    article_heading,
    article_label,
    article_value,
    article_note,
});

crate::words!(MarketDataLinkWords {
    /// `{key}`, `{min}`, `{max}`.
    out_of_range,
    /// `{key}`.
    bad_value,
    /// `{key}`.
    unknown_key,
    /// `{error}`.
    bad_run,
});

/// A preset: an address the lab opens (its settings, actions and tick), and the recovery path it
/// shows (`none`, `gap`, `checksum`, `backoff` or `all`), which a test checks against the engine.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MarketDataPreset {
    pub slug: String,
    pub title: String,
    pub summary: String,
    pub query: String,
    pub shows: String,
}

/// The market-data lab's words, by panel.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MarketDataWords {
    pub status: MarketDataStatusWords,
    pub states: MarketDataStateWords,
    pub setup: MarketDataSetupWords,
    pub stream: MarketDataStreamWords,
    pub book: MarketDataBookWords,
    pub log: MarketDataLogWords,
    pub bench: MarketDataBenchWords,
    pub link: MarketDataLinkWords,
    pub presets: Vec<MarketDataPreset>,
    /// `md-bench`'s final checksum, which the in-browser benchmark must reproduce (filled by the
    /// build, like the benchmark's native figures).
    pub native_checksum: Figure,
}
