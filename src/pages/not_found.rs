//! The page for any address the site does not know. Static hosts serve `404.html` for such paths
//! (with status 404); the app then renders this.

use crate::{base::href, components::head::Head, content::site};
use leptos::prelude::*;

#[component]
pub fn NotFound() -> impl IntoView {
    let text = &site().not_found;
    view! {
        <Head title=text.title.clone() description=text.description.clone()/>
        <div class="wrap page not-found">
            <p class="eyebrow">"404"</p>
            <h1>{text.heading.as_str()}</h1>
            <p class="lede">{text.body.as_str()}</p>
            <p><a class="button" href=href("/")>"Go to the home page"</a></p>
        </div>
    }
}
