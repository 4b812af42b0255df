//! The lab's engine session, free of the DOM: the `orderbook::Book`, the seeded flow generator,
//! the session record that replays the run, and the bounded trade tape and event log. The views
//! only ever read [`Snapshot`]s of it, taken at most once per animation frame.

use orderbook::{
    Book, Command, Event, EventSink, FlowGen, FlowParams, InvariantCursor, OrderInfo, SampledCheck,
    Side,
};
use std::collections::VecDeque;

/// Trades kept on the tape (oldest dropped first).
pub const TAPE_LEN: usize = 20;
/// Engine events kept in the event log (oldest dropped first).
pub const LOG_LEN: usize = 40;
/// Price levels rendered per side of the ladder.
pub const LADDER_DEPTH: usize = 12;
/// Price levels per side drawn in the depth chart.
pub const DEPTH_CHART_LEVELS: usize = 40;
/// Orders shown in the L3 queue of one level.
pub const QUEUE_LEN: usize = 30;
/// Orders placed from the form that "my orders" tracks.
pub const MY_ORDERS_MAX: usize = 100;
/// Commands recorded for export (beyond it the export says it is incomplete).
pub const HISTORY_MAX: usize = 200_000;
/// Most flow commands applied in one batch (one animation frame).
pub const MAX_BATCH: u64 = 5_000;
/// Ids of orders from the form start here, far above the ids the flow generator hands out.
pub const MANUAL_ID_BASE: u64 = 1_000_000_000;
/// Orders plus levels one refresh's invariant check visits at most. A book up to this size (the
/// flow's, ~160 orders) is checked in full on every refresh; a larger one (an import of up to
/// 200 k lines) gets the O(1) summary plus this many orders and levels, resuming where the last
/// refresh stopped, so successive refreshes sweep the whole book. Step mode checks in full.
pub const INVARIANT_CHECK_BUDGET: usize = 4_096;
/// Mixed into the lab's flow seed to key the book's hash indexes ([`Book::with_seed`]): the
/// layout follows the session's seed, so a replay lays the book out identically; no output
/// depends on it.
pub const HASH_SEED_SALT: u64 = 0x6c61_625f_6f62_6f6b;

/// The flow parameters of the lab: a small book (so the ladder is dense) around a drifting mid.
pub fn lab_params() -> FlowParams {
    FlowParams {
        live_target: 160,
        band_ticks: 12,
        owners: 8,
        max_qty_lots: 20,
        ..FlowParams::default()
    }
}

/// One entry of the session record: a run of flow commands, or one explicit command.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Step {
    Flow(u64),
    Cmd(Command),
}

/// A trade on the tape. `time` is the engine's logical clock: the number of the command.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TradeRow {
    pub time: u64,
    pub aggressor: Side,
    pub price: u64,
    pub qty: u64,
    pub taker: u64,
    pub maker: u64,
}

/// An engine event with the number of the command that caused it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LogRow {
    pub seq: u64,
    pub time: u64,
    pub event: Event,
}

/// One price level as the ladder shows it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LevelRow {
    pub price: u64,
    pub qty: u128,
    pub orders: u32,
    /// Quantity from the best level up to and including this one.
    pub cum: u128,
}

/// Everything the views draw, taken from the session at once.
#[derive(Clone, Debug, PartialEq)]
pub struct Snapshot {
    /// Best first.
    pub bids: Vec<LevelRow>,
    /// Best first.
    pub asks: Vec<LevelRow>,
    pub depth_bids: Vec<LevelRow>,
    pub depth_asks: Vec<LevelRow>,
    pub bid_levels: usize,
    pub ask_levels: usize,
    pub live: usize,
    pub commands: u64,
    pub events: u64,
    pub trades: u64,
    /// The first invariant violation any check of this session found (it stays), or `Ok`.
    pub invariants: Result<(), String>,
    /// What this snapshot's check covered (`complete`: every order and level); `None` once a
    /// violation was found (no further checks run).
    pub invariants_checked: Option<SampledCheck>,
    /// Newest first.
    pub tape: Vec<TradeRow>,
    /// Newest first.
    pub log: Vec<LogRow>,
    pub my_orders: Vec<OrderInfo>,
    pub queue: Vec<OrderInfo>,
    pub queue_total: usize,
}

