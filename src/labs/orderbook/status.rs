//! The status strip: seed, logical time, events, live orders, whether the book's invariants hold
//! (checked by `Book::check_invariants` on every snapshot) and the measured flow throughput.

use super::Ctx;
use leptos::prelude::*;

/// Groups digits in threes with thin spaces, for figures that are read, not copied.
pub fn grouped(n: impl ToString) -> String {
    let s = n.to_string();
    let (int, frac) = s
        .split_once('.')
        .map_or((s.as_str(), None), |(i, f)| (i, Some(f)));
    let mut out = String::with_capacity(int.len() + int.len() / 3 + 4);
    for (i, c) in int.chars().enumerate() {
        if i > 0 && (int.len() - i) % 3 == 0 {
            out.push('\u{2009}');
        }
        out.push(c);
    }
    if let Some(f) = frac {
        out.push('.');
        out.push_str(f);
    }
    out
}

#[component]
pub fn StatusStrip(ctx: Ctx) -> impl IntoView {
    let item = |label: &'static str, value: Signal<String>, id: &'static str| {
        view! {
            <div class="status-item">
                <dt>{label}</dt>
                <dd data-status=id>{value}</dd>
            </div>
        }
    };
    let time = Signal::derive(move || grouped(ctx.snap.with(|s| s.commands)));
    let events = Signal::derive(move || grouped(ctx.snap.with(|s| s.events)));
    let live = Signal::derive(move || grouped(ctx.snap.with(|s| s.live)));
    let tput = Signal::derive(move || match (ctx.playing.get(), ctx.throughput.get()) {
        (true, Some(t)) => format!("{} cmd/s", grouped(t.round() as u64)),
        (true, None) => "measuring…".to_string(),
        (false, _) => "paused".to_string(),
    });
    let seed = Signal::derive(move || {
        ctx.snap.track();
        ctx.lab.with_value(|lab| lab.seed()).to_string()
    });
    let invariants = move || {
        ctx.snap.with(|s| match &s.invariants {
            Ok(()) => view! { <dd class="ok" data-status="invariants">"✓ holding"</dd> }.into_any(),
            Err(e) => {
                view! { <dd class="bad" data-status="invariants">"✗ " {e.clone()}</dd> }.into_any()
            }
        })
    };
    view! {
        <dl class="lab-status" aria-label="Engine status">
            {item("Seed", seed, "seed")}
            {item("Time (commands)", time, "time")}
            {item("Events", events, "events")}
            {item("Live orders", live, "live")}
            <div class="status-item"><dt>"Invariants"</dt>{invariants}</div>
            {item("Throughput", tput, "throughput")}
        </dl>
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn groups_thousands() {
        assert_eq!(super::grouped(1234567u64), "1\u{2009}234\u{2009}567");
        assert_eq!(super::grouped(12u64), "12");
        assert_eq!(super::grouped("1234.5"), "1\u{2009}234.5");
    }
}
