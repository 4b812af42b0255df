//! `/writing` and `/writing/<slug>`: posts imported from feeds, newest first. Posts by someone
//! other than the owner are shown apart, credited, as recommended reading.

use crate::{
    base::href,
    components::{chips::Chips, head::PageHead, page_intro::PageIntro},
    content::{schema::Post, site},
    pages::not_found::NotFound,
};
use leptos::prelude::*;
use leptos_router::hooks::use_params_map;

#[component]
pub fn Writing() -> impl IntoView {
    let site = site();
    let page = &site.writing_page;
    let own: Vec<&'static Post> = site.posts.iter().filter(|p| p.by_owner).collect();
    let recommended: Vec<&'static Post> = site.posts.iter().filter(|p| !p.by_owner).collect();
    let own_section = (!own.is_empty()).then(|| {
        view! { <div class="post-list">{own.into_iter().map(|post| view! { <PostCard post=post heading_level=2/> }).collect_view()}</div> }
    });
    let recommended_section = (!recommended.is_empty()).then(|| {
        view! {
            <section class="section" aria-labelledby="recommended-title">
                <h2 id="recommended-title">{page.recommended_heading.as_str()}</h2>
                <p class="lede">{page.recommended_lede.as_str()}</p>
                <div class="post-list">
                    {recommended.into_iter().map(|post| view! { <PostCard post=post heading_level=3/> }).collect_view()}
                </div>
            </section>
        }
    });
    view! {
        {site.page("/writing").map(|meta| view! { <PageHead page=meta/> })}
        <div class="wrap page">
            <PageIntro label=page.label.as_str() heading=page.heading.as_str() lede=page.lede.as_str()/>
            {own_section}
            {recommended_section}
        </div>
    }
}

/// A post in a list: title (to its page on this site), credit, date, reading time, summary.
#[component]
pub fn PostCard(post: &'static Post, heading_level: u8) -> impl IntoView {
    let link = view! { <a href=href(&format!("/writing/{}", post.slug))>{post.title.as_str()}</a> };
    let heading = match heading_level {
        2 => view! { <h2 class="card-title">{link}</h2> }.into_any(),
        _ => view! { <h3 class="card-title">{link}</h3> }.into_any(),
    };
    view! {
        <article class="card post-card" class:recommended=!post.by_owner>
            <PostMeta post=post/>
            {heading}
            <p class="card-summary">{post.summary.as_deref().unwrap_or(&post.excerpt)}</p>
        </article>
    }
}

/// Date, author credit and reading time.
#[component]
fn PostMeta(post: &'static Post) -> impl IntoView {
    let day = post.date.get(..10).unwrap_or(&post.date);
    view! {
        <p class="card-meta post-meta">
            <time datetime=post.date.as_str()>{day}</time>
            <span class="post-author">{format!("by {}", post.author)}</span>
            <span>{format!("{} min read", post.reading_minutes)}</span>
        </p>
    }
}

#[component]
pub fn PostRoute() -> impl IntoView {
    let params = use_params_map();
    move || {
        let slug = params.read().get("slug").unwrap_or_default();
        match site().posts.iter().find(|p| p.slug == slug) {
            Some(post) => view! { <PostPage post=post/> }.into_any(),
            None => view! { <NotFound/> }.into_any(),
        }
    }
}

#[component]
fn PostPage(post: &'static Post) -> impl IntoView {
    let site = site();
    let credit = (!post.by_owner).then(|| {
        view! {
            <p class="credit">
                {format!("Written by {}. {}", post.author, site.writing_page.credit_note)}
            </p>
        }
    });
    view! {
        {site.page(&format!("/writing/{}", post.slug)).map(|meta| view! { <PageHead page=meta/> })}
        <article class="wrap page article">
            <header class="page-head">
                <p class="eyebrow"><a href=href("/writing")>{site.writing_page.label.as_str()}</a></p>
                <PostMeta post=post/>
                <h1>{post.title.as_str()}</h1>
                {credit}
                <Chips items=&post.tags/>
            </header>
            <p class="lede">{post.summary.as_deref().unwrap_or(&post.excerpt)}</p>
            <p>
                <a class="button" href=post.link.as_str() rel="noopener noreferrer">
                    {if post.by_owner { "Read the article" } else { "Read the article on the author's site" }}
                </a>
            </p>
            {post.lab.as_ref().map(|lab| view! {
                <p class="card-lab"><a href=href(&lab.path)>{lab.label.as_str()}" →"</a></p>
            })}
        </article>
    }
}