impl Snapshot {
    pub fn best_bid(&self) -> Option<u64> {
        self.bids.first().map(|l| l.price)
    }
    pub fn best_ask(&self) -> Option<u64> {
        self.asks.first().map(|l| l.price)
    }
    pub fn spread(&self) -> Option<u64> {
        Some(self.best_ask()?.saturating_sub(self.best_bid()?))
    }
    /// The mid price as text (it may fall on a half tick).
    pub fn mid(&self) -> Option<String> {
        let (b, a) = (self.best_bid()?, self.best_ask()?);
        let sum = u128::from(b) + u128::from(a);
        Some(if sum % 2 == 0 {
            (sum / 2).to_string()
        } else {
            format!("{}.5", sum / 2)
        })
    }
}

/// Feeds engine events into the bounded tape and log.
struct Recorder<'a> {
    tape: &'a mut VecDeque<TradeRow>,
    log: &'a mut VecDeque<LogRow>,
    events: &'a mut u64,
    trades: &'a mut u64,
    time: u64,
    aggressor: Side,
}

impl EventSink for Recorder<'_> {
    fn on_event(&mut self, event: Event) {
        *self.events += 1;
        if let Event::Trade {
            taker_id,
            maker_id,
            price,
            qty,
        } = event
        {
            *self.trades += 1;
            if self.tape.len() == TAPE_LEN {
                self.tape.pop_front();
            }
            self.tape.push_back(TradeRow {
                time: self.time,
                aggressor: self.aggressor,
                price,
                qty,
                taker: taker_id,
                maker: maker_id,
            });
        }
        if self.log.len() == LOG_LEN {
            self.log.pop_front();
        }
        self.log.push_back(LogRow {
            seq: *self.events,
            time: self.time,
            event,
        });
    }
}

/// The lab's session: one book, its flow generator and everything needed to replay it.
#[derive(Clone, Debug)]
pub struct Lab {
    seed: u64,
    book: Book,
    flow: FlowGen,
    session: Vec<Step>,
    history: Vec<Command>,
    history_complete: bool,
    tape: VecDeque<TradeRow>,
    log: VecDeque<LogRow>,
    my_orders: Vec<u64>,
    next_manual_id: u64,
    commands: u64,
    events: u64,
    trades: u64,
    /// Where the next sampled invariant check resumes.
    check_cursor: InvariantCursor,
    /// The first violation found (a broken invariant does not heal: it is shown until reset).
    invariant_failure: Option<String>,
}

impl Lab {
    pub fn new(seed: u64) -> Self {
        Lab {
            seed,
            book: Book::with_seed(seed ^ HASH_SEED_SALT),
            flow: FlowGen::new(seed, lab_params()),
            session: Vec::new(),
            history: Vec::new(),
            history_complete: true,
            tape: VecDeque::with_capacity(TAPE_LEN),
            log: VecDeque::with_capacity(LOG_LEN),
            my_orders: Vec::new(),
            next_manual_id: MANUAL_ID_BASE,
            commands: 0,
            events: 0,
            trades: 0,
            check_cursor: InvariantCursor::default(),
            invariant_failure: None,
        }
    }

    /// A fresh lab that replays `steps` (as a shared link does).
    pub fn replay(seed: u64, steps: &[Step]) -> Self {
        let mut lab = Lab::new(seed);
        for step in steps {
            match *step {
                Step::Flow(n) => lab.run_flow(n),
                Step::Cmd(cmd) => lab.apply(cmd),
            }
        }
        lab
    }

    pub fn seed(&self) -> u64 {
        self.seed
    }

    pub fn book(&self) -> &Book {
        &self.book
    }

    pub fn session(&self) -> &[Step] {
        &self.session
    }

    /// The id the next order from the form gets.
    pub fn next_manual_id(&self) -> u64 {
        self.next_manual_id
    }

    fn record(&mut self, cmd: Command) {
        if self.history.len() < HISTORY_MAX {
            self.history.push(cmd);
        } else {
            self.history_complete = false;
        }
    }

    fn apply_inner(&mut self, cmd: Command) {
        self.commands += 1;
        let aggressor = match cmd {
            Command::Limit { side, .. } | Command::Market { side, .. } => side,
            Command::Cancel { .. } | Command::Modify { .. } => {
                self.book.order(cmd.id()).map_or(Side::Buy, |o| o.side)
            }
        };
        let mut sink = Recorder {
            tape: &mut self.tape,
            log: &mut self.log,
            events: &mut self.events,
            trades: &mut self.trades,
            time: self.commands,
            aggressor,
        };
        self.book.apply(&cmd, &mut sink);
        self.record(cmd);
    }

