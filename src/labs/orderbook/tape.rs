//! The trade tape (the last `TAPE_LEN` trades) and the event log (the last `LOG_LEN` engine
//! events of every kind: accept, reject with its reason, trade, cancel, modify), newest first.

use super::core::{LOG_LEN, TAPE_LEN};
use super::orders::side_word;
use super::Ctx;
use crate::labs::kit::format::{fill, grouped};
use leptos::prelude::*;
use orderbook::{protocol::write_event, Event};

#[component]
pub fn Tape(ctx: Ctx) -> impl IntoView {
    let w = &ctx.words.own.tape;
    let rows = move || {
        ctx.snap.with(|s| {
            if s.tape.is_empty() {
                return view! { <tr><td colspan="4" class="muted">{w.no_trades.as_str()}</td></tr> }
                    .into_any();
            }
            s.tape
                .iter()
                .map(|t| {
                    let (class, side) = side_word(t.aggressor, &w.buy, &w.sell);
                    view! {
                        <tr class=class>
                            <td>{grouped(t.time)}</td>
                            <td class="side">{side}</td>
                            <td>{grouped(t.price)}</td>
                            <td>{grouped(t.qty)}</td>
                        </tr>
                    }
                })
                .collect_view()
                .into_any()
        })
    };
    view! {
        <section class="lab-panel" aria-labelledby="lab-tape-title">
            <h2 id="lab-tape-title" class="panel-title">{w.heading.as_str()}</h2>
            <div class="scroll-box" tabindex="0" role="region" aria-label=w.region.as_str()>
                <table class="num-table" data-testid="tape">
                    <caption class="sr-only">{fill(&w.caption, &[("n", &TAPE_LEN.to_string())])}</caption>
                    <thead><tr>
                        <th scope="col">{w.time.as_str()}</th><th scope="col">{w.aggressor.as_str()}</th>
                        <th scope="col">{w.price.as_str()}</th><th scope="col">{w.qty.as_str()}</th>
                    </tr></thead>
                    <tbody>{rows}</tbody>
                </table>
            </div>
        </section>
    }
}

fn kind(event: &Event) -> &'static str {
    match event {
        Event::Accept { .. } => "accept",
        Event::Reject { .. } => "reject",
        Event::Trade { .. } => "trade",
        Event::Cancelled { .. } => "cancel",
        Event::Modified { .. } => "modify",
    }
}

#[component]
pub fn EventLog(ctx: Ctx) -> impl IntoView {
    let w = &ctx.words.own.tape;
    let rows = move || {
        ctx.snap.with(|s| {
            s.log
                .iter()
                .map(|row| {
                    let mut text = String::new();
                    let _ = write_event(&mut text, &row.event);
                    view! {
                        <li class=format!("ev ev-{}", kind(&row.event))>
                            <span class="ev-time">{grouped(row.time)}</span>
                            <span class="ev-text">{text}</span>
                        </li>
                    }
                })
                .collect_view()
        })
    };
    view! {
        <section class="lab-panel" aria-labelledby="lab-log-title">
            <h2 id="lab-log-title" class="panel-title">{w.log_heading.as_str()}</h2>
            <p class="panel-note">{fill(&w.log_note, &[("n", &LOG_LEN.to_string())])}</p>
            <div class="scroll-box" tabindex="0" role="region" aria-label=w.log_region.as_str()>
                <ol class="event-log" data-testid="event-log">{rows}</ol>
            </div>
        </section>
    }
}
