//! The run's schedule as the JSON `raft-sim --faults` reads: export it, import one (the run
//! starts again from tick 0 with it), and the native command that prints the same digest.

use super::live::Ctx;
use crate::labs::kit::{
    file::{download, FileOpen},
    format::fill,
};
use crate::labs::raft::session::Session;
use leptos::prelude::*;
use raft::faults::FaultSchedule;

/// The largest schedule file the lab opens.
pub const MAX_SCHEDULE_BYTES: u64 = 2 * 1024 * 1024;
/// The file name the export suggests (and the command names).
pub const SCHEDULE_FILE: &str = "schedule.json";

#[component]
pub fn SchedulePanel(ctx: Ctx) -> impl IntoView {
    let w = &ctx.words.own.io;
    let message = RwSignal::new(None::<String>);
    let export = move |_| {
        let json = ctx.session.with_value(|s| s.schedule().to_json());
        if download(SCHEDULE_FILE, &json).is_err() {
            message.set(Some(ctx.words.kit.file_download_failed.clone()));
        }
    };
    let on_text = move |_name: String, text: String| {
        let run = ctx.frame.with_untracked(|f| f.run);
        let session = FaultSchedule::from_json(&text).and_then(|s| Session::new(run, s, 0));
        match session {
            Ok(s) => {
                message.set(None);
                ctx.watching.set(None);
                ctx.reset(s);
            }
            Err(e) => message.set(Some(fill(&w.import_failed, &[("error", &e.to_string())]))),
        }
    };
    let on_error = move |e: String| message.set(Some(e));
    let command = move || {
        ctx.panels.with(|f| {
            let faults = f.has_faults.then_some(SCHEDULE_FILE);
            f.run.native_command(f.view.now, faults)
        })
    };
    view! {
        <section class="lab-panel" aria-labelledby="raft-io-title">
            <h2 id="raft-io-title" class="panel-title">{w.heading.as_str()}</h2>
            <p class="panel-note">{w.lede.as_str()}</p>
            <div class="raft-actions">
                <button type="button" class="btn" on:click=export data-testid="export">{w.export.as_str()}</button>
                <FileOpen words=ctx.words.kit limit_bytes=MAX_SCHEDULE_BYTES on_text=on_text on_error=on_error/>
            </div>
            {move || message.get().map(|m| view! { <p class="lab-alert" role="alert" data-testid="io-result">{m}</p> })}
            <p class="panel-note">{w.command_label.as_str()}</p>
            <pre class="raft-command"><code data-testid="native-command">{command}</code></pre>
        </section>
    }
}