    /// Applies one explicit command (form, preset, import) and records it in the session.
    pub fn apply(&mut self, cmd: Command) {
        if cmd.id() >= self.next_manual_id
            && matches!(cmd, Command::Limit { .. } | Command::Market { .. })
        {
            self.next_manual_id = cmd.id().saturating_add(1);
            if self.my_orders.len() == MY_ORDERS_MAX {
                self.my_orders.remove(0);
            }
            self.my_orders.push(cmd.id());
        }
        self.session.push(Step::Cmd(cmd));
        self.apply_inner(cmd);
    }

    /// Applies `n` commands of the seeded flow, merging them into the session's last flow run.
    pub fn run_flow(&mut self, n: u64) {
        if n == 0 {
            return;
        }
        match self.session.last_mut() {
            Some(Step::Flow(m)) => *m = m.saturating_add(n),
            _ => self.session.push(Step::Flow(n)),
        }
        for _ in 0..n {
            let cmd = self.flow.next_command(&self.book);
            self.apply_inner(cmd);
        }
    }

    /// The session's commands in the replay format, and whether all of them were kept.
    pub fn export(&self) -> (String, bool) {
        let mut out = String::with_capacity(self.history.len() * 24);
        for cmd in &self.history {
            let _ = orderbook::protocol::write_command(&mut out, cmd);
            out.push('\n');
        }
        (out, self.history_complete)
    }

    /// Runs the invariant check: in full (`full`), or within [`INVARIANT_CHECK_BUDGET`] from
    /// where the last one stopped. A violation is kept and reported from then on.
    fn check_invariants(&mut self, full: bool) -> (Result<(), String>, Option<SampledCheck>) {
        if let Some(e) = &self.invariant_failure {
            return (Err(e.clone()), None);
        }
        let budget = if full {
            usize::MAX
        } else {
            INVARIANT_CHECK_BUDGET
        };
        match self
            .book
            .check_invariants_sampled(&mut self.check_cursor, budget)
        {
            Ok(c) => (Ok(()), Some(c)),
            Err(e) => {
                self.invariant_failure = Some(e.clone());
                (Err(e), None)
            }
        }
    }

    /// The view of the book and session, with the bounded invariant check of every refresh;
    /// `queue` selects a level whose L3 queue to include.
    pub fn snapshot(&mut self, queue: Option<(Side, u64)>) -> Snapshot {
        self.snapshot_checked(queue, false)
    }

    /// [`Lab::snapshot`] with the full invariant check (step mode: one command at a time).
    pub fn snapshot_full(&mut self, queue: Option<(Side, u64)>) -> Snapshot {
        self.snapshot_checked(queue, true)
    }

