//! A lab's state in the address. The lab declares its bounds (the longest query it reads, and the
//! bounds of each of its values) and reads and writes its own keys; the kit reads the query,
//! refuses one over the bound, and publishes a run's address (the address bar, the clipboard and
//! the share box) so a link replays the exact run.

use super::format::fill;
use crate::content::schema::LabKitWords;
use leptos::prelude::*;
use wasm_bindgen::{closure::Closure, JsCast, JsValue};

/// The query string of the address (without `?`), or a message when it exceeds `max_chars`.
pub fn current_query(max_chars: usize, words: &LabKitWords) -> Result<String, String> {
    let search = web_sys::window()
        .and_then(|w| w.location().search().ok())
        .unwrap_or_default();
    let query = search.trim_start_matches('?');
    if query.len() > max_chars {
        return Err(fill(
            &words.link_too_long,
            &[("limit", &max_chars.to_string())],
        ));
    }
    Ok(query.to_string())
}

/// The value of `key` in a query such as `seed=7&rate=1000`, percent-decoded.
pub fn value(query: &str, key: &str) -> Option<String> {
    query
        .trim_start_matches('?')
        .split('&')
        .filter_map(|pair| pair.split_once('='))
        .find(|(k, _)| *k == key)
        .map(|(_, v)| decode(v))
}

/// Percent-decodes one value of a query.
pub fn decode(v: &str) -> String {
    #[cfg(target_arch = "wasm32")]
    if let Some(text) = js_sys::decode_uri_component(v)
        .ok()
        .and_then(|t| t.as_string())
    {
        return text;
    }
    v.to_string()
}

/// The address of this page with `query` in place of its own.
pub fn url_with_query(query: &str) -> Result<String, String> {
    let location = web_sys::window().map(|w| w.location()).ok_or("no window")?;
    let origin = location.origin().map_err(|_| "no origin")?;
    let path = location.pathname().map_err(|_| "no path")?;
    Ok(format!("{origin}{path}?{query}"))
}

/// Writes `url` into the address bar (without a navigation) and to the clipboard if allowed.
pub fn publish(url: &str) {
    let Some(window) = web_sys::window() else {
        return;
    };
    if let Ok(history) = window.history() {
        let _ = history.replace_state_with_url(&JsValue::NULL, "", Some(url));
    }
    let clipboard = js_sys::Reflect::get(&window.navigator(), &"clipboard".into()).ok();
    let write = clipboard.as_ref().and_then(|c| {
        js_sys::Reflect::get(c, &"writeText".into())
            .ok()?
            .dyn_into::<js_sys::Function>()
            .ok()
    });
    if let (Some(c), Some(write)) = (clipboard, write) {
        if let Ok(promise) = write.call1(&c, &url.into()) {
            if let Ok(promise) = promise.dyn_into::<js_sys::Promise>() {
                // A refused clipboard is fine: the link is shown on the page too.
                let ignore = Closure::<dyn FnMut(JsValue)>::new(|_| {});
                let _ = promise.catch(&ignore);
                ignore.forget();
            }
        }
    }
}

/// The share button: `query` describes the run (or says why it cannot); the button publishes
/// its address and shows it in a box the visitor can copy from.
#[component]
pub fn ShareButton(
    words: &'static LabKitWords,
    query: impl Fn() -> Result<String, String> + 'static,
) -> impl IntoView {
    let link = RwSignal::new(String::new());
    let message = RwSignal::new(None::<String>);
    let share = move |_| match query().and_then(|q| url_with_query(&q)) {
        Ok(url) => {
            publish(&url);
            link.set(url);
            message.set(Some(words.share_copied.clone()));
        }
        Err(e) => message.set(Some(e)),
    };
    view! {
        <div class="share">
            <button type="button" class="btn" on:click=share data-testid="share">{words.share.as_str()}</button>
            <label class="sr-only" for="lab-link">{words.share_link_label.as_str()}</label>
            <input id="lab-link" class="share-link" type="text" readonly prop:value=move || link.get()
                placeholder=words.share_placeholder.as_str() data-testid="share-link"/>
            <p class="panel-note" role="status">{move || message.get()}</p>
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_are_found_by_key() {
        assert_eq!(value("?seed=7&rate=10", "rate").as_deref(), Some("10"));
        assert_eq!(value("seed=7", "seed").as_deref(), Some("7"));
        assert_eq!(value("seed=7", "s"), None);
        assert_eq!(value("", "s"), None);
    }
}
