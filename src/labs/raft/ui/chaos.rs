//! The chaos sweep in a Web Worker: N seeds of the sweep's random fault schedules, with a
//! progress bar, seeds/s and deliveries/s beside the native figures, and every violation found
//! listed with a link that replays it. The worker stops when the visitor cancels or leaves.

use super::live::{Ctx, WORKER_BIN};
use crate::labs::kit::{
    format::{fill, grouped},
    layout::{versus_native_text, Better, NativeFigures},
    worker::{Job, Progress, WorkerSlot},
};
use crate::labs::raft::worker_msg::{
    ChaosProgress, WorkerReply, WorkerRequest, DEFAULT_CHAOS_SEEDS, MAX_CHAOS_SEEDS,
};
use leptos::prelude::*;

fn chaos_reply(r: WorkerReply) -> Progress<ChaosProgress> {
    match r {
        WorkerReply::Chaos(p) => {
            let done = p.finished;
            Some(Ok((p, done)))
        }
        WorkerReply::Failed { error } => Some(Err(error)),
        WorkerReply::Replayed { .. } => None,
    }
}

fn per_second(n: u64, ms: f64) -> u64 {
    if ms > 0.0 {
        (n as f64 * 1000.0 / ms).round() as u64
    } else {
        0
    }
}

#[component]
pub fn ChaosPanel(ctx: Ctx) -> impl IntoView {
    let words = ctx.words;
    let w = &words.own.chaos;
    let bench = words.live.bench.as_ref();
    let seeds_text = RwSignal::new(DEFAULT_CHAOS_SEEDS.to_string());
    let state = RwSignal::new(Job::<ChaosProgress>::Idle);
    let slot = WorkerSlot::new();
    let running = move || state.with(Job::running);
    let start = move |_| {
        let seeds = match seeds_text.get_untracked().trim().parse::<u64>() {
            Ok(n) if (1..=MAX_CHAOS_SEEDS).contains(&n) => n,
            _ => {
                state.set(Job::Failed(fill(
                    &words.own.link.out_of_range,
                    &[
                        ("key", &w.seeds_label),
                        ("min", "1"),
                        ("max", &MAX_CHAOS_SEEDS.to_string()),
                    ],
                )));
                return;
            }
        };
        let nodes = ctx.frame.with_untracked(|f| f.run.nodes);
        let request = WorkerRequest::Chaos {
            first_seed: 0,
            seeds,
            nodes,
        };
        slot.run_job(
            WORKER_BIN,
            request,
            state,
            chaos_reply,
            &words.kit.worker_failed,
        );
    };
    let cancel = move |_| slot.cancel(state);
    let result = move || match state.get() {
        Job::Idle => None,
        Job::Starting => Some(view! { <p role="status">{w.starting.as_str()}</p> }.into_any()),
        Job::Cancelled => {
            Some(view! { <p role="status">{words.kit.worker_cancelled.as_str()}</p> }.into_any())
        }
        Job::Failed(e) => Some(
            view! { <p class="lab-alert" role="alert">{fill(&w.failed, &[("error", &e)])}</p> }
                .into_any(),
        ),
        Job::Running(p) | Job::Done(p) => {
            let found = p
                .found
                .iter()
                .map(|v| {
                    let text = fill(&w.violation, &[("seed", &v.seed.to_string()), ("kind", &v.kind), ("tick", &v.tick.to_string())]);
                    view! { <li>{text}" — "<a href=format!("?{}", v.query)>{w.replay.as_str()}</a><br/><span class="muted">{v.detail.clone()}</span></li> }
                })
                .collect_view();
            let summary = fill(
                &w.result,
                &[
                    ("seeds", &grouped(p.done)),
                    ("violations", &grouped(p.violations)),
                ],
            );
            Some(view! {
                <progress max=p.seeds.to_string() value=p.done.to_string() aria-label=w.progress_label.as_str()></progress>
                <p class="panel-note">{fill(&w.progress, &[("done", &grouped(p.done)), ("seeds", &grouped(p.seeds))])}</p>
                <dl class="bench-figures">
                    <div><dt>{w.seeds_per_second.as_str()}</dt><dd data-testid="chaos-seeds-per-second">{grouped(per_second(p.done, p.elapsed_ms))}</dd></div>
                    <div><dt>{w.deliveries_per_second.as_str()}</dt><dd data-testid="chaos-deliveries-per-second">{grouped(per_second(p.deliveries, p.elapsed_ms))}</dd></div>
                </dl>
                {p.finished.then(|| bench.and_then(|b| versus_native_text(words.kit, b, "chaos", per_second(p.deliveries, p.elapsed_ms) as f64, Better::Higher))
                    .map(|v| view! { <p class="panel-note" data-testid="chaos-versus">{fill(&w.versus, &[("versus", &v)])}</p> }))}
                {p.finished.then(|| view! { <p class="raft-chaos-result" data-status="chaos">{summary}</p> })}
                <ul class="raft-violations">{found}</ul>
            }.into_any())
        }
    };
    view! {
        <section class="lab-panel" aria-labelledby="raft-chaos-title">
            <h2 id="raft-chaos-title" class="panel-title">{w.heading.as_str()}</h2>
            <p class="panel-note">{bench.map_or(w.lede.as_str(), |b| b.lede.as_str())}</p>
            {bench.map(|b| view! { <p class="panel-note">{b.timing_note.as_str()}</p> })}
            <div class="flow-controls">
                <div class="field inline">
                    <label for="raft-chaos-seeds">{w.seeds_label.as_str()}</label>
                    <input id="raft-chaos-seeds" type="text" inputmode="numeric" size="7" prop:value=move || seeds_text.get()
                        on:input=move |ev| seeds_text.set(event_target_value(&ev))/>
                </div>
                <button type="button" class="btn btn-primary" on:click=start disabled=running data-testid="chaos-start">{w.run.as_str()}</button>
                <button type="button" class="btn" on:click=cancel disabled=move || !running() data-testid="chaos-cancel">{w.cancel.as_str()}</button>
            </div>
            <div class="bench-browser">
                <h3 class="sub-title">{bench.map(|b| b.browser_heading.as_str())}</h3>
                {result}
            </div>
            {bench.map(|b| view! { <NativeFigures kit=words.kit bench=b/> })}
        </section>
    }
}
