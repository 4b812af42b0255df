//! Import and export of the session in the replay format of `book-replay`: export fills the text
//! box (or downloads a file), a file can be opened into the box, and import replays the box's
//! commands on an empty book.

use super::core::Lab;
use super::presets::parse_commands;
use super::Ctx;
use crate::labs::kit::{
    file::{download, FileOpen},
    format::{fill, grouped},
};
use leptos::prelude::*;

/// Largest session shown in the text box; longer ones are offered as a download only.
pub const MAX_TEXTAREA_LINES: usize = 5_000;
/// Most lines an import may have.
pub const MAX_IMPORT_LINES: usize = 200_000;
/// Largest file the import opens: `MAX_IMPORT_LINES` lines of up to 40 bytes.
pub const MAX_IMPORT_BYTES: u64 = 8 * 1024 * 1024;

#[component]
pub fn ImportExport(ctx: Ctx) -> impl IntoView {
    let w = &ctx.words.own.io;
    let kit = ctx.words.kit;
    let text = RwSignal::new(String::new());
    let msg = RwSignal::new(None::<String>);

    let export = move |_| {
        ctx.player.pause();
        let (out, complete) = ctx.lab.with_value(|lab| lab.export());
        let lines = out.lines().count();
        let partial = if complete { "" } else { w.partial.as_str() };
        let values = [("lines", grouped(lines)), ("partial", partial.to_string())];
        let values: Vec<(&str, &str)> = values.iter().map(|(k, v)| (*k, v.as_str())).collect();
        if lines > MAX_TEXTAREA_LINES {
            text.set(String::new());
            msg.set(Some(fill(&w.exported_long, &values)));
        } else {
            text.set(out);
            msg.set(Some(fill(&w.exported, &values)));
        }
    };
    let save = move |_| {
        ctx.player.pause();
        let (out, _) = ctx.lab.with_value(|lab| lab.export());
        if download("orderbook-session.txt", &out).is_err() {
            msg.set(Some(kit.file_download_failed.clone()));
        }
    };
    let import = move |_| {
        let body = text.get_untracked();
        if body.lines().count() > MAX_IMPORT_LINES {
            let max = grouped(MAX_IMPORT_LINES);
            msg.set(Some(fill(&w.import_too_long, &[("max", &max)])));
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
                msg.set(Some(fill(&w.imported, &[("n", &grouped(n))])));
            }
            Err(e) => msg.set(Some(fill(&w.import_failed, &[("error", &e)]))),
        }
    };
    let opened = move |name: String, body: String| {
        let lines = grouped(body.lines().count());
        msg.set(Some(fill(
            &w.file_loaded,
            &[("name", &name), ("lines", &lines)],
        )));
        text.set(body);
    };
    view! {
        <section class="lab-panel" aria-labelledby="lab-io-title">
            <h2 id="lab-io-title" class="panel-title">{w.heading.as_str()}</h2>
            <p class="panel-note">{w.note.as_str()}</p>
            <label class="sr-only" for="lab-session">{w.text_label.as_str()}</label>
            <textarea id="lab-session" class="session-text" rows="6" spellcheck="false"
                placeholder="LIMIT 1 SELL 101 5"
                prop:value=move || text.get()
                on:input=move |ev| text.set(event_target_value(&ev))></textarea>
            <div class="btn-row">
                <button type="button" class="btn" on:click=export>{w.export.as_str()}</button>
                <button type="button" class="btn" on:click=save>{w.download.as_str()}</button>
                <FileOpen words=kit limit_bytes=MAX_IMPORT_BYTES on_text=opened on_error=move |e| msg.set(Some(e))/>
                <button type="button" class="btn" on:click=import data-testid="import">{w.import.as_str()}</button>
            </div>
            <p class="panel-note" role="status" data-testid="io-result">{move || msg.get()}</p>
        </section>
    }
}
