//! The site footer.

use crate::{base::href, content::site};
use leptos::prelude::*;

#[component]
pub fn Footer() -> impl IntoView {
    let identity = &site().identity;
    view! {
        <footer class="site-footer">
            <div class="wrap footer-inner">
                <a class="footer-name" href=href("/")>{identity.name.as_str()}</a>
                <p class="footer-built">"Rust, Leptos and WebAssembly, served as static files."</p>
            </div>
        </footer>
    }
}
