//! Import and export of the session in the replay format of `book-replay`: export fills the text
//! box (or downloads a file), import replays pasted commands on an empty book.

use super::core::Lab;
use super::presets::parse_commands;
use super::Ctx;
use crate::content::schema::OrderbookLab;
use leptos::prelude::*;
use wasm_bindgen::JsCast;

/// Largest session shown in the text box; longer ones are offered as a download only.
pub const MAX_TEXTAREA_LINES: usize = 5_000;
/// Most lines an import may have.
pub const MAX_IMPORT_LINES: usize = 200_000;

fn download(name: &str, text: &str) -> Result<(), String> {
    let parts = js_sys::Array::of1(&text.into());
    let opts = web_sys::BlobPropertyBag::new();
    opts.set_type("text/plain");
    let blob = web_sys::Blob::new_with_str_sequence_and_options(&parts, &opts)
        .map_err(|_| "the browser refused to create the file")?;
    let url = web_sys::Url::create_object_url_with_blob(&blob).map_err(|_| "no object URL")?;
    let a = gloo_utils::document()
        .create_element("a")
        .map_err(|_| "no link element")?
        .dyn_into::<web_sys::HtmlAnchorElement>()
        .map_err(|_| "no link element")?;
    a.set_href(&url);
    a.set_download(name);
    a.click();
    let _ = web_sys::Url::revoke_object_url(&url);
    Ok(())
}

#[component]
pub fn ImportExport(ctx: Ctx, words: &'static OrderbookLab) -> impl IntoView {
    let text = RwSignal::new(String::new());
    let msg = RwSignal::new(None::<String>);

    let export = move |_| {
        ctx.playing.set(false);
        let (out, complete) = ctx.lab.with_value(|lab| lab.export());
        let lines = out.lines().count();
        let partial = if complete {
            ""
        } else {
            " (only the first commands were kept)"
        };
        if lines > MAX_TEXTAREA_LINES {
            text.set(String::new());
            msg.set(Some(format!(
                "{lines} commands{partial} — too long to show here; use Download."
            )));
        } else {
            text.set(out);
            msg.set(Some(format!("{lines} commands{partial}.")));
        }
    };
    let save = move |_| {
        ctx.playing.set(false);
        let (out, _) = ctx.lab.with_value(|lab| lab.export());
        if let Err(e) = download("orderbook-session.txt", &out) {
            msg.set(Some(format!("Download failed: {e}.")));
        }
    };
    let import = move |_| {
        let body = text.get_untracked();
        if body.lines().count() > MAX_IMPORT_LINES {
            msg.set(Some(format!(
                "At most {MAX_IMPORT_LINES} lines can be imported."
            )));
            return;
        }
        match parse_commands(&body) {
            Ok(cmds) => {
                let seed = ctx.lab.with_value(|lab| lab.seed());
                let mut lab = Lab::new(seed);
                let n = cmds.len();
                for cmd in cmds {
                    lab.apply(cmd);
                }
                ctx.reset(lab);
                msg.set(Some(format!("Imported {n} commands on an empty book.")));
            }
            Err(e) => msg.set(Some(format!("Nothing imported: {e}."))),
        }
    };
    view! {
        <section class="lab-panel" aria-labelledby="lab-io-title">
            <h2 id="lab-io-title" class="panel-title">"Import / export"</h2>
            <p class="panel-note">{words.io_note.as_str()}</p>
            <label class="sr-only" for="lab-session">"Session in the replay format"</label>
            <textarea id="lab-session" class="session-text" rows="6" spellcheck="false"
                placeholder="LIMIT 1 SELL 101 5"
                prop:value=move || text.get()
                on:input=move |ev| text.set(event_target_value(&ev))></textarea>
            <div class="btn-row">
                <button type="button" class="btn" on:click=export>"Export"</button>
                <button type="button" class="btn" on:click=save>"Download"</button>
                <button type="button" class="btn" on:click=import>"Import"</button>
            </div>
            <p class="panel-note" role="status">{move || msg.get()}</p>
        </section>
    }
}
