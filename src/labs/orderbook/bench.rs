//! "Benchmark in your browser": runs the benchmark workload in the lab's worker (the kit's
//! module worker), shows progress, ops/s, per-batch timing (median with min–max) and the event
//! checksum, and beside them the native figures `cargo xtask bench` recorded, typed at build
//! time. The worker is terminated on cancel and when the page goes away.

use super::bench_msg::{BenchReply, BenchRequest, BATCH_OPS, BENCH_OPS, BENCH_SEED};
use super::Words;
use crate::content::schema::LabBench;
use crate::labs::kit::{
    format::{fill, grouped, Spread},
    layout::{versus_native_text, Better, NativeFigures},
    worker::{WorkerHandle, WorkerSlot},
};
use leptos::prelude::*;

/// The worker bin the benchmark runs in.
const WORKER_BIN: &str = "lab-orderbook-worker";

#[derive(Clone, Debug, Default, PartialEq)]
enum State {
    #[default]
    Idle,
    Starting,
    Running {
        done: u64,
        ops: u64,
    },
    Finished {
        ops: u64,
        checksum: String,
        elapsed_ms: f64,
        batch_ms: Vec<f64>,
    },
    Cancelled,
    Failed(String),
}

#[component]
pub fn BenchPanel(words: Words, bench: &'static LabBench) -> impl IntoView {
    let w = &words.own.bench;
    let state = RwSignal::new(State::Idle);
    let ops = RwSignal::new(BENCH_OPS[0]);
    let worker = WorkerSlot::new();

    let start = move |_| {
        let request = BenchRequest {
            seed: BENCH_SEED,
            ops: ops.get_untracked(),
            batch: BATCH_OPS,
        };
        let on_message = move |message: Result<BenchReply, String>| match message {
            Ok(BenchReply::Progress { done, ops, .. }) => {
                state.try_set(State::Running { done, ops });
            }
            Ok(BenchReply::Done {
                ops,
                checksum,
                elapsed_ms,
                batch_ms,
                ..
            }) => {
                state.try_set(State::Finished {
                    ops,
                    checksum,
                    elapsed_ms,
                    batch_ms,
                });
                worker.stop();
            }
            Err(e) => {
                state.try_set(State::Failed(e));
                worker.stop();
            }
        };
        match WorkerHandle::spawn(WORKER_BIN, request, on_message) {
            Ok(handle) => {
                worker.set(handle);
                state.set(State::Starting);
            }
            Err(_) => state.set(State::Failed(words.kit.worker_failed.clone())),
        }
    };
    let cancel = move |_| {
        worker.stop();
        state.set(State::Cancelled);
    };
    let running = move || matches!(state.get(), State::Starting | State::Running { .. });

    let options = BENCH_OPS
        .iter()
        .map(|&n| {
            let label = fill(&w.ops_option, &[("ops", &grouped(n))]);
            view! { <option value=n.to_string() selected=move || ops.get() == n>{label}</option> }
        })
        .collect_view();

    let result = move || match state.get() {
        State::Idle => None,
        State::Starting => Some(view! { <p role="status">{w.starting.as_str()}</p> }.into_any()),
        State::Running { done, ops } => {
            let text = fill(
                &w.progress,
                &[("done", &grouped(done)), ("ops", &grouped(ops))],
            );
            Some(
                view! {
                    <div role="status">
                        <progress max=ops.to_string() value=done.to_string() aria-label=w.progress_label.as_str()></progress>
                        <p>{text}</p>
                    </div>
                }
                .into_any(),
            )
        }
        State::Finished {
            ops,
            checksum,
            elapsed_ms,
            batch_ms,
        } => Some(finished(words, bench, ops, checksum, elapsed_ms, &batch_ms).into_any()),
        State::Cancelled => {
            Some(view! { <p role="status">{words.kit.worker_cancelled.as_str()}</p> }.into_any())
        }
        State::Failed(e) => {
            let text = fill(&w.failed, &[("error", &e)]);
            Some(view! { <p class="lab-alert" role="alert">{text}</p> }.into_any())
        }
    };

    view! {
        <section class="lab-panel" aria-labelledby="lab-bench-title">
            <h2 id="lab-bench-title" class="panel-title">{bench.heading.as_str()}</h2>
            <p class="panel-note">{bench.lede.as_str()}</p>
            <p class="panel-note">{bench.timing_note.as_str()}</p>
            <div class="flow-controls">
                <div class="field inline">
                    <label for="lab-bench-ops">{w.workload.as_str()}</label>
                    <select id="lab-bench-ops" on:change=move |ev| {
                        if let Ok(n) = event_target_value(&ev).parse::<u64>() {
                            if BENCH_OPS.contains(&n) {
                                ops.set(n);
                            }
                        }
                    }>{options}</select>
                </div>
                <button type="button" class="btn btn-primary" on:click=start disabled=running data-testid="bench-start">{w.run.as_str()}</button>
                <button type="button" class="btn" on:click=cancel disabled=move || !running() data-testid="bench-cancel">{w.cancel.as_str()}</button>
            </div>
            <div class="bench-browser">
                <h3 class="sub-title">{bench.browser_heading.as_str()}</h3>
                {result}
            </div>
            <NativeFigures kit=words.kit bench=bench/>
        </section>
    }
}

