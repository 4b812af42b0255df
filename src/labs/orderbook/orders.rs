//! "My orders" (orders placed from the form that still rest, with cancel and modify) and the L3
//! queue of the level picked on the ladder, in time priority.

use super::core::{MY_ORDERS_MAX, QUEUE_LEN};
use super::form::parse_positive;
use super::Ctx;
use crate::labs::kit::format::{fill, grouped};
use leptos::prelude::*;
use orderbook::{Command, Side};

/// The side's class name, and its word (`buy`, `sell`) from the lab's words.
pub(super) fn side_word<'w>(side: Side, buy: &'w str, sell: &'w str) -> (&'static str, &'w str) {
    match side {
        Side::Buy => ("buy", buy),
        Side::Sell => ("sell", sell),
    }
}

#[component]
pub fn MyOrders(ctx: Ctx) -> impl IntoView {
    // The order being modified, and the editor's fields.
    let editing = RwSignal::new(None::<u64>);
    let new_price = RwSignal::new(String::new());
    let new_qty = RwSignal::new(String::new());
    let w = &ctx.words.own.form;
    let m = &ctx.words.own.mine;
    let price_err = Signal::derive(move || {
        parse_positive(&new_price.get())
            .err()
            .map(|e| e.message(w, &w.price_name))
    });
    let qty_err = Signal::derive(move || {
        parse_positive(&new_qty.get())
            .err()
            .map(|e| e.message(w, &w.qty_name))
    });

    let rows = move || {
        ctx.snap.with(|s| {
            if s.my_orders.is_empty() {
                return view! { <tr><td colspan="5" class="muted">{m.empty.as_str()}</td></tr> }.into_any();
            }
            s.my_orders
                .iter()
                .map(|o| {
                    let id = o.id;
                    let (price, qty) = (o.price, o.qty);
                    let cancel = move |_| ctx.apply(Command::Cancel { id });
                    let modify = move |_| {
                        editing.set(Some(id));
                        new_price.set(price.to_string());
                        new_qty.set(qty.to_string());
                    };
                    let (class, side) = side_word(o.side, &m.buy, &m.sell);
                    let label = |template: &str| fill(template, &[("id", &id.to_string())]);
                    view! {
                        <tr>
                            <td>{id}</td>
                            <td class=class>{side}</td>
                            <td>{grouped(o.price)}</td>
                            <td>{grouped(o.qty)}</td>
                            <td class="actions">
                                <button type="button" class="btn btn-small" on:click=modify aria-label=label(&m.modify_label)>{m.modify.as_str()}</button>
                                <button type="button" class="btn btn-small" on:click=cancel aria-label=label(&m.cancel_label)>{m.cancel.as_str()}</button>
                            </td>
                        </tr>
                    }
                })
                .collect_view()
                .into_any()
        })
    };

    let apply_modify = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let Some(id) = editing.get_untracked() else {
            return;
        };
        let p = parse_positive(&new_price.get_untracked());
        let q = parse_positive(&new_qty.get_untracked());
        if let (Ok(price), Ok(qty)) = (p, q) {
            ctx.apply(Command::Modify { id, price, qty });
            editing.set(None);
        }
    };
    let editor = move || {
        editing.get().map(|id| {
            view! {
                <form class="modify-form" on:submit=apply_modify novalidate>
                    <p class="panel-note">{fill(&m.modify_note, &[("id", &id.to_string())])}</p>
                    <div class="field" class:invalid=move || price_err.get().is_some()>
                        <label for="lab-mod-price">{m.new_price.as_str()}</label>
                        <input id="lab-mod-price" type="text" inputmode="numeric" autocomplete="off"
                            prop:value=move || new_price.get()
                            on:input=move |ev| new_price.set(event_target_value(&ev))
                            aria-invalid=move || price_err.get().is_some().to_string()
                            aria-describedby="lab-mod-price-error"/>
                        <p class="field-error" id="lab-mod-price-error">{move || price_err.get()}</p>
                    </div>
                    <div class="field" class:invalid=move || qty_err.get().is_some()>
                        <label for="lab-mod-qty">{m.new_qty.as_str()}</label>
                        <input id="lab-mod-qty" type="text" inputmode="numeric" autocomplete="off"
                            prop:value=move || new_qty.get()
                            on:input=move |ev| new_qty.set(event_target_value(&ev))
                            aria-invalid=move || qty_err.get().is_some().to_string()
                            aria-describedby="lab-mod-qty-error"/>
                        <p class="field-error" id="lab-mod-qty-error">{move || qty_err.get()}</p>
                    </div>
                    <div class="btn-row">
                        <button type="submit" class="btn btn-primary">{m.apply.as_str()}</button>
                        <button type="button" class="btn" on:click=move |_| editing.set(None)>{m.close.as_str()}</button>
                    </div>
                </form>
            }
        })
    };

    view! {
        <section class="lab-panel" aria-labelledby="lab-mine-title">
            <h2 id="lab-mine-title" class="panel-title">{m.heading.as_str()}</h2>
            <p class="panel-note">{fill(&m.note, &[("max", &MY_ORDERS_MAX.to_string())])}</p>
            <div class="scroll-box short" tabindex="0" role="region" aria-label=m.region.as_str()>
                <table class="num-table" data-testid="my-orders">
                    <thead><tr>
                        <th scope="col">{m.id.as_str()}</th><th scope="col">{m.side.as_str()}</th><th scope="col">{m.price.as_str()}</th>
                        <th scope="col">{m.qty.as_str()}</th><th scope="col"><span class="sr-only">{m.actions.as_str()}</span></th>
                    </tr></thead>
                    <tbody>{rows}</tbody>
                </table>
            </div>
            {editor}
        </section>
    }
}

