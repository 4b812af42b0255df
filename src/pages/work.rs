//! `/work`: the selected-work projects, one card each.

use crate::{
    components::{head::PageHead, project_card::ProjectCard},
    content::site,
};
use leptos::prelude::*;

#[component]
pub fn Work() -> impl IntoView {
    let site = site();
    let page = &site.work_page;
    let cards = site
        .projects
        .iter()
        .map(|project| view! { <ProjectCard project=project heading_level=2/> })
        .collect_view();
    view! {
        {site.page("/work").map(|meta| view! { <PageHead page=meta/> })}
        <div class="wrap page">
            <header class="page-head">
                <p class="eyebrow">{page.label.as_str()}</p>
                <h1>{page.heading.as_str()}</h1>
                <p class="lede">{page.lede.as_str()}</p>
            </header>
            <div class="grid grid-2">{cards}</div>
        </div>
    }
}
