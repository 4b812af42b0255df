//! The status strip (tick, term, leader, digest, speed, the five safety invariants), the
//! player's controls and the timeline.

use super::live::{Ctx, Replay, SPEEDS, TICKS_PER_SECOND_AT_1X};
use crate::labs::kit::{
    format::fill,
    layout::{throughput, PlayerControls, StatusItem},
    url::ShareButton,
};
use leptos::prelude::*;
use raft::ViolationKind;

/// A speed's label: the multiple of 1× (10 ticks per second).
fn speed_label(ticks_per_second: u32) -> String {
    let x = f64::from(ticks_per_second) / f64::from(TICKS_PER_SECOND_AT_1X);
    if x < 1.0 {
        format!("{x:.1}×")
    } else {
        format!("{x:.0}×")
    }
}

/// The five properties the checker watches, with their words.
fn invariants(ctx: Ctx) -> [(ViolationKind, &'static str); 5] {
    let w = &ctx.words.own.status;
    [
        (ViolationKind::ElectionSafety, w.election_safety.as_str()),
        (
            ViolationKind::LeaderAppendOnly,
            w.leader_append_only.as_str(),
        ),
        (ViolationKind::LogMatching, w.log_matching.as_str()),
        (
            ViolationKind::LeaderCompleteness,
            w.leader_completeness.as_str(),
        ),
        (
            ViolationKind::StateMachineSafety,
            w.state_machine_safety.as_str(),
        ),
    ]
}

#[component]
pub fn StatusItems(ctx: Ctx) -> impl IntoView {
    let w = &ctx.words.own.status;
    let frame = ctx.frame;
    let tick = Signal::derive(move || frame.with(|f| f.view.now.to_string()));
    let term = Signal::derive(move || frame.with(|f| f.max_term.to_string()));
    let leader = Signal::derive(move || {
        frame.with(|f| match f.leader {
            Some(id) => fill(&w.leader_value, &[("id", &id.to_string())]),
            None => w.leader_none.clone(),
        })
    });
    let digest = Signal::derive(move || {
        ctx.replay.with(|r| match r {
            Replay::Done { digest, .. } => digest.clone(),
            Replay::Playing => w.digest_playing.clone(),
            Replay::Pending => w.digest_pending.clone(),
            Replay::Failed(e) => e.clone(),
        })
    });
    let rate = throughput(ctx.player, ctx.words.kit, move |r| {
        fill(&w.rate, &[("rate", &r)])
    });
    let checks = invariants(ctx)
        .into_iter()
        .map(|(kind, label)| {
            let value = move || {
                frame.with(|f| match &f.view.violation {
                    Some(v) if v.kind == kind => (
                        "bad",
                        fill(
                            &w.broken,
                            &[("tick", &v.tick.to_string()), ("detail", &v.detail)],
                        ),
                    ),
                    _ => ("ok", w.holding.clone()),
                })
            };
            view! {
                <div class="status-item">
                    <dt>{label}</dt>
                    <dd class=move || value().0 data-status=format!("invariant-{}", kind.as_str())>{move || value().1}</dd>
                </div>
            }
        })
        .collect_view();
    view! {
        <StatusItem label=w.tick.as_str() id="tick" value=tick/>
        <StatusItem label=w.term.as_str() id="term" value=term/>
        <StatusItem label=w.leader.as_str() id="leader" value=leader/>
        <StatusItem label=w.digest.as_str() id="digest" value=digest/>
        <StatusItem label=w.throughput.as_str() id="throughput" value=rate/>
        {checks}
    }
}

/// Play / pause / step / speed, the help button and the share button.
pub fn controls(ctx: Ctx) -> AnyView {
    let w = ctx.words;
    let speeds = SPEEDS.iter().map(|&s| (s, speed_label(s))).collect();
    view! {
        <PlayerControls player=ctx.player kit=w.kit step_label=w.own.status.step.as_str()
            speeds=speeds on_play=move || ctx.play() on_step=move || ctx.step_once()/>
        <button type="button" class="btn" aria-haspopup="dialog" aria-expanded=move || ctx.help_open.get().to_string()
            on:click=move |_| ctx.help_open.update(|o| *o = !*o)>{w.own.help.open.as_str()}</button>
        <ShareButton words=w.kit query=move || Ok(ctx.query())/>
    }
    .into_any()
}

/// The timeline: drag back to see an earlier tick (a replay from the start), forward to the
/// furthest tick reached.
#[component]
pub fn Timeline(ctx: Ctx) -> impl IntoView {
    let w = &ctx.words.own.time;
    let frame = ctx.frame;
    let value = move || {
        frame.with(|f| {
            fill(
                &w.value,
                &[
                    ("now", &f.view.now.to_string()),
                    ("frontier", &f.frontier.to_string()),
                ],
            )
        })
    };
    view! {
        <div class="raft-timeline">
            <label for="raft-timeline">{w.label.as_str()}</label>
            <input id="raft-timeline" type="range" min="0" step="1"
                max=move || frame.with(|f| f.frontier.to_string())
                prop:value=move || frame.with(|f| f.view.now.to_string())
                aria-valuetext=value
                on:change=move |ev| {
                    if let Ok(t) = event_target_value(&ev).parse::<u64>() {
                        ctx.seek(t);
                    }
                }/>
            <output for="raft-timeline" data-testid="timeline-value">{value}</output>
            <p class="panel-note">{w.fork_note.as_str()}</p>
        </div>
    }
}
