//! The Raft lab's own words (`content/labs/raft.toml`, `[words.raft]`): every label, note and
//! message of its live part, and its presets. Templates name their values in braces.

use serde::{Deserialize, Serialize};

/// The Raft lab's words, by panel.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RaftWords {
    pub status: RaftStatusWords,
    pub ring: RaftRingWords,
    pub legend: RaftLegendWords,
    pub inspector: RaftInspectorWords,
    pub time: RaftTimeWords,
    pub network: RaftNetworkWords,
    pub kv: RaftKvWords,
    pub diagram: RaftDiagramWords,
    pub chaos: RaftChaosWords,
    pub io: RaftIoWords,
    pub help: RaftHelpWords,
    pub link: RaftLinkWords,
    pub presets_heading: String,
    pub presets_lede: String,
    pub preset_apply: String,
    pub preset_watch: String,
    pub presets: Vec<RaftPreset>,
}

/// A scenario: a cluster and a fault schedule (the JSON `raft-sim --faults` reads), what to
/// watch for, and the tick the lab opens it at (paused).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RaftPreset {
    pub slug: String,
    pub title: String,
    pub summary: String,
    pub watch: String,
    pub seed: u64,
    pub nodes: usize,
    #[serde(default = "yes")]
    pub pre_vote: bool,
    #[serde(default = "yes")]
    pub check_quorum: bool,
    /// Nodes `0..initial_voters` start as voters, the rest as learners (0 = all voters).
    #[serde(default)]
    pub initial_voters: usize,
    pub schedule: String,
    #[serde(default)]
    pub until: u64,
}

fn yes() -> bool {
    true
}

crate::words!(RaftStatusWords {
    tick,
    term,
    leader,
    leader_none,
    /// `{id}`.
    leader_value,
    digest,
    /// While the worker replays the run natively-equivalently.
    digest_pending,
    /// While playing: the digest is computed when paused.
    digest_playing,
    throughput,
    /// `{rate}`.
    rate,
    step,
    election_safety,
    leader_append_only,
    log_matching,
    leader_completeness,
    state_machine_safety,
    holding,
    /// `{tick}`, `{detail}`.
    broken,
});

crate::words!(RaftRingWords {
    heading,
    note,
    clients,
    leader,
    follower,
    candidate,
    pre_candidate,
    crashed,
    learner,
    /// `{id}`, `{role}`, `{term}`: a node button's accessible name.
    node_name,
    /// `{term}`.
    term_value,
    /// `{id}`.
    voted,
    no_vote,
    /// `{elapsed}`, `{timeout}`.
    timer,
    /// `{commit}`, `{last}`.
    log_value,
});

crate::words!(RaftLegendWords {
    heading,
    pre_vote,
    vote,
    vote_reply,
    append,
    heartbeat,
    append_reply,
    snapshot,
    client,
    cut,
    entry,
    commit,
    snapshot_mark,
});

crate::words!(RaftInspectorWords {
    heading,
    empty,
    /// `{id}`.
    node_heading,
    role,
    term,
    voted_for,
    commit_index,
    last_applied,
    log,
    snapshot_index,
    timer,
    voters,
    none,
    crash,
    restart,
    timeout_now,
    add_voter,
    remove_voter,
    progress_heading,
    peer,
    next_index,
    match_index,
    not_leader,
    log_heading,
    index,
    entry_term,
    command,
    log_empty,
    /// `{shown}`, `{total}`.
    log_more,
    kv_heading,
    key,
    value,
    absent,
    /// `{kind}`, `{from}`, `{to}`.
    message_heading,
    /// `{send}`, `{arrive}`.
    message_timing,
    in_flight_heading,
    in_flight_empty,
    /// `{count}`.
    in_flight_more,
    /// `{error}`: the cluster refused an action (recorded all the same).
    refused,
});

crate::words!(RaftTimeWords {
    label,
    /// `{now}`, `{frontier}`.
    value,
    fork_note,
});

crate::words!(RaftNetworkWords {
    heading,
    lede,
    groups_label,
    group_a,
    group_b,
    partition,
    heal,
    link_from,
    link_to,
    cut,
    restore,
    latency,
    drop,
    duplicate,
    reorder,
    /// `{value}`.
    ticks_value,
    /// `{value}`.
    permille_value,
    config_heading,
    config_note,
    pre_vote,
    check_quorum,
    nodes,
    seed,
    apply,
});

crate::words!(RaftKvWords {
    heading,
    lede,
    key,
    put,
    get,
    delete,
    /// `{count}`.
    queued,
    history_heading,
    history_lede,
    /// `{id}`.
    client,
    you,
    verdict_label,
    verdict_pending,
    verdict_playing,
    /// `{ops}`.
    linearizable,
    /// `{detail}`.
    not_linearizable,
    /// `{ops}`.
    unknown,
    abandoned,
});

crate::words!(RaftDiagramWords { heading, lede });

crate::words!(RaftChaosWords {
    heading,
    lede,
    seeds_label,
    run,
    cancel,
    starting,
    progress_label,
    /// `{done}`, `{seeds}`.
    progress,
    /// `{seeds}`, `{violations}`.
    result,
    seeds_per_second,
    deliveries_per_second,
    /// `{versus}`: the kit's `versus_native` for the deliveries per second.
    versus,
    /// `{seed}`, `{kind}`, `{tick}`.
    violation,
    replay,
    /// `{error}`.
    failed,
});

crate::words!(RaftIoWords {
    heading,
    lede,
    export,
    import,
    /// `{error}`.
    import_failed,
    command_label,
});

crate::words!(RaftHelpWords {
    open,
    heading,
    close,
    key_space,
    key_step,
    key_faster,
    key_slower,
    key_help,
    key_escape,
    play_pause,
    step,
    faster,
    slower,
    help,
    escape,
});

crate::words!(RaftLinkWords {
    /// `{key}`.
    unknown_key,
    /// `{key}`, `{min}`, `{max}`.
    out_of_range,
    /// `{error}`.
    bad_schedule,
    /// `{error}`.
    bad_run,
});
