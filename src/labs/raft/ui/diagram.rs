//! The space-time diagram: nodes as lanes, the last ticks left to right, every message sent in
//! that window an arrow from (send tick, sender) to (arrival tick, receiver); client messages
//! start or end on the clients' lane at the bottom. In step with the ring.

use super::live::Ctx;
use super::ring::kind_class;
use crate::labs::raft::session::DIAGRAM_TICKS;
use leptos::prelude::*;
use raft::sim::Endpoint;

#[component]
pub fn Diagram(ctx: Ctx) -> impl IntoView {
    let w = &ctx.words.own.diagram;
    let frame = ctx.panels;
    let body = move || {
        frame.with(|f| {
            let n = f.view.nodes.len();
            let lanes = n + 1; // the clients' lane last
            let lane_y = |e: Endpoint| {
                let lane = match e {
                    Endpoint::Node(i) => i as usize,
                    Endpoint::Client(_) => n,
                };
                (lane as f64 + 0.5) * 100.0 / lanes as f64
            };
            let now = f.view.now;
            let from = now.saturating_sub(DIAGRAM_TICKS);
            let x = |t: u64| (t.saturating_sub(from)) as f64 / DIAGRAM_TICKS as f64 * 100.0;
            let lines = (0..lanes)
                .map(|i| {
                    let y = (i as f64 + 0.5) * 100.0 / lanes as f64;
                    let class = match f.view.nodes.get(i) {
                        Some(node) if !node.up => "lane down",
                        Some(_) => "lane",
                        None => "lane clients",
                    };
                    view! { <line class=class x1="0" y1=y x2="100" y2=y/> }
                })
                .collect_view();
            let arrows = f
                .diagram
                .iter()
                .map(|m| {
                    let (x1, y1) = (x(m.send_tick), lane_y(m.from));
                    let (x2, y2) = (x(m.arrive_tick.min(now)), lane_y(m.to));
                    let pending = if m.arrive_tick > now { " pending" } else { "" };
                    view! { <line class=format!("arrow {}{pending}", kind_class(m)) x1=x1 y1=y1 x2=x2 y2=y2/> }
                })
                .collect_view();
            let labels = (0..n)
                .map(|i| {
                    let top = (i as f64 + 0.5) * 100.0 / lanes as f64;
                    view! { <li style=format!("top:{top:.2}%")>{i}</li> }
                })
                .collect_view();
            view! {
                <div class="raft-diagram">
                    <ol class="lane-labels" aria-hidden="true">{labels}</ol>
                    <svg viewBox="0 0 100 100" preserveAspectRatio="none" role="img" aria-label=w.heading.as_str()>
                        {lines}{arrows}
                    </svg>
                </div>
            }
        })
    };
    view! {
        <section class="lab-panel" aria-labelledby="raft-diagram-title">
            <h2 id="raft-diagram-title" class="panel-title">{w.heading.as_str()}</h2>
            <p class="panel-note">{w.lede.as_str()}</p>
            {body}
        </section>
    }
}
