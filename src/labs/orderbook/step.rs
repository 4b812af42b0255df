//! Step mode: a queued command is applied to a copy of the book, and its events are revealed one
//! at a time, each with the reason the engine produced it (price first, then time). The
//! explanation is computed from the book as it stood before the command.

use crate::content::schema::OrderbookExplainWords;
use crate::labs::kit::format::fill;
use orderbook::{Book, Command, Event, RejectReason, Side, Tif};

/// A command being stepped through: its events, computed on a copy of the book.
#[derive(Clone, Debug)]
pub struct StepRun {
    pub cmd: Command,
    pub before: Book,
    pub events: Vec<Event>,
    /// Events revealed so far.
    pub shown: usize,
    /// Whether the command has been applied to the lab's book.
    pub committed: bool,
}

impl StepRun {
    pub fn new(book: &Book, cmd: Command) -> Self {
        let mut after = book.clone();
        let mut events = Vec::new();
        after.apply(&cmd, &mut events);
        StepRun {
            cmd,
            before: book.clone(),
            events,
            shown: 0,
            committed: false,
        }
    }

    pub fn done(&self) -> bool {
        self.shown >= self.events.len()
    }

    /// The maker of the trade revealed last, if the last revealed event is a trade.
    pub fn current_maker(&self) -> Option<(u64, u64)> {
        match self.events.get(self.shown.checked_sub(1)?)? {
            Event::Trade {
                maker_id, price, ..
            } => Some((*maker_id, *price)),
            _ => None,
        }
    }
}

fn ordinal(n: usize) -> String {
    let suffix = match (n % 10, n % 100) {
        (1, r) if r != 11 => "st",
        (2, r) if r != 12 => "nd",
        (3, r) if r != 13 => "rd",
        _ => "th",
    };
    format!("{n}{suffix}")
}

/// One sentence (or two) on why `event` happened, given the command and the book before it, in
/// the lab's words.
pub fn explain(w: &OrderbookExplainWords, before: &Book, cmd: &Command, event: &Event) -> String {
    let n = |v: u64| v.to_string();
    match *event {
        Event::Accept { id } => fill(&w.accept, &[("id", &n(id))]),
        Event::Reject { id, reason } => match reason {
            RejectReason::Invalid => fill(&w.reject_invalid, &[("id", &n(id))]),
            RejectReason::DuplicateId => fill(&w.reject_duplicate, &[("id", &n(id))]),
            RejectReason::UnknownOrder => fill(&w.reject_unknown, &[("id", &n(id))]),
            RejectReason::FokUnfillable => {
                let (side, price, qty) = match *cmd {
                    Command::Limit {
                        side, price, qty, ..
                    } => (side, price, qty),
                    _ => (Side::Buy, 0, 0),
                };
                let available: u128 = before
                    .levels(side.opposite())
                    .filter(|l| match side {
                        Side::Buy => l.price <= price,
                        Side::Sell => l.price >= price,
                    })
                    .map(|l| l.total_qty)
                    .sum();
                fill(
                    &w.reject_fok,
                    &[
                        ("id", &n(id)),
                        ("qty", &n(qty)),
                        ("available", &available.to_string()),
                        ("price", &n(price)),
                    ],
                )
            }
            RejectReason::PostOnlyWouldCross => {
                let best = match *cmd {
                    Command::Limit {
                        side: Side::Buy, ..
                    } => before.best_ask(),
                    _ => before.best_bid(),
                };
                let best = best.map_or_else(String::new, |l| {
                    fill(&w.reject_post_best, &[("price", &n(l.price))])
                });
                fill(&w.reject_post, &[("id", &n(id)), ("best", &best)])
            }
        },
        Event::Trade {
            taker_id,
            maker_id,
            price,
            qty,
        } => {
            let Some(maker) = before.order(maker_id) else {
                return fill(
                    &w.trade_plain,
                    &[
                        ("qty", &n(qty)),
                        ("price", &n(price)),
                        ("taker", &n(taker_id)),
                        ("maker", &n(maker_id)),
                    ],
                );
            };
            let queue: Vec<u64> = before
                .orders(maker.side)
                .filter(|o| o.price == price)
                .map(|o| o.id)
                .collect();
            let pos = queue.iter().position(|&id| id == maker_id).unwrap_or(0);
            let (best, taker_side) = match maker.side {
                Side::Sell => (&w.lowest_ask, &w.buy),
                Side::Buy => (&w.highest_bid, &w.sell),
            };
            let better_levels = before
                .levels(maker.side)
                .take_while(|l| l.price != price)
                .count();
            let price_part = if better_levels == 0 {
                fill(&w.price_best, &[("price", &n(price)), ("best", best)])
            } else {
                fill(
                    &w.price_after,
                    &[
                        ("price", &n(price)),
                        ("best", best),
                        ("levels", &better_levels.to_string()),
                    ],
                )
            };
            let time_part = if pos == 0 {
                let others = queue.len().saturating_sub(1).to_string();
                fill(
                    &w.time_first,
                    &[
                        ("maker", &n(maker_id)),
                        ("price", &n(price)),
                        ("others", &others),
                    ],
                )
            } else {
                fill(
                    &w.time_later,
                    &[
                        ("maker", &n(maker_id)),
                        ("position", &ordinal(pos + 1)),
                        ("price", &n(price)),
                        ("ahead", &pos.to_string()),
                    ],
                )
            };
            fill(
                &w.trade,
                &[
                    ("taker", &n(taker_id)),
                    ("side", taker_side),
                    ("qty", &n(qty)),
                    ("price", &n(price)),
                    ("maker", &n(maker_id)),
                    ("price_part", &price_part),
                    ("time_part", &time_part),
                ],
            )
        }
        Event::Cancelled { id, remaining_qty } => {
            let template = match *cmd {
                Command::Cancel { .. } => &w.cancelled,
                _ if id != cmd.id() => &w.self_trade,
                Command::Market { .. } => &w.market_rest,
                Command::Limit { tif: Tif::Ioc, .. } => &w.ioc_rest,
                _ => &w.left_unfilled,
            };
            fill(template, &[("id", &n(id)), ("qty", &n(remaining_qty))])
        }
        Event::Modified { id, price, qty } => match before.order(id) {
            Some(old) if old.price == price && qty <= old.qty => {
                fill(&w.modify_keep, &[("id", &n(id)), ("qty", &n(qty))])
            }
            Some(old) => fill(
                &w.modify_move,
                &[
                    ("id", &n(id)),
                    ("old_qty", &n(old.qty)),
                    ("old_price", &n(old.price)),
                    ("qty", &n(qty)),
                    ("price", &n(price)),
                ],
            ),
            None => fill(
                &w.modify_plain,
                &[("id", &n(id)), ("qty", &n(qty)), ("price", &n(price))],
            ),
        },
    }
}
