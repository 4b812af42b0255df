//! Work that runs in the lab's Web Worker — the accuracy experiment (sliding-window counter
//! against the exact log) and the decision benchmark beside the native figures — and the Redis
//! version's recorded figures. A worker stops when the visitor cancels or leaves.

use super::live::{Ctx, WORKER_BIN};
use crate::labs::kit::{
    format::{fill, grouped, Spread},
    layout::{versus_native, Better, NativeFigures},
    worker::{Job, Progress, WorkerSlot},
};
use crate::labs::ratelimit::worker_msg::{
    AccuracyProgress, BenchProgress, WorkerReply, WorkerRequest, DEFAULT_SOURCES, MAX_SOURCES,
};
use leptos::prelude::*;

fn status<P>(ctx: Ctx, job: &Job<P>, failed: &'static str) -> Option<AnyView> {
    match job {
        Job::Starting => Some(
            view! { <p role="status">{ctx.words.own.measure.starting.as_str()}</p> }.into_any(),
        ),
        Job::Cancelled => Some(
            view! { <p role="status">{ctx.words.kit.worker_cancelled.as_str()}</p> }.into_any(),
        ),
        Job::Failed(e) => Some(
            view! { <p class="lab-alert" role="alert">{fill(failed, &[("error", e)])}</p> }
                .into_any(),
        ),
        _ => None,
    }
}

fn accuracy_reply(r: WorkerReply) -> Progress<AccuracyProgress> {
    match r {
        WorkerReply::Accuracy(p) => {
            let done = p.finished;
            Some(Ok((p, done)))
        }
        WorkerReply::Failed { error } => Some(Err(error)),
        WorkerReply::Bench(_) => None,
    }
}

fn bench_reply(r: WorkerReply) -> Progress<BenchProgress> {
    match r {
        WorkerReply::Bench(p) => {
            let done = p.finished;
            Some(Ok((p, done)))
        }
        WorkerReply::Failed { error } => Some(Err(error)),
        WorkerReply::Accuracy(_) => None,
    }
}

fn pct(x: f64) -> String {
    format!("{x:.4}")
}

#[component]
pub fn AccuracyPanel(ctx: Ctx) -> impl IntoView {
    let w = &ctx.words.own.measure;
    let sources = RwSignal::new(DEFAULT_SOURCES.to_string());
    let job = RwSignal::new(Job::<AccuracyProgress>::Idle);
    let slot = WorkerSlot::new();
    let input_error = RwSignal::new(None::<String>);
    let run = move |_| match sources.get_untracked().trim().parse::<u64>() {
        Ok(n) if (1..=MAX_SOURCES).contains(&n) => {
            input_error.set(None);
            slot.run_job(
                WORKER_BIN,
                WorkerRequest::Accuracy { sources: n },
                job,
                accuracy_reply,
                &ctx.words.kit.worker_failed,
            );
        }
        _ => input_error.set(Some(fill(
            &ctx.words.own.form.out_of_range,
            &[("min", "1"), ("max", &MAX_SOURCES.to_string())],
        ))),
    };
    let cancel = move |_| slot.cancel(job);
    let result = move || {
        job.with(|j| {
            let Some((p, done)) = j.progress() else {
                return status(ctx, j, &w.failed);
            };
            let t = &p.report.total;
            let figures = done.then(|| {
                view! {
                    <dl class="bench-figures" data-status="accuracy">
                        <div><dt>{w.wrongly_allowed.as_str()}</dt><dd data-testid="wrongly-allowed">{pct(t.wrongly_allowed_percent())}" %"</dd></div>
                        <div><dt>{w.wrongly_denied.as_str()}</dt><dd data-testid="wrongly-denied">{pct(t.wrongly_denied_percent())}" %"</dd></div>
                        <div><dt>{w.cloudflare.as_str()}</dt><dd>{w.cloudflare_value.as_str()}</dd></div>
                    </dl>
                    <p class="panel-note">{fill(&w.accuracy_summary, &[
                        ("requests", &grouped(t.requests)),
                        ("sources", &grouped(t.sources)),
                        ("ms", &format!("{:.0}", p.elapsed_ms)),
                    ])}</p>
                }
            });
            Some(view! {
                <progress max=p.sources.to_string() value=p.done.to_string() aria-label=w.progress_label.as_str()></progress>
                <p class="panel-note">{fill(&w.progress, &[("done", &grouped(p.done)), ("of", &grouped(p.sources))])}</p>
                {figures}
            }.into_any())
        })
    };
    view! {
        <section class="lab-panel" aria-labelledby="rl-accuracy-title">
            <h2 id="rl-accuracy-title" class="panel-title">{w.accuracy_heading.as_str()}</h2>
            <p class="panel-note">{w.accuracy_lede.as_str()}</p>
            <div class="flow-controls">
                <div class="field inline">
                    <label for="rl-sources">{w.sources.as_str()}</label>
                    <input id="rl-sources" type="text" inputmode="numeric" size="7" prop:value=move || sources.get()
                        aria-describedby="rl-sources-error" on:input=move |ev| sources.set(event_target_value(&ev))/>
                </div>
                <button type="button" class="btn btn-primary" on:click=run disabled=move || job.with(Job::running) data-testid="accuracy-start">{w.run.as_str()}</button>
                <button type="button" class="btn" on:click=cancel disabled=move || !job.with(Job::running)>{w.cancel.as_str()}</button>
            </div>
            <p class="field-error" id="rl-sources-error" role="alert">{move || input_error.get()}</p>
            {result}
            <p class="panel-note">{w.accuracy_why.as_str()}</p>
        </section>
    }
}

