//! The site's pages rendered to HTML natively, at build time: the same views the browser mounts,
//! through Leptos's server rendering. `site-prerender` prints them and `xtask prerender` puts each
//! into its route's `index.html`, so a reader without JavaScript, a crawler or a link preview gets
//! the page itself, and the first paint does not wait for the WebAssembly. In the browser the app
//! then mounts in place of this markup in one task, so nothing flashes or moves.
//!
//! Effects never run here (as on any server): the executor drops what they spawn, so a lab's page
//! renders its prose and its live column's loading line, and loads no module.

use crate::app::App;
use any_spawner::{CustomExecutor, Executor, PinnedFuture, PinnedLocalFuture};
use leptos::prelude::*;
use leptos_router::location::RequestUrl;

/// Drops every spawned task: nothing asynchronous belongs in a pre-rendered page.
struct DropTasks;

impl CustomExecutor for DropTasks {
    fn spawn(&self, _fut: PinnedFuture<()>) {}
    fn spawn_local(&self, _fut: PinnedLocalFuture<()>) {}
    fn poll_local(&self) {}
}

/// The markup the app renders at `path` (a route such as `/work/x`, without the base path) for a
/// site served at `public_url`.
pub fn render(public_url: &str, path: &str) -> Result<String, String> {
    crate::base::set_native_base(public_url)?;
    // Another call may have installed it already; either way it is this executor.
    let _ = Executor::init_custom_executor(DropTasks);
    let url = format!("{}{path}", crate::base::base_path());
    let owner = Owner::new();
    let html = owner.with(|| {
        // A render reads each signal once, untracked by design: no debug warning for that.
        let _untracked = leptos::reactive::diagnostics::SpecialNonReactiveZone::enter();
        provide_context(RequestUrl::new(&url));
        view! { <App/> }.to_html()
    });
    Ok(html)
}
