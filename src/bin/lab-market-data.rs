//! The market-data lab's module: `/lab/market-data` imports it on demand and calls `mount_lab`
//! on its live column, then `unmount_lab` when the visitor leaves (see `labs::kit::module`).

use wasm_bindgen::prelude::wasm_bindgen;

#[wasm_bindgen]
pub fn mount_lab(el: web_sys::HtmlElement) {
    site::labs::marketdata::mount(el);
}

#[wasm_bindgen]
pub fn unmount_lab() {
    site::labs::kit::module::unmount();
}

fn main() {
    site::fatal::install_panic_hook();
}
