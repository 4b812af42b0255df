//! A source file, highlighted at build time (syntect, class-based): the browser only adds colour
//! through the theme's CSS.

use leptos::prelude::*;

#[component]
pub fn Code(file: &'static str, lang: &'static str, html: &'static str) -> impl IntoView {
    let name = file.rsplit('/').next().unwrap_or(file);
    view! {
        <figure class="code-figure">
            <figcaption class="code-caption">
                <span class="code-file">{name}</span>
                <span class="code-lang">{lang}</span>
            </figcaption>
            <div class="code-body" inner_html=html></div>
        </figure>
    }
}
