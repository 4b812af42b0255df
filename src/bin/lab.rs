//! The order book lab as its own WebAssembly module: the site's `/lab/orderbook` page imports it
//! on demand (Trunk builds it as an ES module, `data-type="worker"` without a loader shim) and
//! calls `mount_lab` on its placeholder, then `unmount_lab` when the visitor leaves, which disposes
//! every signal, stops the flow loop and terminates the benchmark worker.

#[path = "../content/mod.rs"]
mod content;
#[path = "../fatal.rs"]
mod fatal;
#[path = "../labs/mod.rs"]
mod labs;

use std::{any::Any, cell::RefCell};
use wasm_bindgen::prelude::wasm_bindgen;

thread_local! {
    static MOUNTED: RefCell<Option<Box<dyn Any>>> = const { RefCell::new(None) };
}

/// Renders the live lab into `el` (replacing any earlier mount).
#[wasm_bindgen]
pub fn mount_lab(el: web_sys::HtmlElement) {
    unmount_lab();
    el.set_inner_html("");
    let handle = leptos::mount::mount_to(el, labs::orderbook::LabLive);
    MOUNTED.with(|m| *m.borrow_mut() = Some(Box::new(handle)));
}

/// Removes the live lab and disposes everything it owns.
#[wasm_bindgen]
pub fn unmount_lab() {
    let old = MOUNTED.with(|m| m.borrow_mut().take());
    drop(old);
}

fn main() {
    fatal::install_panic_hook();
}
