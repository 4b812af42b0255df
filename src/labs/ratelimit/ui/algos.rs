//! The limit and the traffic (validated fields; a bad value is reported next to its field and
//! changes nothing), the request button, and the five algorithms' panels: a chart of allowed and
//! denied requests over time, the key's state drawn, admitted against the ideal, and the two
//! exports that `limit-replay` reproduces.

use super::live::Ctx;
use crate::labs::kit::{file::download, format::fill, format::grouped};
use crate::labs::ratelimit::session::{
    Bucket, Field, PanelFrame, RunConfig, Traffic, BUCKET_MS, CHART_BUCKETS,
};
use leptos::prelude::*;
use ratelimit::{AlgorithmKind, StateDetail};
use std::collections::HashMap;

/// One numeric field of the form: its label, its id, how it reads and writes the config.
struct NumberField {
    field: Field,
    id: &'static str,
    label: &'static str,
    get: fn(&RunConfig) -> u64,
    set: fn(&mut RunConfig, u64),
}

#[component]
pub fn Setup(ctx: Ctx) -> impl IntoView {
    let w = &ctx.words.own.form;
    let errors = RwSignal::new(HashMap::<Field, String>::new());
    let fields = [
        NumberField {
            field: Field::Rate,
            id: "rl-rate",
            label: &w.rate,
            get: |r| r.limit.rate_per_s,
            set: |r, v| r.limit.rate_per_s = v,
        },
        NumberField {
            field: Field::Burst,
            id: "rl-burst",
            label: &w.burst,
            get: |r| r.limit.burst,
            set: |r, v| r.limit.burst = v,
        },
        NumberField {
            field: Field::Window,
            id: "rl-window",
            label: &w.window,
            get: |r| r.limit.window_ms,
            set: |r, v| r.limit.window_ms = v,
        },
        NumberField {
            field: Field::TrafficRate,
            id: "rl-traffic-rate",
            label: &w.traffic_rate,
            get: |r| r.traffic_rate,
            set: |r, v| r.traffic_rate = v,
        },
    ];
    let apply = move |field: Field, run: Result<RunConfig, String>| {
        // Shown next to the field just changed, whichever field the engine names.
        let result = run.and_then(|run| ctx.reconfigure(run).map_err(|e| ctx.words.run_error(&e)));
        errors.update(|m| match result {
            Ok(()) => m.clear(),
            Err(e) => {
                m.insert(field, e);
            }
        });
    };
    let inputs = fields
        .into_iter()
        .map(|f| {
            let NumberField {
                field,
                id,
                label,
                get,
                set,
            } = f;
            let value = move || ctx.frame.with(|fr| get(&fr.run).to_string());
            let error = move || errors.with(|m| m.get(&field).cloned());
            let error_id = format!("{id}-error");
            view! {
                <div class="field">
                    <label for=id>{label}</label>
                    <input id=id type="text" inputmode="numeric" size="7" prop:value=value
                        aria-invalid=move || error().is_some().to_string()
                        aria-describedby=error_id.clone()
                        on:change=move |ev| {
                            let text = event_target_value(&ev);
                            let run = text.trim().parse::<u64>()
                                .map_err(|_| ctx.words.own.form.not_a_number.clone())
                                .map(|v| {
                                    let mut run = ctx.frame.with_untracked(|f| f.run);
                                    set(&mut run, v);
                                    run
                                });
                            apply(field, run);
                        }/>
                    <p class="field-error" id=error_id role="alert">{error}</p>
                </div>
            }
        })
        .collect_view();
    let traffic_options = Traffic::ALL
        .into_iter()
        .map(|t| {
            let label = match t {
                Traffic::Steady => &w.steady,
                Traffic::Bursty => &w.bursty,
                Traffic::Boundary => &w.boundary,
                Traffic::Manual => &w.manual,
            };
            view! { <option value=t.name() selected=move || ctx.frame.with(|f| f.run.traffic == t)>{label.as_str()}</option> }
        })
        .collect_view();
    let on_traffic = move |ev| {
        if let Some(t) = Traffic::from_name(&event_target_value(&ev)) {
            let mut run = ctx.frame.with_untracked(|f| f.run);
            run.traffic = t;
            apply(Field::Traffic, Ok(run));
        }
    };
    let on_seed = move |ev| {
        let run = event_target_value(&ev)
            .trim()
            .parse::<u64>()
            .map_err(|_| ctx.words.own.form.not_a_number.clone())
            .map(|seed| {
                let mut run = ctx.frame.with_untracked(|f| f.run);
                run.seed = seed;
                run
            });
        apply(Field::Seed, run);
    };
    let seed_error = move || errors.with(|m| m.get(&Field::Seed).cloned());
    // Enter or Space held down repeats: one request per key event.
    let on_key = move |ev: web_sys::KeyboardEvent| {
        if ev.key() == "Enter" || ev.key() == " " {
            ev.prevent_default();
            ctx.press();
        }
    };
    let traffic_note = move || {
        ctx.frame.with(|f| match f.run.traffic {
            Traffic::Steady => w.steady_note.clone(),
            Traffic::Bursty => w.bursty_note.clone(),
            Traffic::Boundary => fill(
                &w.boundary_note,
                &[("limit", &f.run.window_limit().to_string())],
            ),
            Traffic::Manual => w.manual_note.clone(),
        })
    };
    view! {
        <section class="lab-panel" aria-labelledby="rl-setup-title">
            <h2 id="rl-setup-title" class="panel-title">{w.heading.as_str()}</h2>
            <p class="panel-note">{w.lede.as_str()}</p>
            <div class="rl-form">
                {inputs}
                <div class="field">
                    <label for="rl-traffic">{w.traffic.as_str()}</label>
                    <select id="rl-traffic" on:change=on_traffic>{traffic_options}</select>
                </div>
                <div class="field">
                    <label for="rl-seed">{w.seed.as_str()}</label>
                    <input id="rl-seed" type="text" inputmode="numeric" size="7"
                        prop:value=move || ctx.frame.with(|f| f.run.seed.to_string())
                        aria-describedby="rl-seed-error" on:change=on_seed/>
                    <p class="field-error" id="rl-seed-error" role="alert">{seed_error}</p>
                </div>
            </div>
            <p class="panel-note">{traffic_note}</p>
            <div class="raft-actions">
                <button type="button" class="btn btn-primary" data-testid="press"
                    on:click=move |_| ctx.press() on:keydown=on_key>{w.press.as_str()}</button>
                <span class="panel-note">{w.press_note.as_str()}</span>
            </div>
        </section>
    }
}

