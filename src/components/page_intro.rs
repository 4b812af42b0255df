//! The opening block of an index page: small-caps label, heading and lede.

use leptos::prelude::*;

#[component]
pub fn PageIntro(label: &'static str, heading: &'static str, lede: &'static str) -> impl IntoView {
    view! {
        <header class="page-head">
            <p class="eyebrow">{label}</p>
            <h1>{heading}</h1>
            <p class="lede">{lede}</p>
        </header>
    }
}
