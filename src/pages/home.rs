//! The home page: who this is and what they build, in the order the design brief gives — Thread 03,
//! the three threads, the toolkit, selected work and focus.

use crate::{
    base::href,
    components::{chips::Chips, code::Code, head::PageHead, project_card::ProjectCard},
    content::{schema::Site, site},
    pages::writing::PostCard,
};
use leptos::prelude::*;

#[component]
pub fn Home() -> impl IntoView {
    let site = site();
    view! {
        {site.page("/").map(|page| view! { <PageHead page=page/> })}
        <div class="wrap home">
            <Intro site=site/>
            <Threads site=site/>
            <Toolkit site=site/>
            <SmartContract site=site/>
            <SelectedWork site=site/>
            <Focus site=site/>
            <LatestWriting site=site/>
        </div>
    }
}

#[component]
fn Intro(site: &'static Site) -> impl IntoView {
    let intro = &site.intro;
    let facts = intro
        .facts
        .iter()
        .map(|fact| {
            view! {
                <div class="fact">
                    <dt>{fact.label.as_str()}</dt>
                    <dd>{fact.value.as_str()}</dd>
                </div>
            }
        })
        .collect_view();
    view! {
        <section class="intro" aria-labelledby="intro-title">
            <div class="intro-text">
                <p class="eyebrow">{intro.label.as_str()}</p>
                <h1 id="intro-title">{intro.title.as_str()}</h1>
                <p class="lede">{intro.lede.as_str()}</p>
                <Chips items=&intro.tags/>
            </div>
            <dl class="facts">{facts}</dl>
        </section>
    }
}

/// A numbered section heading: the small-caps number over the title.
#[component]
fn SectionTitle(id: &'static str, number: &'static str, title: &'static str) -> impl IntoView {
    view! {
        <header class="section-head">
            <span class="section-number" aria-hidden="true">{number}</span>
            <h2 id=id>{title}</h2>
        </header>
    }
}

#[component]
fn Threads(site: &'static Site) -> impl IntoView {
    let threads = site
        .threads
        .iter()
        .enumerate()
        .map(|(i, thread)| {
            let points = thread
                .points
                .iter()
                .map(|p| view! { <li>{p.as_str()}</li> })
                .collect_view();
            view! {
                <article class="card thread">
                    <p class="card-number">{format!("{:02}", i + 1)}</p>
                    <h3 class="card-title">{thread.title.as_str()}</h3>
                    <p class="card-summary">{thread.summary.as_str()}</p>
                    <ul class="points">{points}</ul>
                    {thread.labs.iter().map(|lab| view! {
                        <p class="card-lab"><a href=href(&lab.path)>{lab.label.as_str()}" →"</a></p>
                    }).collect_view()}
                </article>
            }
        })
        .collect_view();
    view! {
        <section class="section" id="threads" aria-labelledby="threads-title">
            <SectionTitle id="threads-title" number="01" title=site.sections.threads.as_str()/>
            <div class="grid grid-3">{threads}</div>
        </section>
    }
}

#[component]
fn Toolkit(site: &'static Site) -> impl IntoView {
    let groups = site
        .toolkit
        .iter()
        .map(|group| {
            view! {
                <div class="tool-group">
                    <h3 class="tool-group-name">{group.name.as_str()}</h3>
                    <Chips items=&group.items/>
                </div>
            }
        })
        .collect_view();
    view! {
        <section class="section" id="toolkit" aria-labelledby="toolkit-title">
            <SectionTitle id="toolkit-title" number="02" title=site.sections.toolkit.as_str()/>
            <div class="grid grid-4">{groups}</div>
        </section>
    }
}

#[component]
fn SelectedWork(site: &'static Site) -> impl IntoView {
    let cards = site
        .projects
        .iter()
        .map(|project| view! { <ProjectCard project=project heading_level=3/> })
        .collect_view();
    view! {
        <section class="section" id="work" aria-labelledby="work-title">
            <SectionTitle id="work-title" number="04" title=site.sections.work.as_str()/>
            <p class="section-count">{format!("{} projects", site.projects.len())}</p>
            <div class="grid grid-2">{cards}</div>
        </section>
    }
}

#[component]
fn Focus(site: &'static Site) -> impl IntoView {
    let areas = site
        .focus
        .iter()
        .map(|area| {
            view! {
                <div class="focus-area">
                    <h3>{area.title.as_str()}</h3>
                    <p>{area.line.as_str()}</p>
                </div>
            }
        })
        .collect_view();
    view! {
        <section class="section" id="focus" aria-labelledby="focus-title">
            <SectionTitle id="focus-title" number="05" title=site.sections.focus.as_str()/>
            <div class="grid grid-4 focus">{areas}</div>
        </section>
    }
}

/// The Blockchain thread's contract, highlighted at build time.
#[component]
fn SmartContract(site: &'static Site) -> impl IntoView {
    let snippet = &site.snippet;
    view! {
        <section class="section" id="contract" aria-labelledby="contract-title">
            <SectionTitle id="contract-title" number="03" title=snippet.label.as_str()/>
            <div class="snippet-layout">
                <div class="snippet-text">
                    <h3>{snippet.heading.as_str()}</h3>
                    <p class="card-summary">{snippet.lede.as_str()}</p>
                </div>
                <Code file=snippet.file.as_str() lang=snippet.lang.as_str() html=snippet.html.as_str()/>
            </div>
        </section>
    }
}

/// The two newest posts, when there are any.
#[component]
fn LatestWriting(site: &'static Site) -> impl IntoView {
    (!site.posts.is_empty()).then(|| {
        let posts = site
            .posts
            .iter()
            .take(2)
            .map(|post| view! { <PostCard post=post heading_level=3/> })
            .collect_view();
        view! {
            <section class="section" id="writing" aria-labelledby="writing-title">
                <SectionTitle id="writing-title" number="06" title=site.writing_page.home_heading.as_str()/>
                <div class="grid grid-2">{posts}</div>
                <p class="section-more"><a href=href("/writing")>"All writing"</a></p>
            </section>
        }
    })
}
