//! Per-page document title and description, kept equal to what the prerendered file for the same
//! route carries. Set directly on the document: the prerendered `<title>` and description meta
//! already exist, so there is nothing to add to `<head>`, only text to change.

use crate::content::schema::PageMeta;
use leptos::prelude::*;

#[component]
pub fn Head(#[prop(into)] title: String, #[prop(into)] description: String) -> impl IntoView {
    // Pre-rendering writes each route's head itself (`xtask prerender`).
    if cfg!(not(target_arch = "wasm32")) {
        return;
    }
    let document = gloo_utils::document();
    document.set_title(&title);
    if let Ok(Some(meta)) = document.query_selector("meta[name=description]") {
        let _ = meta.set_attribute("content", &description);
    }
}

/// The head of a known route (see `Site::routes`).
#[component]
pub fn PageHead(page: PageMeta) -> impl IntoView {
    view! { <Head title=page.title description=page.description/> }
}
