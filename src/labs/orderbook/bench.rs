//! "Benchmark in your browser": runs the benchmark workload in the `worker` bin (a module Web
//! Worker built by Trunk), shows progress, ops/s, per-batch timing and the event checksum, and
//! beside them the native figures `cargo xtask bench` recorded (embedded at build time; nothing is
//! shown when there are none). The worker is terminated on cancel and when the page goes away.

use super::bench_msg::{BenchReply, BenchRequest, BATCH_OPS, BENCH_OPS, BENCH_SEED};
use super::status::grouped;
use crate::content::schema::OrderbookLab;
use leptos::prelude::*;
use serde::Deserialize;
use wasm_bindgen::{closure::Closure, JsCast, JsValue};
use web_sys::{MessageEvent, Worker, WorkerOptions, WorkerType};

/// The native record written by `cargo xtask bench` (fields the page shows).
#[derive(Clone, Debug, Deserialize)]
pub struct Measurements {
    pub measured_at: String,
    pub machine: Machine,
    pub runs: Vec<MeasuredRun>,
}

#[derive(Clone, Debug, Deserialize)]
pub struct Machine {
    pub cpu: String,
    pub logical_cores: u64,
    pub os: String,
    pub rustc: String,
}

#[derive(Clone, Debug, Deserialize)]
pub struct MeasuredRun {
    pub command: String,
    pub result: serde_json::Value,
}

/// The embedded native figures, if `content/measurements/orderbook.json` existed at build time.
pub fn measurements() -> Option<Measurements> {
    let text = include_str!(concat!(env!("OUT_DIR"), "/orderbook-measurements.json"));
    serde_json::from_str::<Option<Measurements>>(text)
        .ok()
        .flatten()
}

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

type Handler = Closure<dyn FnMut(MessageEvent)>;

fn worker_url() -> Result<String, JsValue> {
    let base = gloo_utils::document()
        .base_uri()?
        .unwrap_or_else(|| "/".to_string());
    Ok(web_sys::Url::new_with_base("worker_loader.js", &base)?.href())
}

fn median(v: &[f64]) -> f64 {
    let mut s = v.to_vec();
    s.sort_by(|a, b| a.total_cmp(b));
    s.get(s.len() / 2).copied().unwrap_or(0.0)
}

