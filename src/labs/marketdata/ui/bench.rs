//! The parse + apply + checksum benchmark, run in the lab's Web Worker on `md-bench`'s workload,
//! beside the native figures and the article's; the worker stops when the visitor cancels or
//! leaves.

use super::live::{Ctx, WORKER_BIN};
use crate::labs::kit::{
    format::{fill, grouped, Spread},
    layout::{versus_native, versus_native_text, Better, NativeFigures},
    worker::{Job, Progress, WorkerSlot},
};
use crate::labs::marketdata::worker_msg::{
    BenchProgress, WorkerReply, WorkerRequest, BENCH_MESSAGES,
};
use leptos::prelude::*;

/// The goal for the browser: this fraction of native speed or better.
pub const GOAL_RATIO: f64 = 0.7;
/// The native figure the browser's passes are compared with (its key in the content): the same
/// pass over the same messages, natively (`cargo xtask bench wasm`'s native side), in ms.
const NATIVE_PASS_KEY: &str = "native_pass_ms";

fn bench_reply(r: WorkerReply) -> Progress<BenchProgress> {
    match r {
        WorkerReply::Bench(p) => {
            let done = p.finished;
            Some(Ok((p, done)))
        }
        WorkerReply::Failed { error } => Some(Err(error)),
    }
}

#[component]
pub fn BenchPanel(ctx: Ctx) -> impl IntoView {
    let own = &ctx.words.own.bench;
    let kit = ctx.words.kit;
    let bench = ctx.words.live.bench.as_ref();
    let job = RwSignal::new(Job::<BenchProgress>::Idle);
    let slot = WorkerSlot::new();
    let result = move || {
        job.with(|j| {
            let Some((p, done)) = j.progress() else {
                return match j {
                    Job::Starting => Some(
                        view! { <p role="status">{fill(&own.preparing, &[("messages", &grouped(BENCH_MESSAGES + 1))])}</p> }
                            .into_any(),
                    ),
                    Job::Cancelled => Some(view! { <p role="status">{kit.worker_cancelled.as_str()}</p> }.into_any()),
                    Job::Failed(e) => Some(
                        view! { <p class="lab-alert" role="alert">{fill(&own.failed, &[("error", e)])}</p> }.into_any(),
                    ),
                    _ => None,
                };
            };
            let workload = fill(
                &own.workload,
                &[
                    ("messages", &grouped(p.messages)),
                    ("bytes", &grouped(p.bytes)),
                    ("ms", &format!("{:.0}", p.prepare_ms)),
                ],
            );
            let spread = Spread::of(&p.rates);
            let rate = spread.map(|s| {
                fill(
                    &own.spread,
                    &[
                        ("median", &grouped(s.median.round() as u64)),
                        ("min", &grouped(s.min.round() as u64)),
                        ("max", &grouped(s.max.round() as u64)),
                    ],
                ) + " " + own.rate_unit.as_str()
            });
            let pass_ms = Spread::of(&p.pass_ms);
            let versus = bench.zip(pass_ms).and_then(|(b, s)| {
                versus_native_text(kit, b, NATIVE_PASS_KEY, s.median, Better::Lower)
            });
            let goal = done
                .then(|| bench.zip(pass_ms))
                .flatten()
                .and_then(|(b, s)| versus_native(b, NATIVE_PASS_KEY, s.median, Better::Lower))
                .map(|ratio| {
                    let r = format!("{ratio:.2}");
                    if ratio >= GOAL_RATIO {
                        view! { <p class="ok" data-status="bench-goal">{fill(&own.goal_met, &[("ratio", &r)])}</p> }.into_any()
                    } else {
                        view! { <p class="bad" data-status="bench-goal">{fill(&own.goal_missed, &[("ratio", &r)])}</p> }.into_any()
                    }
                });
            let native_checksum = ctx.words.own.native_checksum.number;
            let checksum = (!p.rates.is_empty()).then(|| match native_checksum {
                Some(n) if n == f64::from(p.checksum) => {
                    fill(&own.checksum_same, &[("checksum", &p.checksum.to_string())])
                }
                Some(n) => fill(
                    &own.checksum_differ,
                    &[("ours", &p.checksum.to_string()), ("native", &format!("{n:.0}"))],
                ),
                None => p.checksum.to_string(),
            });
            Some(
                view! {
                    <progress max=p.reps.to_string() value=p.rates.len().to_string() aria-label=own.progress_label.as_str()></progress>
                    <p class="panel-note">{fill(&own.progress, &[("done", &p.rates.len().to_string()), ("of", &p.reps.to_string())])}</p>
                    <p class="panel-note">{workload}</p>
                    <dl class="bench-figures" data-status=if done { "bench-done" } else { "bench-running" }>
                        <div><dt>{own.median.as_str()}</dt><dd data-testid="bench-rate">{rate}</dd></div>
                        <div><dt>{own.versus.as_str()}</dt><dd data-testid="bench-versus">{versus}</dd></div>
                        <div><dt>{own.checksum.as_str()}</dt><dd data-testid="bench-checksum">{checksum}</dd></div>
                    </dl>
                    {goal}
                }
                .into_any(),
            )
        })
    };
    view! {
        <section class="lab-panel" aria-labelledby="md-bench-title">
            <h2 id="md-bench-title" class="panel-title">{bench.map(|b| b.heading.as_str())}</h2>
            {bench.map(|b| view! { <p class="panel-note">{b.lede.as_str()}</p><p class="panel-note">{b.timing_note.as_str()}</p> })}
            <div class="flow-controls">
                <button type="button" class="btn btn-primary" disabled=move || job.with(Job::running) data-testid="bench-start"
                    on:click=move |_| slot.run_job(WORKER_BIN, WorkerRequest::Bench, job, bench_reply, &kit.worker_failed)>{own.run.as_str()}</button>
                <button type="button" class="btn" disabled=move || !job.with(Job::running)
                    on:click=move |_| slot.cancel(job)>{own.cancel.as_str()}</button>
            </div>
            <div class="bench-browser">
                <h3 class="sub-title">{bench.map(|b| b.browser_heading.as_str())}</h3>
                {result}
            </div>
            {bench.map(|b| view! { <NativeFigures kit=kit bench=b/> })}
            <div class="bench-article">
                <h3 class="sub-title">{own.article_heading.as_str()}</h3>
                <dl class="bench-figures">
                    <div><dt>{own.article_label.as_str()}</dt><dd data-testid="article-figure">{own.article_value.as_str()}</dd></div>
                </dl>
                <p class="panel-note">{own.article_note.as_str()}</p>
            </div>
        </section>
    }
}