/// A panel's words: its title and its trade-off.
fn algo_words(ctx: Ctx, kind: AlgorithmKind) -> (&'static str, &'static str) {
    let w = &ctx.words.own.algos;
    let pair = match kind {
        AlgorithmKind::TokenBucket => (&w.token_bucket, &w.token_bucket_note),
        AlgorithmKind::Gcra => (&w.gcra, &w.gcra_note),
        AlgorithmKind::FixedWindow => (&w.fixed_window, &w.fixed_window_note),
        AlgorithmKind::SlidingLog => (&w.sliding_log, &w.sliding_log_note),
        AlgorithmKind::SlidingWindow => (&w.sliding_window, &w.sliding_window_note),
    };
    (pair.0.as_str(), pair.1.as_str())
}

/// The key's state, drawn: a gauge of what it would admit now, and the words for it.
fn state_text(ctx: Ctx, p: &PanelFrame) -> (f64, String) {
    let w = &ctx.words.own.algos;
    let Some(v) = &p.view else {
        return (1.0, w.state_fresh.clone());
    };
    let milli = |m: u64| format!("{:.2}", m as f64 / 1000.0);
    match &v.detail {
        StateDetail::TokenBucket {
            tokens_milli,
            burst,
        } => (
            *tokens_milli as f64 / (*burst as f64 * 1000.0),
            fill(
                &w.state_tokens,
                &[
                    ("tokens", &milli(*tokens_milli)),
                    ("burst", &burst.to_string()),
                ],
            ),
        ),
        StateDetail::Gcra {
            tat_ahead_ns,
            tokens_milli,
            burst,
        } => (
            *tokens_milli as f64 / (*burst as f64 * 1000.0),
            fill(
                &w.state_gcra,
                &[
                    ("ahead", &format!("{:.1}", *tat_ahead_ns as f64 / 1e6)),
                    ("tokens", &milli(*tokens_milli)),
                    ("burst", &burst.to_string()),
                ],
            ),
        ),
        StateDetail::FixedWindow {
            window_start_ns,
            window_ns,
            count,
            limit,
        } => {
            let left = (window_start_ns + window_ns).saturating_sub(p_now_ns(ctx));
            (
                1.0 - *count as f64 / (*limit).max(1) as f64,
                fill(
                    &w.state_fixed,
                    &[
                        ("count", &count.to_string()),
                        ("limit", &limit.to_string()),
                        ("left", &format!("{:.0}", left as f64 / 1e6)),
                    ],
                ),
            )
        }
        StateDetail::SlidingWindow {
            window_start_ns,
            window_ns,
            previous,
            current,
            limit,
            estimate_milli,
        } => {
            let into = p_now_ns(ctx).saturating_sub(*window_start_ns);
            let weight = 1.0 - (into as f64 / *window_ns as f64).min(1.0);
            (
                1.0 - *estimate_milli as f64 / (*limit as f64 * 1000.0),
                fill(
                    &w.state_sliding_window,
                    &[
                        ("previous", &previous.to_string()),
                        ("weight", &format!("{:.0}", weight * 100.0)),
                        ("current", &current.to_string()),
                        ("estimate", &milli(*estimate_milli)),
                        ("limit", &limit.to_string()),
                    ],
                ),
            )
        }
        StateDetail::SlidingLog {
            window_ns,
            limit,
            count,
            ..
        } => (
            1.0 - *count as f64 / (*limit).max(1) as f64,
            fill(
                &w.state_log,
                &[
                    ("count", &count.to_string()),
                    ("limit", &limit.to_string()),
                    ("window", &(window_ns / 1_000_000).to_string()),
                ],
            ),
        ),
    }
}

