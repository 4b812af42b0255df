//! `/work/<slug>`: one selected-work project — its card facts and the body rendered at build time.

use crate::{
    base::href,
    components::{chips::Chips, figures::Figures, head::PageHead},
    content::{schema::Project, site},
    pages::not_found::NotFound,
};
use leptos::prelude::*;
use leptos_router::hooks::use_params_map;

#[component]
pub fn ProjectRoute() -> impl IntoView {
    let params = use_params_map();
    move || {
        let slug = params.read().get("slug").unwrap_or_default();
        match site().projects.iter().find(|p| p.slug == slug) {
            Some(project) => view! { <ProjectPage project=project/> }.into_any(),
            None => view! { <NotFound/> }.into_any(),
        }
    }
}

#[component]
fn ProjectPage(project: &'static Project) -> impl IntoView {
    let meta = site().page(&format!("/work/{}", project.slug));
    view! {
        {meta.map(|page| view! { <PageHead page=page/> })}
        <article class="wrap page article">
            <header class="page-head">
                <p class="eyebrow">
                    <a href=href("/work")>{site().work_page.label.as_str()}</a>
                    " · "
                    {project.number.as_str()}
                    {project.featured.then_some(" ★ featured")}
                </p>
                <h1>{project.title.as_str()}</h1>
                <p class="lede">{project.summary.as_str()}</p>
                <Chips items=&project.tags/>
                <p class="card-stack">{project.stack.as_str()}</p>
                {project.lab.as_ref().map(|lab| view! {
                    <p class="card-lab"><a href=href(&lab.path)>{lab.label.as_str()}" →"</a></p>
                })}
            </header>
            <div class="prose" inner_html=project.body_html.as_str()></div>
            {(!project.figures.is_empty()).then(|| {
                let text = &site().case_studies_page;
                view! {
                    <section class="measured" aria-labelledby="measured-title">
                        <h2 id="measured-title">{text.figures_heading.as_str()}</h2>
                        <p class="claims-note">{text.figures_lede.as_str()}</p>
                        <Figures figures=&project.figures/>
                    </section>
                }
            })}
        </article>
    }
}
