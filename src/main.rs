//! The site: a Leptos client-side app that presents the portfolio and hosts the live labs.
//! It only adapts engines and content to the DOM; the engines live in `crates/` and know nothing of
//! the web.

mod app;
mod base;
mod components;
mod content;
mod fatal;
mod pages;
mod theme;

fn main() {
    fatal::install_panic_hook();
    // The static shell in index.html is what a visitor sees before the WASM runs; the app replaces it.
    if let Some(shell) = gloo_utils::document().get_element_by_id("shell") {
        shell.remove();
    }
    leptos::mount::mount_to_body(app::App);
}
