//! The order form: side, type, price, quantity and owner, validated as the visitor types. Only a
//! form with no error message becomes a command; nothing typed can reach the engine unchecked.

use crate::content::schema::OrderbookFormWords;
use crate::labs::kit::format::fill;
use orderbook::{Command, Side, Tif};

/// The order types the form offers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    Limit,
    Market,
    Ioc,
    Fok,
    Post,
}

impl Kind {
    pub const ALL: [Kind; 5] = [Kind::Limit, Kind::Market, Kind::Ioc, Kind::Fok, Kind::Post];

    pub fn label(self, w: &OrderbookFormWords) -> &str {
        match self {
            Kind::Limit => &w.kind_limit,
            Kind::Market => &w.kind_market,
            Kind::Ioc => &w.kind_ioc,
            Kind::Fok => &w.kind_fok,
            Kind::Post => &w.kind_post,
        }
    }

    pub fn key(self) -> &'static str {
        match self {
            Kind::Limit => "limit",
            Kind::Market => "market",
            Kind::Ioc => "ioc",
            Kind::Fok => "fok",
            Kind::Post => "post",
        }
    }

    pub fn from_key(key: &str) -> Kind {
        Kind::ALL
            .into_iter()
            .find(|k| k.key() == key)
            .unwrap_or(Kind::Limit)
    }

    pub fn has_price(self) -> bool {
        self != Kind::Market
    }
}

/// Why a typed number is not a whole, positive number of ticks or lots.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NumberError {
    Empty,
    Negative,
    Fraction,
    NotDigits,
    Zero,
    TooLarge,
}

impl NumberError {
    /// The message for the field named `what`, in the lab's words.
    pub fn message(self, w: &OrderbookFormWords, what: &str) -> String {
        let template = match self {
            NumberError::Empty => &w.enter,
            NumberError::Negative => &w.negative,
            NumberError::Fraction => &w.fraction,
            NumberError::NotDigits => &w.digits,
            NumberError::Zero => &w.at_least_one,
            NumberError::TooLarge => &w.at_most,
        };
        fill(template, &[("what", what), ("max", &u64::MAX.to_string())])
    }
}

/// A whole, positive number of ticks or lots typed by the visitor.
pub fn parse_positive(text: &str) -> Result<u64, NumberError> {
    let t = text.trim();
    if t.is_empty() {
        return Err(NumberError::Empty);
    }
    if t.starts_with('-') {
        return Err(NumberError::Negative);
    }
    if t.contains(['.', ',', 'e', 'E']) && t.chars().any(|c| c.is_ascii_digit()) {
        return Err(NumberError::Fraction);
    }
    if !t.bytes().all(|b| b.is_ascii_digit()) {
        return Err(NumberError::NotDigits);
    }
    match t.parse::<u64>() {
        Ok(0) => Err(NumberError::Zero),
        Ok(v) => Ok(v),
        Err(_) => Err(NumberError::TooLarge),
    }
}

/// An optional owner id (for self-trade prevention); empty means none. Zero is a valid owner.
pub fn parse_owner(text: &str) -> Result<Option<u64>, NumberError> {
    let t = text.trim();
    if t.is_empty() {
        return Ok(None);
    }
    if t == "0" || t.trim_start_matches('0').is_empty() {
        return Ok(Some(0));
    }
    parse_positive(t).map(Some)
}

/// Field errors of the form, `None` where the field is fine.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct FormErrors {
    pub price: Option<NumberError>,
    pub qty: Option<NumberError>,
    pub owner: Option<NumberError>,
}

