//! Step mode: a queued command is applied to a copy of the book, and its events are revealed one
//! at a time, each with the reason the engine produced it (price first, then time). The
//! explanation is computed from the book as it stood before the command.

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

fn side_word(side: Side) -> &'static str {
    match side {
        Side::Buy => "buy",
        Side::Sell => "sell",
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

/// One sentence (or two) on why `event` happened, given the command and the book before it.
pub fn explain(before: &Book, cmd: &Command, event: &Event) -> String {
    match *event {
        Event::Accept { id } => format!(
            "Order {id} is accepted: its price and quantity are above zero and no live order has its id."
        ),
        Event::Reject { id, reason } => match reason {
            RejectReason::Invalid => format!(
                "Order {id} is rejected: a price or quantity of zero (or a full book) is invalid."
            ),
            RejectReason::DuplicateId => {
                format!("Order {id} is rejected: a live order already has that id.")
            }
            RejectReason::UnknownOrder => {
                format!("Request for {id} is rejected: no live order has that id.")
            }
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
                format!(
                    "Fill-or-kill {id} is rejected with nothing traded: it needs {qty}, but only {available} is offered at {price} or better."
                )
            }
            RejectReason::PostOnlyWouldCross => {
                let best = match *cmd {
                    Command::Limit { side: Side::Buy, .. } => before.best_ask(),
                    _ => before.best_bid(),
                };
                let best = best.map_or_else(String::new, |l| format!(" (best {})", l.price));
                format!(
                    "Post-only {id} is rejected: its price would cross the opposite best{best}, and a post-only order may only add liquidity."
                )
            }
        },
        Event::Trade {
            taker_id,
            maker_id,
            price,
            qty,
        } => {
            let Some(maker) = before.order(maker_id) else {
                return format!("Trade of {qty} at {price} between {taker_id} and {maker_id}.");
            };
            let queue: Vec<u64> = before
                .orders(maker.side)
                .filter(|o| o.price == price)
                .map(|o| o.id)
                .collect();
            let pos = queue.iter().position(|&id| id == maker_id).unwrap_or(0);
            let best_word = match maker.side {
                Side::Sell => "lowest ask",
                Side::Buy => "highest bid",
            };
            let better_levels = before
                .levels(maker.side)
                .take_while(|l| l.price != price)
                .count();
            let price_part = if better_levels == 0 {
                format!("Price first: {price} is the {best_word}.")
            } else {
                format!(
                    "Price first: {price} is the {best_word} left once the {better_levels} better level(s) were taken."
                )
            };
            let time_part = if pos == 0 {
                format!(
                    "Then time: {maker_id} was first in the queue at {price}, ahead of {} other order(s).",
                    queue.len().saturating_sub(1)
                )
            } else {
                format!(
                    "Then time: {maker_id} was {} in the queue at {price}; the {pos} order(s) ahead of it were filled or removed first.",
                    ordinal(pos + 1)
                )
            };
            format!(
                "{taker_id} ({} taker) trades {qty} at {price} with resting {maker_id} — trades happen at the resting order's price. {price_part} {time_part}",
                side_word(maker.side.opposite())
            )
        }
        Event::Cancelled { id, remaining_qty } => match *cmd {
            Command::Cancel { .. } => {
                format!("Order {id} is cancelled; {remaining_qty} leaves the book.")
            }
            _ if id != cmd.id() => format!(
                "Self-trade prevention: resting {id} has the same owner as the incoming order, so it is cancelled ({remaining_qty} removed) instead of trading."
            ),
            Command::Market { .. } => format!(
                "The market order's remaining {remaining_qty} is dropped: the opposite side is empty and market orders never rest."
            ),
            Command::Limit { tif: Tif::Ioc, .. } => format!(
                "The remaining {remaining_qty} of immediate-or-cancel {id} is dropped: it does not rest."
            ),
            _ => format!("Order {id} leaves the book with {remaining_qty} unfilled."),
        },
        Event::Modified { id, price, qty } => match before.order(id) {
            Some(old) if old.price == price && qty <= old.qty => format!(
                "Order {id} is reduced to {qty} at the same price: it keeps its place in the queue."
            ),
            Some(old) => format!(
                "Order {id} changes from {} at {} to {qty} at {price}: a new price or a larger size loses queue priority, so it goes to the back of the queue at {price}.",
                old.qty, old.price
            ),
            None => format!("Order {id} is modified to {qty} at {price}."),
        },
    }
}