#[component]
pub fn BenchPanel(ctx: Ctx) -> impl IntoView {
    let w = &ctx.words.own.measure;
    let bench = ctx.words.live.bench.as_ref();
    let job = RwSignal::new(Job::<BenchProgress>::Idle);
    let slot = WorkerSlot::new();
    let spread = |samples: &[f64]| {
        Spread::of(samples).map_or_else(String::new, |s| {
            format!("{:.1} ({:.1}–{:.1})", s.median, s.min, s.max)
        })
    };
    let result = move || {
        job.with(|j| {
            let Some((p, done)) = j.progress() else {
                return status(ctx, j, &w.failed);
            };
            let rows = p
                .algorithms
                .iter()
                .map(|a| {
                    let key = format!("{}.keys_100k", a.algo);
                    let versus = bench
                        .zip(Spread::of(&a.keys_100k))
                        .and_then(|(b, s)| versus_native(b, &key, s.median, Better::Lower))
                        .map_or_else(String::new, |r| format!("{r:.2}×"));
                    view! {
                        <tr data-algo=a.algo.clone()>
                            <th scope="row">{a.algo.clone()}</th>
                            <td>{spread(&a.single_key_keyed_table)}</td>
                            <td data-testid="bench-many">{spread(&a.keys_100k)}</td>
                            <td data-testid="bench-versus">{versus}</td>
                        </tr>
                    }
                })
                .collect_view();
            Some(view! {
                <progress max=p.rounds.to_string() value=p.done.to_string() aria-label=w.progress_label.as_str()></progress>
                <div class="rl-bench-scroll">
                    <table class="raft-table" data-status=if done { "bench-done" } else { "bench-running" }>
                        <caption class="panel-note">{w.bench_caption.as_str()}</caption>
                        <thead><tr>
                            <th scope="col">{w.algorithm.as_str()}</th>
                            <th scope="col">{w.single_key.as_str()}</th>
                            <th scope="col">{w.many_keys.as_str()}</th>
                            <th scope="col">{w.versus_many.as_str()}</th>
                        </tr></thead>
                        <tbody>{rows}</tbody>
                    </table>
                </div>
            }.into_any())
        })
    };
    view! {
        <section class="lab-panel" aria-labelledby="rl-bench-title">
            <h2 id="rl-bench-title" class="panel-title">{bench.map_or(w.bench_heading.as_str(), |b| b.heading.as_str())}</h2>
            {bench.map(|b| view! { <p class="panel-note">{b.lede.as_str()}</p><p class="panel-note">{b.timing_note.as_str()}</p> })}
            <div class="flow-controls">
                <button type="button" class="btn btn-primary" disabled=move || job.with(Job::running) data-testid="bench-start"
                    on:click=move |_| slot.run_job(WORKER_BIN, WorkerRequest::Bench, job, bench_reply, &ctx.words.kit.worker_failed)>{w.run.as_str()}</button>
                <button type="button" class="btn" disabled=move || !job.with(Job::running)
                    on:click=move |_| slot.cancel(job)>{w.cancel.as_str()}</button>
            </div>
            <div class="bench-browser">
                <h3 class="sub-title">{bench.map(|b| b.browser_heading.as_str())}</h3>
                {result}
            </div>
            {bench.map(|b| view! { <NativeFigures kit=ctx.words.kit bench=b/> })}
        </section>
    }
}

#[component]
pub fn RedisPanel(ctx: Ctx) -> impl IntoView {
    let w = &ctx.words.own.redis;
    view! {
        <section class="lab-panel" aria-labelledby="rl-redis-title">
            <h2 id="rl-redis-title" class="panel-title">{w.heading.as_str()}</h2>
            <p class="panel-note">{w.lede.as_str()}</p>
            <p class="panel-note">{w.browser_note.as_str()}</p>
            <crate::components::figures::Figures figures=&w.figures/>
        </section>
    }
}
