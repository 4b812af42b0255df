//! The trade tape (the last `TAPE_LEN` trades) and the event log (the last `LOG_LEN` engine
//! events of every kind: accept, reject with its reason, trade, cancel, modify), newest first.

use super::core::{LOG_LEN, TAPE_LEN};
use super::status::grouped;
use super::Ctx;
use leptos::prelude::*;
use orderbook::{protocol::write_event, Event, Side};

#[component]
pub fn Tape(ctx: Ctx) -> impl IntoView {
    let rows = move || {
        ctx.snap.with(|s| {
            if s.tape.is_empty() {
                return view! { <tr><td colspan="4" class="muted">"No trades yet."</td></tr> }
                    .into_any();
            }
            s.tape
                .iter()
                .map(|t| {
                    let (class, side) = match t.aggressor {
                        Side::Buy => ("buy", "buy"),
                        Side::Sell => ("sell", "sell"),
                    };
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
            <h2 id="lab-tape-title" class="panel-title">"Trade tape"</h2>
            <div class="scroll-box" tabindex="0" role="region" aria-label="Trade tape, newest first">
                <table class="num-table" data-testid="tape">
                    <caption class="sr-only">{format!("The last {TAPE_LEN} trades, newest first")}</caption>
                    <thead><tr>
                        <th scope="col">"Time"</th><th scope="col">"Aggressor"</th>
                        <th scope="col">"Price"</th><th scope="col">"Qty"</th>
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
            <h2 id="lab-log-title" class="panel-title">"Event log"</h2>
            <p class="panel-note">{format!("Every engine event, newest first; the last {LOG_LEN} are kept. Time is the number of the command that caused it.")}</p>
            <div class="scroll-box" tabindex="0" role="region" aria-label="Event log, newest first">
                <ol class="event-log" data-testid="event-log">{rows}</ol>
            </div>
        </section>
    }
}
