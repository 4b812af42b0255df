//! One test per semantic rule of the spec, written as replay transcripts (input -> exact output).

use orderbook::{Book, Command, Event, RejectReason, ReplaySession, Side, Tif};

fn replay(input: &str) -> String {
    ReplaySession::run_text(input)
}

fn check(input: &str, expected: &str) {
    let got = replay(input);
    assert_eq!(
        got, expected,
        "\n--- input ---\n{input}\n--- got ---\n{got}"
    );
}

#[test]
fn gtc_rests_then_matches_at_maker_price_best_price_first_fifo_within_level() {
    check(
        "LIMIT 1 SELL 101 5\nLIMIT 2 SELL 100 3\nLIMIT 3 SELL 100 4\nLIMIT 4 BUY 101 10\nPRINT\n",
        "ACCEPT 1\nACCEPT 2\nACCEPT 3\nACCEPT 4\n\
         TRADE 4 2 100 3\nTRADE 4 3 100 4\nTRADE 4 1 101 3\n\
         ASK 101 2 1\nEND\n",
    );
}

#[test]
fn gtc_remainder_rests_after_sweeping() {
    check(
        "LIMIT 1 SELL 100 2\nLIMIT 2 BUY 102 5\nPRINT\n",
        "ACCEPT 1\nACCEPT 2\nTRADE 2 1 100 2\nBID 102 3 1\nEND\n",
    );
}

#[test]
fn ioc_matches_and_cancels_remainder() {
    check(
        "LIMIT 1 SELL 100 2\nLIMIT 2 BUY 100 5 IOC\nLIMIT 3 BUY 100 5 IOC\nPRINT\n",
        "ACCEPT 1\nACCEPT 2\nTRADE 2 1 100 2\nCANCELLED 2 3\nACCEPT 3\nCANCELLED 3 5\nEND\n",
    );
}

#[test]
fn fok_fills_entirely_or_rejects_without_trading() {
    check(
        "LIMIT 1 SELL 100 2\nLIMIT 2 SELL 101 2\nLIMIT 3 BUY 101 5 FOK\nLIMIT 4 BUY 100 3 FOK\n\
         LIMIT 5 BUY 101 4 FOK\nPRINT\n",
        "ACCEPT 1\nACCEPT 2\nREJECT 3 FOK_UNFILLABLE\nREJECT 4 FOK_UNFILLABLE\n\
         ACCEPT 5\nTRADE 5 1 100 2\nTRADE 5 2 101 2\nEND\n",
    );
}

#[test]
fn fok_fillable_ignores_own_orders_which_stp_then_cancels() {
    // 6 lots rest at 100 but 4 belong to owner 7: a FOK of 3 from owner 7 is unfillable; a FOK of
    // 2 fills against order 2 after STP cancels order 1.
    check(
        "LIMIT 1 SELL 100 4 GTC 7\nLIMIT 2 SELL 100 2 GTC 8\nLIMIT 3 BUY 100 3 FOK 7\n\
         LIMIT 4 BUY 100 2 FOK 7\nPRINT\n",
        "ACCEPT 1\nACCEPT 2\nREJECT 3 FOK_UNFILLABLE\nACCEPT 4\nCANCELLED 1 4\nTRADE 4 2 100 2\nEND\n",
    );
}

#[test]
fn post_only_rejects_when_price_would_cross_even_against_own_orders() {
    check(
        "LIMIT 1 SELL 100 4 GTC 7\nLIMIT 2 BUY 100 1 POST 7\nLIMIT 3 BUY 99 1 POST 7\n\
         LIMIT 4 SELL 99 1 POST\nLIMIT 5 SELL 100 1 POST\nPRINT\n",
        "ACCEPT 1\nREJECT 2 POST_ONLY_WOULD_CROSS\nACCEPT 3\nREJECT 4 POST_ONLY_WOULD_CROSS\n\
         ACCEPT 5\nBID 99 1 1\nASK 100 5 2\nEND\n",
    );
}

#[test]
fn market_sweeps_levels_and_cancels_remainder() {
    check(
        "LIMIT 1 BUY 99 2\nLIMIT 2 BUY 98 2\nMARKET 3 SELL 5\nPRINT\n",
        "ACCEPT 1\nACCEPT 2\nACCEPT 3\nTRADE 3 1 99 2\nTRADE 3 2 98 2\nCANCELLED 3 1\nEND\n",
    );
}