fn p_now_ns(ctx: Ctx) -> u64 {
    ctx.frame.with_untracked(|f| f.now_ms) * 1_000_000
}

/// The sliding log's timestamps on its window (now at the right edge).
fn log_marks(ctx: Ctx, p: &PanelFrame) -> Option<AnyView> {
    let Some(StateDetail::SlidingLog {
        window_ns,
        recent_ns,
        ..
    }) = p.view.as_ref().map(|v| &v.detail)
    else {
        return None;
    };
    let now = p_now_ns(ctx);
    let from = now.saturating_sub(*window_ns);
    let marks = recent_ns
        .iter()
        .map(|t| {
            let x = (t.saturating_sub(from)) as f64 / *window_ns as f64 * 100.0;
            view! { <line class="rl-mark" x1=x y1="0" x2=x y2="10"/> }
        })
        .collect_view();
    Some(
        view! {
            <svg class="rl-log" viewBox="0 0 100 10" preserveAspectRatio="none" role="img"
                aria-label=ctx.words.own.algos.log_label.as_str()>{marks}</svg>
        }
        .into_any(),
    )
}

/// The chart's height in requests per bar: a round number above both the busiest bar shown and
/// the limit's own rate per bar, so it changes rarely.
fn chart_top(p: &PanelFrame, run: &RunConfig) -> u64 {
    let busiest = p
        .buckets
        .iter()
        .map(|b| u64::from(b.allowed + b.denied))
        .max()
        .unwrap_or(0);
    let ideal = run.limit.rate_per_s * BUCKET_MS / 1000;
    busiest.max(ideal).max(1).next_power_of_two()
}

#[component]
fn Chart(ctx: Ctx, index: usize) -> impl IntoView {
    let w = &ctx.words.own.algos;
    let frame = ctx.frame;
    let top =
        Memo::new(move |_| frame.with(|f| f.panels.get(index).map_or(1, |p| chart_top(p, &f.run))));
    let first =
        Memo::new(move |_| frame.with(|f| f.panels.get(index).map_or(0, |p| p.first_bucket)));
    let view_box = move || format!("{} 0 {CHART_BUCKETS} {}", first.get(), top.get());
    // Bars in bucket units across and requests up (the view box follows the window, so a bar,
    // once drawn, stays as it is until its bucket changes).
    let bars = move || {
        frame.with(|f| {
            f.panels.get(index).map_or_else(Vec::new, |p| {
                p.buckets
                    .iter()
                    .enumerate()
                    .filter(|(_, b)| b.allowed + b.denied > 0)
                    .map(|(k, b)| (p.first_bucket + k as u64, *b, top.get_untracked()))
                    .collect::<Vec<_>>()
            })
        })
    };
    let bar = move |(k, b, top): (u64, Bucket, u64)| {
        let x = k as f64 + 0.1;
        let allowed = f64::from(b.allowed);
        let denied = f64::from(b.denied);
        let top = top as f64;
        view! {
            <g>
                <rect class="rl-allowed" x=x y=top - allowed width="0.8" height=allowed/>
                <rect class="rl-denied" x=x y=top - allowed - denied width="0.8" height=denied/>
            </g>
        }
    };
    let ideal_y = move || {
        frame.with(|f| {
            let per_bar = f.run.limit.rate_per_s as f64 * BUCKET_MS as f64 / 1000.0;
            top.get() as f64 - per_bar
        })
    };
    view! {
        <svg class="rl-chart" viewBox=view_box preserveAspectRatio="none" role="img" aria-label=w.chart_label.as_str()>
            <For each=bars key=|(k, b, top)| (*k, b.allowed, b.denied, *top) children=bar/>
            <line class="rl-ideal" x1="0" y1=ideal_y x2="1000000" y2=ideal_y/>
        </svg>
    }
}

