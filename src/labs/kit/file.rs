//! Text files in and out of a lab: a download of text the lab produces, and a file the visitor
//! opens, read only when it is within the lab's size bound (a clear message otherwise).

use super::format::{fill, grouped};
use crate::content::schema::LabKitWords;
use leptos::prelude::*;
use wasm_bindgen::{closure::Closure, JsCast, JsValue};

/// The browser refused to make the file or the link that saves it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DownloadRefused;

/// Offers `text` as a download named `name`.
pub fn download(name: &str, text: &str) -> Result<(), DownloadRefused> {
    let parts = js_sys::Array::of1(&text.into());
    let opts = web_sys::BlobPropertyBag::new();
    opts.set_type("text/plain");
    let blob = web_sys::Blob::new_with_str_sequence_and_options(&parts, &opts)
        .map_err(|_| DownloadRefused)?;
    let url = web_sys::Url::create_object_url_with_blob(&blob).map_err(|_| DownloadRefused)?;
    let a = gloo_utils::document()
        .create_element("a")
        .map_err(|_| DownloadRefused)?
        .dyn_into::<web_sys::HtmlAnchorElement>()
        .map_err(|_| DownloadRefused)?;
    a.set_href(&url);
    a.set_download(name);
    a.click();
    let _ = web_sys::Url::revoke_object_url(&url);
    Ok(())
}

/// Why a file is refused before it is read, if it is.
pub fn check_size(
    words: &LabKitWords,
    name: &str,
    size_bytes: f64,
    limit_bytes: u64,
) -> Result<(), String> {
    if size_bytes <= limit_bytes as f64 {
        return Ok(());
    }
    Err(fill(
        &words.file_too_large,
        &[
            ("name", name),
            ("size", &grouped(size_bytes.round() as u64)),
            ("limit", &grouped(limit_bytes)),
        ],
    ))
}

/// A button that opens a text file of at most `limit_bytes` and passes `(name, text)` to
/// `on_text`, or a message to `on_error`.
#[component]
pub fn FileOpen(
    words: &'static LabKitWords,
    limit_bytes: u64,
    on_text: impl Fn(String, String) + Copy + 'static,
    on_error: impl Fn(String) + Copy + 'static,
) -> impl IntoView {
    let input = NodeRef::<leptos::html::Input>::new();
    let picked = move |_| {
        let Some(el) = input.get_untracked() else {
            return;
        };
        let Some(file) = el.files().and_then(|list| list.get(0)) else {
            return;
        };
        // The same file can be opened again after it was edited.
        el.set_value("");
        let name = file.name();
        if let Err(e) = check_size(words, &name, file.size(), limit_bytes) {
            return on_error(e);
        }
        let unreadable = fill(&words.file_unreadable, &[("name", &name)]);
        let failed = {
            let unreadable = unreadable.clone();
            Closure::once(move |_: JsValue| on_error(unreadable))
        };
        let read = Closure::once(move |text: JsValue| match text.as_string() {
            Some(text) => on_text(name, text),
            None => on_error(unreadable),
        });
        let _ = file.text().then2(&read, &failed);
        read.forget();
        failed.forget();
    };
    view! {
        <label class="btn file-open">
            {words.file_open.as_str()}
            <input type="file" accept=".txt,text/plain" class="sr-only" node_ref=input on:change=picked/>
        </label>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_file_over_the_bound_is_refused_with_its_size() {
        let words = &crate::labs::orderbook::bundle().kit;
        assert!(check_size(words, "a.txt", 10.0, 10).is_ok());
        let e = check_size(words, "a.txt", 12_345.0, 1_000).unwrap_err();
        assert!(e.contains("a.txt") && e.contains("12\u{2009}345") && e.contains("1\u{2009}000"));
        assert!(!e.contains('{'), "{e}");
    }
}
