//! Faults on the network, each a schedule event at the current tick: partitions drawn as two
//! groups, one directed link cut or restored, and the latency, drop, duplication and reorder
//! rates; and the cluster's configuration (nodes, seed, PreVote, CheckQuorum), which starts the
//! run again with the same schedule.

use super::live::Ctx;
use crate::labs::kit::format::fill;
use crate::labs::raft::session::{RunConfig, Session, MAX_NODES, MIN_NODES};
use leptos::prelude::*;
use raft::faults::{FaultAction, PERMILLE};

/// The largest latency the slider offers, in ticks (the engine allows more).
pub const MAX_LATENCY_SLIDER: u32 = 30;
/// The highest rate the sliders offer, per mille.
pub const MAX_RATE_SLIDER: u32 = 500;
/// Extra delay of a reordered message when the slider turns reordering on.
pub const REORDER_EXTRA_TICKS: u32 = 8;

const _: () = assert!(MAX_RATE_SLIDER <= PERMILLE);

#[component]
fn Slider(
    id: &'static str,
    label: &'static str,
    max: u32,
    min: u32,
    #[prop(into)] value: Signal<u32>,
    text: impl Fn(u32) -> String + Copy + Send + Sync + 'static,
    on_set: impl Fn(u32) + Copy + 'static,
) -> impl IntoView {
    view! {
        <div class="field raft-slider">
            <label for=id>{label}</label>
            <input id=id type="range" min=min.to_string() max=max.to_string() step="1"
                prop:value=move || value.get().to_string()
                aria-valuetext=move || text(value.get())
                on:change=move |ev| {
                    if let Ok(v) = event_target_value(&ev).parse::<u32>() {
                        if (min..=max).contains(&v) {
                            on_set(v);
                        }
                    }
                }/>
            <output for=id>{move || text(value.get())}</output>
        </div>
    }
}

#[component]
pub fn NetworkPanel(ctx: Ctx) -> impl IntoView {
    let w = &ctx.words.own.network;
    let frame = ctx.panels;
    let count = Memo::new(move |_| frame.with(|f| f.view.nodes.len()));
    // Group B membership as a bitmask; everyone starts in A.
    let group_b = RwSignal::new(0u16);
    let groups = move || {
        (0..count.get() as u8)
            .map(|id| {
                let in_b = move || group_b.get() & (1 << id) != 0;
                let name = fill(&ctx.words.own.inspector.node_heading, &[("id", &id.to_string())]);
                view! {
                    <button type="button" class="btn group-toggle" aria-pressed=move || in_b().to_string()
                        on:click=move |_| group_b.update(|g| *g ^= 1 << id)>
                        {name}": "{move || if in_b() { w.group_b.as_str() } else { w.group_a.as_str() }}
                    </button>
                }
            })
            .collect_view()
    };
    let partition = move |_| {
        let n = count.get_untracked() as u8;
        let b = group_b.get_untracked();
        let (gb, ga): (Vec<u8>, Vec<u8>) = (0..n).partition(|i| b & (1 << i) != 0);
        ctx.act(FaultAction::Partition {
            groups: vec![ga, gb],
        });
    };
    let link_from = RwSignal::new(0u8);
    let link_to = RwSignal::new(1u8);
    let node_options = move |sel: RwSignal<u8>| {
        move || {
            (0..count.get() as u8)
                .map(|i| view! { <option value=i.to_string() selected=move || sel.get() == i>{i}</option> })
                .collect_view()
        }
    };
    let pick = move |sel: RwSignal<u8>| {
        move |ev| {
            if let Ok(v) = event_target_value(&ev).parse::<u8>() {
                if (v as usize) < count.get_untracked() {
                    sel.set(v);
                }
            }
        }
    };
    let link_ok = move || link_from.get() != link_to.get();
    let latency = Signal::from(Memo::new(move |_| {
        frame.with(|f| f.view.latency.map_or(0, |l| l.max_ticks))
    }));
    let drop = Signal::from(Memo::new(move |_| frame.with(|f| f.view.drop_permille)));
    let dup = Signal::from(Memo::new(move |_| {
        frame.with(|f| f.view.duplicate_permille)
    }));
    let reorder = Signal::from(Memo::new(move |_| frame.with(|f| f.view.reorder_permille)));
    let ticks = move |v: u32| fill(&w.ticks_value, &[("value", &v.to_string())]);
    let permille = move |v: u32| fill(&w.permille_value, &[("value", &v.to_string())]);
    view! {
        <section class="lab-panel" aria-labelledby="raft-net-title">
            <h2 id="raft-net-title" class="panel-title">{w.heading.as_str()}</h2>
            <p class="panel-note">{w.lede.as_str()}</p>
            <fieldset class="raft-groups">
                <legend>{w.groups_label.as_str()}</legend>
                <div class="raft-actions">{groups}</div>
                <div class="raft-actions">
                    <button type="button" class="btn" on:click=partition data-testid="partition">{w.partition.as_str()}</button>
                    <button type="button" class="btn" on:click=move |_| ctx.act(FaultAction::Heal) data-testid="heal">{w.heal.as_str()}</button>
                </div>
            </fieldset>
            <div class="raft-actions raft-link">
                <div class="field inline">
                    <label for="raft-link-from">{w.link_from.as_str()}</label>
                    <select id="raft-link-from" on:change=pick(link_from)>{node_options(link_from)}</select>
                </div>
                <div class="field inline">
                    <label for="raft-link-to">{w.link_to.as_str()}</label>
                    <select id="raft-link-to" on:change=pick(link_to)>{node_options(link_to)}</select>
                </div>
                <button type="button" class="btn" disabled=move || !link_ok()
                    on:click=move |_| ctx.act(FaultAction::BlockLink { from: link_from.get_untracked(), to: link_to.get_untracked() })>{w.cut.as_str()}</button>
                <button type="button" class="btn" disabled=move || !link_ok()
                    on:click=move |_| ctx.act(FaultAction::UnblockLink { from: link_from.get_untracked(), to: link_to.get_untracked() })>{w.restore.as_str()}</button>
            </div>
            <Slider id="raft-latency" label=w.latency.as_str() min=1 max=MAX_LATENCY_SLIDER value=latency text=ticks
                on_set=move |v| ctx.act(FaultAction::SetLatency { min_ticks: 1, max_ticks: v })/>
            <Slider id="raft-drop" label=w.drop.as_str() min=0 max=MAX_RATE_SLIDER value=drop text=permille
                on_set=move |v| ctx.act(FaultAction::SetDrop { permille: v })/>
            <Slider id="raft-dup" label=w.duplicate.as_str() min=0 max=MAX_RATE_SLIDER value=dup text=permille
                on_set=move |v| ctx.act(FaultAction::SetDuplicate { permille: v })/>
            <Slider id="raft-reorder" label=w.reorder.as_str() min=0 max=MAX_RATE_SLIDER value=reorder text=permille
                on_set=move |v| ctx.act(FaultAction::SetReorder { permille: v, extra_ticks: REORDER_EXTRA_TICKS })/>
            <ConfigForm ctx=ctx/>
        </section>
    }
}

