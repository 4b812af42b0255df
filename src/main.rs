//! The `site` module: the portfolio app, mounted over the static shell in index.html.

fn main() {
    site::fatal::install_panic_hook();
    // The static shell in index.html is what a visitor sees before the WASM runs; the app replaces it.
    if let Some(shell) = gloo_utils::document().get_element_by_id("shell") {
        shell.remove();
    }
    leptos::mount::mount_to_body(site::app::App);
}