#[test]
fn market_against_empty_side_is_accepted_then_cancelled() {
    check(
        "LIMIT 1 BUY 99 2\nMARKET 2 BUY 5\n",
        "ACCEPT 1\nACCEPT 2\nCANCELLED 2 5\n",
    );
}

#[test]
fn cancel_reports_remaining_and_unknown_ids_are_rejected() {
    check(
        "LIMIT 1 SELL 100 5\nMARKET 2 BUY 2\nCANCEL 1\nCANCEL 1\nCANCEL 77\nPRINT\n",
        "ACCEPT 1\nACCEPT 2\nTRADE 2 1 100 2\nCANCELLED 1 3\nREJECT 1 UNKNOWN_ORDER\n\
         REJECT 77 UNKNOWN_ORDER\nEND\n",
    );
}

#[test]
fn modify_reduce_in_place_keeps_priority() {
    check(
        "LIMIT 1 SELL 100 5\nLIMIT 2 SELL 100 5\nMODIFY 1 100 2\nMARKET 3 BUY 3\n",
        "ACCEPT 1\nACCEPT 2\nMODIFIED 1 100 2\nACCEPT 3\nTRADE 3 1 100 2\nTRADE 3 2 100 1\n",
    );
}

#[test]
fn modify_that_changes_nothing_is_reported_and_keeps_priority() {
    check(
        "LIMIT 1 SELL 100 5\nLIMIT 2 SELL 100 5\nMODIFY 1 100 5\nMARKET 3 BUY 1\n",
        "ACCEPT 1\nACCEPT 2\nMODIFIED 1 100 5\nACCEPT 3\nTRADE 3 1 100 1\n",
    );
}

#[test]
fn modify_increasing_qty_loses_priority() {
    check(
        "LIMIT 1 SELL 100 5\nLIMIT 2 SELL 100 5\nMODIFY 1 100 6\nMARKET 3 BUY 1\nPRINT\n",
        "ACCEPT 1\nACCEPT 2\nMODIFIED 1 100 6\nACCEPT 3\nTRADE 3 2 100 1\nASK 100 10 2\nEND\n",
    );
}

#[test]
fn modify_price_loses_priority_and_may_trade_after_the_modified_line() {
    check(
        "LIMIT 1 BUY 99 5\nLIMIT 2 SELL 101 3\nMODIFY 1 101 5\nPRINT\n",
        "ACCEPT 1\nACCEPT 2\nMODIFIED 1 101 5\nTRADE 1 2 101 3\nBID 101 2 1\nEND\n",
    );
}

#[test]
fn modify_moving_back_to_same_price_goes_to_the_back() {
    check(
        "LIMIT 1 SELL 100 5\nLIMIT 2 SELL 100 5\nMODIFY 1 102 5\nMODIFY 1 100 5\nMARKET 3 BUY 1\n",
        "ACCEPT 1\nACCEPT 2\nMODIFIED 1 102 5\nMODIFIED 1 100 5\nACCEPT 3\nTRADE 3 2 100 1\n",
    );
}

#[test]
fn modify_keeps_owner_for_self_trade_prevention() {
    check(
        "LIMIT 1 BUY 99 5 GTC 4\nLIMIT 2 SELL 101 3 GTC 4\nLIMIT 3 SELL 102 3 GTC 5\nMODIFY 1 102 5\nPRINT\n",
        "ACCEPT 1\nACCEPT 2\nACCEPT 3\nMODIFIED 1 102 5\nCANCELLED 2 3\nTRADE 1 3 102 3\nBID 102 2 1\nEND\n",
    );
}

#[test]
fn modify_checks_unknown_before_invalid() {
    check(
        "MODIFY 5 0 0\nLIMIT 5 BUY 10 1\nMODIFY 5 0 1\nMODIFY 5 10 0\nCANCEL 0\n",
        "REJECT 5 UNKNOWN_ORDER\nACCEPT 5\nREJECT 5 INVALID\nREJECT 5 INVALID\nREJECT 0 UNKNOWN_ORDER\n",
    );
}

#[test]
fn self_trade_prevention_cancels_resting_and_continues() {
    check(
        "LIMIT 1 SELL 100 2 GTC 9\nLIMIT 2 SELL 100 2 GTC 8\nLIMIT 3 SELL 100 2 GTC 9\nLIMIT 4 SELL 100 2\n\
         LIMIT 5 BUY 100 3 GTC 9\nPRINT\n",
        "ACCEPT 1\nACCEPT 2\nACCEPT 3\nACCEPT 4\nACCEPT 5\nCANCELLED 1 2\nTRADE 5 2 100 2\n\
         CANCELLED 3 2\nTRADE 5 4 100 1\nASK 100 1 1\nEND\n",
    );
}

