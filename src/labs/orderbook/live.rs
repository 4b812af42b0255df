//! The lab's shared handles and its live part, mounted by the lab's module.

use super::core::{Lab, Snapshot};
use super::step::StepRun;
use super::{bench, depth, flow, form, io, ladder, orders, status, step_view, tape, url_state};
use crate::content::schema::{LabBundle, OrderbookWords};
use crate::labs::kit::{self, layout::StatusBar, player::Player};
use leptos::prelude::*;
use orderbook::{Command, Side};
use std::collections::VecDeque;

/// Queued step-mode commands (from presets and the form) beyond which more are refused.
pub const MAX_PENDING: usize = 100;

/// This lab's content, embedded in its own module only.
pub fn bundle() -> &'static LabBundle<OrderbookWords> {
    crate::lab_bundle!("orderbook", OrderbookWords)
}

/// The lab's words: its live part, the kit's words and its own.
pub type Words = crate::labs::kit::words::Words<OrderbookWords>;

/// The lab's shared handles. All are `Copy`; the views take it by value.
#[derive(Clone, Copy)]
pub struct Ctx {
    pub lab: StoredValue<Lab>,
    pub snap: RwSignal<Snapshot>,
    /// The level whose L3 queue is shown.
    pub selected: RwSignal<Option<(Side, u64)>>,
    /// The order form's price text (a ladder click fills it).
    pub price_text: RwSignal<String>,
    /// Synthetic flow: its speed is flow commands per second.
    pub player: Player,
    pub pending: RwSignal<VecDeque<Command>>,
    pub step: RwSignal<Option<StepRun>>,
    pub words: Words,
}

impl Ctx {
    /// Takes a fresh snapshot for the views. Safe to call after the page is gone (does nothing).
    pub fn refresh(&self) {
        let Some(sel) = self.selected.try_get_untracked() else {
            return;
        };
        if let Some(snap) = self.lab.try_update_value(|lab| lab.snapshot(sel)) {
            self.snap.set(snap);
        }
    }

    /// Applies one command with the full invariant check (step mode) and refreshes the views.
    pub fn apply_checked(&self, cmd: Command) {
        let Some(sel) = self.selected.try_get_untracked() else {
            return;
        };
        if let Some(snap) = self.lab.try_update_value(|lab| {
            lab.apply(cmd);
            lab.snapshot_full(sel)
        }) {
            self.snap.set(snap);
        }
    }

    /// Applies one command now and refreshes the views.
    pub fn apply(&self, cmd: Command) {
        self.lab.update_value(|lab| lab.apply(cmd));
        self.refresh();
    }

    /// Replaces the session (presets, import, a new seed), stopping flow and step mode.
    pub fn reset(&self, lab: Lab) {
        self.player.pause();
        self.step.set(None);
        self.pending.set(VecDeque::new());
        self.selected.set(None);
        self.lab.set_value(lab);
        self.refresh();
    }
}

/// The session the address describes, or a fresh one and why the address could not be used.
fn from_address(words: Words) -> (Lab, u32, Option<String>) {
    let query = match kit::url::current_query(url_state::MAX_QUERY_CHARS, words.kit) {
        Ok(q) => q,
        Err(e) => {
            return (
                url_state::fresh(url_state::DEFAULT_SEED),
                url_state::DEFAULT_RATE,
                Some(e),
            )
        }
    };
    let (seed, rate, steps) = url_state::parse_query(&query);
    match steps {
        Some(Ok(steps)) => (Lab::replay(seed, &steps), rate, None),
        Some(Err(e)) => (url_state::fresh(seed), rate, Some(e)),
        None => (url_state::fresh(seed), rate, None),
    }
}

/// Mounts the live part into the page's live column (the lab module's `mount_lab`). Not generic,
/// so the lab's views are compiled in this crate once, not again in the bin.
pub fn mount(el: web_sys::HtmlElement) {
    kit::module::mount(el, LabLive);
}

/// The live part of the lab (status bar and panels), mounted by the lab's module into the page
/// the site renders; the seed, speed and session come from the address.
#[component]
pub fn LabLive() -> impl IntoView {
    let words = Words::of(bundle());
    let (mut lab, rate, link_error) = from_address(words);
    let ctx = Ctx {
        snap: RwSignal::new(lab.snapshot(None)),
        lab: StoredValue::new(lab),
        selected: RwSignal::new(None),
        price_text: RwSignal::new(String::new()),
        player: Player::new(rate),
        pending: RwSignal::new(VecDeque::new()),
        step: RwSignal::new(None),
        words,
    };
    // A clicked level shows its queue: refresh when the selection changes.
    Effect::new(move |_| {
        ctx.selected.track();
        ctx.refresh();
    });
    let link_error = link_error.map(|e| {
        let text = kit::format::fill(&words.kit.link_error, &[("error", &e)]);
        view! { <p class="lab-alert" role="alert">{text}</p> }
    });
    view! {
        <StatusBar kit=words.kit controls=status::controls(ctx)>
            <status::StatusItems ctx=ctx/>
        </StatusBar>
        {link_error}
        <section class="lab-panel lab-book" aria-labelledby="lab-book-title">
            <h2 id="lab-book-title" class="panel-title">{words.own.book.heading.as_str()}</h2>
            <div class="lab-book-grid">
                <ladder::Ladder ctx=ctx/>
                <div class="lab-book-side">
                    <depth::DepthChart ctx=ctx/>
                    <orders::QueueView ctx=ctx/>
                </div>
            </div>
        </section>
        <div class="lab-pair">
            <form::OrderForm ctx=ctx/>
            <orders::MyOrders ctx=ctx/>
        </div>
        <div class="lab-pair">
            <tape::Tape ctx=ctx/>
            <tape::EventLog ctx=ctx/>
        </div>
        <step_view::Scenarios ctx=ctx/>
        <flow::FlowPanel ctx=ctx/>
        <io::ImportExport ctx=ctx/>
        {words.live.bench.as_ref().map(|bench| view! { <bench::BenchPanel words=words bench=bench/> })}
    }
}
