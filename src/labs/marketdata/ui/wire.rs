//! The wire and the client: the state machine (its current state and every transition as an
//! event) and the message stream (what the venue sent, what reached the client, with sequence
//! numbers, what the network did to each frame and what the client decided).

use super::live::{Ctx, Words};
use crate::labs::kit::format::fill;
use crate::labs::marketdata::session::{highlight, StateView};
use leptos::prelude::*;
use marketdata::client::{Event, Resync};
use marketdata::network::{Marks, Sent};
use marketdata::session::Verdict;

fn why(w: Words, r: &Resync) -> String {
    let s = &w.own.states;
    match *r {
        Resync::Gap { expected, got } => fill(
            &s.why_gap,
            &[
                ("expected", &expected.to_string()),
                ("got", &got.to_string()),
            ],
        ),
        Resync::ChecksumMismatch { seq, ours, theirs } => fill(
            &s.why_mismatch,
            &[
                ("seq", &seq.to_string()),
                ("ours", &ours.to_string()),
                ("theirs", &theirs.to_string()),
            ],
        ),
        Resync::Malformed => s.why_malformed.clone(),
        Resync::SnapshotTimeout => s.why_timeout.clone(),
        Resync::Unverifiable => s.why_unverifiable.clone(),
    }
}

fn transition(w: Words, e: &Event) -> (String, &'static str) {
    let s = &w.own.states;
    match *e {
        Event::Connected { tick } => (
            fill(&s.connected_event, &[("tick", &tick.to_string())]),
            "ev-connected",
        ),
        Event::Disconnected { tick, retry_at } => (
            fill(
                &s.disconnected_event,
                &[
                    ("tick", &tick.to_string()),
                    ("retry", &retry_at.to_string()),
                ],
            ),
            "ev-disconnected",
        ),
        Event::SnapshotApplied { seq } => (
            fill(&s.snapshot_event, &[("seq", &seq.to_string())]),
            "ev-live",
        ),
        Event::Resync { tick, ref why } => (
            fill(
                &s.resync_event,
                &[("tick", &tick.to_string()), ("why", &self::why(w, why))],
            ),
            "ev-resync",
        ),
        Event::Applied { seq } | Event::Stale { seq } | Event::Ignored { seq } => {
            (format!("#{seq}"), "")
        }
    }
}

#[component]
pub fn StatePanel(ctx: Ctx) -> impl IntoView {
    let w = ctx.words;
    let s = &w.own.states;
    let states = [
        (
            StateView::Disconnected,
            &s.disconnected,
            &s.disconnected_note,
        ),
        (
            StateView::Awaiting { resync: false },
            &s.awaiting,
            &s.awaiting_note,
        ),
        (StateView::Live, &s.live, &s.live_note),
    ];
    let boxes = states
        .into_iter()
        .map(|(state, name, note)| {
            let current = move || {
                ctx.view.with(|v| match (v.state, state) {
                    (StateView::Awaiting { .. }, StateView::Awaiting { .. }) => true,
                    (a, b) => a == b,
                })
            };
            let detail = move || {
                ctx.view.with(|v| match (current(), v.state, v.retry_at) {
                    (true, StateView::Disconnected, Some(t)) => {
                        fill(&s.retry_at, &[("tick", &t.to_string())])
                    }
                    (true, StateView::Awaiting { resync: true }, _) => s.resyncing.clone(),
                    _ => String::new(),
                })
            };
            view! {
                <li class="md-state" class:current=current aria-current=move || current().then_some("step")>
                    <span class="md-state-name">{name.as_str()}</span>
                    <span class="md-state-note">{note.as_str()}</span>
                    <span class="md-state-detail">{detail}</span>
                </li>
            }
        })
        .collect_view();
    let events = move || {
        ctx.view.with(|v| {
            if v.transitions.is_empty() {
                return view! { <li class="muted">{s.transitions_empty.as_str()}</li> }.into_any();
            }
            v.transitions
                .iter()
                .map(|e| {
                    let (text, class) = transition(w, e);
                    view! { <li class=class>{text}</li> }
                })
                .collect_view()
                .into_any()
        })
    };
    view! {
        <section class="lab-panel" aria-labelledby="md-state-title" data-testid="state-machine">
            <h2 id="md-state-title" class="panel-title">{s.heading.as_str()}</h2>
            <ol class="md-states">{boxes}</ol>
            <h3 class="sub-title">{s.transitions.as_str()}</h3>
            <ol class="md-transitions" data-testid="transitions" aria-live="off">{events}</ol>
        </section>
    }
}

fn marks_text(w: Words, m: &Marks) -> String {
    let s = &w.own.stream;
    flags_text(
        w,
        &[
            (m.duplicate, s.duplicate_mark.as_str()),
            (m.reordered, s.reorder_mark.as_str()),
            (m.corrupted, s.corrupt_mark.as_str()),
        ],
    )
}

