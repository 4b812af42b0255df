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

/// Starts the site: the panic hook, then the app, which takes the place of the route's
/// pre-rendered page (`#shell`, written by `xtask prerender` from these same views) or of
/// `trunk serve`'s unrendered shell. Not generic, so every view the app instantiates is compiled
/// in this crate once, not again in the bin that calls it.
#[cfg(target_arch = "wasm32")]
pub fn start() {
    crate::fatal::install_panic_hook();
    // In a task of its own, apart from instantiating the module: two shorter tasks keep the page
    // more responsive than one long one.
    leptos::prelude::set_timeout(take_over, std::time::Duration::ZERO);
}

/// Builds the app into a detached wrapper and swaps it in for the served markup (`#shell`) in one
/// task, so the browser never paints an empty or half-built page: the new nodes render where the
/// served ones were, at the same size (e2e: no layout shift). Keyboard focus, if a visitor had
/// already moved it, moves to the same control in the new page.
#[cfg(target_arch = "wasm32")]
fn take_over() {
    use wasm_bindgen::JsCast;
    let document = gloo_utils::document();
    let Some(root) = document
        .create_element("div")
        .ok()
        .and_then(|root| root.dyn_into::<web_sys::HtmlElement>().ok())
    else {
        leptos::mount::mount_to_body(App);
        mark_live();
        return;
    };
    root.set_class_name("prerendered");
    leptos::mount::mount_to(root.clone(), App).forget();
    match document.get_element_by_id("shell") {
        Some(shell) => {
            let focused = focus_index(&shell);
            let _ = shell.replace_with_with_node_1(&root);
            if let Some(index) = focused {
                restore_focus(&root, index);
            }
        }
        None => {
            let _ = document.body().map(|body| body.append_child(&root));
        }
    }
    mark_live();
}

/// What can hold keyboard focus, in document order.
#[cfg(target_arch = "wasm32")]
const FOCUSABLE: &str = "a[href], button, input, select, textarea, [tabindex]";

/// The position of the focused element among `within`'s focusable ones, if focus is inside it.
#[cfg(target_arch = "wasm32")]
fn focus_index(within: &web_sys::Element) -> Option<u32> {
    let active = gloo_utils::document().active_element()?;
    if !within.contains(Some(&active)) {
        return None;
    }
    let all = within.query_selector_all(FOCUSABLE).ok()?;
    (0..all.length()).find(|&i| {
        all.get(i)
            .is_some_and(|node| node.is_same_node(Some(&active)))
    })
}

#[cfg(target_arch = "wasm32")]
fn restore_focus(within: &web_sys::Element, index: u32) {
    use wasm_bindgen::JsCast;
    let target = within
        .query_selector_all(FOCUSABLE)
        .ok()
        .and_then(|all| all.get(index))
        .and_then(|node| node.dyn_into::<web_sys::HtmlElement>().ok());
    if let Some(target) = target {
        let _ = target.focus();
    }
}

/// `<html data-app="live">`: the app is running (tests wait for it; nothing is styled by it).
#[cfg(target_arch = "wasm32")]
fn mark_live() {
    let _ = gloo_utils::document_element().set_attribute("data-app", "live");
}

/// Natively there is no page to start in; the views render to HTML instead (`prerender`).
#[cfg(not(target_arch = "wasm32"))]
pub fn start() {
    eprintln!("the site runs in a browser; natively, `site-prerender` renders its pages");
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