#[test]
fn orders_without_owner_never_trigger_stp() {
    check(
        "LIMIT 1 SELL 100 2\nLIMIT 2 BUY 100 1\nLIMIT 3 SELL 100 2 GTC 0\nMARKET 4 BUY 5\n",
        "ACCEPT 1\nACCEPT 2\nTRADE 2 1 100 1\nACCEPT 3\nACCEPT 4\nTRADE 4 1 100 1\nTRADE 4 3 100 2\nCANCELLED 4 2\n",
    );
}

#[test]
fn market_with_owner_applies_stp() {
    check(
        "LIMIT 1 BUY 99 2 GTC 3\nLIMIT 2 BUY 98 2\nMARKET 3 SELL 5 3\n",
        "ACCEPT 1\nACCEPT 2\nACCEPT 3\nCANCELLED 1 2\nTRADE 3 2 98 2\nCANCELLED 3 3\n",
    );
}

#[test]
fn rejection_check_order_invalid_before_duplicate_before_tif_checks() {
    check(
        "LIMIT 1 SELL 100 5\nLIMIT 1 BUY 0 5\nLIMIT 1 BUY 5 0\nLIMIT 1 BUY 100 5 POST\nLIMIT 1 BUY 100 9 FOK\n\
         LIMIT 1 SELL 200 1\nMARKET 1 BUY 0\nMARKET 1 BUY 1\nLIMIT 2 BUY 100 9 FOK\nLIMIT 3 BUY 100 1 POST\n",
        "ACCEPT 1\nREJECT 1 INVALID\nREJECT 1 INVALID\nREJECT 1 DUPLICATE_ID\nREJECT 1 DUPLICATE_ID\n\
         REJECT 1 DUPLICATE_ID\nREJECT 1 INVALID\nREJECT 1 DUPLICATE_ID\nREJECT 2 FOK_UNFILLABLE\n\
         REJECT 3 POST_ONLY_WOULD_CROSS\n",
    );
}

#[test]
fn ids_may_be_reused_once_not_live() {
    check(
        "LIMIT 1 SELL 100 1\nMARKET 1 BUY 1\nLIMIT 2 SELL 100 1\nMARKET 3 BUY 1\nLIMIT 3 BUY 5 1\nCANCEL 3\nLIMIT 3 BUY 5 1\nLIMIT 4 BUY 5 1 IOC\nLIMIT 4 BUY 5 1\n",
        "ACCEPT 1\nREJECT 1 DUPLICATE_ID\nACCEPT 2\nACCEPT 3\nTRADE 3 1 100 1\nACCEPT 3\nCANCELLED 3 1\nACCEPT 3\n\
         ACCEPT 4\nCANCELLED 4 1\nACCEPT 4\n",
    );
}

#[test]
fn print_of_empty_book_is_just_end_and_levels_are_best_first() {
    check("PRINT\n", "END\n");
    check(
        "LIMIT 1 BUY 97 1\nLIMIT 2 BUY 99 1\nLIMIT 3 BUY 98 1\nLIMIT 4 SELL 103 1\nLIMIT 5 SELL 101 1\nPRINT\n",
        "ACCEPT 1\nACCEPT 2\nACCEPT 3\nACCEPT 4\nACCEPT 5\n\
         BID 99 1 1\nBID 98 1 1\nBID 97 1 1\nASK 101 1 1\nASK 103 1 1\nEND\n",
    );
}

#[test]
fn malformed_lines_are_errors_and_processing_continues() {
    let input = "LIMIT 1 BUY +5 1\nLIMIT 1 BUY 18446744073709551616 1\nLIMIT 1 BUY 5 1 GTC 3 extra\n\
                 NOPE\n\n   \nCANCEL x\nMARKET 2 SELL -1\nLIMIT 3 BUY 5 1 ioc\nMODIFY 1 2\nLIMIT 4 BUY 18446744073709551615 18446744073709551615\nPRINT\n";
    check(
        input,
        "ERROR 1 price is not a decimal u64\nERROR 2 price is above u64 max\nERROR 3 wrong number of fields\n\
         ERROR 4 unknown command\nERROR 7 id is not a decimal u64\nERROR 8 quantity is not a decimal u64\n\
         ERROR 9 tif must be GTC, IOC, FOK or POST\nERROR 10 wrong number of fields\nACCEPT 4\n\
         BID 18446744073709551615 18446744073709551615 1\nEND\n",
    );
}

