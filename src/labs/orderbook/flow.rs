//! Seeded synthetic flow from `orderbook::FlowGen`, driven by `requestAnimationFrame`: each frame
//! applies the commands due at the chosen rate (at most `MAX_BATCH`) and takes one snapshot. Also
//! the seed control and the share button, which writes the run into the address.

use super::core::{Lab, MAX_BATCH};
use super::status::grouped;
use super::url_state::{self, RATES};
use super::Ctx;
use crate::content::schema::OrderbookLab;
use leptos::prelude::*;
use wasm_bindgen::{closure::Closure, JsCast, JsValue};

/// Throughput is re-measured over windows of this many milliseconds.
const WINDOW_MS: f64 = 500.0;
/// While flow runs the views are redrawn at most this often (the engine still runs every frame),
/// which keeps each frame's work far below the 50 ms long-task mark on a busy machine.
const RENDER_MS: f64 = 100.0;

fn now() -> f64 {
    web_sys::window()
        .and_then(|w| w.performance())
        .map_or(0.0, |p| p.now())
}

/// Flow-loop bookkeeping carried from frame to frame.
#[derive(Clone, Copy)]
struct Tick {
    last: f64,
    carry: f64,
    window_start: f64,
    window_ops: u64,
    last_render: f64,
}

fn schedule(ctx: Ctx, tick: Tick) {
    request_animation_frame(move || frame(ctx, tick));
}

fn frame(ctx: Ctx, mut tick: Tick) {
    // The page may be gone (signals disposed) or paused: stop quietly.
    if ctx.playing.try_get_untracked() != Some(true) {
        // Paused: show the book as the last commands left it.
        ctx.refresh();
        return;
    }
    let Some(rate) = ctx.rate.try_get_untracked() else {
        return;
    };
    let t = now();
    let dt = (t - tick.last).clamp(0.0, 100.0);
    tick.last = t;
    tick.carry += f64::from(rate) * dt / 1000.0;
    let n = (tick.carry.floor() as u64).min(MAX_BATCH);
    tick.carry = if n == MAX_BATCH {
        0.0
    } else {
        tick.carry - n as f64
    };
    ctx.lab.update_value(|lab| lab.run_flow(n));
    if t - tick.last_render >= RENDER_MS {
        tick.last_render = t;
        ctx.refresh();
    }
    tick.window_ops += n;
    if t - tick.window_start >= WINDOW_MS {
        let per_sec = tick.window_ops as f64 * 1000.0 / (t - tick.window_start);
        ctx.throughput.set(Some(per_sec));
        tick.window_start = t;
        tick.window_ops = 0;
    }
    schedule(ctx, tick);
}

/// Starts the flow loop (if not already playing).
pub fn play(ctx: Ctx) {
    if ctx.playing.get_untracked() {
        return;
    }
    ctx.step.set(None);
    ctx.throughput.set(None);
    ctx.playing.set(true);
    let t = now();
    schedule(
        ctx,
        Tick {
            last: t,
            carry: 0.0,
            window_start: t,
            window_ops: 0,
            last_render: t,
        },
    );
}

/// The address of this run: the current path with the seed, rate and session.
pub fn share_url(ctx: Ctx) -> Result<String, String> {
    let (seed, session) = ctx
        .lab
        .with_value(|lab| (lab.seed(), url_state::encode(lab.session())));
    let Some(session) = session else {
        return Err(format!(
            "This session has more than {} commands of its own, too many for a link: export it instead.",
            url_state::MAX_LINK_COMMANDS
        ));
    };
    let query = url_state::query(seed, ctx.rate.get_untracked(), Some(&session));
    let location = web_sys::window().map(|w| w.location()).ok_or("no window")?;
    let origin = location.origin().map_err(|_| "no origin")?;
    let path = location.pathname().map_err(|_| "no path")?;
    Ok(format!("{origin}{path}?{query}"))
}