#[component]
pub fn BenchPanel(words: &'static OrderbookLab) -> impl IntoView {
    let state = RwSignal::new(State::Idle);
    let ops = RwSignal::new(BENCH_OPS[0]);
    let worker: StoredValue<Option<(Worker, Handler)>, LocalStorage> = StoredValue::new_local(None);

    let stop = move || {
        if let Some(Some((w, _))) = worker.try_update_value(|slot| slot.take()) {
            w.terminate();
        }
    };
    on_cleanup(stop);

    let start = move |_| {
        stop();
        let request = BenchRequest {
            seed: BENCH_SEED,
            ops: ops.get_untracked(),
            batch: BATCH_OPS,
        };
        let opts = WorkerOptions::new();
        opts.set_type(WorkerType::Module);
        let created = worker_url().and_then(|url| Worker::new_with_options(&url, &opts));
        let w = match created {
            Ok(w) => w,
            Err(_) => {
                state.set(State::Failed(
                    "this browser could not start the worker".into(),
                ));
                return;
            }
        };
        let poster = w.clone();
        let handler = Handler::new(move |e: MessageEvent| {
            let Some(reply) = e
                .data()
                .as_string()
                .and_then(|t| serde_json::from_str::<BenchReply>(&t).ok())
            else {
                return;
            };
            match reply {
                BenchReply::Ready => {
                    if let Ok(text) = serde_json::to_string(&request) {
                        let _ = poster.post_message(&JsValue::from_str(&text));
                    }
                    state.try_set(State::Running {
                        done: 0,
                        ops: request.ops,
                    });
                }
                BenchReply::Progress { done, ops, .. } => {
                    state.try_set(State::Running { done, ops });
                }
                BenchReply::Done {
                    ops,
                    checksum,
                    elapsed_ms,
                    batch_ms,
                    ..
                } => {
                    state.try_set(State::Finished {
                        ops,
                        checksum,
                        elapsed_ms,
                        batch_ms,
                    });
                    poster.terminate();
                }
                BenchReply::Failed { message } => {
                    state.try_set(State::Failed(message));
                    poster.terminate();
                }
            }
        });
        w.set_onmessage(Some(handler.as_ref().unchecked_ref()));
        worker.set_value(Some((w, handler)));
        state.set(State::Starting);
    };
    let cancel = move |_| {
        stop();
        state.set(State::Cancelled);
    };
    let running = move || matches!(state.get(), State::Starting | State::Running { .. });

    let options = BENCH_OPS
        .iter()
        .map(|&n| view! { <option value=n.to_string() selected=move || ops.get() == n>{format!("{} operations", grouped(n))}</option> })
        .collect_view();

    let result = move || {
        match state.get() {
        State::Idle => None,
        State::Starting => Some(view! { <p role="status">"Starting the worker…"</p> }.into_any()),
        State::Running { done, ops } => Some(
            view! {
                <div role="status">
                    <progress max=ops.to_string() value=done.to_string() aria-label="Benchmark progress"></progress>
                    <p>{format!("{} of {} operations", grouped(done), grouped(ops))}</p>
                </div>
            }
            .into_any(),
        ),
        State::Finished { ops, checksum, elapsed_ms, batch_ms } => {
            let per_sec = if elapsed_ms > 0.0 { ops as f64 / elapsed_ms * 1000.0 } else { 0.0 };
            let med = median(&batch_ms);
            let min = batch_ms.iter().copied().fold(f64::INFINITY, f64::min);
            let max = batch_ms.iter().copied().fold(0.0, f64::max);
            let ns_per_op = med * 1e6 / BATCH_OPS as f64;
            Some(
                view! {
                    <dl class="bench-figures" data-testid="bench-result">
                        <div><dt>"Throughput"</dt><dd data-testid="bench-ops">{grouped(per_sec.round() as u64)}" ops/s"</dd></div>
                        <div><dt>{format!("Batch of {} ops (median, min–max)", grouped(BATCH_OPS))}</dt>
                            <dd>{format!("{med:.1} ms ({min:.1}–{max:.1}) ≈ {ns_per_op:.0} ns/op")}</dd></div>
                        <div><dt>"Event checksum"</dt><dd data-testid="bench-checksum">{checksum}</dd></div>
                        <div><dt>"Workload"</dt><dd>{format!("seed {BENCH_SEED}, {} operations, default flow", grouped(ops))}</dd></div>
                    </dl>
                    <p class="panel-note">{format!("The native side of the same work: cargo run --release -p orderbook --bin book-bench -- --flow {ops} --seed {BENCH_SEED} prints the same checksum.")}</p>
                }
                .into_any(),
            )
        }
        State::Cancelled => Some(view! { <p role="status">"Cancelled: the worker was stopped."</p> }.into_any()),
        State::Failed(e) => Some(view! { <p class="lab-alert" role="alert">"The benchmark failed: " {e}</p> }.into_any()),
    }
    };

    let native = measurements().map(|m| {
        let rows = m
            .runs
            .iter()
            .filter(|r| r.command.contains("book-bench"))
            .map(|r| {
                let num = |k: &str| r.result.get(k).and_then(|v| v.as_f64());
                let text = |k: &str| r.result.get(k).and_then(|v| v.as_str()).map(str::to_string);
                view! {
                    <dl class="bench-figures">
                        {num("ops_per_sec").map(|v| view! { <div><dt>"Throughput"</dt><dd>{grouped(v.round() as u64)}" ops/s"</dd></div> })}
                        {num("p50_ns").zip(num("p99_ns")).map(|(a, b)| view! { <div><dt>"Per op, p50 / p99"</dt><dd>{format!("{a:.0} / {b:.0} ns")}</dd></div> })}
                        {num("flow_ops_per_sec").map(|v| view! { <div><dt>"Flow incl. generator"</dt><dd>{grouped(v.round() as u64)}" ops/s"</dd></div> })}
                        {text("checksum").map(|c| view! { <div><dt>"Event checksum"</dt><dd>{c}</dd></div> })}
                    </dl>
                    <p class="panel-note"><code>{r.command.clone()}</code></p>
                }
            })
            .collect_view();
        view! {
            <div class="bench-native">
                <h3 class="sub-title">"Native"</h3>
                <p class="panel-note">{format!("{} On {} ({} logical cores), {}, {}; measured {}.", words.native_note, m.machine.cpu, m.machine.logical_cores, m.machine.os, m.machine.rustc, m.measured_at)}</p>
                {rows}
            </div>
        }
    });

    view! {
        <section class="lab-panel" aria-labelledby="lab-bench-title">
            <h2 id="lab-bench-title" class="panel-title">{words.bench_heading.as_str()}</h2>
            <p class="panel-note">{words.bench_lede.as_str()}</p>
            <p class="panel-note">{words.bench_timing_note.as_str()}</p>
            <div class="flow-controls">
                <div class="field inline">
                    <label for="lab-bench-ops">"Workload"</label>
                    <select id="lab-bench-ops" on:change=move |ev| {
                        if let Ok(n) = event_target_value(&ev).parse::<u64>() {
                            if BENCH_OPS.contains(&n) {
                                ops.set(n);
                            }
                        }
                    }>{options}</select>
                </div>
                <button type="button" class="btn btn-primary" on:click=start disabled=running data-testid="bench-start">"Run benchmark"</button>
                <button type="button" class="btn" on:click=cancel disabled=move || !running() data-testid="bench-cancel">"Cancel"</button>
            </div>
            <div class="bench-browser">
                <h3 class="sub-title">"In this browser"</h3>
                {result}
            </div>
            {native}
        </section>
    }
}