#[test]
fn level_totals_do_not_overflow_u64() {
    check(
        "LIMIT 1 BUY 5 18446744073709551615\nLIMIT 2 BUY 5 18446744073709551615\nPRINT\nMARKET 3 SELL 18446744073709551615\nPRINT\n",
        "ACCEPT 1\nACCEPT 2\nBID 5 36893488147419103230 2\nEND\nACCEPT 3\nTRADE 3 1 5 18446744073709551615\n\
         BID 5 18446744073709551615 1\nEND\n",
    );
}

#[test]
fn market_data_l2_l3_best_and_spread() {
    let mut b = Book::new();
    let mut ev: Vec<Event> = Vec::new();
    for (id, side, price, qty, owner) in [
        (1, Side::Buy, 99, 5, Some(1)),
        (2, Side::Buy, 99, 3, None),
        (3, Side::Buy, 98, 1, None),
        (4, Side::Sell, 101, 4, Some(2)),
    ] {
        b.apply(
            &Command::Limit {
                id,
                side,
                price,
                qty,
                tif: Tif::Gtc,
                owner,
            },
            &mut ev,
        );
    }
    assert_eq!(
        b.best_bid().map(|l| (l.price, l.total_qty, l.orders)),
        Some((99, 8, 2))
    );
    assert_eq!(
        b.best_ask().map(|l| (l.price, l.total_qty, l.orders)),
        Some((101, 4, 1))
    );
    assert_eq!(b.spread(), Some(2));
    let l2: Vec<(u64, u128)> = b
        .levels(Side::Buy)
        .map(|l| (l.price, l.total_qty))
        .collect();
    assert_eq!(l2, vec![(99, 8), (98, 1)]);
    let l3: Vec<(u64, u64, Option<u64>)> = b
        .orders(Side::Buy)
        .map(|o| (o.id, o.qty, o.owner))
        .collect();
    assert_eq!(l3, vec![(1, 5, Some(1)), (2, 3, None), (3, 1, None)]);
    assert_eq!(
        b.order(4).map(|o| (o.side, o.price)),
        Some((Side::Sell, 101))
    );
    assert_eq!(b.live_orders(), 4);
    b.cancel(4, &mut ev);
    assert_eq!(b.spread(), None);
    assert_eq!(
        ev.last(),
        Some(&Event::Cancelled {
            id: 4,
            remaining_qty: 4
        })
    );
    let mut rejects = Vec::new();
    b.cancel(4, &mut rejects);
    assert_eq!(
        rejects,
        vec![Event::Reject {
            id: 4,
            reason: RejectReason::UnknownOrder
        }]
    );
    b.check_invariants().unwrap();
}

#[test]
fn cancelling_everything_leaves_no_levels_and_shrink_returns_to_fresh_footprint() {
    let fresh = Book::new().memory().total_bytes;
    let mut b = Book::new();
    let mut sink = orderbook::EventCounter::default();
    for id in 0..5_000u64 {
        let side = if id % 2 == 0 { Side::Buy } else { Side::Sell };
        let price = if side == Side::Buy {
            1_000 - id % 300
        } else {
            1_001 + id % 300
        };
        b.limit(id, side, price, 1 + id % 7, Tif::Gtc, None, &mut sink);
    }
    let grown = b.memory();
    assert_eq!(grown.live_orders, 5_000);
    for id in 0..5_000u64 {
        b.cancel(id, &mut sink);
    }
    let emptied = b.memory();
    assert_eq!((emptied.live_orders, emptied.levels), (0, 0));
    // Refilling reuses freed slots and levels: the reserved footprint does not grow.
    for id in 0..5_000u64 {
        let side = if id % 2 == 0 { Side::Buy } else { Side::Sell };
        let price = if side == Side::Buy {
            900 - id % 300
        } else {
            1_101 + id % 300
        };
        b.limit(id + 10_000, side, price, 1, Tif::Gtc, None, &mut sink);
    }
    assert_eq!(b.memory().total_bytes, grown.total_bytes);
    for id in 0..5_000u64 {
        b.cancel(id + 10_000, &mut sink);
    }
    b.shrink_to_fit();
    assert_eq!(b.memory().total_bytes, fresh);
    b.check_invariants().unwrap();
}
