//! The scenarios: each a cluster and a schedule from the content, opened paused just before
//! its first fault, with what to watch for.

use super::live::Ctx;
use crate::labs::raft::scenarios::session;
use leptos::prelude::*;

#[component]
pub fn Presets(ctx: Ctx) -> impl IntoView {
    let w = ctx.words.own;
    let items = w
        .presets
        .iter()
        .map(|p| {
            let open = move |_| match session(p) {
                Ok(s) => {
                    ctx.watching.set(Some(p.watch.as_str()));
                    ctx.reset(s);
                }
                Err(e) => ctx.notice.set(Some(e.to_string())),
            };
            view! {
                <li class="card scenario">
                    <h3 class="card-title">{p.title.as_str()}</h3>
                    <p class="card-summary">{p.summary.as_str()}</p>
                    <p class="panel-note"><strong>{w.preset_watch.as_str()}</strong>" "{p.watch.as_str()}</p>
                    <button type="button" class="btn" on:click=open data-preset=p.slug.as_str()>{w.preset_apply.as_str()}</button>
                </li>
            }
        })
        .collect_view();
    view! {
        <section class="lab-panel" aria-labelledby="raft-presets-title">
            <h2 id="raft-presets-title" class="panel-title">{w.presets_heading.as_str()}</h2>
            <p class="panel-note">{w.presets_lede.as_str()}</p>
            <ul class="scenario-grid">{items}</ul>
        </section>
    }
}
