//! The site header: identity, main navigation, profile links and the theme switch.

use crate::{base::href, components::theme_toggle::ThemeToggle, content::site};
use leptos::prelude::*;
use leptos_router::components::A;

#[component]
pub fn Header() -> impl IntoView {
    let identity = &site().identity;
    let nav = site()
        .pages
        .iter()
        .filter_map(|page| page.nav.as_deref().map(|label| (page.path.as_str(), label)))
        .map(|(path, label)| {
            view! { <li><A href=href(path) exact=true>{label}</A></li> }
        })
        .collect_view();
    let links = (!identity.links.is_empty()).then(|| {
        let items = identity
            .links
            .iter()
            .map(|link| view! { <li><a href=link.url.as_str() rel="me">{link.label.as_str()}</a></li> })
            .collect_view();
        view! { <ul class="profile-links" aria-label="Profiles">{items}</ul> }
    });
    view! {
        <header class="site-header">
            <div class="wrap header-inner">
                <a class="brand" href=href("/")>
                    <span class="mark" aria-hidden="true">{identity.initials.as_str()}</span>
                    <span class="brand-text">
                        <span class="brand-name">{identity.name.as_str()}</span>
                        <span class="brand-tagline">{identity.tagline.as_str()}</span>
                    </span>
                </a>
                <nav class="main-nav" aria-label="Main">
                    <ul>{nav}</ul>
                </nav>
                {links}
                <ThemeToggle/>
            </div>
        </header>
    }
}
