//! The depth chart: cumulative quantity against price for the best `DEPTH_CHART_LEVELS` levels
//! per side, drawn as inline SVG step areas (bids left of the spread, asks right).

use super::core::{LevelRow, Snapshot, DEPTH_CHART_LEVELS};
use super::Ctx;
use crate::labs::kit::format::{fill, grouped};
use leptos::prelude::*;

const W: f64 = 320.0;
const H: f64 = 120.0;

/// The SVG path of one side's step area. `levels` are best first.
fn area(levels: &[LevelRow], x: &dyn Fn(u64) -> f64, y: &dyn Fn(u128) -> f64) -> String {
    let Some(first) = levels.first() else {
        return String::new();
    };
    let mut d = format!("M{:.1},{H:.1}V{:.1}", x(first.price), y(first.cum));
    for pair in levels.windows(2) {
        d.push_str(&format!("H{:.1}V{:.1}", x(pair[1].price), y(pair[1].cum)));
    }
    if let Some(last) = levels.last() {
        d.push_str(&format!("H{:.1}", x(last.price)));
    }
    d.push_str(&format!("V{H:.1}Z"));
    d
}

/// The two paths and the price range they span.
pub fn paths(s: &Snapshot) -> Option<(String, String, u64, u64)> {
    let lo = s
        .depth_bids
        .last()
        .or(s.depth_asks.first())
        .map(|l| l.price)?;
    let hi = s
        .depth_asks
        .last()
        .or(s.depth_bids.first())
        .map(|l| l.price)?;
    let (lo, hi) = (lo.min(hi), hi.max(lo));
    let span = (hi - lo).max(1) as f64;
    let max = s
        .depth_bids
        .last()
        .map(|l| l.cum)
        .max(s.depth_asks.last().map(|l| l.cum))
        .unwrap_or(1)
        .max(1) as f64;
    let x = move |p: u64| (p.saturating_sub(lo)) as f64 / span * W;
    let y = move |c: u128| H - (c as f64 / max) * (H - 4.0);
    Some((
        area(&s.depth_bids, &x, &y),
        area(&s.depth_asks, &x, &y),
        lo,
        hi,
    ))
}

#[component]
pub fn DepthChart(ctx: Ctx) -> impl IntoView {
    let w = &ctx.words.own.book;
    let chart = move || {
        ctx.snap.with(|s| match paths(s) {
            Some((bids, asks, lo, hi)) => {
                let label = fill(
                    &w.depth_label,
                    &[
                        ("levels", &DEPTH_CHART_LEVELS.to_string()),
                        ("lo", &lo.to_string()),
                        ("hi", &hi.to_string()),
                        ("bids", &s.depth_bids.last().map_or(0, |l| l.cum).to_string()),
                        ("asks", &s.depth_asks.last().map_or(0, |l| l.cum).to_string()),
                    ],
                );
                view! {
                    <svg class="depth-svg" viewBox=format!("0 0 {W} {H}") preserveAspectRatio="none" role="img" aria-label=label>
                        <path class="depth-bids" d=bids/>
                        <path class="depth-asks" d=asks/>
                    </svg>
                    <p class="depth-axis"><span>{grouped(lo)}</span><span>{grouped(hi)}</span></p>
                }
                .into_any()
            }
            None => view! { <p class="muted">{w.depth_empty.as_str()}</p> }.into_any(),
        })
    };
    view! {
        <figure class="depth">
            <figcaption>{w.depth_caption.as_str()}<span class="key-bid">{w.depth_bids.as_str()}</span>" · "<span class="key-ask">{w.depth_asks.as_str()}</span></figcaption>
            {chart}
        </figure>
    }
}