/// Writes `url` into the address bar (without a navigation) and to the clipboard if allowed.
fn publish(url: &str) {
    let Some(window) = web_sys::window() else {
        return;
    };
    if let Ok(history) = window.history() {
        let _ = history.replace_state_with_url(&JsValue::NULL, "", Some(url));
    }
    let clipboard = js_sys::Reflect::get(&window.navigator(), &"clipboard".into()).ok();
    let write = clipboard.as_ref().and_then(|c| {
        js_sys::Reflect::get(c, &"writeText".into())
            .ok()?
            .dyn_into::<js_sys::Function>()
            .ok()
    });
    if let (Some(c), Some(write)) = (clipboard, write) {
        if let Ok(promise) = write.call1(&c, &url.into()) {
            if let Ok(promise) = promise.dyn_into::<js_sys::Promise>() {
                // A refused clipboard is fine: the link is shown on the page too.
                let ignore = Closure::<dyn FnMut(JsValue)>::new(|_| {});
                let _ = promise.catch(&ignore);
                ignore.forget();
            }
        }
    }
}

#[component]
pub fn FlowPanel(ctx: Ctx, words: &'static OrderbookLab) -> impl IntoView {
    let seed_text = RwSignal::new(ctx.lab.with_value(|lab| lab.seed()).to_string());
    let seed_err = Signal::derive(move || {
        let t = seed_text.get();
        match t.trim().parse::<u64>() {
            Ok(_) => None,
            Err(_) if t.trim().is_empty() => Some("Enter a seed.".to_string()),
            Err(_) => Some(format!(
                "The seed must be a whole number from 0 to {}.",
                u64::MAX
            )),
        }
    });
    let link = RwSignal::new(String::new());
    let link_msg = RwSignal::new(None::<String>);

    let toggle = move |_| {
        if ctx.playing.get_untracked() {
            ctx.playing.set(false);
        } else {
            play(ctx);
        }
    };
    let restart = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let Ok(seed) = seed_text.get_untracked().trim().parse::<u64>() else {
            return;
        };
        let mut lab = Lab::new(seed);
        lab.run_flow(url_state::OPENING_FLOW);
        ctx.reset(lab);
    };
    let share = move |_| {
        ctx.playing.set(false);
        match share_url(ctx) {
            Ok(url) => {
                publish(&url);
                link.set(url);
                link_msg.set(Some(
                    "Link copied (if the browser allowed it) — it replays this exact run.".into(),
                ));
            }
            Err(e) => link_msg.set(Some(e)),
        }
    };
    let rates = RATES
        .iter()
        .map(|&r| view! { <option value=r.to_string() selected=move || ctx.rate.get() == r>{format!("{} / s", grouped(r))}</option> })
        .collect_view();

    view! {
        <section class="lab-panel" aria-labelledby="lab-flow-title">
            <h2 id="lab-flow-title" class="panel-title">"Synthetic flow"</h2>
            <p class="panel-note">{words.flow_note.as_str()}</p>
            <div class="flow-controls">
                <button type="button" class="btn btn-primary" on:click=toggle aria-pressed=move || ctx.playing.get().to_string() data-testid="play">
                    {move || if ctx.playing.get() { "Pause" } else { "Play" }}
                </button>
                <div class="field inline">
                    <label for="lab-rate">"Speed"</label>
                    <select id="lab-rate" on:change=move |ev| {
                        if let Some(r) = url_state::parse_rate(&event_target_value(&ev)) {
                            ctx.rate.set(r);
                        }
                    }>{rates}</select>
                </div>
                <button type="button" class="btn" on:click=move |_| { ctx.playing.set(false); ctx.lab.update_value(|lab| lab.run_flow(1)); ctx.refresh(); }>"One command"</button>
            </div>
            <form class="seed-form" on:submit=restart novalidate>
                <div class="field inline" class:invalid=move || seed_err.get().is_some()>
                    <label for="lab-seed">"Seed"</label>
                    <input id="lab-seed" type="text" inputmode="numeric" autocomplete="off"
                        prop:value=move || seed_text.get()
                        on:input=move |ev| seed_text.set(event_target_value(&ev))
                        aria-invalid=move || seed_err.get().is_some().to_string()
                        aria-describedby="lab-seed-error"/>
                </div>
                <button type="submit" class="btn">"Restart with this seed"</button>
                <p class="field-error" id="lab-seed-error">{move || seed_err.get()}</p>
            </form>
            <div class="share">
                <button type="button" class="btn" on:click=share data-testid="share">"Share this run"</button>
                <label class="sr-only" for="lab-link">"Link to this run"</label>
                <input id="lab-link" class="share-link" type="text" readonly prop:value=move || link.get()
                    placeholder="The link appears here" data-testid="share-link"/>
                <p class="panel-note" role="status">{move || link_msg.get()}</p>
            </div>
        </section>
    }
}
