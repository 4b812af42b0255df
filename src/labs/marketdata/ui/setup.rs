//! The run's setup: the presets (each an address), the seed, the fault sliders (each change is
//! an action at the current tick) and the two actions, pulling the cable and corrupting the
//! next message.

use super::live::Ctx;
use crate::labs::kit;
use crate::labs::marketdata::session::{Act, Knob, RunConfig};
use crate::labs::marketdata::url_state;
use leptos::prelude::*;

#[component]
fn Presets(ctx: Ctx) -> impl IntoView {
    let w = ctx.words;
    let items = w
        .own
        .presets
        .iter()
        .map(|p| {
            let open = move |_| {
                let a = url_state::parse(&p.query, &w.own.link, kit::url::decode);
                ctx.replace(a.run, a.actions, a.until);
            };
            view! {
                <li>
                    <button type="button" class="preset" on:click=open data-preset=p.slug.as_str()>
                        <span class="preset-title">{p.title.as_str()}</span>
                        <span class="preset-summary">{p.summary.as_str()}</span>
                    </button>
                </li>
            }
        })
        .collect_view();
    view! {
        <h3 class="sub-title">{w.own.setup.presets.as_str()}</h3>
        <ul class="presets">{items}</ul>
    }
}

#[component]
fn Slider(ctx: Ctx, knob: Knob) -> impl IntoView {
    let w = ctx.words;
    let (min, max) = knob.bounds();
    let id = format!("md-{}", knob.key());
    let value = move || ctx.view.with(|v| v.faults.get(knob));
    let change = move |ev| {
        let Ok(v) = event_target_value(&ev).parse::<u32>() else {
            return;
        };
        if !(min..=max).contains(&v) {
            return;
        }
        let faults = ctx.view.with_untracked(|view| view.faults.with(knob, v));
        ctx.act(Act::Faults(faults));
    };
    view! {
        <div class="field raft-slider">
            <label for=id.clone()>{w.knob(knob)}</label>
            <input id=id.clone() type="range" min=min.to_string() max=max.to_string() step="1"
                prop:value=move || value().to_string()
                aria-valuetext=move || w.knob_value(knob, value())
                on:change=change/>
            <output for=id>{move || w.knob_value(knob, value())}</output>
        </div>
    }
}

#[component]
fn SeedForm(ctx: Ctx) -> impl IntoView {
    let w = &ctx.words.own.setup;
    let seed = RwSignal::new(ctx.view.with_untracked(|v| v.seed).to_string());
    // A preset sets the seed too; only a new seed replaces what the visitor is typing.
    let current = Memo::new(move |_| ctx.view.with(|v| v.seed));
    Effect::new(move |_| seed.set(current.get().to_string()));
    let error = RwSignal::new(None::<String>);
    let apply = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        match seed.get_untracked().trim().parse::<u64>() {
            Ok(s) => {
                error.set(None);
                let faults = ctx.view.with_untracked(|v| v.faults);
                ctx.replace(RunConfig { seed: s, faults }, Vec::new(), 0);
            }
            Err(_) => error.set(Some(w.not_a_number.clone())),
        }
    };
    view! {
        <form class="seed-form" on:submit=apply>
            <div class="field inline">
                <label for="md-seed">{w.seed.as_str()}</label>
                <input id="md-seed" type="text" inputmode="numeric" size="12" prop:value=move || seed.get()
                    aria-describedby="md-seed-error" on:input=move |ev| seed.set(event_target_value(&ev))/>
            </div>
            <button type="submit" class="btn">{w.seed_apply.as_str()}</button>
            <p class="field-error" id="md-seed-error" role="alert">{move || error.get()}</p>
        </form>
    }
}

#[component]
pub fn Setup(ctx: Ctx) -> impl IntoView {
    let w = &ctx.words.own.setup;
    let sliders = Knob::ALL
        .into_iter()
        .map(|k| view! { <Slider ctx=ctx knob=k/> })
        .collect_view();
    let pending = move || {
        ctx.view
            .with(|v| v.corrupt_pending)
            .then(|| view! { <p class="panel-note" role="status" data-testid="corrupt-pending">{w.corrupt_pending.as_str()}</p> })
    };
    view! {
        <section class="lab-panel" aria-labelledby="md-setup-title">
            <h2 id="md-setup-title" class="panel-title">{w.heading.as_str()}</h2>
            <p class="panel-note">{w.lede.as_str()}</p>
            <Presets ctx=ctx/>
            <div class="md-actions btn-row">
                <button type="button" class="btn" data-testid="pull-cable"
                    disabled=move || !ctx.view.with(|v| v.link_up)
                    on:click=move |_| ctx.act(Act::Cable)>{w.pull_cable.as_str()}</button>
                <button type="button" class="btn" data-testid="corrupt-next"
                    on:click=move |_| ctx.act(Act::Corrupt)>{w.corrupt_next.as_str()}</button>
            </div>
            <p class="panel-note">{w.pull_cable_note.as_str()}</p>
            {pending}
            <div class="md-sliders">{sliders}</div>
            <SeedForm ctx=ctx/>
        </section>
    }
}
