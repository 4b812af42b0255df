//! The two books — the client's beside the venue's published one, with their checksums — and
//! the event log with its scrubber: the book rebuilt from the log alone at any record.

use super::live::Ctx;
use crate::labs::kit::format::{fill, grouped};
use crate::labs::marketdata::session::{BookView, Rebuilt, Run, DEPTH};
use leptos::prelude::*;

/// One side of a book, with the levels `other` does not hold marked.
fn side(rows: &[(String, String)], other: &[(String, String)]) -> AnyView {
    (0..DEPTH)
        .map(|i| {
            let (price, qty) = rows.get(i).cloned().unwrap_or_default();
            // A level the other book does not hold at all (a position shift alone is not a
            // difference: one new level moves every row below it).
            let differs = rows.get(i).is_some_and(|r| !other.contains(r));
            view! { <tr class:differ=differs><td>{price}</td><td>{qty}</td></tr> }
        })
        .collect_view()
        .into_any()
}

#[component]
fn Book(
    ctx: Ctx,
    title: &'static str,
    testid: &'static str,
    book: Signal<BookView>,
    other: Signal<BookView>,
    #[prop(into)] note: Signal<String>,
) -> impl IntoView {
    let w = &ctx.words.own.book;
    let table = move |bids: bool| {
        let rows = move || {
            book.with(|b| {
                other.with(|o| {
                    if bids {
                        side(&b.bids, &o.bids)
                    } else {
                        side(&b.asks, &o.asks)
                    }
                })
            })
        };
        view! {
            <table class="raft-table md-book-side">
                <caption class="panel-note">{if bids { w.bids.as_str() } else { w.asks.as_str() }}</caption>
                <thead><tr><th scope="col">{w.price.as_str()}</th><th scope="col">{w.qty.as_str()}</th></tr></thead>
                <tbody>{rows}</tbody>
            </table>
        }
    };
    let checksum =
        move || book.with(|b| fill(&w.checksum, &[("checksum", &b.checksum.to_string())]));
    view! {
        <div class="md-book" data-testid=testid>
            <h3 class="sub-title">{title}</h3>
            <p class="md-checksum" data-status=format!("{testid}-checksum")>{checksum}</p>
            <p class="panel-note">{note}</p>
            <div class="md-book-sides">{table(true)}{table(false)}</div>
        </div>
    }
}

#[component]
pub fn BooksPanel(ctx: Ctx) -> impl IntoView {
    let w = &ctx.words.own.book;
    let v = ctx.view;
    let client = Signal::derive(move || v.with(|v| v.client_book.clone()));
    let venue = Signal::derive(move || v.with(|v| v.venue_book.clone()));
    let client_note = Signal::derive(move || {
        v.with(|v| fill(&w.client_expected, &[("seq", &v.expected.to_string())]))
    });
    let venue_note = Signal::derive(move || {
        v.with(|v| fill(&w.venue_seq, &[("seq", &v.venue_seq.to_string())]))
    });
    let verdict = move || {
        v.with(|v| {
            let same = v.client_book == v.venue_book;
            let text = if same {
                w.same.clone()
            } else if v.verified {
                ctx.words.sync(v)
            } else {
                w.differ.clone()
            };
            let class = if same || v.verified { "ok" } else { "muted" };
            view! { <p class=class data-status="books">{text}</p> }
        })
    };
    view! {
        <section class="lab-panel" aria-labelledby="md-books-title">
            <h2 id="md-books-title" class="panel-title">{w.heading.as_str()}</h2>
            <p class="panel-note">{w.lede.as_str()}</p>
            {verdict}
            <div class="md-books">
                <Book ctx=ctx title=w.client.as_str() testid="client-book" book=client other=venue note=client_note/>
                <Book ctx=ctx title=w.venue.as_str() testid="venue-book" book=venue other=client note=venue_note/>
            </div>
        </section>
    }
}

