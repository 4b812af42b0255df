//! The lab's run, outside the reactive graph: a seed, the faults it starts with and the
//! visitor's actions (pull the cable, corrupt the next message, new faults), each with the tick
//! it came at; from them, `marketdata::session::Session` — venue, network and client — at any
//! tick. A run is a function of `(RunConfig, actions, tick)`: opening its address replays it
//! exactly, because an action recorded at tick `t` is applied again right after tick `t`.
//!
//! [`Run::view`] is what the panels draw: one snapshot of the session's state, counts and
//! bounded records, taken once per refresh.

use marketdata::client::{Event, Resync, State};
use marketdata::log::{replay, LogError};
use marketdata::network::{NetParams, NetStats};
use marketdata::session::{DeliveredFrame, SentFrame, Session, SessionConfig, Verdict};
use marketdata::{Kind, L2Book, Level};

/// Levels a side the venue publishes and the client keeps (one of Kraken's depths).
pub const DEPTH: usize = 10;
/// The longest run, in ticks (one venue update per tick): the client's event list and log grow
/// with it, so it is bounded.
pub const MAX_RUN_TICKS: u64 = 50_000;
/// Actions one run may hold (each one is in the address).
pub const MAX_ACTIONS: usize = 200;
/// Highest drop, duplicate, reorder and corrupt rate a slider offers, per mille.
pub const MAX_RATE_PERMILLE: u32 = 500;
/// Highest chance per tick that the link is cut, per mille.
pub const MAX_CUT_PERMILLE: u32 = 50;
/// Longest delay a frame may be given, in ticks (the shortest is always 1).
pub const MAX_DELAY_TICKS: u32 = 20;
/// Extra delay of a reordered frame: up to this many ticks.
pub const REORDER_EXTRA_TICKS: u32 = 6;
/// Frames of each direction the stream panel shows (the newest).
pub const STREAM_ROWS: usize = 16;
/// State transitions the state panel lists (the newest).
pub const TRANSITIONS_SHOWN: usize = 12;

/// The fault mix, as the sliders set it: rates per mille, the longest delay in ticks.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Faults {
    pub drop: u32,
    pub duplicate: u32,
    pub reorder: u32,
    pub corrupt: u32,
    pub delay: u32,
    pub cut: u32,
}

impl Faults {
    /// No faults: every frame arrives, in order, 1–2 ticks after it was sent.
    pub const CLEAN: Faults = Faults {
        drop: 0,
        duplicate: 0,
        reorder: 0,
        corrupt: 0,
        delay: 2,
        cut: 0,
    };

    /// The network's parameters for these faults.
    pub fn net(self) -> NetParams {
        NetParams {
            min_delay_ticks: 1,
            max_delay_ticks: self.delay,
            drop_permille: self.drop,
            duplicate_permille: self.duplicate,
            reorder_permille: self.reorder,
            reorder_extra_ticks: REORDER_EXTRA_TICKS,
            corrupt_permille: self.corrupt,
        }
    }

    pub fn get(self, knob: Knob) -> u32 {
        match knob {
            Knob::Drop => self.drop,
            Knob::Duplicate => self.duplicate,
            Knob::Reorder => self.reorder,
            Knob::Corrupt => self.corrupt,
            Knob::Delay => self.delay,
            Knob::Cut => self.cut,
        }
    }

    /// These faults with `knob` at `value` (not checked: see [`Faults::problem`]).
    pub fn with(mut self, knob: Knob, value: u32) -> Faults {
        let field = match knob {
            Knob::Drop => &mut self.drop,
            Knob::Duplicate => &mut self.duplicate,
            Knob::Reorder => &mut self.reorder,
            Knob::Corrupt => &mut self.corrupt,
            Knob::Delay => &mut self.delay,
            Knob::Cut => &mut self.cut,
        };
        *field = value;
        self
    }

    /// The first setting outside its bounds.
    pub fn problem(self) -> Option<Knob> {
        Knob::ALL.into_iter().find(|&k| {
            let (min, max) = k.bounds();
            !(min..=max).contains(&self.get(k))
        })
    }
}

impl Default for Faults {
    fn default() -> Self {
        Faults::CLEAN
    }
}

/// One fault setting: a slider, and a key of the address.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Knob {
    Drop,
    Duplicate,
    Reorder,
    Corrupt,
    Delay,
    Cut,
}

impl Knob {
    pub const ALL: [Knob; 6] = [
        Knob::Drop,
        Knob::Duplicate,
        Knob::Reorder,
        Knob::Corrupt,
        Knob::Delay,
        Knob::Cut,
    ];

