//! Per-page document title and description, kept equal to what the prerendered file for the same
//! route carries.

use crate::content::schema::PageMeta;
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn Head(#[prop(into)] title: String, #[prop(into)] description: String) -> impl IntoView {
    // The description meta already exists in every prerendered file; update it rather than add a
    // second one.
    if let Ok(Some(meta)) = gloo_utils::document().query_selector("meta[name=description]") {
        let _ = meta.set_attribute("content", &description);
    }
    view! { <Title text=title/> }
}

/// The head of a known route (see `Site::routes`).
#[component]
pub fn PageHead(page: PageMeta) -> impl IntoView {
    view! { <Head title=page.title description=page.description/> }
}
