//! Differential tests against a deliberately simple reference model (BTreeMap of price levels,
//! each a VecDeque FIFO): every event of random command streams must match exactly, and the
//! book's invariants (never crossed, quantity conserved, ids unique, levels non-empty) are
//! checked after every command.

use std::collections::{BTreeMap, HashMap, VecDeque};

use orderbook::{Book, Command, Event, FlowGen, FlowParams, RejectReason, Side, Tif};
use proptest::prelude::*;

#[derive(Clone, Copy, Debug)]
struct MOrder {
    id: u64,
    qty: u64,
    owner: Option<u64>,
}

#[derive(Default)]
struct Model {
    bids: BTreeMap<u64, VecDeque<MOrder>>,
    asks: BTreeMap<u64, VecDeque<MOrder>>,
    live: HashMap<u64, (Side, u64)>,
}

impl Model {
    fn side_mut(&mut self, side: Side) -> &mut BTreeMap<u64, VecDeque<MOrder>> {
        match side {
            Side::Buy => &mut self.bids,
            Side::Sell => &mut self.asks,
        }
    }

    /// Best opposite price an incoming `side` order limited at `limit` can trade with.
    fn best_cross(&self, side: Side, limit: Option<u64>) -> Option<u64> {
        match side {
            Side::Buy => self
                .asks
                .keys()
                .next()
                .copied()
                .filter(|&p| limit.is_none_or(|l| p <= l)),
            Side::Sell => self
                .bids
                .keys()
                .next_back()
                .copied()
                .filter(|&p| limit.is_none_or(|l| p >= l)),
        }
    }

    fn fillable(&self, side: Side, limit: u64, qty: u64, owner: Option<u64>) -> bool {
        let mut have: u128 = 0;
        let levels: Vec<&VecDeque<MOrder>> = match side {
            Side::Buy => self.asks.range(..=limit).map(|(_, q)| q).collect(),
            Side::Sell => self.bids.range(limit..).map(|(_, q)| q).collect(),
        };
        for q in levels {
            for o in q {
                if owner.is_none() || o.owner != owner {
                    have += o.qty as u128;
                }
            }
        }
        have >= qty as u128
    }

    fn take(
        &mut self,
        taker: u64,
        side: Side,
        limit: Option<u64>,
        mut qty: u64,
        owner: Option<u64>,
        ev: &mut Vec<Event>,
    ) -> u64 {
        while qty > 0 {
            let Some(price) = self.best_cross(side, limit) else {
                break;
            };
            let book = match side {
                Side::Buy => &mut self.asks,
                Side::Sell => &mut self.bids,
            };
            let queue = book.get_mut(&price).unwrap();
            let mut maker = queue.pop_front().unwrap();
            if owner.is_some() && maker.owner == owner {
                ev.push(Event::Cancelled {
                    id: maker.id,
                    remaining_qty: maker.qty,
                });
                self.live.remove(&maker.id);
            } else {
                let q = qty.min(maker.qty);
                qty -= q;
                maker.qty -= q;
                ev.push(Event::Trade {
                    taker_id: taker,
                    maker_id: maker.id,
                    price,
                    qty: q,
                });
                if maker.qty > 0 {
                    queue.push_front(maker);
                } else {
                    self.live.remove(&maker.id);
                }
            }
            if queue.is_empty() {
                book.remove(&price);
            }
        }
        qty
    }

    fn rest(&mut self, id: u64, side: Side, price: u64, qty: u64, owner: Option<u64>) {
        self.side_mut(side)
            .entry(price)
            .or_default()
            .push_back(MOrder { id, qty, owner });
        self.live.insert(id, (side, price));
    }

    fn unlink(&mut self, id: u64) -> Option<(Side, u64, MOrder)> {
        let (side, price) = self.live.remove(&id)?;
        let book = self.side_mut(side);
        let q = book.get_mut(&price).unwrap();
        let pos = q.iter().position(|o| o.id == id).unwrap();
        let o = q.remove(pos).unwrap();
        if q.is_empty() {
            book.remove(&price);
        }
        Some((side, price, o))
    }

