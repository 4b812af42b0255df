//! The price ladder: the best `LADDER_DEPTH` levels per side (asks above, bids below), with size
//! bars, cumulative depth, and the spread and mid between them. A level is a button: it copies
//! its price into the order form and opens its L3 queue. Rebuilt from one snapshot per frame.

use super::core::{LevelRow, Snapshot, LADDER_DEPTH};
use super::status::grouped;
use super::Ctx;
use leptos::prelude::*;
use orderbook::Side;

fn pct(part: u128, whole: u128) -> String {
    if whole == 0 {
        return "0%".into();
    }
    format!("{:.1}%", (part as f64 / whole as f64 * 100.0).min(100.0))
}

fn row(
    ctx: Ctx,
    side: Side,
    level: LevelRow,
    max_qty: u128,
    max_cum: u128,
    hit: bool,
) -> impl IntoView {
    let selected = ctx.selected.get_untracked() == Some((side, level.price));
    let (class, word) = match side {
        Side::Buy => ("bid", "bid"),
        Side::Sell => ("ask", "ask"),
    };
    let price = level.price;
    let pick = move |_| {
        ctx.price_text.set(price.to_string());
        ctx.selected.set(Some((side, price)));
    };
    view! {
        <tr class=format!("lvl {class}") class:selected=selected class:hit=hit>
            <th scope="row">
                <button type="button" class="lvl-price" title=format!("Use {word} price {price} and show its queue") aria-pressed=selected.to_string() on:click=pick>
                    {grouped(price)}
                </button>
            </th>
            <td class="lvl-qty" style=format!("--w:{}", pct(level.qty, max_qty))>{grouped(level.qty)}</td>
            <td class="lvl-cum" style=format!("--w:{}", pct(level.cum, max_cum))>{grouped(level.cum)}</td>
            <td class="lvl-n">{level.orders}</td>
        </tr>
    }
}

fn rows(ctx: Ctx, s: &Snapshot, hit: Option<u64>) -> impl IntoView {
    let max_qty = s
        .bids
        .iter()
        .chain(&s.asks)
        .map(|l| l.qty)
        .max()
        .unwrap_or(0);
    let max_cum = s
        .bids
        .iter()
        .chain(&s.asks)
        .map(|l| l.cum)
        .max()
        .unwrap_or(0);
    let asks = s
        .asks
        .iter()
        .rev()
        .map(|l| row(ctx, Side::Sell, *l, max_qty, max_cum, hit == Some(l.price)))
        .collect_view();
    let bids = s
        .bids
        .iter()
        .map(|l| row(ctx, Side::Buy, *l, max_qty, max_cum, hit == Some(l.price)))
        .collect_view();
    let spread = match (s.spread(), s.mid()) {
        (Some(sp), Some(mid)) => format!("spread {} · mid {}", grouped(sp), grouped(mid)),
        _ => "one side is empty".to_string(),
    };
    let empty_asks = s
        .asks
        .is_empty()
        .then(|| view! { <tr class="lvl-empty"><td colspan="4">"no asks"</td></tr> });
    let empty_bids = s
        .bids
        .is_empty()
        .then(|| view! { <tr class="lvl-empty"><td colspan="4">"no bids"</td></tr> });
    view! {
        <tbody class="asks">{empty_asks}{asks}</tbody>
        <tbody class="spread"><tr><td colspan="4" data-testid="spread">{spread}</td></tr></tbody>
        <tbody class="bids">{bids}{empty_bids}</tbody>
    }
}

#[component]
pub fn Ladder(ctx: Ctx) -> impl IntoView {
    let hit = move || {
        ctx.step.with(|run| {
            run.as_ref()
                .filter(|r| !r.committed)
                .and_then(|r| r.current_maker())
                .map(|(_, price)| price)
        })
    };
    view! {
        <div class="ladder-wrap">
            <table class="ladder" data-testid="ladder">
                <caption>{format!("Price ladder: best {LADDER_DEPTH} levels per side")}</caption>
                <thead>
                    <tr>
                        <th scope="col">"Price"</th>
                        <th scope="col">"Size"</th>
                        <th scope="col">"Total"</th>
                        <th scope="col">"Orders"</th>
                    </tr>
                </thead>
                {move || {
                    let hit = hit();
                    ctx.snap.with(|s| rows(ctx, s, hit))
                }}
            </table>
        </div>
    }
}