    /// Its key in the address.
    pub fn key(self) -> &'static str {
        match self {
            Knob::Drop => "drop",
            Knob::Duplicate => "dup",
            Knob::Reorder => "reorder",
            Knob::Corrupt => "corrupt",
            Knob::Delay => "delay",
            Knob::Cut => "cut",
        }
    }

    pub fn bounds(self) -> (u32, u32) {
        match self {
            Knob::Delay => (1, MAX_DELAY_TICKS),
            Knob::Cut => (0, MAX_CUT_PERMILLE),
            _ => (0, MAX_RATE_PERMILLE),
        }
    }

    /// Whether its value is a rate per mille (else a number of ticks).
    pub fn is_rate(self) -> bool {
        self != Knob::Delay
    }
}

/// What a run starts from, besides the visitor's actions.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RunConfig {
    pub seed: u64,
    pub faults: Faults,
}

impl Default for RunConfig {
    fn default() -> Self {
        RunConfig {
            seed: 1,
            faults: Faults::CLEAN,
        }
    }
}

/// A visitor's action on the running session.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Act {
    /// Cut the connection now.
    Cable,
    /// Corrupt the next message sent.
    Corrupt,
    /// These faults from the next tick on.
    Faults(Faults),
}

/// An action and the tick after which it came.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Action {
    pub at_tick: u64,
    pub act: Act,
}

/// Why a run cannot start.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RunError {
    /// A fault setting outside its bounds.
    Fault(Knob),
    /// More than [`MAX_ACTIONS`] actions, or not in tick order, or beyond [`MAX_RUN_TICKS`].
    Actions,
    /// A tick beyond [`MAX_RUN_TICKS`].
    Tick,
    /// The engine refuses the configuration.
    Engine(String),
}

/// Why an action was refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ActError {
    TooMany,
    AtEnd,
    Fault(Knob),
    /// The cable is already out.
    CableDown,
}

/// Counts over the whole run, from the client's events.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Counts {
    pub applied: u64,
    pub snapshots: u64,
    pub stale: u64,
    pub ignored: u64,
    pub gaps: u64,
    pub mismatches: u64,
    /// Malformed or unverifiable frames.
    pub malformed: u64,
    pub timeouts: u64,
    pub disconnects: u64,
}

impl Counts {
    pub fn resyncs(&self) -> u64 {
        self.gaps + self.mismatches + self.malformed + self.timeouts
    }

    fn add(&mut self, e: &Event) {
        match e {
            Event::Applied { .. } => self.applied += 1,
            Event::SnapshotApplied { .. } => {
                self.applied += 1;
                self.snapshots += 1;
            }
            Event::Stale { .. } => self.stale += 1,
            Event::Ignored { .. } => self.ignored += 1,
            Event::Disconnected { .. } => self.disconnects += 1,
            Event::Connected { .. } => {}
            Event::Resync { why, .. } => match why {
                Resync::Gap { .. } => self.gaps += 1,
                Resync::ChecksumMismatch { .. } => self.mismatches += 1,
                Resync::Malformed | Resync::Unverifiable => self.malformed += 1,
                Resync::SnapshotTimeout => self.timeouts += 1,
            },
        }
    }
}

/// A book side as the panels show it: price and quantity as the wire writes them.
pub type SideRows = Vec<(String, String)>;

fn rows(levels: &[Level]) -> SideRows {
    levels
        .iter()
        .map(|l| (l.price.to_string(), l.qty.to_string()))
        .collect()
}

/// A book as the panels show it.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct BookView {
    pub bids: SideRows,
    pub asks: SideRows,
    pub checksum: u32,
}

impl BookView {
    pub fn of(book: &L2Book) -> BookView {
        BookView {
            bids: rows(book.bids()),
            asks: rows(book.asks()),
            checksum: book.checksum(),
        }
    }
}

/// The client's state as the state panel shows it.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum StateView {
    #[default]
    Disconnected,
    Awaiting {
        resync: bool,
    },
    Live,
}

