//! `/case-studies` and `/case-studies/<slug>`: the case studies, their claims, the architecture
//! diagram and the write-up rendered at build time.

use crate::{
    base::href,
    components::{chips::Chips, figures::Figures, head::PageHead, page_intro::PageIntro},
    content::{schema::CaseStudy, site},
    pages::not_found::NotFound,
};
use leptos::prelude::*;
use leptos_router::hooks::use_params_map;

#[component]
pub fn CaseStudies() -> impl IntoView {
    let site = site();
    let page = &site.case_studies_page;
    let cards = site
        .case_studies
        .iter()
        .map(|study| {
            view! {
                <article class="card">
                    <p class="card-number">{format!("{} {}", page.label, study.number)}</p>
                    <h2 class="card-title">
                        <a href=href(&format!("/case-studies/{}", study.slug))>{study.title.as_str()}</a>
                    </h2>
                    <p class="card-summary">{study.summary.as_str()}</p>
                    <Chips items=&study.tags/>
                </article>
            }
        })
        .collect_view();
    view! {
        {site.page("/case-studies").map(|meta| view! { <PageHead page=meta/> })}
        <div class="wrap page">
            <PageIntro label=page.label.as_str() heading=page.heading.as_str() lede=page.lede.as_str()/>
            <div class="grid grid-2">{cards}</div>
        </div>
    }
}

#[component]
pub fn CaseStudyRoute() -> impl IntoView {
    let params = use_params_map();
    move || {
        let slug = params.read().get("slug").unwrap_or_default();
        match site().case_studies.iter().find(|c| c.slug == slug) {
            Some(study) => view! { <CaseStudyPage study=study/> }.into_any(),
            None => view! { <NotFound/> }.into_any(),
        }
    }
}

#[component]
fn CaseStudyPage(study: &'static CaseStudy) -> impl IntoView {
    let site = site();
    let claims = study
        .claims
        .iter()
        .map(|claim| {
            view! {
                <div class="claim">
                    <dt>{claim.label.as_str()}</dt>
                    <dd>{claim.value.as_str()}</dd>
                </div>
            }
        })
        .collect_view();
    view! {
        {site.page(&format!("/case-studies/{}", study.slug)).map(|meta| view! { <PageHead page=meta/> })}
        <article class="wrap page article">
            <header class="page-head">
                <p class="eyebrow">
                    <a href=href("/case-studies")>{site.case_studies_page.label.as_str()}</a>
                    {format!(" · {}", study.number)}
                </p>
                <h1>{study.title.as_str()}</h1>
                <p class="lede">{study.summary.as_str()}</p>
                <Chips items=&study.tags/>
                {study.lab.as_ref().map(|lab| view! {
                    <p class="card-lab"><a href=href(&lab.path)>{lab.label.as_str()}" →"</a></p>
                })}
            </header>
            <section class="claims" aria-labelledby="claims-title">
                <h2 id="claims-title">{site.case_studies_page.claims_heading.as_str()}</h2>
                <p class="claims-note">{site.case_studies_page.claims_note.as_str()}</p>
                <dl class="claim-grid">{claims}</dl>
            </section>
            <Reproduce study=study/>
            <figure class="diagram">
                <div class="diagram-art" inner_html=study.diagram_svg.as_str()></div>
                <figcaption>{study.diagram_caption.as_str()}</figcaption>
            </figure>
            <div class="prose" inner_html=study.body_html.as_str()></div>
        </article>
    }
}

/// The study's claims next to what the Raft simulator can measure, and what it cannot.
#[component]
fn Reproduce(study: &'static CaseStudy) -> impl IntoView {
    let text = &site().case_studies_page;
    let gaps = study
        .not_reproduced
        .iter()
        .map(|gap| view! { <li>{gap.as_str()}</li> })
        .collect_view();
    (!study.figures.is_empty()).then(|| {
        view! {
            <section class="reproduce" aria-labelledby="reproduce-title">
                <h2 id="reproduce-title">{text.reproduce_heading.as_str()}</h2>
                <p class="claims-note">{text.reproduce_lede.as_str()}</p>
                <Figures figures=&study.figures/>
                <h3>{text.not_reproduced_heading.as_str()}</h3>
                <ul class="gaps">{gaps}</ul>
            </section>
        }
    })
}