/// The figures of a finished run: throughput, batch times as a median with min–max, checksum.
fn finished(
    words: Words,
    bench: &'static LabBench,
    ops: u64,
    checksum: String,
    elapsed_ms: f64,
    batch_ms: &[f64],
) -> impl IntoView {
    let w = &words.own.bench;
    let per_sec = if elapsed_ms > 0.0 {
        ops as f64 / elapsed_ms * 1000.0
    } else {
        0.0
    };
    let batch = Spread::of(batch_ms).unwrap_or(Spread {
        median: 0.0,
        min: 0.0,
        max: 0.0,
    });
    let batch_value = fill(
        &w.batch_value,
        &[
            ("median", &format!("{:.1}", batch.median)),
            ("min", &format!("{:.1}", batch.min)),
            ("max", &format!("{:.1}", batch.max)),
            (
                "ns",
                &format!("{:.0}", batch.median * 1e6 / BATCH_OPS as f64),
            ),
        ],
    );
    let command = format!(
        "cargo run --release -p orderbook --bin book-bench -- --flow {ops} --seed {BENCH_SEED}"
    );
    // The steady pace (the median batch), not the whole run's, which includes the batches run
    // before V8 optimised the code.
    let steady_rate = if batch.median > 0.0 {
        BATCH_OPS as f64 / batch.median * 1000.0
    } else {
        0.0
    };
    let versus =
        versus_native_text(words.kit, bench, "flow", steady_rate, Better::Higher).map(|v| {
            let text = fill(
                &w.steady,
                &[
                    ("rate", &grouped(steady_rate.round() as u64)),
                    ("versus", &v),
                ],
            );
            view! { <p class="panel-note" data-testid="bench-versus">{text}</p> }
        });
    view! {
        <dl class="bench-figures" data-testid="bench-result">
            <div><dt>{w.throughput.as_str()}</dt><dd data-testid="bench-ops">{grouped(per_sec.round() as u64)}" ops/s"</dd></div>
            <div><dt>{fill(&w.batch, &[("batch", &grouped(BATCH_OPS))])}</dt><dd>{batch_value}</dd></div>
            <div><dt>{w.checksum.as_str()}</dt><dd data-testid="bench-checksum">{checksum}</dd></div>
            <div><dt>{w.workload_label.as_str()}</dt>
                <dd>{fill(&w.workload_value, &[("seed", &BENCH_SEED.to_string()), ("ops", &grouped(ops))])}</dd></div>
        </dl>
        {versus}
        <p class="panel-note">{fill(&w.native_command, &[("command", &command)])}</p>
    }
}
