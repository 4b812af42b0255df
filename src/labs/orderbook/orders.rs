//! "My orders" (orders placed from the form that still rest, with cancel and modify) and the L3
//! queue of the level picked on the ladder, in time priority.

use super::core::{MY_ORDERS_MAX, QUEUE_LEN};
use super::form::parse_positive;
use super::status::grouped;
use super::Ctx;
use leptos::prelude::*;
use orderbook::{Command, Side};

fn side_word(side: Side) -> &'static str {
    match side {
        Side::Buy => "buy",
        Side::Sell => "sell",
    }
}

#[component]
pub fn MyOrders(ctx: Ctx) -> impl IntoView {
    // The order being modified, and the editor's fields.
    let editing = RwSignal::new(None::<u64>);
    let new_price = RwSignal::new(String::new());
    let new_qty = RwSignal::new(String::new());
    let price_err = Signal::derive(move || parse_positive(&new_price.get(), "price").err());
    let qty_err = Signal::derive(move || parse_positive(&new_qty.get(), "quantity").err());

    let rows = move || {
        ctx.snap.with(|s| {
            if s.my_orders.is_empty() {
                return view! { <tr><td colspan="5" class="muted">"Orders you place that rest on the book appear here."</td></tr> }.into_any();
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
                    view! {
                        <tr>
                            <td>{id}</td>
                            <td class=side_word(o.side)>{side_word(o.side)}</td>
                            <td>{grouped(o.price)}</td>
                            <td>{grouped(o.qty)}</td>
                            <td class="actions">
                                <button type="button" class="btn btn-small" on:click=modify aria-label=format!("Modify order {id}")>"Modify"</button>
                                <button type="button" class="btn btn-small" on:click=cancel aria-label=format!("Cancel order {id}")>"Cancel"</button>
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
        let p = parse_positive(&new_price.get_untracked(), "price");
        let q = parse_positive(&new_qty.get_untracked(), "quantity");
        if let (Ok(price), Ok(qty)) = (p, q) {
            ctx.apply(Command::Modify { id, price, qty });
            editing.set(None);
        }
    };
    let editor = move || {
        editing.get().map(|id| {
            view! {
                <form class="modify-form" on:submit=apply_modify novalidate>
                    <p class="panel-note">{format!("Modify order {id}: a new price or a larger size sends it to the back of its queue.")}</p>
                    <div class="field" class:invalid=move || price_err.get().is_some()>
                        <label for="lab-mod-price">"New price"</label>
                        <input id="lab-mod-price" type="text" inputmode="numeric" autocomplete="off"
                            prop:value=move || new_price.get()
                            on:input=move |ev| new_price.set(event_target_value(&ev))
                            aria-invalid=move || price_err.get().is_some().to_string()
                            aria-describedby="lab-mod-price-error"/>
                        <p class="field-error" id="lab-mod-price-error">{move || price_err.get()}</p>
                    </div>
                    <div class="field" class:invalid=move || qty_err.get().is_some()>
                        <label for="lab-mod-qty">"New quantity"</label>
                        <input id="lab-mod-qty" type="text" inputmode="numeric" autocomplete="off"
                            prop:value=move || new_qty.get()
                            on:input=move |ev| new_qty.set(event_target_value(&ev))
                            aria-invalid=move || qty_err.get().is_some().to_string()
                            aria-describedby="lab-mod-qty-error"/>
                        <p class="field-error" id="lab-mod-qty-error">{move || qty_err.get()}</p>
                    </div>
                    <div class="btn-row">
                        <button type="submit" class="btn btn-primary">"Apply"</button>
                        <button type="button" class="btn" on:click=move |_| editing.set(None)>"Close"</button>
                    </div>
                </form>
            }
        })
    };

    view! {
        <section class="lab-panel" aria-labelledby="lab-mine-title">
            <h2 id="lab-mine-title" class="panel-title">"My orders"</h2>
            <p class="panel-note">{format!("Resting orders you placed (the last {MY_ORDERS_MAX} tracked).")}</p>
            <div class="scroll-box short" tabindex="0" role="region" aria-label="My resting orders">
                <table class="num-table" data-testid="my-orders">
                    <thead><tr>
                        <th scope="col">"Id"</th><th scope="col">"Side"</th><th scope="col">"Price"</th>
                        <th scope="col">"Qty"</th><th scope="col"><span class="sr-only">"Actions"</span></th>
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
            None => view! { <p class="muted">"Pick a price on the ladder to see its queue (L3), in time priority."</p> }.into_any(),
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
                                <span class="muted">"owner "{owner}</span>
                            </li>
                        }
                    })
                    .collect_view();
                let more = (s.queue_total > s.queue.len()).then(|| {
                    view! { <p class="muted">{format!("…and {} more (first {QUEUE_LEN} shown)", s.queue_total - s.queue.len())}</p> }
                });
                let empty = s.queue.is_empty().then(|| view! { <p class="muted">"This level is empty now."</p> });
                view! {
                    <p class="queue-head">{format!("{} {} — {} order(s), first in line on top", side_word(side), grouped(price), s.queue_total)}</p>
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
            <h3 class="sub-title">"Queue at a level (L3)"</h3>
            {body}
        </div>
    }
}
