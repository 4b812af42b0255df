//! The price ladder: the best `LADDER_DEPTH` levels per side (asks above, bids below), with size
//! bars, cumulative depth, and the spread and mid between them. A level is a button: it copies
//! its price into the order form and opens its L3 queue. Rebuilt from one snapshot per frame.

use super::core::{LevelRow, Snapshot, LADDER_DEPTH};
use super::Ctx;
use crate::labs::kit::format::{fill, grouped};
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
    let w = &ctx.words.own.book;
    let selected = ctx.selected.get_untracked() == Some((side, level.price));
    let (class, word) = match side {
        Side::Buy => ("bid", w.bid.as_str()),
        Side::Sell => ("ask", w.ask.as_str()),
    };
    let title = fill(
        &w.pick_level,
        &[("side", word), ("price", &level.price.to_string())],
    );
    let price = level.price;
    let pick = move |_| {
        ctx.price_text.set(price.to_string());
        ctx.selected.set(Some((side, price)));
    };
    view! {
        <tr class=format!("lvl {class}") class:selected=selected class:hit=hit>
            <th scope="row">
                <button type="button" class="lvl-price" title=title aria-pressed=selected.to_string() on:click=pick>
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
    let w = &ctx.words.own.book;
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
        (Some(sp), Some(mid)) => fill(
            &w.spread,
            &[("spread", &grouped(sp)), ("mid", &grouped(mid))],
        ),
        _ => w.one_side_empty.clone(),
    };
    let empty_asks = s
        .asks
        .is_empty()
        .then(|| view! { <tr class="lvl-empty"><td colspan="4">{w.no_asks.as_str()}</td></tr> });
    let empty_bids = s
        .bids
        .is_empty()
        .then(|| view! { <tr class="lvl-empty"><td colspan="4">{w.no_bids.as_str()}</td></tr> });
    view! {
        <tbody class="asks">{empty_asks}{asks}</tbody>
        <tbody class="spread"><tr><td colspan="4" data-testid="spread">{spread}</td></tr></tbody>
        <tbody class="bids">{bids}{empty_bids}</tbody>
    }
}

#[component]
pub fn Ladder(ctx: Ctx) -> impl IntoView {
    let w = &ctx.words.own.book;
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
                <caption>{fill(&w.ladder_caption, &[("depth", &LADDER_DEPTH.to_string())])}</caption>
                <thead>
                    <tr>
                        <th scope="col">{w.price.as_str()}</th>
                        <th scope="col">{w.size.as_str()}</th>
                        <th scope="col">{w.total.as_str()}</th>
                        <th scope="col">{w.orders.as_str()}</th>
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
