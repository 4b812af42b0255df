//! `/lab/orderbook`: the page the site renders itself — title, lede and the prose, which read with
//! no interaction — plus a placeholder into which it loads the live lab (the `lab` bin, a separate
//! WebAssembly module fetched only on this page, so the first load of home stays small).

use crate::{base::href, components::head::PageHead, content::site, pages::not_found::NotFound};
use leptos::{html, prelude::*};
use wasm_bindgen::{JsCast, JsValue};

/// Imports `lab.js` (resolved against `<base href>`), initialises it and mounts the lab into the
/// element, unless the visitor has already left. Resolves to the module.
const LOADER: &str = "return import(url).then(async (m) => { await m.default(); \
if (el.isConnected) { m.mount_lab(el); } return m; })";

fn load(el: &web_sys::HtmlElement, module: StoredValue<Option<JsValue>, LocalStorage>) {
    let url = gloo_utils::document()
        .base_uri()
        .ok()
        .flatten()
        .and_then(|base| web_sys::Url::new_with_base("lab.js", &base).ok())
        .map(|u| u.href());
    let (Some(url), loader) = (url, js_sys::Function::new_with_args("url, el", LOADER)) else {
        return;
    };
    let Ok(promise) = loader.call2(&JsValue::NULL, &url.into(), el) else {
        return;
    };
    let Ok(promise) = promise.dyn_into::<js_sys::Promise>() else {
        return;
    };
    let target = el.clone();
    let done = wasm_bindgen::closure::Closure::<dyn FnMut(JsValue)>::new(move |m: JsValue| {
        if module.try_set_value(Some(m.clone())).is_some() && !target.is_connected() {
            unmount(&m);
        }
    });
    let failed_el = el.clone();
    let failed = wasm_bindgen::closure::Closure::<dyn FnMut(JsValue)>::new(move |_| {
        failed_el.set_text_content(Some(
            "The live lab could not be loaded. Reload the page, or try a current browser.",
        ));
    });
    let _ = promise.then2(&done, &failed);
    done.forget();
    failed.forget();
}

fn unmount(module: &JsValue) {
    if let Ok(f) = js_sys::Reflect::get(module, &"unmount_lab".into()) {
        if let Ok(f) = f.dyn_into::<js_sys::Function>() {
            let _ = f.call0(module);
        }
    }
}

#[component]
pub fn OrderbookLab() -> impl IntoView {
    let Some(words) = site().orderbook_lab.as_ref() else {
        return view! { <NotFound/> }.into_any();
    };
    let live = NodeRef::<html::Div>::new();
    let module: StoredValue<Option<JsValue>, LocalStorage> = StoredValue::new_local(None);
    Effect::new(move |_| {
        if let Some(el) = live.get() {
            load(&el, module);
        }
    });
    on_cleanup(move || {
        if let Some(Some(m)) = module.try_get_value() {
            unmount(&m);
        }
    });
    let prose = words
        .prose
        .iter()
        .map(|section| {
            let paragraphs = section
                .paragraphs
                .iter()
                .map(|p| view! { <p>{p.as_str()}</p> })
                .collect_view();
            view! {
                <section class="lab-prose-section">
                    <h2>{section.heading.as_str()}</h2>
                    {paragraphs}
                </section>
            }
        })
        .collect_view();
    // Static pages written by `xtask prerender`; `rel="external"` keeps the router out of it.
    let sources = site()
        .sources
        .iter()
        .filter(|source| source.lab == "/lab/orderbook")
        .map(|source| {
            let link = href(&format!("/source/{}.html", source.slug));
            view! { <li><a href=link rel="external">{source.label.as_str()}</a></li> }
        })
        .collect_view();
    view! {
        {site().page("/lab/orderbook").map(|page| view! { <PageHead page=page/> })}
        <article class="wrap page lab">
            <header class="page-head">
                <p class="eyebrow">{words.label.as_str()}</p>
                <h1>{words.heading.as_str()}</h1>
                <p class="lede">{words.lede.as_str()}</p>
            </header>
            <div class="lab-grid">
                <div class="lab-prose">
                    {prose}
                    <section class="lab-prose-section lab-source">
                        <h2>{words.source_heading.as_str()}</h2>
                        <ul>{sources}</ul>
                    </section>
                </div>
                <div class="lab-live" node_ref=live>
                    <p class="muted" role="status">"Loading the engine…"</p>
                </div>
            </div>
        </article>
    }
    .into_any()
}
