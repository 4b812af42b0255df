//! The inspector: the selected node's full state (currentTerm, votedFor, commitIndex,
//! lastApplied, its timer and voters, a leader's nextIndex / matchIndex per peer, its log and
//! its key-value state) with the actions on it, or the selected message's fields; and the
//! messages in flight, each selectable from the keyboard.

use super::live::Ctx;
use super::ring::{kind_class, role_word, term_class};
use crate::labs::kit::format::fill;
use leptos::prelude::*;
use raft::faults::FaultAction;
use raft::message::Command;
use raft::sim::{Endpoint, InFlightView, MAX_DETAIL_ENTRIES};

/// Messages listed under the inspector (the rest are counted).
pub const MAX_LISTED_MESSAGES: usize = 12;

fn endpoint_text(e: Endpoint) -> String {
    match e {
        Endpoint::Node(n) => n.to_string(),
        Endpoint::Client(c) => format!("c{c}"),
    }
}

/// A command as the log shows it (the trace's text form; empty for a leader's no-op).
fn command_text(c: &Command) -> String {
    let mut s = String::new();
    c.write_text(&mut s);
    if s.is_empty() {
        "noop".into()
    } else {
        s
    }
}

fn voters_text(mask: u16, n: usize) -> String {
    (0..n)
        .filter(|i| mask & (1 << i) != 0)
        .map(|i| i.to_string())
        .collect::<Vec<_>>()
        .join(", ")
}

#[component]
fn NodeInspector(ctx: Ctx, id: u8) -> impl IntoView {
    let w = &ctx.words.own.inspector;
    let rw = &ctx.words.own.ring;
    let frame = ctx.panels;
    let node = move || frame.with(|f| f.view.nodes.get(id as usize).copied());
    let up = move || node().is_some_and(|n| n.up);
    let is_voter = move || node().is_some_and(|n| n.voters & (1 << id) != 0);
    let rows = move || {
        let Some(n) = node() else {
            return ().into_any();
        };
        let count = frame.with(|f| f.view.nodes.len());
        let none = w.none.clone();
        let row = |label: &'static str, value: String| view! { <div><dt>{label}</dt><dd>{value}</dd></div> };
        view! {
            <dl class="raft-state">
                {row(&w.role, role_word(rw, &n).to_string())}
                {row(&w.term, n.term.to_string())}
                {row(&w.voted_for, n.vote.map_or(none.clone(), |v| v.to_string()))}
                {row(&w.commit_index, n.commit.to_string())}
                {row(&w.last_applied, if n.up { n.applied.to_string() } else { none.clone() })}
                {row(&w.log, n.log_len.to_string())}
                {row(&w.snapshot_index, n.snapshot_index.to_string())}
                {row(&w.timer, if n.up { format!("{} / {}", n.election_elapsed, n.election_timeout) } else { none.clone() })}
                {row(&w.voters, voters_text(n.voters, count))}
            </dl>
        }
        .into_any()
    };
    let progress = move || {
        frame.with(|f| {
            let detail = f.detail_of(id);
            match detail {
                Some(d) if !d.progress.is_empty() => {
                    let rows = d
                        .progress
                        .iter()
                        .map(|p| view! { <tr><td>{p.peer}</td><td>{p.next_index}</td><td>{p.match_index}</td></tr> })
                        .collect_view();
                    view! {
                        <table class="raft-table">
                            <thead><tr><th scope="col">{w.peer.as_str()}</th><th scope="col">{w.next_index.as_str()}</th><th scope="col">{w.match_index.as_str()}</th></tr></thead>
                            <tbody>{rows}</tbody>
                        </table>
                    }
                    .into_any()
                }
                _ => view! { <p class="panel-note">{w.not_leader.as_str()}</p> }.into_any(),
            }
        })
    };
    let log = move || {
        frame.with(|f| {
            let detail = f.detail_of(id);
            let total = node().map_or(0, |n| n.log_len - n.snapshot_index);
            match detail {
                Some(d) if !d.entries.is_empty() => {
                    let rows = d
                        .entries
                        .iter()
                        .rev()
                        .map(|e| {
                            view! {
                                <tr><td>{e.index}</td><td><span class=format!("cell {}", term_class(e.term)) aria-hidden="true"></span>{e.term}</td><td><code>{command_text(&e.cmd)}</code></td></tr>
                            }
                        })
                        .collect_view();
                    let more = (total as usize > MAX_DETAIL_ENTRIES).then(|| {
                        view! { <p class="panel-note">{fill(&w.log_more, &[("shown", &d.entries.len().to_string()), ("total", &total.to_string())])}</p> }
                    });
                    view! {
                        {more}
                        <div class="raft-scroll">
                            <table class="raft-table">
                                <thead><tr><th scope="col">{w.index.as_str()}</th><th scope="col">{w.entry_term.as_str()}</th><th scope="col">{w.command.as_str()}</th></tr></thead>
                                <tbody>{rows}</tbody>
                            </table>
                        </div>
                    }
                    .into_any()
                }
                _ => view! { <p class="panel-note">{w.log_empty.as_str()}</p> }.into_any(),
            }
        })
    };
    let kv = move || {
        frame.with(|f| {
            let detail = f.detail_of(id);
            detail.filter(|d| !d.kv.is_empty()).map(|d| {
                let rows = d
                    .kv
                    .iter()
                    .enumerate()
                    .map(|(k, v)| view! { <tr><td>{k}</td><td>{v.map_or(w.absent.clone(), |v| v.to_string())}</td></tr> })
                    .collect_view();
                view! {
                    <h4 class="sub-title">{w.kv_heading.as_str()}</h4>
                    <table class="raft-table">
                        <thead><tr><th scope="col">{w.key.as_str()}</th><th scope="col">{w.value.as_str()}</th></tr></thead>
                        <tbody>{rows}</tbody>
                    </table>
                }
            })
        })
    };
    view! {
        <h3 class="sub-title" data-testid="inspector-node">{fill(&w.node_heading, &[("id", &id.to_string())])}</h3>
        <div class="raft-actions">
            <button type="button" class="btn" disabled=move || !up() on:click=move |_| ctx.act(FaultAction::Crash { node: id })>{w.crash.as_str()}</button>
            <button type="button" class="btn" disabled=up on:click=move |_| ctx.act(FaultAction::Restart { node: id })>{w.restart.as_str()}</button>
            <button type="button" class="btn" disabled=move || !up() on:click=move |_| ctx.act(FaultAction::TimeoutNow { node: id })>{w.timeout_now.as_str()}</button>
            <button type="button" class="btn" disabled=is_voter on:click=move |_| ctx.act(FaultAction::AddVoter { node: id })>{w.add_voter.as_str()}</button>
            <button type="button" class="btn" disabled=move || !is_voter() on:click=move |_| ctx.act(FaultAction::RemoveVoter { node: id })>{w.remove_voter.as_str()}</button>
        </div>
        {rows}
        <h4 class="sub-title">{w.progress_heading.as_str()}</h4>
        {progress}
        <h4 class="sub-title">{w.log_heading.as_str()}</h4>
        {log}
        {kv}
    }
}

