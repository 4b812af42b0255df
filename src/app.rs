//! The application shell: header, routes, footer. Every route the site answers is declared here
//! and listed, with its title, in `content/site.toml` (a test keeps the two in step).

use crate::{
    base,
    components::{footer::Footer, header::Header},
    pages::{
        case_studies::{CaseStudies, CaseStudyRoute},
        home::Home,
        lab::LabRoute,
        not_found::NotFound,
        project::ProjectRoute,
        work::Work,
        writing::{PostRoute, Writing},
    },
};
use leptos::prelude::*;
use leptos_router::{
    components::{Route, Router, Routes},
    path,
};

/// Starts the site: the panic hook, then the app in place of the static shell in index.html
/// (what a visitor sees before the WASM runs). Not generic, so every view the app instantiates is
/// compiled in this crate once, not again in the bin that calls it.
pub fn start() {
    crate::fatal::install_panic_hook();
    if let Some(shell) = gloo_utils::document().get_element_by_id("shell") {
        shell.remove();
    }
    leptos::mount::mount_to_body(App);
}

#[component]
pub fn App() -> impl IntoView {
    view! {
        <Router base=base::base_path()>
            <SkipLink/>
            <Header/>
            <main id="main" tabindex="-1">
                <Routes fallback=NotFound>
                    <Route path=path!("/") view=Home/>
                    <Route path=path!("/work") view=Work/>
                    <Route path=path!("/work/:slug") view=ProjectRoute/>
                    <Route path=path!("/case-studies") view=CaseStudies/>
                    <Route path=path!("/case-studies/:slug") view=CaseStudyRoute/>
                    <Route path=path!("/writing") view=Writing/>
                    <Route path=path!("/writing/:slug") view=PostRoute/>
                    <Route path=path!("/lab/:slug?") view=LabRoute/>
                </Routes>
            </main>
            <Footer/>
        </Router>
    }
}

/// Lets keyboard users jump past the header. A plain `#main` link would be resolved against
/// `<base href>` and navigate to the home page, so it moves focus itself.
#[component]
fn SkipLink() -> impl IntoView {
    let skip = |ev: leptos::ev::MouseEvent| {
        ev.prevent_default();
        if let Some(main) = gloo_utils::document().get_element_by_id("main") {
            use wasm_bindgen::JsCast;
            if let Ok(main) = main.dyn_into::<web_sys::HtmlElement>() {
                let _ = main.focus();
            }
        }
    };
    view! { <a class="skip-link" href="#main" on:click=skip>"Skip to content"</a> }
}

#[cfg(test)]
mod tests {
    use crate::content::site;

    /// The paths declared in `App`'s `<Routes>`; keep in step with them.
    const ROUTES: &[&str] = &[
        "/",
        "/work",
        "/work/:slug",
        "/case-studies",
        "/case-studies/:slug",
        "/writing",
        "/writing/:slug",
        "/lab/:slug?",
    ];

    /// Whether `route` matches `path`: `:x` is one segment, a last `:x?` one segment or none.
    fn matches(route: &str, path: &str) -> bool {
        let route: Vec<&str> = route.split('/').collect();
        let path: Vec<&str> = path.split('/').collect();
        let optional = route
            .last()
            .is_some_and(|r| r.starts_with(':') && r.ends_with('?'));
        if optional && path.len() + 1 == route.len() {
            return matches(&route[..route.len() - 1].join("/"), &path.join("/"));
        }
        route.len() == path.len()
            && route
                .iter()
                .zip(&path)
                .all(|(r, p)| r.starts_with(':') || r == p)
    }

    fn routed(path: &str) -> bool {
        ROUTES.iter().any(|route| matches(route, path))
    }

    #[test]
    fn every_page_in_the_content_is_routed() {
        for page in site().routes() {
            assert!(routed(&page.path), "{} is not routed", page.path);
        }
        assert!(!routed("/work/a/b"));
        assert!(routed("/lab") && routed("/lab/orderbook") && !routed("/lab/a/b"));
    }

    #[test]
    fn every_static_route_has_page_metadata() {
        let fixed = ROUTES.iter().map(|r| r.trim_end_matches("/:slug?"));
        for route in fixed.filter(|r| !r.contains(':')) {
            assert!(
                site().page(route).is_some(),
                "{route} has no [[pages]] entry"
            );
        }
    }
}