/// The command the form describes for order `id`, or the error of each bad field.
pub fn build(
    id: u64,
    side: Side,
    kind: Kind,
    price: &str,
    qty: &str,
    owner: &str,
) -> Result<Command, FormErrors> {
    let p = if kind.has_price() {
        parse_positive(price).map(Some)
    } else {
        Ok(None)
    };
    let q = parse_positive(qty);
    let o = parse_owner(owner);
    match (p, q, o) {
        (Ok(price), Ok(qty), Ok(owner)) => Ok(match (kind, price) {
            (Kind::Market, _) | (_, None) => Command::Market {
                id,
                side,
                qty,
                owner,
            },
            (kind, Some(price)) => Command::Limit {
                id,
                side,
                price,
                qty,
                tif: match kind {
                    Kind::Ioc => Tif::Ioc,
                    Kind::Fok => Tif::Fok,
                    Kind::Post => Tif::Post,
                    _ => Tif::Gtc,
                },
                owner,
            },
        }),
        (p, q, o) => Err(FormErrors {
            price: p.err(),
            qty: q.err(),
            owner: o.err(),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use NumberError::*;

    #[test]
    fn numbers_must_be_whole_positive_and_fit_u64() {
        assert_eq!(parse_positive(" 42 "), Ok(42));
        assert_eq!(parse_positive(""), Err(Empty));
        assert_eq!(parse_positive("-3"), Err(Negative));
        assert_eq!(parse_positive("1.5"), Err(Fraction));
        assert_eq!(parse_positive("1e3"), Err(Fraction));
        assert_eq!(parse_positive("NaN"), Err(NotDigits));
        assert_eq!(parse_positive("0"), Err(Zero));
        assert_eq!(parse_positive("18446744073709551616"), Err(TooLarge));
        assert_eq!(parse_positive("18446744073709551615"), Ok(u64::MAX));
        assert_eq!(parse_owner(""), Ok(None));
        assert_eq!(parse_owner("0"), Ok(Some(0)));
        assert!(parse_owner("x").is_err());
    }

    #[test]
    fn every_error_has_a_message_with_its_values() {
        let words = crate::labs::orderbook::Words::of(crate::labs::orderbook::bundle()).own;
        for e in [Empty, Negative, Fraction, NotDigits, Zero, TooLarge] {
            let m = e.message(&words.form, "price");
            assert!(m.contains("price") && !m.contains('{'), "{e:?}: {m}");
        }
        assert!(TooLarge
            .message(&words.form, "price")
            .contains(&u64::MAX.to_string()));
    }

    #[test]
    fn the_form_builds_each_order_type() {
        let ok = |kind| build(9, Side::Buy, kind, "100", "5", "2").unwrap();
        assert_eq!(
            ok(Kind::Market),
            Command::Market {
                id: 9,
                side: Side::Buy,
                qty: 5,
                owner: Some(2)
            }
        );
        assert!(matches!(
            ok(Kind::Fok),
            Command::Limit { tif: Tif::Fok, .. }
        ));
        assert!(matches!(
            ok(Kind::Post),
            Command::Limit { tif: Tif::Post, .. }
        ));
        // A market order ignores the price field, even a bad one.
        assert!(build(9, Side::Sell, Kind::Market, "abc", "5", "").is_ok());
        let e = build(9, Side::Sell, Kind::Limit, "-1", "0.5", "").unwrap_err();
        assert!(e.price.is_some() && e.qty.is_some() && e.owner.is_none());
    }
}

pub use view::OrderForm;

mod view {
    use super::{build, Kind, NumberError};
    use crate::labs::kit::format::fill;
    use crate::labs::orderbook::{core::MANUAL_ID_BASE, Ctx, MAX_PENDING};
    use leptos::prelude::*;
    use orderbook::{protocol::write_event, Command, Side};

    /// One labelled text field with its live error message.
    #[component]
    fn Field(
        id: &'static str,
        label: &'static str,
        value: RwSignal<String>,
        error: Signal<Option<String>>,
        #[prop(optional)] disabled: Option<Signal<bool>>,
        #[prop(optional)] hint: Option<&'static str>,
    ) -> impl IntoView {
        let err_id = format!("{id}-error");
        let disabled = disabled.unwrap_or_else(|| Signal::stored(false));
        view! {
            <div class="field" class:invalid=move || error.get().is_some()>
                <label for=id>{label}{hint.map(|h| view! { <span class="hint">{h}</span> })}</label>
                <input
                    id=id
                    type="text"
                    inputmode="numeric"
                    autocomplete="off"
                    spellcheck="false"
                    prop:value=move || value.get()
                    on:input=move |ev| value.set(event_target_value(&ev))
                    disabled=move || disabled.get()
                    aria-invalid=move || error.get().is_some().to_string()
                    aria-describedby=err_id.clone()
                />
                <p class="field-error" id=err_id.clone() aria-live="polite">{move || error.get()}</p>
            </div>
        }
    }

    #[component]
    pub fn OrderForm(ctx: Ctx) -> impl IntoView {
        let w = &ctx.words.own.form;
        let side = RwSignal::new(Side::Buy);
        let kind = RwSignal::new(Kind::Limit);
        let qty = RwSignal::new("5".to_string());
        let owner = RwSignal::new(String::new());
        let queue = RwSignal::new(false);
        let submitted = RwSignal::new(false);
        let result = RwSignal::new(None::<String>);
        let price = ctx.price_text;

        let checked = Memo::new(move |_| {
            build(
                0,
                side.get(),
                kind.get(),
                &price.get(),
                &qty.get(),
                &owner.get(),
            )
            .err()
            .unwrap_or_default()
        });
        let shown = move |text: RwSignal<String>, err: Option<NumberError>, what: &str| {
            err.filter(|_| submitted.get() || !text.get().trim().is_empty())
                .map(|e| e.message(w, what))
        };
        let price_err = Signal::derive(move || {
            if kind.get().has_price() {
                shown(price, checked.get().price, &w.price_name)
            } else {
                None
            }
        });
        let qty_err = Signal::derive(move || shown(qty, checked.get().qty, &w.qty_name));
        let owner_err = Signal::derive(move || shown(owner, checked.get().owner, &w.owner_name));

        let submit = move |ev: leptos::ev::SubmitEvent| {
            ev.prevent_default();
            let pending_max = ctx.pending.with_untracked(|p| {
                p.iter()
                    .map(|c| c.id())
                    .filter(|&id| id >= MANUAL_ID_BASE)
                    .max()
                    .map_or(0, |id| id.saturating_add(1))
            });
            let id = ctx
                .lab
                .with_value(|lab| lab.next_manual_id())
                .max(pending_max);
            let cmd = build(
                id,
                side.get_untracked(),
                kind.get_untracked(),
                &price.get_untracked(),
                &qty.get_untracked(),
                &owner.get_untracked(),
            );
            let cmd: Command = match cmd {
                Ok(cmd) => cmd,
                Err(_) => {
                    submitted.set(true);
                    result.set(Some(w.fix_fields.clone()));
                    return;
                }
            };
            submitted.set(false);
            let id = id.to_string();
            if queue.get_untracked() {
                let full = ctx.pending.with_untracked(|p| p.len() >= MAX_PENDING);
                if full {
                    let max = MAX_PENDING.to_string();
                    result.set(Some(fill(&w.queue_full, &[("max", &max)])));
                } else {
                    ctx.pending.update(|p| p.push_back(cmd));
                    result.set(Some(fill(&w.queued, &[("id", &id)])));
                }
                return;
            }
            ctx.player.pause();
            ctx.apply(cmd);
            let events = ctx.snap.with_untracked(|s| {
                let mut lines: Vec<String> = s
                    .log
                    .iter()
                    .filter(|r| r.time == s.commands)
                    .map(|r| {
                        let mut t = String::new();
                        let _ = write_event(&mut t, &r.event);
                        t
                    })
                    .collect();
                lines.reverse();
                lines.join(" · ")
            });
            result.set(Some(fill(&w.sent, &[("id", &id), ("events", &events)])));
        };

        let kinds = Kind::ALL
            .into_iter()
            .map(|k| view! { <option value=k.key() selected=move || kind.get() == k>{k.label(w)}</option> })
            .collect_view();
        let side_radio = move |s: Side, label: &'static str, key: &'static str| {
            view! {
                <label class=format!("seg seg-{key}")>
                    <input type="radio" name="lab-side" value=key
                        prop:checked=move || side.get() == s
                        on:change=move |_| side.set(s)/>
                    <span>{label}</span>
                </label>
            }
        };
        view! {
            <section class="lab-panel" aria-labelledby="lab-form-title">
                <h2 id="lab-form-title" class="panel-title">{w.heading.as_str()}</h2>
                <form class="order-form" on:submit=submit novalidate>
                    <fieldset class="segmented">
                        <legend>{w.side.as_str()}</legend>
                        {side_radio(Side::Buy, w.buy.as_str(), "buy")}
                        {side_radio(Side::Sell, w.sell.as_str(), "sell")}
                    </fieldset>
                    <div class="field">
                        <label for="lab-kind">{w.kind.as_str()}</label>
                        <select id="lab-kind" on:change=move |ev| kind.set(Kind::from_key(&event_target_value(&ev)))>
                            {kinds}
                        </select>
                    </div>
                    <Field id="lab-price" label=w.price.as_str() value=price error=price_err
                        disabled=Signal::derive(move || !kind.get().has_price())/>
                    <Field id="lab-qty" label=w.qty.as_str() value=qty error=qty_err/>
                    <Field id="lab-owner" label=w.owner.as_str() hint=w.owner_hint.as_str() value=owner error=owner_err/>
                    <label class="check">
                        <input type="checkbox" prop:checked=move || queue.get() on:change=move |ev| queue.set(event_target_checked(&ev))/>
                        {w.queue.as_str()}
                    </label>
                    <button type="submit" class="btn btn-primary">{w.submit.as_str()}</button>
                    <p class="form-result" role="status" data-testid="form-result">{move || result.get()}</p>
                </form>
            </section>
        }
    }
}
