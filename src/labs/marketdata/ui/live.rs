//! The lab's shared handles, its status strip and controls, and its live part, mounted by the
//! lab's module.

use super::{bench, books, setup, wire};
use crate::content::schema::MarketDataWords;
use crate::labs::kit::{
    self,
    format::{fill, grouped},
    layout::{throughput, PlayerControls, StatusBar, StatusItem},
    player::{Frame as PlayerFrame, Pacer, Player},
    url::ShareButton,
};
use crate::labs::marketdata::session::{
    Act, ActError, Knob, Run, RunConfig, RunError, StateView, View, MAX_ACTIONS, MAX_RUN_TICKS,
};
use crate::labs::marketdata::url_state;
use leptos::prelude::*;

/// The worker bin (Trunk builds it with its loader shim).
pub const WORKER_BIN: &str = "lab-market-data-worker";
/// Ticks per second at 1×.
pub const TICKS_PER_SECOND_AT_1X: u32 = 50;
/// The speeds offered, in ticks per second: 0.2× to 20×.
pub const SPEEDS: &[u32] = &[10, 25, 50, 100, 250, 500, 1_000];
/// Most ticks one animation frame may run (a frame's work stays far below 50 ms).
pub const MAX_TICKS_PER_FRAME: u64 = 100;
/// While playing, the views are redrawn at most this often.
pub const VIEW_REFRESH_MS: f64 = 100.0;

/// The lab's words: its live part, the kit's words and its own.
pub type Words = kit::words::Words<MarketDataWords>;

impl Words {
    /// A fault setting's label.
    pub fn knob(&self, k: Knob) -> &'static str {
        let w = &self.own.setup;
        match k {
            Knob::Drop => &w.drop,
            Knob::Duplicate => &w.duplicate,
            Knob::Reorder => &w.reorder,
            Knob::Corrupt => &w.corrupt,
            Knob::Delay => &w.delay,
            Knob::Cut => &w.cut,
        }
    }

    /// A setting's value as shown: per mille as a percentage, or ticks.
    pub fn knob_value(&self, k: Knob, v: u32) -> String {
        let w = &self.own.setup;
        if k.is_rate() {
            fill(
                &w.permille_value,
                &[("v", &format!("{:.1}", f64::from(v) / 10.0))],
            )
        } else {
            fill(&w.ticks_value, &[("v", &v.to_string())])
        }
    }

    pub fn run_error(&self, e: &RunError) -> String {
        let link = &self.own.link;
        let text = match e {
            RunError::Fault(k) => {
                let (min, max) = k.bounds();
                fill(
                    &link.out_of_range,
                    &[
                        ("key", k.key()),
                        ("min", &min.to_string()),
                        ("max", &max.to_string()),
                    ],
                )
            }
            RunError::Actions => fill(&link.bad_value, &[("key", "acts")]),
            RunError::Tick => fill(
                &link.out_of_range,
                &[
                    ("key", "until"),
                    ("min", "0"),
                    ("max", &MAX_RUN_TICKS.to_string()),
                ],
            ),
            RunError::Engine(why) => why.clone(),
        };
        fill(&link.bad_run, &[("error", &text)])
    }

    fn act_error(&self, e: ActError) -> String {
        let w = &self.own.setup;
        match e {
            ActError::TooMany => fill(&w.too_many_actions, &[("max", &MAX_ACTIONS.to_string())]),
            ActError::AtEnd => self.end_of_run(),
            ActError::CableDown => w.cable_down.clone(),
            ActError::Fault(k) => {
                let (min, max) = k.bounds();
                fill(
                    &w.out_of_range,
                    &[("min", &min.to_string()), ("max", &max.to_string())],
                )
            }
        }
    }

    /// Whether the client holds the venue's book: exactly, or as of its last applied message
    /// (the newer ones still in flight), or not (not Live).
    pub fn sync(&self, v: &View) -> String {
        let w = &self.own.status;
        if v.in_sync {
            w.in_sync_yes.clone()
        } else if v.verified {
            let applied = v.expected.saturating_sub(1);
            fill(
                &w.in_sync_behind,
                &[
                    ("seq", &applied.to_string()),
                    ("lag", &v.venue_seq.saturating_sub(applied).to_string()),
                ],
            )
        } else {
            w.in_sync_no.clone()
        }
    }

    pub fn end_of_run(&self) -> String {
        fill(
            &self.own.status.end_of_run,
            &[("ticks", &grouped(MAX_RUN_TICKS))],
        )
    }

    pub fn state_name(&self, s: StateView) -> &'static str {
        let w = &self.own.states;
        match s {
            StateView::Disconnected => &w.disconnected,
            StateView::Awaiting { resync: false } => &w.awaiting,
            StateView::Awaiting { resync: true } => &w.resyncing,
            StateView::Live => &w.live,
        }
    }
}