fn fate_text(w: Words, f: &Sent) -> String {
    let s = &w.own.stream;
    flags_text(
        w,
        &[
            (f.dropped, s.dropped_mark.as_str()),
            (f.duplicated, s.duplicate_mark.as_str()),
            (f.reordered, s.reorder_mark.as_str()),
            (f.corrupted, s.corrupt_mark.as_str()),
        ],
    )
}

/// The names of the flags that are set, joined; "intact" when none is.
fn flags_text(w: Words, flags: &[(bool, &str)]) -> String {
    let parts: Vec<&str> = flags
        .iter()
        .filter_map(|&(on, name)| on.then_some(name))
        .collect();
    if parts.is_empty() {
        w.own.stream.intact.clone()
    } else {
        parts.join(", ")
    }
}

fn verdict_text(w: Words, v: &Verdict) -> &'static str {
    let s = &w.own.stream;
    match v {
        Verdict::Applied => &s.applied,
        Verdict::Stale => &s.stale,
        Verdict::Ignored => &s.ignored,
        Verdict::Discarded => &s.discarded,
        Verdict::Resync(Resync::Gap { .. }) => &s.gap,
        Verdict::Resync(Resync::ChecksumMismatch { .. }) => &s.mismatch,
        Verdict::Resync(Resync::Malformed) => &s.malformed,
        Verdict::Resync(Resync::Unverifiable) => &s.unverifiable,
        Verdict::Resync(Resync::SnapshotTimeout) => &s.timeout,
    }
}

#[component]
pub fn StreamPanel(ctx: Ctx) -> impl IntoView {
    let w = ctx.words;
    let s = &w.own.stream;
    let kind = move |snapshot: bool| {
        if snapshot {
            s.snapshot.as_str()
        } else {
            s.update.as_str()
        }
    };
    let received = move || {
        ctx.view.with(|v| {
            v.received
                .iter()
                .map(|f| {
                    let seq = f.seq.map_or_else(|| "?".to_string(), |q| format!("#{q}"));
                    let class = highlight(f).unwrap_or("");
                    view! {
                        <tr class=class data-flag=class>
                            <td>{f.tick}</td>
                            <td class="md-seq">{seq}</td>
                            <td>{kind(f.snapshot)}</td>
                            <td>{marks_text(w, &f.marks)}</td>
                            <td>{verdict_text(w, &f.verdict)}</td>
                        </tr>
                    }
                })
                .collect_view()
        })
    };
    let sent = move || {
        ctx.view.with(|v| {
            v.sent
                .iter()
                .map(|f| {
                    let class = if f.fate.dropped { "dropped" } else { "" };
                    view! {
                        <tr class=class>
                            <td>{f.tick}</td>
                            <td class="md-seq">{format!("#{}", f.seq)}</td>
                            <td>{kind(f.snapshot)}</td>
                            <td>{fate_text(w, &f.fate)}</td>
                        </tr>
                    }
                })
                .collect_view()
        })
    };
    let empty = move || {
        ctx.view
            .with(|v| v.received.is_empty() && v.sent.is_empty())
            .then(|| view! { <p class="panel-note">{s.empty.as_str()}</p> })
    };
    view! {
        <section class="lab-panel" aria-labelledby="md-stream-title" data-testid="stream">
            <h2 id="md-stream-title" class="panel-title">{s.heading.as_str()}</h2>
            <p class="panel-note">{s.lede.as_str()}</p>
            {empty}
            <div class="md-stream">
                <div class="md-scroll">
                    <table class="raft-table md-table" data-testid="received">
                        <caption class="panel-note">{s.received_caption.as_str()}</caption>
                        <thead><tr>
                            <th scope="col">{s.tick.as_str()}</th>
                            <th scope="col">{s.seq.as_str()}</th>
                            <th scope="col">{s.kind.as_str()}</th>
                            <th scope="col">{s.wire.as_str()}</th>
                            <th scope="col">{s.verdict.as_str()}</th>
                        </tr></thead>
                        <tbody>{received}</tbody>
                    </table>
                </div>
                <div class="md-scroll">
                    <table class="raft-table md-table" data-testid="sent">
                        <caption class="panel-note">{s.sent_caption.as_str()}</caption>
                        <thead><tr>
                            <th scope="col">{s.tick.as_str()}</th>
                            <th scope="col">{s.seq.as_str()}</th>
                            <th scope="col">{s.kind.as_str()}</th>
                            <th scope="col">{s.wire.as_str()}</th>
                        </tr></thead>
                        <tbody>{sent}</tbody>
                    </table>
                </div>
            </div>
        </section>
    }
}
