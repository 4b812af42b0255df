//! The rate limiter lab's own words (`content/labs/rate-limiter.toml`, `[words.rate_limiter]`):
//! every label, note and message of its live part. Templates name their values in braces.

use crate::Figure;
use serde::{Deserialize, Serialize};

crate::words!(RateLimiterStatusWords {
    time,
    /// `{s}`: simulated seconds.
    time_value,
    requests,
    presses,
    throughput,
    /// `{rate}`: simulated ms per second.
    rate,
    step,
    restart,
    /// `{max}`.
    too_many_presses,
    /// `{ms}`.
    end_of_time,
    /// `{max}`.
    end_of_requests,
});

crate::words!(RateLimiterFormWords {
    heading,
    lede,
    rate,
    burst,
    window,
    traffic,
    traffic_rate,
    seed,
    steady,
    bursty,
    boundary,
    manual,
    steady_note,
    bursty_note,
    /// `{limit}`: the window's limit.
    boundary_note,
    manual_note,
    press,
    press_note,
    not_a_number,
    /// `{min}`, `{max}`.
    out_of_range,
    /// `{error}`: the engine's reason.
    refused,
});

crate::words!(RateLimiterAlgoWords {
    heading,
    lede,
    token_bucket,
    token_bucket_note,
    gcra,
    gcra_note,
    fixed_window,
    fixed_window_note,
    sliding_log,
    sliding_log_note,
    sliding_window,
    sliding_window_note,
    allowed,
    denied,
    ideal,
    /// `{allowed}`, `{requests}`, `{ideal}`.
    admitted,
    chart_label,
    log_label,
    state_fresh,
    /// `{tokens}`, `{burst}`.
    state_tokens,
    /// `{ahead}` (ms), `{tokens}`, `{burst}`.
    state_gcra,
    /// `{count}`, `{limit}`, `{left}` (ms).
    state_fixed,
    /// `{previous}`, `{weight}` (%), `{current}`, `{estimate}`, `{limit}`.
    state_sliding_window,
    /// `{count}`, `{limit}`, `{window}` (ms).
    state_log,
    export_trace,
    export_decisions,
});

crate::words!(RateLimiterClusterWords {
    heading,
    lede,
    ring_label,
    policy,
    fail_open,
    fail_closed,
    local,
    share,
    fail_open_note,
    fail_closed_note,
    local_note,
    shards_label,
    /// `{shard}`, `{state}`.
    shard_button,
    up,
    down,
    removed,
    kill_hint,
    restore_hint,
    add,
    remove_label,
    remove,
    /// `{keys}`, `{of}`, `{percent}`, `{to}`, `{ideal}` (1/N in %).
    moved,
    /// `{wrongly}`, `{percent}`, `{ticks}`.
    over_admission,
    /// `{wrongly}`, `{percent}`, `{degraded}`.
    availability,
    table_caption,
    shard,
    state,
    load,
    latency,
    timeouts,
    /// `{error}`.
    refused,
});

crate::words!(RateLimiterMeasureWords {
    accuracy_heading,
    accuracy_lede,
    accuracy_why,
    sources,
    run,
    cancel,
    starting,
    /// `{error}`.
    failed,
    progress_label,
    /// `{done}`, `{of}`.
    progress,
    wrongly_allowed,
    wrongly_denied,
    cloudflare,
    cloudflare_value,
    /// `{requests}`, `{sources}`, `{ms}`.
    accuracy_summary,
    bench_heading,
    bench_caption,
    algorithm,
    single_key,
    many_keys,
    /// The column of the 100 k-keys median as a multiple of native speed.
    versus_many,
});

crate::words!(RateLimiterLinkWords {
    /// `{key}`, `{min}`, `{max}`.
    out_of_range,
    /// `{key}`.
    bad_value,
    /// `{key}`.
    unknown_key,
    /// `{error}`.
    bad_run,
});

/// The Redis version: what it does, and its recorded figures (filled by the build).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RateLimiterRedisWords {
    pub heading: String,
    pub lede: String,
    pub browser_note: String,
    pub figures: Vec<Figure>,
}

/// The rate limiter lab's words, by panel.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RateLimiterWords {
    pub status: RateLimiterStatusWords,
    pub form: RateLimiterFormWords,
    pub algos: RateLimiterAlgoWords,
    pub cluster: RateLimiterClusterWords,
    pub measure: RateLimiterMeasureWords,
    pub link: RateLimiterLinkWords,
    pub redis: RateLimiterRedisWords,
}
