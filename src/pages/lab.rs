//! `/lab` and `/lab/<slug>` (one route, `/lab/:slug?`): the lab index (every lab, one line each,
//! with what it runs) and one lab's page, which the kit's `LabFrame` renders and into which it
//! loads that lab's own module. An unknown slug is the 404 page.

use crate::{
    base::href,
    components::{head::PageHead, page_intro::PageIntro},
    content::site,
    labs::kit::layout::LabFrame,
    pages::not_found::NotFound,
};
use leptos::prelude::*;
use leptos_router::hooks::use_params_map;

#[component]
fn LabIndex() -> impl IntoView {
    let site = site();
    let index = &site.lab_index;
    let items = site
        .labs
        .iter()
        .map(|lab| {
            let path = href(&lab.path());
            view! {
                <li class="card lab-line">
                    <h2 class="card-title"><a href=path>{lab.title.as_str()}</a></h2>
                    <p class="card-summary">{lab.summary.as_str()}</p>
                    <p class="card-stack">{index.runs_label.as_str()}" "<code>{lab.runs.as_str()}</code></p>
                </li>
            }
        })
        .collect_view();
    view! {
        {site.page("/lab").map(|meta| view! { <PageHead page=meta/> })}
        <div class="wrap page">
            <PageIntro label=index.label.as_str() heading=index.heading.as_str() lede=index.lede.as_str()/>
            <ul class="lab-index" data-testid="lab-index">{items}</ul>
        </div>
    }
}

#[component]
pub fn LabRoute() -> impl IntoView {
    let params = use_params_map();
    move || {
        // `/lab/` names the index too.
        let slug = params.read().get("slug").filter(|s| !s.is_empty());
        match slug.map(|s| site().lab(&s)) {
            None => view! { <LabIndex/> }.into_any(),
            Some(Some(lab)) => view! { <LabFrame lab=lab/> }.into_any(),
            Some(None) => view! { <NotFound/> }.into_any(),
        }
    }
}
