//! The adversarial streams of `orderbook::adversarial` through the whole book: the same events
//! and market data as any book must produce, the invariants hold throughout (full and sampled
//! checks), and the hash seed changes no output.

use orderbook::adversarial::{colliding_ids, decreasing_bids, DECREASING_BIDS_TOP_PRICE};
use orderbook::{Book, Command, Event, EventChecksum, InvariantCursor, Side};

/// Orders per stream here (enough for the deep tier and a grown id index; small enough for a
/// debug build).
const ORDERS: u64 = 5_000;

#[test]
fn decreasing_bids_rest_in_price_order_and_cancel_cleanly() {
    let mut book = Book::new();
    let mut events: Vec<Event> = Vec::new();
    for (i, cmd) in decreasing_bids(ORDERS).enumerate() {
        book.apply(&cmd, &mut events);
        if i % 997 == 0 {
            book.check_invariants().unwrap();
        }
        if i as u64 == ORDERS - 1 {
            assert_eq!(book.level_count(Side::Buy), ORDERS as usize);
            let prices: Vec<u64> = book.levels(Side::Buy).map(|l| l.price).collect();
            let want: Vec<u64> = (0..ORDERS).map(|i| DECREASING_BIDS_TOP_PRICE - i).collect();
            assert_eq!(prices, want, "L2 best first across both tiers");
            assert_eq!(
                book.best_bid().map(|l| l.price),
                Some(DECREASING_BIDS_TOP_PRICE)
            );
        }
    }
    assert_eq!(book.live_orders(), 0);
    assert_eq!(book.level_count(Side::Buy), 0);
    assert_eq!(events.len() as u64, 2 * ORDERS);
    assert!(events
        .iter()
        .all(|e| matches!(e, Event::Accept { .. } | Event::Cancelled { .. })));
}

#[test]
fn a_sell_sweep_walks_the_touch_down_through_the_deep_tier() {
    let mut book = Book::new();
    let mut sink = EventChecksum::new();
    for cmd in decreasing_bids(ORDERS).take(ORDERS as usize) {
        book.apply(&cmd, &mut sink);
    }
    let mut trades: Vec<(u64, u64)> = Vec::new();
    let mut events: Vec<Event> = Vec::new();
    book.apply(
        &Command::Market {
            id: u64::MAX,
            side: Side::Sell,
            qty: ORDERS - 10,
            owner: None,
        },
        &mut events,
    );
    for e in &events {
        if let Event::Trade {
            maker_id, price, ..
        } = *e
        {
            trades.push((maker_id, price));
        }
    }
    assert_eq!(trades.len() as u64, ORDERS - 10);
    assert!(trades
        .iter()
        .enumerate()
        .all(|(i, &(maker, price))| maker == i as u64 + 1
            && price == DECREASING_BIDS_TOP_PRICE - i as u64));
    assert_eq!(book.level_count(Side::Buy), 10);
    book.check_invariants().unwrap();
}

#[test]
fn colliding_ids_and_any_seed_give_the_same_output() {
    let cmds: Vec<Command> = colliding_ids(ORDERS).chain(decreasing_bids(500)).collect();
    let run = |mut book: Book| {
        let mut sum = EventChecksum::new();
        for (i, c) in cmds.iter().enumerate() {
            book.apply(c, &mut sum);
            if i as u64 == ORDERS - 1 {
                assert_eq!(book.live_orders(), ORDERS as usize);
                book.check_invariants().unwrap();
            }
        }
        book.check_invariants().unwrap();
        (sum.value(), sum.events())
    };
    let reference = run(Book::new());
    for seed in [0, 1, 42, u64::MAX] {
        assert_eq!(run(Book::with_seed(seed)), reference, "seed {seed}");
    }
}

#[test]
fn sampled_checks_cover_a_large_book_within_their_budget_and_match_the_full_check() {
    const BUDGET: usize = 700;
    let mut book = Book::with_seed(7);
    let mut sink = EventChecksum::new();
    // 3,000 levels of one order, then 2,000 orders on one level (checked in pieces).
    for cmd in decreasing_bids(3_000).take(3_000) {
        book.apply(&cmd, &mut sink);
    }
    for cmd in colliding_ids(2_000).take(2_000) {
        book.apply(&cmd, &mut sink);
    }
    book.check_invariants().unwrap();
    let mut cursor = InvariantCursor::default();
    let (mut orders, mut calls) = (0usize, 0usize);
    let start = book.check_invariants_sampled(&mut cursor, BUDGET).unwrap();
    assert!(!start.complete);
    orders += start.orders_checked;
    calls += 1;
    while book
        .check_invariants_sampled(&mut cursor, BUDGET)
        .map(|c| {
            assert!(c.orders_checked + c.levels_checked <= BUDGET + 1);
            orders += c.orders_checked;
            c.sweeps
        })
        .unwrap()
        == 0
    {
        calls += 1;
        assert!(calls < 100, "the cursor never completed a sweep");
    }
    // One sweep checked every order (the last call may have started the next sweep).
    assert!(
        orders >= book.live_orders(),
        "{orders} orders checked in one sweep"
    );
    // A small book is checked in full.
    let small = Book::new();
    let c = small
        .check_invariants_sampled(&mut InvariantCursor::default(), BUDGET)
        .unwrap();
    assert!(c.complete);
}