    fn apply(&mut self, cmd: &Command) -> Vec<Event> {
        let mut ev = Vec::new();
        let reject = |ev: &mut Vec<Event>, id, reason| ev.push(Event::Reject { id, reason });
        match *cmd {
            Command::Limit {
                id,
                side,
                price,
                qty,
                tif,
                owner,
            } => {
                if price == 0 || qty == 0 {
                    reject(&mut ev, id, RejectReason::Invalid);
                } else if self.live.contains_key(&id) {
                    reject(&mut ev, id, RejectReason::DuplicateId);
                } else if tif == Tif::Post && self.best_cross(side, Some(price)).is_some() {
                    reject(&mut ev, id, RejectReason::PostOnlyWouldCross);
                } else if tif == Tif::Fok && !self.fillable(side, price, qty, owner) {
                    reject(&mut ev, id, RejectReason::FokUnfillable);
                } else {
                    ev.push(Event::Accept { id });
                    let left = self.take(id, side, Some(price), qty, owner, &mut ev);
                    if left > 0 {
                        if matches!(tif, Tif::Gtc | Tif::Post) {
                            self.rest(id, side, price, left, owner);
                        } else {
                            ev.push(Event::Cancelled {
                                id,
                                remaining_qty: left,
                            });
                        }
                    }
                }
            }
            Command::Market {
                id,
                side,
                qty,
                owner,
            } => {
                if qty == 0 {
                    reject(&mut ev, id, RejectReason::Invalid);
                } else if self.live.contains_key(&id) {
                    reject(&mut ev, id, RejectReason::DuplicateId);
                } else {
                    ev.push(Event::Accept { id });
                    let left = self.take(id, side, None, qty, owner, &mut ev);
                    if left > 0 {
                        ev.push(Event::Cancelled {
                            id,
                            remaining_qty: left,
                        });
                    }
                }
            }
            Command::Cancel { id } => match self.unlink(id) {
                Some((_, _, o)) => ev.push(Event::Cancelled {
                    id,
                    remaining_qty: o.qty,
                }),
                None => reject(&mut ev, id, RejectReason::UnknownOrder),
            },
            Command::Modify { id, price, qty } => {
                let Some(&(side, old_price)) = self.live.get(&id) else {
                    reject(&mut ev, id, RejectReason::UnknownOrder);
                    return ev;
                };
                if price == 0 || qty == 0 {
                    reject(&mut ev, id, RejectReason::Invalid);
                    return ev;
                }
                let q = self.side_mut(side).get_mut(&old_price).unwrap();
                let o = q.iter_mut().find(|o| o.id == id).unwrap();
                if price == old_price && qty <= o.qty {
                    o.qty = qty;
                    ev.push(Event::Modified { id, price, qty });
                    return ev;
                }
                let (_, _, o) = self.unlink(id).unwrap();
                ev.push(Event::Modified { id, price, qty });
                let left = self.take(id, side, Some(price), qty, o.owner, &mut ev);
                if left > 0 {
                    self.rest(id, side, price, left, o.owner);
                }
            }
        }
        ev
    }

    /// L3 snapshot, best level first: (side, price, id, qty, owner).
    fn snapshot(&self) -> Vec<(Side, u64, u64, u64, Option<u64>)> {
        let mut v = Vec::new();
        for (p, q) in self.bids.iter().rev() {
            v.extend(q.iter().map(|o| (Side::Buy, *p, o.id, o.qty, o.owner)));
        }
        for (p, q) in self.asks.iter() {
            v.extend(q.iter().map(|o| (Side::Sell, *p, o.id, o.qty, o.owner)));
        }
        v
    }
}

fn book_snapshot(b: &Book) -> Vec<(Side, u64, u64, u64, Option<u64>)> {
    b.orders(Side::Buy)
        .chain(b.orders(Side::Sell))
        .map(|o| (o.side, o.price, o.id, o.qty, o.owner))
        .collect()
}

fn resting_qty(b: &Book) -> u128 {
    b.levels(Side::Buy)
        .chain(b.levels(Side::Sell))
        .map(|l| l.total_qty)
        .sum()
}

/// Quantity conservation for one command: what left the book plus what rested equals what came
/// in, computed from the events alone.
fn check_conservation(b: &Book, cmd: &Command, ev: &[Event], before: u128, after: u128) {
    let traded: u128 = ev
        .iter()
        .map(|e| match e {
            Event::Trade { qty, .. } => *qty as u128,
            _ => 0,
        })
        .sum();
    let cancelled_other: u128 = ev
        .iter()
        .map(|e| match e {
            Event::Cancelled { id, remaining_qty } if *id != cmd.id() => *remaining_qty as u128,
            _ => 0,
        })
        .sum();
    let cancelled_self: u128 = ev
        .iter()
        .map(|e| match e {
            Event::Cancelled { id, remaining_qty } if *id == cmd.id() => *remaining_qty as u128,
            _ => 0,
        })
        .sum();
    let rested = b.order(cmd.id()).map_or(0, |o| o.qty as u128);
    let accepted = ev.iter().any(|e| matches!(e, Event::Accept { .. }));
    match *cmd {
        Command::Limit { qty, .. } | Command::Market { qty, .. } if accepted => {
            assert_eq!(qty as u128, traded + cancelled_self + rested, "{cmd:?}");
            assert_eq!(after, before - traded - cancelled_other + rested, "{cmd:?}");
        }
        Command::Cancel { .. } => assert_eq!(after, before - cancelled_self),
        _ if ev.len() == 1 && matches!(ev[0], Event::Reject { .. }) => assert_eq!(after, before),
        _ => {}
    }
}

