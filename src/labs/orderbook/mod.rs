//! The live order book lab: the `orderbook` engine running in the page as WebAssembly — the
//! ladder, depth chart, tape, event log, order form, step-through, seeded flow, import/export and
//! the in-browser benchmark. Compiled into the `lab` bin, which the site's `/lab/orderbook` page
//! (`pages::lab`, which also renders the prose) loads on demand, so the home page never pays for it.
//!
//! State lives in one [`core::Lab`] held outside the reactive graph; every change ends with
//! [`Ctx::refresh`], which takes one [`core::Snapshot`] for the views (at most once per animation
//! frame while flow runs).

pub mod bench;
pub mod bench_msg;
pub mod core;
pub mod depth;
pub mod flow;
pub mod form;
pub mod io;
pub mod ladder;
pub mod orders;
pub mod presets;
pub mod status;
pub mod step;
pub mod step_view;
pub mod tape;
pub mod url_state;

use self::core::{Lab, Snapshot};
use self::step::StepRun;
use crate::content::{schema::OrderbookLab, site};
use leptos::prelude::*;
use orderbook::{Command, Side};
use std::collections::VecDeque;

/// Queued step-mode commands (from presets and the form) beyond which more are refused.
pub const MAX_PENDING: usize = 100;

/// The lab's shared handles. All are `Copy`; the views take it by value.
#[derive(Clone, Copy)]
pub struct Ctx {
    pub lab: StoredValue<Lab>,
    pub snap: RwSignal<Snapshot>,
    /// The level whose L3 queue is shown.
    pub selected: RwSignal<Option<(Side, u64)>>,
    /// The order form's price text (a ladder click fills it).
    pub price_text: RwSignal<String>,
    pub playing: RwSignal<bool>,
    pub rate: RwSignal<u32>,
    /// Measured flow commands per second while playing.
    pub throughput: RwSignal<Option<f64>>,
    pub pending: RwSignal<VecDeque<Command>>,
    pub step: RwSignal<Option<StepRun>>,
    /// Why the address could not be replayed, if it could not.
    pub link_error: RwSignal<Option<String>>,
}

impl Ctx {
    /// Takes a fresh snapshot for the views. Safe to call after the page is gone (does nothing).
    pub fn refresh(&self) {
        let Some(sel) = self.selected.try_get_untracked() else {
            return;
        };
        if let Some(snap) = self.lab.try_with_value(|lab| lab.snapshot(sel)) {
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
        self.playing.set(false);
        self.step.set(None);
        self.pending.set(VecDeque::new());
        self.selected.set(None);
        self.lab.set_value(lab);
        self.refresh();
    }
}

/// The lab's content; the page is only routed when it exists.
pub fn content() -> Option<&'static OrderbookLab> {
    site().orderbook_lab.as_ref()
}

/// The value of `key` in a query string such as `?seed=7&rate=1000` (percent-decoded).
fn query_value(search: &str, key: &str) -> Option<String> {
    search
        .trim_start_matches('?')
        .split('&')
        .filter_map(|pair| pair.split_once('='))
        .find(|(k, _)| *k == key)
        .map(|(_, v)| {
            js_sys::decode_uri_component(v)
                .ok()
                .and_then(|v| v.as_string())
                .unwrap_or_else(|| v.to_string())
        })
}

/// The live part of the lab (status strip and panels), mounted by the lab bin into the page the
/// site renders; the seed, rate and session come from the address.
#[component]
pub fn LabLive() -> impl IntoView {
    let Some(words) = content() else {
        return ().into_any();
    };
    let search = web_sys::window()
        .and_then(|w| w.location().search().ok())
        .unwrap_or_default();
    let seed = query_value(&search, "seed")
        .and_then(|s| s.parse::<u64>().ok())
        .unwrap_or(url_state::DEFAULT_SEED);
    let rate = query_value(&search, "rate")
        .and_then(|r| url_state::parse_rate(&r))
        .unwrap_or(url_state::DEFAULT_RATE);
    let mut link_error = None;
    let lab = match query_value(&search, "s").map(|s| url_state::decode(&s)) {
        Some(Ok(steps)) => Lab::replay(seed, &steps),
        other => {
            if let Some(Err(e)) = other {
                link_error = Some(e);
            }
            let mut lab = Lab::new(seed);
            lab.run_flow(url_state::OPENING_FLOW);
            lab
        }
    };
    let ctx = Ctx {
        snap: RwSignal::new(lab.snapshot(None)),
        lab: StoredValue::new(lab),
        selected: RwSignal::new(None),
        price_text: RwSignal::new(String::new()),
        playing: RwSignal::new(false),
        rate: RwSignal::new(rate),
        throughput: RwSignal::new(None),
        pending: RwSignal::new(VecDeque::new()),
        step: RwSignal::new(None),
        link_error: RwSignal::new(link_error),
    };
    // A clicked level shows its queue: refresh when the selection changes.
    Effect::new(move |_| {
        ctx.selected.track();
        ctx.refresh();
    });
    view! {
        <status::StatusStrip ctx=ctx/>
        {move || ctx.link_error.get().map(|e| view! {
            <p class="lab-alert" role="alert">"This link could not be replayed (" {e} "); showing a fresh run instead."</p>
        })}
        <section class="lab-panel lab-book" aria-labelledby="lab-book-title">
            <h2 id="lab-book-title" class="panel-title">"Book"</h2>
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
        <step_view::Scenarios ctx=ctx words=words/>
        <flow::FlowPanel ctx=ctx words=words/>
        <io::ImportExport ctx=ctx words=words/>
        <bench::BenchPanel words=words/>
    }
    .into_any()
}