/// The run's configuration; applying it replays the same schedule to the current tick.
#[component]
fn ConfigForm(ctx: Ctx) -> impl IntoView {
    let w = &ctx.words.own.network;
    let run_memo = Memo::new(move |_| ctx.frame.with(|f| f.run));
    let current = move || run_memo.get_untracked();
    let nodes = RwSignal::new(current().nodes);
    let seed = RwSignal::new(current().seed.to_string());
    let pre_vote = RwSignal::new(current().pre_vote);
    let check_quorum = RwSignal::new(current().check_quorum);
    // Follow the run when a scenario, an import or a link replaces it.
    Effect::new(move |_| {
        let r = run_memo.get();
        nodes.set(r.nodes);
        seed.set(r.seed.to_string());
        pre_vote.set(r.pre_vote);
        check_quorum.set(r.check_quorum);
    });
    let error = RwSignal::new(None::<String>);
    let apply = move |_| {
        let Ok(seed) = seed.get_untracked().trim().parse::<u64>() else {
            error.set(Some(fill(
                &ctx.words.own.link.out_of_range,
                &[
                    ("key", &w.seed),
                    ("min", "0"),
                    ("max", &u64::MAX.to_string()),
                ],
            )));
            return;
        };
        let run = RunConfig {
            seed,
            nodes: nodes.get_untracked(),
            pre_vote: pre_vote.get_untracked(),
            check_quorum: check_quorum.get_untracked(),
            ..current()
        };
        let result = ctx
            .session
            .try_update_value(|s: &mut Session| s.reconfigure(run));
        match result {
            Some(Err(e)) => error.set(Some(e.to_string())),
            _ => {
                error.set(None);
                ctx.player.pause();
                ctx.selected.set(None);
                ctx.changed();
            }
        }
    };
    let options = (MIN_NODES..=MAX_NODES)
        .map(|n| view! { <option value=n.to_string() selected=move || nodes.get() == n>{n}</option> })
        .collect_view();
    view! {
        <fieldset class="raft-config">
            <legend>{w.config_heading.as_str()}</legend>
            <div class="raft-actions">
                <div class="field inline">
                    <label for="raft-nodes">{w.nodes.as_str()}</label>
                    <select id="raft-nodes" on:change=move |ev| {
                        if let Ok(n) = event_target_value(&ev).parse::<usize>() {
                            if (MIN_NODES..=MAX_NODES).contains(&n) {
                                nodes.set(n);
                            }
                        }
                    }>{options}</select>
                </div>
                <div class="field inline">
                    <label for="raft-seed">{w.seed.as_str()}</label>
                    <input id="raft-seed" type="text" inputmode="numeric" size="8" prop:value=move || seed.get()
                        on:input=move |ev| seed.set(event_target_value(&ev))/>
                </div>
                <label class="check"><input type="checkbox" prop:checked=move || pre_vote.get()
                    on:change=move |ev| pre_vote.set(event_target_checked(&ev))/>{w.pre_vote.as_str()}</label>
                <label class="check"><input type="checkbox" prop:checked=move || check_quorum.get()
                    on:change=move |ev| check_quorum.set(event_target_checked(&ev))/>{w.check_quorum.as_str()}</label>
                <button type="button" class="btn" on:click=apply>{w.apply.as_str()}</button>
            </div>
            <p class="panel-note">{w.config_note.as_str()}</p>
            {move || error.get().map(|e| view! { <p class="lab-alert" role="alert">{e}</p> })}
        </fieldset>
    }
}