fn run_and_compare(cmds: &[Command]) {
    let mut book = Book::new();
    let mut model = Model::default();
    let mut ev = Vec::new();
    for (i, cmd) in cmds.iter().enumerate() {
        let before = resting_qty(&book);
        ev.clear();
        book.apply(cmd, &mut ev);
        let want = model.apply(cmd);
        assert_eq!(ev, want, "events differ at command {i}: {cmd:?}");
        let after = resting_qty(&book);
        check_conservation(&book, cmd, &ev, before, after);
        book.check_invariants()
            .unwrap_or_else(|e| panic!("invariant broken after command {i} {cmd:?}: {e}"));
        assert_eq!(
            book_snapshot(&book),
            model.snapshot(),
            "book differs at {i}"
        );
        assert_eq!(book.live_orders(), model.live.len());
    }
}

fn side_strategy() -> impl Strategy<Value = Side> {
    prop_oneof![Just(Side::Buy), Just(Side::Sell)]
}

fn command_strategy() -> impl Strategy<Value = Command> {
    let id = 0u64..24;
    let price = prop_oneof![1 => Just(0u64), 20 => 95u64..106];
    let qty = prop_oneof![1 => Just(0u64), 20 => 1u64..9, 1 => Just(u64::MAX)];
    let owner = prop_oneof![2 => Just(None), 3 => (0u64..3).prop_map(Some)];
    let tif = prop_oneof![
        4 => Just(Tif::Gtc),
        1 => Just(Tif::Ioc),
        1 => Just(Tif::Fok),
        1 => Just(Tif::Post)
    ];
    prop_oneof![
        6 => (id.clone(), side_strategy(), price.clone(), qty.clone(), tif, owner.clone()).prop_map(
            |(id, side, price, qty, tif, owner)| Command::Limit { id, side, price, qty, tif, owner }
        ),
        1 => (id.clone(), side_strategy(), qty.clone(), owner)
            .prop_map(|(id, side, qty, owner)| Command::Market { id, side, qty, owner }),
        2 => id.clone().prop_map(|id| Command::Cancel { id }),
        2 => (id, price, qty).prop_map(|(id, price, qty)| Command::Modify { id, price, qty }),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 384, ..ProptestConfig::default() })]

    #[test]
    fn random_streams_match_the_reference_model(cmds in prop::collection::vec(command_strategy(), 1..300)) {
        run_and_compare(&cmds);
    }
}

#[test]
fn flow_generator_stream_matches_the_reference_model() {
    let params = FlowParams {
        live_target: 300,
        band_ticks: 16,
        owners: 3,
        ..FlowParams::default()
    };
    let mut gen = FlowGen::new(2024, params);
    let mut book = Book::new();
    let mut cmds = Vec::new();
    let mut sink = Vec::new();
    for _ in 0..30_000 {
        let c = gen.next_command(&book);
        book.apply(&c, &mut sink);
        cmds.push(c);
    }
    run_and_compare(&cmds);
}

/// Mostly passive orders over a wide price range, so each side holds hundreds of levels (more
/// than the ladder's near tier): levels spill into the deep tier, takers and cancels pull them
/// back, and every event and L2/L3 view must still match the model.
fn deep_command_strategy() -> impl Strategy<Value = Command> {
    let id = 0u64..900;
    let passive =
        (id.clone(), side_strategy(), 0u64..1_000, 1u64..9).prop_map(|(id, side, offset, qty)| {
            let price = match side {
                Side::Buy => 1_000 - offset,
                Side::Sell => 1_001 + offset,
            };
            Command::Limit {
                id,
                side,
                price,
                qty,
                tif: Tif::Gtc,
                owner: None,
            }
        });
    let tif = prop_oneof![Just(Tif::Gtc), Just(Tif::Ioc), Just(Tif::Fok)];
    prop_oneof![
        12 => passive,
        1 => (id.clone(), side_strategy(), 1u64..2_001, 1u64..300, tif, prop_oneof![Just(None), Just(Some(1u64))])
            .prop_map(|(id, side, price, qty, tif, owner)| Command::Limit { id, side, price, qty, tif, owner }),
        1 => (id.clone(), side_strategy(), 1u64..600)
            .prop_map(|(id, side, qty)| Command::Market { id, side, qty, owner: None }),
        4 => id.clone().prop_map(|id| Command::Cancel { id }),
        1 => (id, 1u64..2_001, 1u64..9).prop_map(|(id, price, qty)| Command::Modify { id, price, qty }),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    #[test]
    fn deep_ladders_match_the_reference_model(cmds in prop::collection::vec(deep_command_strategy(), 1..1_500)) {
        run_and_compare(&cmds);
    }
}