/// Everything the panels draw, from one moment of the run.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct View {
    pub tick: u64,
    pub state: StateView,
    /// While disconnected: the tick the back-off ends.
    pub retry_at: Option<u64>,
    pub in_sync: bool,
    pub link_up: bool,
    pub corrupt_pending: bool,
    pub at_end: bool,
    pub counts: Counts,
    pub net: NetStats,
    pub faults: Faults,
    pub seed: u64,
    /// The newest frames received and sent, newest first.
    pub received: Vec<DeliveredFrame>,
    pub sent: Vec<SentFrame>,
    /// The newest transitions (connected, disconnected, snapshot applied, resync), newest first.
    pub transitions: Vec<Event>,
    pub client_book: BookView,
    pub venue_book: BookView,
    pub venue_seq: u64,
    pub expected: u64,
    /// Live, and the client's book is the one the venue published with its last applied
    /// message (by that message's checksum, while it is on the record of frames sent).
    pub verified: bool,
    pub log_records: u64,
    pub log_bytes: u64,
    pub log_segments: usize,
}

/// The book rebuilt from the log at one record.
#[derive(Clone, Debug, PartialEq)]
pub struct Rebuilt {
    pub offset: u64,
    pub seq: u64,
    pub snapshot: bool,
    /// The venue's checksum that record carries.
    pub checksum: u32,
    pub book: BookView,
}

/// One run of the lab.
pub struct Run {
    config: RunConfig,
    actions: Vec<Action>,
    /// Actions applied so far (a prefix of `actions`).
    applied: usize,
    session: Session,
    counts: Counts,
    /// Client events counted into `counts` so far.
    counted: usize,
}

fn start(config: RunConfig) -> Result<Session, RunError> {
    if let Some(k) = config.faults.problem() {
        return Err(RunError::Fault(k));
    }
    Session::new(
        config.seed,
        SessionConfig {
            depth: DEPTH,
            net: config.faults.net(),
            cut_permille: config.faults.cut,
        },
    )
    .map_err(|e| RunError::Engine(format!("{e:?}")))
}

impl Run {
    /// The run of `config` with `actions`, at tick `until`.
    pub fn new(config: RunConfig, actions: Vec<Action>, until: u64) -> Result<Run, RunError> {
        if until > MAX_RUN_TICKS {
            return Err(RunError::Tick);
        }
        let ordered = actions.windows(2).all(|w| w[0].at_tick <= w[1].at_tick);
        let bounded =
            actions.len() <= MAX_ACTIONS && actions.iter().all(|a| a.at_tick < MAX_RUN_TICKS);
        if !ordered || !bounded {
            return Err(RunError::Actions);
        }
        for a in &actions {
            if let Act::Faults(f) = a.act {
                if let Some(k) = f.problem() {
                    return Err(RunError::Fault(k));
                }
            }
        }
        let mut run = Run {
            session: start(config)?,
            config,
            actions,
            applied: 0,
            counts: Counts::default(),
            counted: 0,
        };
        run.advance(until);
        Ok(run)
    }

    pub fn config(&self) -> RunConfig {
        self.config
    }

    pub fn actions(&self) -> &[Action] {
        &self.actions
    }

    pub fn tick(&self) -> u64 {
        self.session.tick()
    }

    pub fn at_end(&self) -> bool {
        self.session.tick() >= MAX_RUN_TICKS
    }

    /// The faults in force now (the last faults action's, or the configuration's).
    pub fn faults(&self) -> Faults {
        self.actions[..self.applied]
            .iter()
            .rev()
            .find_map(|a| match a.act {
                Act::Faults(f) => Some(f),
                _ => None,
            })
            .unwrap_or(self.config.faults)
    }

    fn apply(&mut self, act: Act) {
        match act {
            Act::Cable => {
                self.session.pull_cable();
            }
            Act::Corrupt => self.session.corrupt_next(),
            Act::Faults(f) => {
                // Checked when the action was taken or read from the address.
                let set = self.session.adjust_faults(f.net(), f.cut);
                debug_assert!(set.is_ok());
            }
        }
    }

    /// Applies every recorded action due at the current tick.
    fn catch_up(&mut self) {
        let tick = self.session.tick();
        while let Some(a) = self.actions.get(self.applied).copied() {
            if a.at_tick > tick {
                break;
            }
            self.applied += 1;
            self.apply(a.act);
        }
    }

    /// Runs `ticks` ticks (up to [`MAX_RUN_TICKS`]), applying recorded actions at their ticks;
    /// returns the ticks run.
    pub fn advance(&mut self, ticks: u64) -> u64 {
        let start = self.session.tick();
        let end = start.saturating_add(ticks).min(MAX_RUN_TICKS);
        self.catch_up();
        while self.session.tick() < end {
            let next = self
                .actions
                .get(self.applied)
                .map_or(end, |a| a.at_tick.clamp(self.session.tick() + 1, end));
            self.session.run(next - self.session.tick());
            self.catch_up();
        }
        self.tally();
        self.session.tick() - start
    }

