//! The scenarios panel: preset scenarios (from content) and the step-through that applies a
//! queued command one engine event at a time, explaining each event.

use super::core::Lab;
use super::presets::parse_commands;
use super::step::{explain, StepRun};
use super::Ctx;
use crate::content::schema::LabPreset;
use crate::labs::kit::format::fill;
use leptos::prelude::*;
use orderbook::protocol::{write_command, write_event};

fn load_preset(ctx: Ctx, preset: &LabPreset) -> Result<(), String> {
    let setup = parse_commands(&preset.setup)?;
    let steps = parse_commands(&preset.steps)?;
    let seed = ctx.lab.with_value(|lab| lab.seed());
    let mut lab = Lab::new(seed);
    for cmd in setup {
        lab.apply(cmd);
    }
    ctx.reset(lab);
    ctx.pending.set(steps.into_iter().collect());
    Ok(())
}

/// Reveals the next event of the command being stepped, starting the next queued command when
/// the current one is done. The book changes when a command's last event is revealed.
fn step_once(ctx: Ctx) {
    ctx.player.pause();
    let needs_new = ctx
        .step
        .with_untracked(|run| run.as_ref().is_none_or(|r| r.committed));
    if needs_new {
        let Some(cmd) = ctx.pending.try_update(|p| p.pop_front()).flatten() else {
            return;
        };
        let run = ctx.lab.with_value(|lab| StepRun::new(lab.book(), cmd));
        ctx.step.set(Some(run));
    }
    let mut commit = None;
    ctx.step.update(|run| {
        if let Some(run) = run {
            run.shown = (run.shown + 1).min(run.events.len());
            if run.done() {
                run.committed = true;
                commit = Some(run.cmd);
            }
        }
    });
    // Open the queue of the level being matched.
    let maker = ctx.step.with_untracked(|run| {
        run.as_ref().and_then(|r| {
            let (id, price) = r.current_maker()?;
            Some((r.before.order(id)?.side, price))
        })
    });
    if let Some(level) = maker {
        ctx.selected.set(Some(level));
    }
    if let Some(cmd) = commit {
        // One command at a time: the full invariant check is affordable.
        ctx.apply_checked(cmd);
    }
}

fn run_all(ctx: Ctx) {
    ctx.player.pause();
    let rest = ctx
        .step
        .with_untracked(|run| run.as_ref().filter(|r| !r.committed).map(|r| r.cmd));
    ctx.step.set(None);
    if let Some(cmd) = rest {
        ctx.lab.update_value(|lab| lab.apply(cmd));
    }
    let pending = ctx.pending.try_update(std::mem::take).unwrap_or_default();
    ctx.lab
        .update_value(|lab| pending.into_iter().for_each(|cmd| lab.apply(cmd)));
    ctx.refresh();
}

#[component]
pub fn Scenarios(ctx: Ctx) -> impl IntoView {
    let w = &ctx.words.own.step;
    let error = RwSignal::new(None::<String>);
    let presets = ctx
        .words
        .live
        .presets
        .iter()
        .map(|preset| {
            let load = move |_| error.set(load_preset(ctx, preset).err());
            view! {
                <li>
                    <button type="button" class="preset" on:click=load data-preset=preset.slug.as_str()>
                        <span class="preset-title">{preset.title.as_str()}</span>
                        <span class="preset-summary">{preset.summary.as_str()}</span>
                    </button>
                </li>
            }
        })
        .collect_view();

    let pending_lines = move || {
        ctx.pending.with(|p| {
            p.iter()
                .map(|cmd| {
                    let mut t = String::new();
                    let _ = write_command(&mut t, cmd);
                    view! { <li><code>{t}</code></li> }
                })
                .collect_view()
        })
    };
    let current = move || {
        ctx.step.with(|run| {
            run.as_ref().map(|r| {
                let mut head = String::new();
                let _ = write_command(&mut head, &r.cmd);
                let items = r.events[..r.shown]
                    .iter()
                    .map(|e| {
                        let mut t = String::new();
                        let _ = write_event(&mut t, e);
                        view! {
                            <li>
                                <code>{t}</code>
                                <p>{explain(&ctx.words.own.explain, &r.before, &r.cmd, e)}</p>
                            </li>
                        }
                    })
                    .collect_view();
                let state = if r.committed {
                    &w.applied
                } else {
                    &w.not_applied
                };
                let progress = fill(
                    &w.progress,
                    &[
                        ("shown", &r.shown.to_string()),
                        ("total", &r.events.len().to_string()),
                        ("state", state),
                    ],
                );
                view! {
                    <div class="step-current">
                        <p><code>{head}</code>{progress}</p>
                        <ol class="step-events" data-testid="step-events">{items}</ol>
                    </div>
                }
            })
        })
    };
    let nothing = move || {
        ctx.pending.with(|p| p.is_empty())
            && ctx.step.with(|r| r.as_ref().is_none_or(|r| r.committed))
    };
    view! {
        <section class="lab-panel" aria-labelledby="lab-step-title">
            <h2 id="lab-step-title" class="panel-title">{w.heading.as_str()}</h2>
            <p class="panel-note">{w.note.as_str()}</p>
            <ul class="presets">{presets}</ul>
            {move || error.get().map(|e| view! { <p class="lab-alert" role="alert">{e}</p> })}
            <div class="btn-row">
                <button type="button" class="btn btn-primary" on:click=move |_| step_once(ctx) disabled=nothing>{w.step.as_str()}</button>
                <button type="button" class="btn" on:click=move |_| run_all(ctx) disabled=nothing>{w.run_rest.as_str()}</button>
            </div>
            <div aria-live="polite">{current}</div>
            <h3 class="sub-title">{w.queued_heading.as_str()}</h3>
            {move || ctx.pending.with(|p| p.is_empty()).then(|| view! { <p class="muted">{w.nothing_queued.as_str()}</p> })}
            <ol class="pending">{pending_lines}</ol>
        </section>
    }
}
