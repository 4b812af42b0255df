//! The lab's status bar: seed, logical time, events, live orders, whether the book's invariants
//! hold and the measured flow throughput,
//! with the player (flow play / pause, one command, speed) and the share button beside them.
//!
//! The invariants item shows the first violation any check of the session found. Every snapshot
//! runs `Book::check_invariants_sampled` within `core::INVARIANT_CHECK_BUDGET`: a book up to that
//! size (the flow's ~160 orders) is checked in full each time; a larger one (an import) gets the
//! O(1) summary plus a budget's worth of levels and orders, resuming where the last refresh
//! stopped, so "holding" there means no violation in the summary and in the rotating sweep
//! (`Snapshot::invariants_checked` says what each snapshot covered). Step mode checks in full.

use super::url_state::{self, RATES};
use super::{flow, Ctx};
use crate::labs::kit::{
    format::{fill, grouped},
    layout::{throughput, InvariantsItem, PlayerControls, StatusItem},
    url::ShareButton,
};
use leptos::prelude::*;

#[component]
pub fn StatusItems(ctx: Ctx) -> impl IntoView {
    let w = &ctx.words.own.status;
    let kit = ctx.words.kit;
    let time = Signal::derive(move || grouped(ctx.snap.with(|s| s.commands)));
    let events = Signal::derive(move || grouped(ctx.snap.with(|s| s.events)));
    let live = Signal::derive(move || grouped(ctx.snap.with(|s| s.live)));
    let seed = Signal::derive(move || {
        ctx.snap.track();
        ctx.lab.with_value(|lab| lab.seed()).to_string()
    });
    let invariants = Signal::derive(move || ctx.snap.with(|s| s.invariants.clone()));
    let rate = throughput(ctx.player, kit, move |r| fill(&w.rate, &[("rate", &r)]));
    view! {
        <StatusItem label=w.seed.as_str() id="seed" value=seed/>
        <StatusItem label=w.time.as_str() id="time" value=time/>
        <StatusItem label=w.events.as_str() id="events" value=events/>
        <StatusItem label=w.live.as_str() id="live" value=live/>
        <InvariantsItem label=kit.invariants.as_str() holding=kit.invariants_hold.as_str() result=invariants/>
        <StatusItem label=w.throughput.as_str() id="throughput" value=rate/>
    }
}

/// The player and the share button.
pub fn controls(ctx: Ctx) -> AnyView {
    let words = ctx.words;
    let speeds = RATES
        .iter()
        .map(|&r| {
            let label = fill(&words.own.flow.rate_option, &[("rate", &grouped(r))]);
            (r, label)
        })
        .collect();
    let step = move || {
        ctx.lab.update_value(|lab| lab.run_flow(1));
        ctx.refresh();
    };
    let query = move || {
        ctx.player.pause();
        let (seed, session) = ctx
            .lab
            .with_value(|lab| (lab.seed(), url_state::encode(lab.session())));
        let max = url_state::MAX_LINK_COMMANDS.to_string();
        let session =
            session.ok_or_else(|| fill(&words.own.flow.link_too_many, &[("max", &max)]))?;
        let rate = ctx.player.speed.get_untracked();
        Ok(url_state::query(seed, rate, Some(&session)))
    };
    view! {
        <PlayerControls player=ctx.player kit=words.kit step_label=words.own.step_one.as_str()
            speeds=speeds on_play=move || flow::play(ctx) on_step=step/>
        <ShareButton words=words.kit query=query/>
    }
    .into_any()
}