#[component]
pub fn QueueView(ctx: Ctx) -> impl IntoView {
    let w = &ctx.words.own.book;
    let maker = move || {
        ctx.step.with(|run| {
            run.as_ref()
                .filter(|r| !r.committed)
                .and_then(|r| r.current_maker())
                .map(|(id, _)| id)
        })
    };
    let body = move || {
        let maker = maker();
        match ctx.selected.get() {
            None => view! { <p class="muted">{w.queue_pick.as_str()}</p> }.into_any(),
            Some((side, price)) => ctx.snap.with(|s| {
                let items = s
                    .queue
                    .iter()
                    .enumerate()
                    .map(|(i, o)| {
                        let owner = o.owner.map_or_else(|| "—".to_string(), |o| o.to_string());
                        view! {
                            <li class:hit=maker == Some(o.id)>
                                <span class="q-pos">{i + 1}</span>
                                <span>"#"{o.id}</span>
                                <span>{grouped(o.qty)}</span>
                                <span class="muted">{fill(&w.queue_owner, &[("owner", &owner)])}</span>
                            </li>
                        }
                    })
                    .collect_view();
                let more = (s.queue_total > s.queue.len()).then(|| {
                    view! { <p class="muted">{fill(&w.queue_more, &[("more", &(s.queue_total - s.queue.len()).to_string()), ("shown", &QUEUE_LEN.to_string())])}</p> }
                });
                let empty = s.queue.is_empty().then(|| view! { <p class="muted">{w.queue_empty.as_str()}</p> });
                view! {
                    <p class="queue-head">{fill(&w.queue_head, &[("side", side_word(side, &w.buy, &w.sell).1), ("price", &grouped(price)), ("n", &s.queue_total.to_string())])}</p>
                    {empty}
                    <ol class="queue" data-testid="queue">{items}</ol>
                    {more}
                }
                .into_any()
            }),
        }
    };
    view! {
        <div class="queue-view">
            <h3 class="sub-title">{w.queue_heading.as_str()}</h3>
            {body}
        </div>
    }
}