fn message_fields(m: &InFlightView) -> Vec<(String, String)> {
    match serde_json::to_value(m.fields) {
        Ok(serde_json::Value::Object(map)) => map
            .into_iter()
            .map(|(k, v)| {
                let v = match v {
                    serde_json::Value::Null => "—".to_string(),
                    serde_json::Value::String(s) => s,
                    other => other.to_string(),
                };
                (k, v)
            })
            .collect(),
        _ => Vec::new(),
    }
}

#[component]
fn MessageInspector(ctx: Ctx, m: InFlightView) -> impl IntoView {
    let w = &ctx.words.own.inspector;
    let rows = message_fields(&m)
        .into_iter()
        .map(|(k, v)| view! { <div><dt><code>{k}</code></dt><dd>{v}</dd></div> })
        .collect_view();
    let heading = fill(
        &w.message_heading,
        &[
            ("kind", m.kind.as_str()),
            ("from", &endpoint_text(m.from)),
            ("to", &endpoint_text(m.to)),
        ],
    );
    view! {
        <h3 class="sub-title" data-testid="inspector-message">{heading}</h3>
        <p class="panel-note">{fill(&w.message_timing, &[("send", &m.send_tick.to_string()), ("arrive", &m.arrive_tick.to_string())])}</p>
        <dl class="raft-state">{rows}</dl>
    }
}

#[component]
pub fn Inspector(ctx: Ctx) -> impl IntoView {
    let w = &ctx.words.own.inspector;
    let frame = ctx.panels;
    let body = move || match (ctx.selected.get(), ctx.message.get()) {
        (_, Some(m)) => view! { <MessageInspector ctx=ctx m=m/> }.into_any(),
        (Some(id), None) => view! { <NodeInspector ctx=ctx id=id/> }.into_any(),
        (None, None) => view! { <p class="panel-note">{w.empty.as_str()}</p> }.into_any(),
    };
    let in_flight = move || {
        frame.with(|f| {
            let all = &f.view.in_flight;
            if all.is_empty() {
                return view! { <p class="panel-note">{w.in_flight_empty.as_str()}</p> }.into_any();
            }
            let items = all
                .iter()
                .take(MAX_LISTED_MESSAGES)
                .map(|m| {
                    let m = *m;
                    let text = format!("{} {} → {} · {}", m.kind.as_str(), endpoint_text(m.from), endpoint_text(m.to), m.arrive_tick);
                    view! {
                        <li><button type="button" class=format!("link-btn {}", kind_class(&m)) on:click=move |_| {
                            ctx.selected.set(None);
                            ctx.message.set(Some(m));
                        }>{text}</button></li>
                    }
                })
                .collect_view();
            let more = (all.len() > MAX_LISTED_MESSAGES).then(|| {
                view! { <li class="muted">{fill(&w.in_flight_more, &[("count", &(all.len() - MAX_LISTED_MESSAGES).to_string())])}</li> }
            });
            view! { <ul class="raft-in-flight">{items}{more}</ul> }.into_any()
        })
    };
    let notice = move || {
        ctx.notice
            .get()
            .map(|n| view! { <p class="lab-alert" role="status">{n}</p> })
    };
    view! {
        <section class="lab-panel raft-inspector" aria-labelledby="raft-inspector-title">
            <h2 id="raft-inspector-title" class="panel-title">{w.heading.as_str()}</h2>
            {notice}
            {body}
            <h3 class="sub-title">{w.in_flight_heading.as_str()}</h3>
            {in_flight}
        </section>
    }
}
