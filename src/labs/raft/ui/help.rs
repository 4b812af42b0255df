//! Keyboard: space plays or pauses, → steps one tick, + / − change speed, ? opens the list of
//! shortcuts, Esc closes it and clears the selection. Keys typed into a field are the field's.

use super::live::{Ctx, SPEEDS};
use leptos::{ev, prelude::*};
use wasm_bindgen::JsCast;

fn typing(e: &web_sys::KeyboardEvent) -> bool {
    e.target()
        .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
        .is_some_and(|el| matches!(el.tag_name().as_str(), "INPUT" | "SELECT" | "TEXTAREA"))
}

fn change_speed(ctx: Ctx, up: bool) {
    let now = ctx.player.speed.get_untracked();
    let i = SPEEDS.iter().position(|&s| s == now).unwrap_or(0);
    let next = if up {
        (i + 1).min(SPEEDS.len() - 1)
    } else {
        i.saturating_sub(1)
    };
    ctx.player.speed.set(SPEEDS[next]);
}

/// Installs the shortcuts for as long as the lab is mounted.
pub fn keyboard(ctx: Ctx) {
    let handle = window_event_listener(ev::keydown, move |e| {
        if e.ctrl_key() || e.meta_key() || e.alt_key() {
            return;
        }
        let key = e.key();
        if key == "Escape" {
            ctx.help_open.set(false);
            ctx.selected.set(None);
            ctx.message.set(None);
            return;
        }
        if typing(&e) {
            return;
        }
        match key.as_str() {
            " " => {
                // A focused button would also take the space as a click.
                e.prevent_default();
                if ctx.player.is_playing() {
                    ctx.player.pause();
                } else {
                    ctx.play();
                }
            }
            "ArrowRight" => {
                e.prevent_default();
                ctx.step_once();
            }
            "+" | "=" => change_speed(ctx, true),
            "-" | "_" => change_speed(ctx, false),
            "?" => ctx.help_open.update(|o| *o = !*o),
            _ => {}
        }
    });
    on_cleanup(move || handle.remove());
}

#[component]
pub fn HelpPanel(ctx: Ctx) -> impl IntoView {
    let w = &ctx.words.own.help;
    let rows = [
        (&w.key_space, &w.play_pause),
        (&w.key_step, &w.step),
        (&w.key_faster, &w.faster),
        (&w.key_slower, &w.slower),
        (&w.key_help, &w.help),
        (&w.key_escape, &w.escape),
    ]
    .into_iter()
    .map(|(k, what)| view! { <div><dt><kbd>{k.as_str()}</kbd></dt><dd>{what.as_str()}</dd></div> })
    .collect_view();
    view! {
        <div class="raft-help" role="dialog" aria-labelledby="raft-help-title" hidden=move || !ctx.help_open.get()>
            <h2 id="raft-help-title" class="panel-title">{w.heading.as_str()}</h2>
            <dl>{rows}</dl>
            <button type="button" class="btn" on:click=move |_| ctx.help_open.set(false)>{w.close.as_str()}</button>
        </div>
    }
}