/// The lab's shared handles. All are `Copy`; the views take them by value.
#[derive(Clone, Copy)]
pub struct Ctx {
    pub run: StoredValue<Run>,
    pub view: RwSignal<View>,
    pub player: Player,
    pacer: StoredValue<Pacer>,
    /// When the views were last refreshed while playing (`performance.now()`, ms).
    drawn_at: StoredValue<f64>,
    /// A refusal from the last action.
    pub notice: RwSignal<Option<String>>,
    pub words: Words,
}

impl Ctx {
    /// Redraws the views from the run. Safe to call after the page is gone (does nothing).
    pub fn refresh(&self) {
        if let Some(v) = self.run.try_with_value(Run::view) {
            self.view.try_set(v);
        }
    }

    /// A visitor's action, now.
    pub fn act(&self, act: Act) {
        let r = self.run.try_update_value(|r| r.act(act));
        self.notice
            .set(r.and_then(|r| r.err()).map(|e| self.words.act_error(e)));
        self.refresh();
    }

    /// A fresh run (a preset, a seed, a restart), paused at its tick.
    pub fn replace(
        &self,
        config: RunConfig,
        actions: Vec<crate::labs::marketdata::session::Action>,
        until: u64,
    ) {
        self.player.pause();
        match Run::new(config, actions, until) {
            Ok(run) => {
                self.run.set_value(run);
                self.notice.set(None);
            }
            Err(e) => self.notice.set(Some(self.words.run_error(&e))),
        }
        self.refresh();
    }

    /// The same configuration from tick 0, without the actions.
    pub fn restart(&self) {
        let config = self.run.with_value(Run::config);
        self.replace(config, Vec::new(), 0);
    }

    pub fn step_once(&self) {
        self.player.pause();
        self.run.update_value(|r| {
            r.advance(1);
        });
        self.refresh();
    }

    pub fn play(&self) {
        let ctx = *self;
        if ctx.run.with_value(Run::at_end) {
            return;
        }
        ctx.pacer.set_value(Pacer::new(MAX_TICKS_PER_FRAME));
        ctx.player
            .play(move |f: PlayerFrame| ctx.on_frame(f), move || ctx.refresh());
    }

    fn on_frame(&self, f: PlayerFrame) -> u64 {
        let speed = self.player.speed.get_untracked();
        let Some(due) = self.pacer.try_update_value(|p| p.due(speed, f.dt_ms)) else {
            return 0;
        };
        let done = self.run.try_update_value(|r| r.advance(due)).unwrap_or(0);
        if self.run.try_with_value(Run::at_end).unwrap_or(true) {
            self.player.pause();
        }
        // The run advances every frame; the views follow at most every VIEW_REFRESH_MS, and a
        // pause draws the last state.
        let due_to_draw = self
            .drawn_at
            .try_get_value()
            .is_some_and(|at| f.now_ms - at >= VIEW_REFRESH_MS);
        if done > 0 && due_to_draw {
            self.drawn_at.set_value(f.now_ms);
            self.refresh();
        }
        done
    }

    /// The address of the run as shown.
    pub fn query(&self) -> String {
        self.run
            .with_value(|r| url_state::query(&r.config(), r.actions(), r.tick()))
    }
}

/// The run the address describes (or the defaults) and what in the address could not be used.
fn from_address(words: Words) -> (Run, Vec<String>) {
    let link = &words.own.link;
    let (address, mut problems) =
        match kit::url::current_query(url_state::MAX_QUERY_CHARS, words.kit) {
            Ok(q) => {
                let a = url_state::parse(&q, link, kit::url::decode);
                let problems = a.problems.clone();
                (a, problems)
            }
            Err(e) => (url_state::Address::default(), vec![e]),
        };
    match Run::new(address.run, address.actions, address.until) {
        Ok(r) => (r, problems),
        Err(e) => {
            problems.push(words.run_error(&e));
            let fresh = Run::new(RunConfig::default(), Vec::new(), 0);
            // The defaults always run (a test says so).
            (
                fresh.unwrap_or_else(|_| unreachable!("the default run starts")),
                problems,
            )
        }
    }
}

