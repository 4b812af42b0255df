//! `/work`: the selected-work projects, one card each.

use crate::{
    components::{head::PageHead, page_intro::PageIntro, project_card::ProjectCard},
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
            <PageIntro label=page.label.as_str() heading=page.heading.as_str() lede=page.lede.as_str()/>
            <div class="grid grid-2">{cards}</div>
        </div>
    }
}
