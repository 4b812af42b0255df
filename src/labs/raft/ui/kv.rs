//! The visitor's KV client: put / get / delete on a key, sent through the simulator's own client
//! for the schedule (a session, redirects to the leader, retries, timeouts), and the history of
//! every client's operations drawn as intervals, with the linearizability checker's verdict on
//! the run so far (computed by the worker on pause, on the same replay as the digest).

use super::live::{Ctx, Replay};
use crate::labs::kit::format::fill;
use crate::labs::raft::session::HistoryBar;
use leptos::prelude::*;
use raft::faults::FaultAction;
use raft::kv::OpKind;
use raft::SimConfig;

/// Ticks of history drawn.
pub const HISTORY_TICKS: u64 = 300;
/// The narrowest bar, in ticks (an operation answered within the tick it was made still shows).
const MIN_BAR_TICKS: f64 = 1.8;

/// What tells two bars apart (an operation's fields and whether it is still waiting).
type BarKey = (u8, u8, u8, Option<u64>, u64, Option<u64>, bool);

fn bar_key(b: &HistoryBar) -> BarKey {
    let o = &b.op;
    (
        o.client,
        o.kind as u8,
        o.key,
        o.value,
        o.call,
        o.ret,
        b.outstanding,
    )
}

#[component]
pub fn KvPanel(ctx: Ctx) -> impl IntoView {
    let w = &ctx.words.own.kv;
    let keys = SimConfig::default().keys;
    let key = RwSignal::new(0u8);
    let frame = ctx.panels;
    let send = move |op: OpKind| {
        ctx.act(FaultAction::Request {
            op,
            key: key.get_untracked(),
        })
    };
    let options = (0..keys)
        .map(|k| view! { <option value=k.to_string()>{k}</option> })
        .collect_view();
    let queued = move || {
        frame.with(|f| {
            f.view
                .scheduled_client
                .and_then(|id| f.view.clients.iter().find(|c| c.id == id))
                .filter(|c| c.queued > 0 || c.waiting.is_some())
                .map(|c| {
                    fill(
                        &w.queued,
                        &[(
                            "count",
                            &(c.queued + c.waiting.is_some() as usize).to_string(),
                        )],
                    )
                })
        })
    };
    let verdict = move || {
        ctx.replay.with(|r| match r {
            Replay::Playing => ("muted", w.verdict_playing.clone()),
            Replay::Pending => ("muted", w.verdict_pending.clone()),
            Replay::Failed(e) => ("bad", e.clone()),
            Replay::Done {
                violation: Some((kind, detail)),
                ..
            } if kind == "linearizability" => {
                ("bad", fill(&w.not_linearizable, &[("detail", detail)]))
            }
            Replay::Done {
                linearizability_unknown: true,
                operations,
                ..
            } => (
                "muted",
                fill(&w.unknown, &[("ops", &operations.to_string())]),
            ),
            Replay::Done { operations, .. } => (
                "ok",
                fill(&w.linearizable, &[("ops", &operations.to_string())]),
            ),
        })
    };
    let now = Memo::new(move |_| frame.with(|f| f.view.now));
    // Each lane's label: the visitor's own client, or a client's number.
    let lanes = Memo::new(move |_| {
        frame.with(|f| {
            f.view
                .clients
                .iter()
                .map(|c| (c.id, Some(c.id) == f.view.scheduled_client))
                .collect::<Vec<_>>()
        })
    });
    let labels = move || {
        let lanes = lanes.get();
        let lane_h = 100.0 / lanes.len().max(1) as f64;
        lanes
            .into_iter()
            .map(|(id, you)| {
                let text = if you {
                    w.you.clone()
                } else {
                    fill(&w.client, &[("id", &id.to_string())])
                };
                view! { <li style=format!("height:{lane_h:.2}%")>{text}</li> }
            })
            .collect_view()
    };
    // Bars are drawn in ticks across (the view box follows the window, so a finished bar, once
    // drawn, stays as it is); an unfinished one ends at the current tick and is keyed by it.
    let view_box = move || {
        let from = now.get().saturating_sub(HISTORY_TICKS);
        format!("{from} 0 {HISTORY_TICKS} 100")
    };
    let bars = move || {
        frame.with(|f| {
            let now = f.view.now;
            let from = now.saturating_sub(HISTORY_TICKS);
            let lanes = f.view.clients.len().max(1);
            f.history
                .iter()
                .filter(|b| b.op.ret.is_none_or(|r| r >= from) || b.outstanding)
                .filter_map(|b| {
                    let lane = f.view.clients.iter().position(|c| c.id == b.op.client)?;
                    let end = b.op.ret.unwrap_or(now);
                    Some((*b, end, lane, lanes))
                })
                .collect::<Vec<_>>()
        })
    };
    let bar = move |(b, end, lane, lanes): (HistoryBar, u64, usize, usize)| {
        let lane_h = 100.0 / lanes as f64;
        let x1 = b.op.call as f64;
        let x2 = (end as f64).max(x1 + MIN_BAR_TICKS);
        let mut class = format!("bar op-{}", b.op.kind.as_str());
        if b.op.ret.is_none() {
            class.push_str(if b.outstanding { " open" } else { " abandoned" });
        }
        let title = format!(
            "{} k{}{} [{}, {}]",
            b.op.kind.as_str(),
            b.op.key,
            b.op.value.map(|v| format!(" = {v}")).unwrap_or_default(),
            b.op.call,
            b.op.ret
                .map_or_else(|| w.abandoned.clone(), |r| r.to_string())
        );
        view! {
            <rect class=class x=x1 y=lane as f64 * lane_h + lane_h * 0.2 width=x2 - x1 height=lane_h * 0.6><title>{title}</title></rect>
        }
    };
    let chart = move || {
        view! {
            <div class="raft-history">
                <ul class="lanes" aria-hidden="true">{labels}</ul>
                <svg viewBox=view_box preserveAspectRatio="none" role="img" aria-label=w.history_heading.as_str()>
                    <For each=bars key=|(b, end, lane, lanes)| (bar_key(b), *end, *lane, *lanes) children=bar/>
                </svg>
            </div>
        }
    };
    view! {
        <section class="lab-panel" aria-labelledby="raft-kv-title">
            <h2 id="raft-kv-title" class="panel-title">{w.heading.as_str()}</h2>
            <p class="panel-note">{w.lede.as_str()}</p>
            <div class="raft-actions">
                <div class="field inline">
                    <label for="raft-key">{w.key.as_str()}</label>
                    <select id="raft-key" on:change=move |ev| {
                        if let Ok(k) = event_target_value(&ev).parse::<u8>() {
                            if k < keys {
                                key.set(k);
                            }
                        }
                    }>{options}</select>
                </div>
                <button type="button" class="btn" on:click=move |_| send(OpKind::Put)>{w.put.as_str()}</button>
                <button type="button" class="btn" on:click=move |_| send(OpKind::Get)>{w.get.as_str()}</button>
                <button type="button" class="btn" on:click=move |_| send(OpKind::Delete)>{w.delete.as_str()}</button>
                <span class="muted" role="status">{queued}</span>
            </div>
            <h3 class="sub-title">{w.history_heading.as_str()}</h3>
            <p class="panel-note">{w.history_lede.as_str()}</p>
            {chart}
            <p class="raft-verdict">
                <span>{w.verdict_label.as_str()}": "</span>
                <span class=move || verdict().0 data-status="linearizability">{move || verdict().1}</span>
            </p>
        </section>
    }
}