    fn tally(&mut self) {
        let events = self.session.client().events();
        for e in &events[self.counted..] {
            self.counts.add(e);
        }
        self.counted = events.len();
    }

    /// The visitor acts now; the action is recorded with the current tick.
    pub fn act(&mut self, act: Act) -> Result<(), ActError> {
        if self.actions.len() >= MAX_ACTIONS {
            return Err(ActError::TooMany);
        }
        if self.at_end() {
            return Err(ActError::AtEnd);
        }
        match act {
            Act::Cable if !self.session.link_up() => return Err(ActError::CableDown),
            Act::Faults(f) => {
                if let Some(k) = f.problem() {
                    return Err(ActError::Fault(k));
                }
            }
            _ => {}
        }
        // Every earlier action is applied (they are all at or before now).
        self.catch_up();
        self.actions.truncate(self.applied);
        self.actions.push(Action {
            at_tick: self.session.tick(),
            act,
        });
        self.applied += 1;
        self.apply(act);
        self.tally();
        Ok(())
    }

    /// The book rebuilt from the client's log alone, right after the record at `offset`.
    pub fn rebuilt(&self, offset: u64) -> Result<Option<Rebuilt>, LogError> {
        let log = self.session.client().log();
        let Ok(book) = L2Book::new(DEPTH) else {
            return Ok(None);
        };
        Ok(
            replay(log.segments(), offset, book)?.map(|(book, msg)| Rebuilt {
                offset,
                seq: msg.seq.unwrap_or(0),
                snapshot: msg.kind == Kind::Snapshot,
                checksum: msg.checksum.unwrap_or(0),
                book: BookView::of(&book),
            }),
        )
    }

    /// The panels' snapshot of the run now.
    pub fn view(&self) -> View {
        let s = &self.session;
        let client = s.client();
        let (state, retry_at) = match client.state() {
            State::Disconnected { retry_at } => (StateView::Disconnected, Some(retry_at)),
            State::AwaitingSnapshot { resync, .. } => (StateView::Awaiting { resync }, None),
            State::Live => (StateView::Live, None),
        };
        let log = client.log();
        let last_applied = client.expected().checked_sub(1);
        let verified = state == StateView::Live
            && s.sent()
                .rev()
                .find(|f| Some(f.seq) == last_applied)
                .is_some_and(|f| f.checksum == client.book().checksum());
        View {
            verified,
            tick: s.tick(),
            state,
            retry_at,
            in_sync: s.in_sync(),
            link_up: s.link_up(),
            corrupt_pending: s.corrupt_pending(),
            at_end: self.at_end(),
            counts: self.counts,
            net: s.net_stats(),
            faults: self.faults(),
            seed: self.config.seed,
            received: s.delivered().rev().take(STREAM_ROWS).copied().collect(),
            sent: s.sent().rev().take(STREAM_ROWS).copied().collect(),
            transitions: client
                .events()
                .iter()
                .rev()
                .filter(|e| {
                    !matches!(
                        e,
                        Event::Applied { .. } | Event::Stale { .. } | Event::Ignored { .. }
                    )
                })
                .take(TRANSITIONS_SHOWN)
                .copied()
                .collect(),
            client_book: BookView::of(client.book()),
            venue_book: BookView::of(s.venue().published()),
            venue_seq: s.venue().seq(),
            expected: client.expected(),
            log_records: log.next_offset(),
            log_bytes: log.segments().iter().map(|seg| seg.len() as u64).sum(),
            log_segments: log.segments().len(),
        }
    }
}

