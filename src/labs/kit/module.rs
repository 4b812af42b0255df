//! One WebAssembly module per lab. The site's lab page loads `lab-<slug>.js` on demand with
//! [`load`] (through `loader.js`, a file-backed ES module: a dynamic `import()`, no `eval`),
//! together with the live part's stylesheet [`LIVE_CSS`], so no page pays for a lab it does not
//! show; inside the lab's module, [`mount`] renders the live
//! part into the page's placeholder and [`unmount`] disposes it (every signal, the player's loop
//! and any worker) when the visitor leaves.

use leptos::prelude::*;
use std::{any::Any, cell::RefCell};
use wasm_bindgen::{prelude::wasm_bindgen, JsValue};

#[wasm_bindgen(module = "/src/labs/kit/loader.js")]
extern "C" {
    #[wasm_bindgen(catch)]
    fn load_lab(
        url: &str,
        css: &str,
        el: &web_sys::HtmlElement,
    ) -> Result<js_sys::Promise, JsValue>;
    #[wasm_bindgen(catch)]
    fn unmount_lab(module: &JsValue) -> Result<(), JsValue>;
}

/// The stylesheet of every lab's live part (copied into `dist/` by index.html), loaded with the
/// first lab module a visit opens.
pub const LIVE_CSS: &str = "lab-live.css";

/// The page's handle on a loaded lab module.
pub type Loaded = StoredValue<Option<JsValue>, LocalStorage>;

/// Loads the module of lab `slug` into `el`; `failed` runs if it cannot be loaded. The module
/// lands in `loaded`, and is unmounted at once if the page has gone by then.
pub fn load(
    slug: &str,
    el: &web_sys::HtmlElement,
    loaded: Loaded,
    failed: impl FnOnce() + 'static,
) {
    let base = gloo_utils::document().base_uri().ok().flatten();
    let resolve = |name: &str| {
        let base = base.as_deref()?;
        web_sys::Url::new_with_base(name, base)
            .ok()
            .map(|u| u.href())
    };
    let urls = resolve(&format!("lab-{slug}.js")).zip(resolve(LIVE_CSS));
    let Some(promise) = urls.and_then(|(url, css)| load_lab(&url, &css, el).ok()) else {
        return failed();
    };
    let target = el.clone();
    let done = wasm_bindgen::closure::Closure::once(move |m: JsValue| {
        if loaded.try_set_value(Some(m.clone())).is_some() && !target.is_connected() {
            let _ = unmount_lab(&m);
        }
    });
    let failed = wasm_bindgen::closure::Closure::once(move |_: JsValue| failed());
    let _ = promise.then2(&done, &failed);
    done.forget();
    failed.forget();
}

/// Unmounts the lab module the page loaded, if it has loaded.
pub fn unload(loaded: Loaded) {
    if let Some(Some(m)) = loaded.try_get_value() {
        let _ = unmount_lab(&m);
    }
}

thread_local! {
    static MOUNTED: RefCell<Option<Box<dyn Any>>> = const { RefCell::new(None) };
}

/// Inside a lab's module: renders `view` into `el`, replacing any earlier mount.
pub fn mount<V: IntoView + 'static>(el: web_sys::HtmlElement, view: impl FnOnce() -> V + 'static) {
    unmount();
    el.set_inner_html("");
    let handle = leptos::mount::mount_to(el, view);
    MOUNTED.with(|m| *m.borrow_mut() = Some(Box::new(handle)));
}

/// Inside a lab's module: removes the lab and disposes everything it owns.
pub fn unmount() {
    let old = MOUNTED.with(|m| m.borrow_mut().take());
    drop(old);
}
