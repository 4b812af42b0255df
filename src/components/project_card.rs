//! A selected-work project card: number, featured mark, title, summary, tags and original stack.

use crate::{base::href, components::chips::Chips, content::schema::Project};
use leptos::prelude::*;

/// `heading_level` keeps the document outline in order: h3 under a home section, h2 on /work.
#[component]
pub fn ProjectCard(project: &'static Project, heading_level: u8) -> impl IntoView {
    let title =
        view! { <a href=href(&format!("/work/{}", project.slug))>{project.title.as_str()}</a> };
    let heading = match heading_level {
        2 => view! { <h2 class="card-title">{title}</h2> }.into_any(),
        _ => view! { <h3 class="card-title">{title}</h3> }.into_any(),
    };
    view! {
        <article class="card project-card" class:featured=project.featured>
            <p class="card-meta">
                <span class="card-number">{project.number.as_str()}</span>
                {project.featured.then(|| view! { <span class="featured-mark">"★ featured"</span> })}
            </p>
            {heading}
            <p class="card-summary">{project.summary.as_str()}</p>
            <Chips items=&project.tags/>
            <p class="card-stack">{project.stack.as_str()}</p>
            {project.lab.as_ref().map(|lab| view! {
                <p class="card-lab"><a href=href(&lab.path)>{lab.label.as_str()}" →"</a></p>
            })}
        </article>
    }
}