/// Whether a delivered frame is one the stream highlights, and as what.
pub fn highlight(f: &DeliveredFrame) -> Option<&'static str> {
    match f.verdict {
        Verdict::Applied | Verdict::Ignored | Verdict::Discarded => None,
        Verdict::Stale => Some("stale"),
        Verdict::Resync(Resync::Gap { .. }) => Some("gap"),
        Verdict::Resync(Resync::ChecksumMismatch { .. }) => Some("mismatch"),
        Verdict::Resync(_) => Some("malformed"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn clean_run(actions: Vec<Action>, until: u64) -> Run {
        Run::new(RunConfig::default(), actions, until).unwrap()
    }

    #[test]
    fn a_clean_run_goes_live_and_stays_in_sync() {
        let run = clean_run(Vec::new(), 200);
        let v = run.view();
        assert_eq!(v.state, StateView::Live);
        assert!(v.verified);
        assert_eq!(v.counts.resyncs(), 0);
        assert!(v.counts.applied > 150);
        assert_eq!(v.received.len(), STREAM_ROWS);
        assert!(v.log_records > 150);
    }

    #[test]
    fn an_action_taken_now_replays_at_the_same_tick() {
        let mut live = clean_run(Vec::new(), 100);
        live.act(Act::Cable).unwrap();
        live.advance(50);
        live.act(Act::Corrupt).unwrap();
        live.advance(20);
        live.act(Act::Faults(Faults {
            drop: 100,
            ..Faults::CLEAN
        }))
        .unwrap();
        live.advance(200);
        let replayed = Run::new(live.config(), live.actions().to_vec(), live.tick()).unwrap();
        assert_eq!(replayed.view(), live.view());
        assert!(live.view().counts.disconnects == 1 && live.view().counts.mismatches >= 1);
        assert!(live.view().counts.gaps >= 1);
        // The same actions replayed in steps of any size give the same run.
        let mut stepped = Run::new(live.config(), live.actions().to_vec(), 0).unwrap();
        while stepped.tick() < live.tick() {
            stepped.advance(7.min(live.tick() - stepped.tick()));
        }
        assert_eq!(stepped.view(), live.view());
    }

    #[test]
    fn refused_actions_change_nothing() {
        let mut run = clean_run(Vec::new(), 100);
        run.act(Act::Cable).unwrap();
        assert_eq!(run.act(Act::Cable), Err(ActError::CableDown));
        let bad = Faults {
            delay: 0,
            ..Faults::CLEAN
        };
        assert_eq!(run.act(Act::Faults(bad)), Err(ActError::Fault(Knob::Delay)));
        assert_eq!(run.actions().len(), 1);
        let full = vec![
            Action {
                at_tick: 1,
                act: Act::Corrupt
            };
            MAX_ACTIONS
        ];
        let mut run = Run::new(RunConfig::default(), full, 10).unwrap();
        assert_eq!(run.act(Act::Corrupt), Err(ActError::TooMany));
    }

    #[test]
    fn bad_runs_are_refused() {
        let bad = RunConfig {
            faults: Faults {
                drop: MAX_RATE_PERMILLE + 1,
                ..Faults::CLEAN
            },
            ..RunConfig::default()
        };
        assert_eq!(
            Run::new(bad, Vec::new(), 0).err(),
            Some(RunError::Fault(Knob::Drop))
        );
        let unordered = vec![
            Action {
                at_tick: 5,
                act: Act::Cable,
            },
            Action {
                at_tick: 4,
                act: Act::Cable,
            },
        ];
        assert_eq!(
            Run::new(RunConfig::default(), unordered, 0).err(),
            Some(RunError::Actions)
        );
        assert_eq!(
            Run::new(RunConfig::default(), Vec::new(), MAX_RUN_TICKS + 1).err(),
            Some(RunError::Tick)
        );
    }

    #[test]
    fn the_log_rebuilds_the_book_each_record_names() {
        let config = RunConfig {
            seed: 7,
            faults: Faults {
                drop: 20,
                corrupt: 10,
                ..Faults::CLEAN
            },
        };
        let run = Run::new(config, Vec::new(), 600).unwrap();
        let v = run.view();
        assert!(v.counts.resyncs() > 0);
        for offset in (0..v.log_records).step_by(37) {
            let r = run.rebuilt(offset).unwrap().unwrap();
            assert_eq!(r.book.checksum, r.checksum, "offset {offset}");
        }
        let last = run.rebuilt(v.log_records - 1).unwrap().unwrap();
        if v.state == StateView::Live {
            assert_eq!(last.book, v.client_book);
        }
        assert_eq!(run.rebuilt(v.log_records).unwrap(), None);
    }

    #[test]
    fn the_stream_highlights_what_went_wrong() {
        let config = RunConfig {
            seed: 3,
            faults: Faults {
                duplicate: 300,
                ..Faults::CLEAN
            },
        };
        let run = Run::new(config, Vec::new(), 300).unwrap();
        let v = run.view();
        assert!(v.received.iter().any(|f| highlight(f) == Some("stale")));
        let mut run = clean_run(Vec::new(), 100);
        run.act(Act::Corrupt).unwrap();
        run.advance(5);
        assert!(run
            .view()
            .received
            .iter()
            .any(|f| highlight(f) == Some("mismatch") && f.marks.corrupted));
    }
}