    fn snapshot_checked(&mut self, queue: Option<(Side, u64)>, full: bool) -> Snapshot {
        let (invariants, invariants_checked) = self.check_invariants(full);
        let rows = |side: Side, n: usize| {
            let mut cum = 0u128;
            self.book
                .levels(side)
                .take(n)
                .map(|l| {
                    cum = cum.saturating_add(l.total_qty);
                    LevelRow {
                        price: l.price,
                        qty: l.total_qty,
                        orders: l.orders,
                        cum,
                    }
                })
                .collect::<Vec<_>>()
        };
        let depth_bids = rows(Side::Buy, DEPTH_CHART_LEVELS);
        let depth_asks = rows(Side::Sell, DEPTH_CHART_LEVELS);
        let (queue, queue_total) = match queue {
            Some((side, price)) => {
                let all = self.book.orders(side).filter(|o| o.price == price);
                let mut shown = Vec::new();
                let mut total = 0;
                for o in all {
                    if shown.len() < QUEUE_LEN {
                        shown.push(o);
                    }
                    total += 1;
                }
                (shown, total)
            }
            None => (Vec::new(), 0),
        };
        Snapshot {
            bids: depth_bids.iter().take(LADDER_DEPTH).copied().collect(),
            asks: depth_asks.iter().take(LADDER_DEPTH).copied().collect(),
            depth_bids,
            depth_asks,
            bid_levels: self.book.level_count(Side::Buy),
            ask_levels: self.book.level_count(Side::Sell),
            live: self.book.live_orders(),
            commands: self.commands,
            events: self.events,
            trades: self.trades,
            invariants,
            invariants_checked,
            tape: self.tape.iter().rev().copied().collect(),
            log: self.log.iter().rev().copied().collect(),
            my_orders: self
                .my_orders
                .iter()
                .rev()
                .filter_map(|&id| self.book.order(id))
                .collect(),
            queue,
            queue_total,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use orderbook::Tif;

    fn limit(id: u64, side: Side, price: u64, qty: u64) -> Command {
        Command::Limit {
            id,
            side,
            price,
            qty,
            tif: Tif::Gtc,
            owner: None,
        }
    }

    #[test]
    fn a_crossing_order_trades_and_reaches_the_tape() {
        let mut lab = Lab::new(1);
        lab.apply(limit(1, Side::Sell, 101, 5));
        lab.apply(limit(MANUAL_ID_BASE, Side::Buy, 101, 3));
        let s = lab.snapshot(Some((Side::Sell, 101)));
        assert_eq!(s.trades, 1);
        assert_eq!(s.tape[0].price, 101);
        assert_eq!(s.tape[0].qty, 3);
        assert_eq!(s.tape[0].aggressor, Side::Buy);
        assert_eq!(s.asks[0].qty, 2);
        assert_eq!(s.queue.len(), 1);
        assert!(s.invariants.is_ok());
        assert_eq!(lab.next_manual_id(), MANUAL_ID_BASE + 1);
    }

    #[test]
    fn tape_and_log_stay_bounded_under_flow() {
        let mut lab = Lab::new(7);
        lab.run_flow(20_000);
        let s = lab.snapshot(None);
        assert_eq!(s.tape.len(), TAPE_LEN);
        assert_eq!(s.log.len(), LOG_LEN);
        assert!(s.bids.len() <= LADDER_DEPTH && s.asks.len() <= LADDER_DEPTH);
        assert!(s.invariants.is_ok());
        // The flow's book is small: checked in full on every refresh.
        assert!(s.invariants_checked.is_some_and(|c| c.complete));
        assert_eq!(lab.session(), &[Step::Flow(20_000)]);
    }

    #[test]
    fn replaying_the_session_rebuilds_the_same_book() {
        let mut lab = Lab::new(9);
        lab.run_flow(500);
        lab.apply(limit(MANUAL_ID_BASE, Side::Buy, 1_000_000, 50));
        lab.run_flow(300);
        let mut again = Lab::replay(9, lab.session());
        assert_eq!(again.snapshot(None), lab.snapshot(None));
    }

    /// A large imported book (the import accepts 200 k lines) is checked within the budget on
    /// each refresh, not in full, and successive refreshes sweep all of it.
    #[test]
    fn a_large_book_is_checked_within_the_budget_per_refresh() {
        let mut lab = Lab::new(1);
        for cmd in orderbook::adversarial::decreasing_bids(20_000).take(20_000) {
            lab.apply(cmd);
        }
        let first = lab.snapshot(None);
        assert!(first.invariants.is_ok());
        let c = first.invariants_checked.expect("checked");
        assert!(!c.complete);
        assert!(
            c.orders_checked + c.levels_checked <= INVARIANT_CHECK_BUDGET,
            "{} orders and {} levels checked in one refresh",
            c.orders_checked,
            c.levels_checked
        );
        let mut covered = c.orders_checked;
        let mut refreshes = 1;
        while lab.snapshot(None).invariants_checked.map(|c| {
            covered += c.orders_checked;
            c.sweeps
        }) == Some(0)
        {
            refreshes += 1;
            assert!(refreshes < 50);
        }
        assert!(covered >= 20_000);
        // Step mode checks in full.
        let full = lab.snapshot_full(None).invariants_checked.expect("checked");
        assert!(full.complete && full.orders_checked == 20_000);
    }

    #[test]
    fn the_mid_may_fall_on_a_half_tick() {
        let mut lab = Lab::new(1);
        lab.apply(limit(1, Side::Sell, 102, 5));
        lab.apply(limit(2, Side::Buy, 99, 5));
        let s = lab.snapshot(None);
        assert_eq!(s.mid().as_deref(), Some("100.5"));
        assert_eq!(s.spread(), Some(3));
    }
}
