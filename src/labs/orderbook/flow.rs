//! Seeded synthetic flow from `orderbook::FlowGen`, played by the kit's player: each animation
//! frame applies the commands due at the chosen rate (at most `MAX_BATCH`) and redraws at most
//! every `RENDER_MS`. Also the flow panel: what the flow is, and the seed control.

use super::core::MAX_BATCH;
use super::url_state;
use super::Ctx;
use crate::labs::kit::{
    format::fill,
    player::{Frame, Pacer},
};
use leptos::prelude::*;

/// While flow runs the views are redrawn at most this often (the engine still runs every frame),
/// which keeps each frame's work far below the 50 ms long-task mark on a busy machine.
const RENDER_MS: f64 = 100.0;

/// Starts the flow (the player refuses a second loop).
pub fn play(ctx: Ctx) {
    ctx.step.set(None);
    let mut pacer = Pacer::new(MAX_BATCH);
    let mut last_render = 0.0;
    let tick = move |frame: Frame| {
        let Some(rate) = ctx.player.speed.try_get_untracked() else {
            return 0;
        };
        let n = pacer.due(rate, frame.dt_ms);
        ctx.lab.update_value(|lab| lab.run_flow(n));
        if frame.now_ms - last_render >= RENDER_MS {
            last_render = frame.now_ms;
            ctx.refresh();
        }
        n
    };
    // Paused: show the book as the last commands left it.
    ctx.player.play(tick, move || ctx.refresh());
}

#[component]
pub fn FlowPanel(ctx: Ctx) -> impl IntoView {
    let w = &ctx.words.own.flow;
    let seed_text = RwSignal::new(ctx.lab.with_value(|lab| lab.seed()).to_string());
    let seed_err = Signal::derive(move || {
        let t = seed_text.get();
        match t.trim().parse::<u64>() {
            Ok(_) => None,
            Err(_) if t.trim().is_empty() => Some(w.seed_empty.clone()),
            Err(_) => Some(fill(&w.seed_invalid, &[("max", &u64::MAX.to_string())])),
        }
    });
    let restart = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let Ok(seed) = seed_text.get_untracked().trim().parse::<u64>() else {
            return;
        };
        ctx.reset(url_state::fresh(seed));
    };
    view! {
        <section class="lab-panel" aria-labelledby="lab-flow-title">
            <h2 id="lab-flow-title" class="panel-title">{w.heading.as_str()}</h2>
            <p class="panel-note">{w.note.as_str()}</p>
            <form class="seed-form" on:submit=restart novalidate>
                <div class="field inline" class:invalid=move || seed_err.get().is_some()>
                    <label for="lab-seed">{w.seed_label.as_str()}</label>
                    <input id="lab-seed" type="text" inputmode="numeric" autocomplete="off"
                        prop:value=move || seed_text.get()
                        on:input=move |ev| seed_text.set(event_target_value(&ev))
                        aria-invalid=move || seed_err.get().is_some().to_string()
                        aria-describedby="lab-seed-error"/>
                </div>
                <button type="submit" class="btn">{w.seed_restart.as_str()}</button>
                <p class="field-error" id="lab-seed-error">{move || seed_err.get()}</p>
            </form>
        </section>
    }
}