#[component]
fn AlgoPanel(ctx: Ctx, index: usize, kind: AlgorithmKind) -> impl IntoView {
    let w = &ctx.words.own.algos;
    let (title, note) = algo_words(ctx, kind);
    let frame = ctx.frame;
    // One copy of the panel per frame, and its views rerun only when it changed.
    let panel = Memo::new(move |_| frame.with(|f| f.panels.get(index).cloned()));
    let allowed = move || panel.with(|p| p.as_ref().map_or(0, |p| p.allowed));
    let denied = move || panel.with(|p| p.as_ref().map_or(0, |p| p.denied));
    let state = move || panel.with(|p| p.as_ref().map(|p| state_text(ctx, p)));
    let ideal = move || {
        panel.with(|p| {
            p.as_ref().map(|p| {
                fill(
                    &w.admitted,
                    &[
                        ("allowed", &grouped(p.allowed)),
                        ("requests", &grouped(p.allowed + p.denied)),
                        ("ideal", &grouped(p.ideal)),
                    ],
                )
            })
        })
    };
    let export = move |trace: bool| {
        let (name, text) = ctx.session.with_value(|s| {
            if trace {
                (format!("{}-trace.txt", kind.name()), s.trace(kind))
            } else {
                (format!("{}-decisions.txt", kind.name()), s.decisions(kind))
            }
        });
        if download(&name, &text).is_err() {
            ctx.notice
                .set(Some(ctx.words.kit.file_download_failed.clone()));
        }
    };
    let id = format!("rl-{}-title", kind.name());
    let labelled_by = id.clone();
    view! {
        <section class="lab-panel rl-algo" data-algo=kind.name() aria-labelledby=labelled_by>
            <h3 id=id class="panel-title">{title}</h3>
            <p class="panel-note">{note}</p>
            <dl class="rl-counts">
                <div><dt>{w.allowed.as_str()}</dt><dd data-status="allowed">{move || grouped(allowed())}</dd></div>
                <div><dt>{w.denied.as_str()}</dt><dd data-status="denied">{move || grouped(denied())}</dd></div>
            </dl>
            <p class="panel-note" data-testid="admitted">{ideal}</p>
            <Chart ctx=ctx index=index/>
            <div class="rl-state">
                <span class="rl-gauge" aria-hidden="true">
                    <span class="rl-gauge-bar" style=move || format!("transform:scaleX({:.3})", state().map_or(1.0, |s| s.0.clamp(0.0, 1.0)))></span>
                </span>
                <p class="rl-state-text" data-testid="state">{move || state().map(|s| s.1)}</p>
                {move || panel.with(|p| p.as_ref().and_then(|p| log_marks(ctx, p)))}
            </div>
            <div class="raft-actions">
                <button type="button" class="btn" on:click=move |_| export(true) data-testid="export-trace">{w.export_trace.as_str()}</button>
                <button type="button" class="btn" on:click=move |_| export(false) data-testid="export-decisions">{w.export_decisions.as_str()}</button>
            </div>
            <p class="panel-note"><code>{move || ctx.frame.with(|f| format!("limit-replay {}", f.run.replay_args(kind)))}</code></p>
        </section>
    }
}

#[component]
pub fn Panels(ctx: Ctx) -> impl IntoView {
    let w = &ctx.words.own.algos;
    let panels = AlgorithmKind::ALL
        .into_iter()
        .enumerate()
        .map(|(index, kind)| view! { <AlgoPanel ctx=ctx index=index kind=kind/> })
        .collect_view();
    view! {
        <section aria-labelledby="rl-algos-title">
            <h2 id="rl-algos-title" class="panel-title">{w.heading.as_str()}</h2>
            <p class="panel-note">{w.lede.as_str()}</p>
            <div class="rl-legend" aria-hidden="true">
                <span class="rl-key rl-allowed-key"></span>{w.allowed.as_str()}
                <span class="rl-key rl-denied-key"></span>{w.denied.as_str()}
                <span class="rl-key rl-ideal-key"></span>{w.ideal.as_str()}
            </div>
            <div class="rl-algos">{panels}</div>
        </section>
    }
}
