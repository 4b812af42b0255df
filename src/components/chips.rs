//! A row of compact tags.

use leptos::prelude::*;

#[component]
pub fn Chips(items: &'static [String]) -> impl IntoView {
    view! {
        <ul class="chips">
            {items.iter().map(|item| view! { <li class="chip">{item.as_str()}</li> }).collect_view()}
        </ul>
    }
}