/// Mounts the live part into the page's live column (the lab module's `mount_lab`).
pub fn mount(el: web_sys::HtmlElement) {
    kit::module::mount(el, LabLive);
}

fn speed_label(ticks_per_second: u32) -> String {
    let x = f64::from(ticks_per_second) / f64::from(TICKS_PER_SECOND_AT_1X);
    if x < 1.0 {
        format!("{x}×")
    } else {
        format!("{x:.0}×")
    }
}

#[component]
fn StatusItems(ctx: Ctx) -> impl IntoView {
    let w = &ctx.words.own.status;
    let v = ctx.view;
    let tick = Signal::derive(move || v.with(|v| grouped(v.tick)));
    let state = Signal::derive(move || v.with(|v| ctx.words.state_name(v.state).to_string()));
    let applied = Signal::derive(move || v.with(|v| grouped(v.counts.applied)));
    let resyncs = Signal::derive(move || v.with(|v| grouped(v.counts.resyncs())));
    let sync = Signal::derive(move || v.with(|v| ctx.words.sync(v)));
    let rate = throughput(ctx.player, ctx.words.kit, move |r| {
        fill(&w.rate, &[("rate", &r)])
    });
    view! {
        <StatusItem label=w.tick.as_str() id="tick" value=tick/>
        <StatusItem label=w.state.as_str() id="state" value=state/>
        <StatusItem label=w.applied.as_str() id="applied" value=applied/>
        <StatusItem label=w.resyncs.as_str() id="resyncs" value=resyncs/>
        <StatusItem label=w.in_sync.as_str() id="in-sync" value=sync/>
        <StatusItem label=w.throughput.as_str() id="throughput" value=rate/>
    }
}

fn controls(ctx: Ctx) -> AnyView {
    let w = ctx.words;
    let speeds = SPEEDS.iter().map(|&s| (s, speed_label(s))).collect();
    view! {
        <PlayerControls player=ctx.player kit=w.kit step_label=w.own.status.step.as_str()
            speeds=speeds on_play=move || ctx.play() on_step=move || ctx.step_once()/>
        <button type="button" class="btn" on:click=move |_| ctx.restart() data-testid="restart">{w.own.status.restart.as_str()}</button>
        <ShareButton words=w.kit query=move || Ok(ctx.query())/>
    }
    .into_any()
}

/// The live part of the lab, mounted by the lab's module into the page the site renders.
#[component]
pub fn LabLive() -> impl IntoView {
    let words = Words::of(crate::labs::marketdata::bundle());
    let (run, problems) = from_address(words);
    let view = run.view();
    let ctx = Ctx {
        run: StoredValue::new(run),
        view: RwSignal::new(view),
        player: Player::new(TICKS_PER_SECOND_AT_1X),
        pacer: StoredValue::new(Pacer::new(MAX_TICKS_PER_FRAME)),
        drawn_at: StoredValue::new(0.0),
        notice: RwSignal::new(None),
        words,
    };
    let link_error = (!problems.is_empty()).then(|| {
        let text = fill(&words.kit.link_error, &[("error", &problems.join("; "))]);
        view! { <p class="lab-alert" role="alert" data-testid="link-error">{text}</p> }
    });
    let at_end = move || {
        ctx.view.with(|v| v.at_end).then(|| {
            view! { <p class="panel-note" role="status" data-testid="at-end">{words.end_of_run()}</p> }
        })
    };
    let notice = move || {
        ctx.notice
            .get()
            .map(|n| view! { <p class="lab-alert" role="alert" data-testid="notice">{n}</p> })
    };
    view! {
        <StatusBar kit=words.kit controls=controls(ctx)>
            <StatusItems ctx=ctx/>
        </StatusBar>
        {link_error}
        {notice}
        {at_end}
        <setup::Setup ctx=ctx/>
        <wire::StatePanel ctx=ctx/>
        <wire::StreamPanel ctx=ctx/>
        <books::BooksPanel ctx=ctx/>
        <books::LogPanel ctx=ctx/>
        <bench::BenchPanel ctx=ctx/>
    }
}
