//! The space-time diagram: nodes as lanes, the last ticks left to right, every message sent in
//! that window an arrow from (send tick, sender) to (arrival tick, receiver); client messages
//! start or end on the clients' lane at the bottom. In step with the ring.

use super::live::Ctx;
use super::ring::{keyed, kind_class, MsgKey};
use crate::labs::raft::session::{DIAGRAM_TICKS, MAX_RUN_TICKS};
use leptos::prelude::*;
use raft::sim::{Endpoint, InFlightView};

/// An arrow's key: the message's, and where it ends for now (a message still in flight ends at
/// the current tick, so it is redrawn as time passes; an arrived one never changes).
type ArrowKey = (MsgKey, u64);

/// Drawn in ticks across (the view box follows the window, so an arrow, once drawn, stays as it
/// is) and in percent down.
fn lane_y(e: Endpoint, nodes: usize) -> f64 {
    let lane = match e {
        Endpoint::Node(i) => i as usize,
        Endpoint::Client(_) => nodes,
    };
    (lane as f64 + 0.5) * 100.0 / (nodes + 1) as f64
}

#[component]
pub fn Diagram(ctx: Ctx) -> impl IntoView {
    let w = &ctx.words.own.diagram;
    let frame = ctx.panels;
    let now = Memo::new(move |_| frame.with(|f| f.view.now));
    // Which lanes are down; the clients' lane is last.
    let lanes = Memo::new(move |_| {
        frame.with(|f| f.view.nodes.iter().map(|n| n.up).collect::<Vec<bool>>())
    });
    let view_box = move || {
        let from = now.get().saturating_sub(DIAGRAM_TICKS);
        format!("{from} 0 {DIAGRAM_TICKS} 100")
    };
    let lines = move || {
        let up = lanes.get();
        let n = up.len();
        (0..=n)
            .map(|i| {
                let y = (i as f64 + 0.5) * 100.0 / (n + 1) as f64;
                let class = match up.get(i) {
                    Some(false) => "lane down",
                    Some(true) => "lane",
                    None => "lane clients",
                };
                view! { <line class=class x1="0" y1=y x2=MAX_RUN_TICKS as f64 y2=y/> }
            })
            .collect_view()
    };
    let arrows = move || {
        frame.with(|f| {
            let now = f.view.now;
            keyed(&f.diagram)
                .into_iter()
                .map(|(k, m)| ((k, m.arrive_tick.min(now)), (m, f.view.nodes.len())))
                .collect::<Vec<_>>()
        })
    };
    let arrow = move |((_, end), (m, nodes)): (ArrowKey, (InFlightView, usize))| {
        let pending = if m.arrive_tick > end { " pending" } else { "" };
        view! {
            <line class=format!("arrow {}{pending}", kind_class(&m))
                x1=m.send_tick as f64 y1=lane_y(m.from, nodes) x2=end as f64 y2=lane_y(m.to, nodes)/>
        }
    };
    let labels = move || {
        let n = lanes.get().len();
        (0..n)
            .map(|i| {
                let top = (i as f64 + 0.5) * 100.0 / (n + 1) as f64;
                view! { <li style=format!("top:{top:.2}%")>{i}</li> }
            })
            .collect_view()
    };
    view! {
        <section class="lab-panel" aria-labelledby="raft-diagram-title">
            <h2 id="raft-diagram-title" class="panel-title">{w.heading.as_str()}</h2>
            <p class="panel-note">{w.lede.as_str()}</p>
            <div class="raft-diagram">
                <ol class="lane-labels" aria-hidden="true">{labels}</ol>
                <svg viewBox=view_box preserveAspectRatio="none" role="img" aria-label=w.heading.as_str()>
                    {lines}
                    <For each=arrows key=|(k, _)| *k children=arrow/>
                </svg>
            </div>
        </section>
    }
}