#[component]
pub fn LogPanel(ctx: Ctx) -> impl IntoView {
    let w = &ctx.words.own.log;
    let v = ctx.view;
    let records = move || v.with(|v| v.log_records);
    let last = move || records().saturating_sub(1);
    let offset = RwSignal::new(0u64);
    let position = move || {
        fill(
            &w.position,
            &[
                ("offset", &offset.get().to_string()),
                ("last", &last().to_string()),
            ],
        )
    };
    let rebuilt = RwSignal::new(None::<Result<Option<Rebuilt>, String>>);
    let rebuild = move |at: u64| {
        offset.set(at);
        let r = ctx
            .run
            .try_with_value(|run: &Run| run.rebuilt(at).map_err(|e| e.to_string()));
        rebuilt.set(r);
    };
    let size = move || {
        v.with(|v| {
            fill(
                &w.size,
                &[
                    ("records", &grouped(v.log_records)),
                    ("bytes", &grouped(v.log_bytes)),
                    ("segments", &v.log_segments.to_string()),
                ],
            )
        })
    };
    let result = move || {
        rebuilt.with(|r| {
            let view = match r {
                None => return None,
                Some(Err(e)) => view! { <p class="lab-alert" role="alert">{fill(&w.error, &[("error", e)])}</p> }.into_any(),
                Some(Ok(None)) => view! { <p class="panel-note" data-status="rebuilt">{w.no_snapshot.as_str()}</p> }.into_any(),
                Some(Ok(Some(r))) => {
                    let s = &ctx.words.own.stream;
                    let kind = if r.snapshot { s.snapshot.as_str() } else { s.update.as_str() };
                    let record = fill(&w.record, &[
                        ("seq", &r.seq.to_string()),
                        ("kind", kind),
                        ("checksum", &r.checksum.to_string()),
                    ]);
                    let same = r.book.checksum == r.checksum;
                    let verdict = if same {
                        fill(&w.rebuilt_same, &[("checksum", &r.book.checksum.to_string())])
                    } else {
                        fill(&w.rebuilt_differ, &[("ours", &r.book.checksum.to_string()), ("theirs", &r.checksum.to_string())])
                    };
                    let book = r.book.clone();
                    view! {
                        <p class="md-record" data-status="record">{record}</p>
                        <p class=if same { "ok" } else { "bad" } data-status="rebuilt">{verdict}</p>
                        <div class="md-book-sides" data-testid="rebuilt-book">
                            <table class="raft-table md-book-side">
                                <caption class="panel-note">{ctx.words.own.book.bids.as_str()}</caption>
                                <tbody>{side(&book.bids, &book.bids)}</tbody>
                            </table>
                            <table class="raft-table md-book-side">
                                <caption class="panel-note">{ctx.words.own.book.asks.as_str()}</caption>
                                <tbody>{side(&book.asks, &book.asks)}</tbody>
                            </table>
                        </div>
                    }
                    .into_any()
                }
            };
            Some(view)
        })
    };
    view! {
        <section class="lab-panel" aria-labelledby="md-log-title" data-testid="log">
            <h2 id="md-log-title" class="panel-title">{w.heading.as_str()}</h2>
            <p class="panel-note">{w.lede.as_str()}</p>
            <p class="panel-note" data-status="log-size">{size}</p>
            {move || (records() == 0).then(|| view! { <p class="panel-note">{w.empty.as_str()}</p> })}
            <div class="field md-scrubber">
                <label for="md-scrubber">{w.scrubber.as_str()}</label>
                <input id="md-scrubber" type="range" min="0" max=move || last().to_string() step="1"
                    disabled=move || records() == 0
                    prop:value=move || offset.get().min(last()).to_string()
                    aria-valuetext=position
                    on:input=move |ev| {
                        if let Ok(at) = event_target_value(&ev).parse::<u64>() {
                            rebuild(at.min(last()));
                        }
                    }/>
                <output for="md-scrubber" data-status="offset">{position}</output>
            </div>
            {result}
        </section>
    }
}
