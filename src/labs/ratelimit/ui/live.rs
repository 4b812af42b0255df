//! The lab's shared handles, its status strip and controls, and its live part, mounted by the
//! lab's module.

use super::{algos, cluster, measure};
use crate::content::schema::RateLimiterWords;
use crate::labs::kit::{
    self,
    format::{fill, grouped},
    layout::{throughput, PlayerControls, StatusBar, StatusItem},
    player::{Frame as PlayerFrame, Pacer, Player},
    url::ShareButton,
};
use crate::labs::ratelimit::session::{
    ActError, Frame, Problem, RunConfig, RunError, Session, Stop, MAX_MANUAL, MAX_REQUESTS,
    MAX_RUN_MS,
};
use crate::labs::ratelimit::url_state;
use leptos::prelude::*;
use ratelimit::cluster::ShardAction;

/// The worker bin (Trunk builds it with its loader shim).
pub const WORKER_BIN: &str = "lab-rate-limiter-worker";
/// Simulated milliseconds per second at 1×.
pub const MS_PER_SECOND_AT_1X: u32 = 1_000;
/// The speeds offered, in simulated ms per second: 0.1× to 10×.
pub const SPEEDS: &[u32] = &[100, 250, 500, 1_000, 2_000, 5_000, 10_000];
/// Most simulated milliseconds one animation frame may run.
pub const MAX_MS_PER_FRAME: u64 = 400;
/// While playing, the views are redrawn at most this often.
pub const VIEW_REFRESH_MS: f64 = 100.0;
/// The step button's simulated milliseconds.
pub const STEP_MS: u64 = 100;

/// The lab's words: its live part, the kit's words and its own.
pub type Words = kit::words::Words<RateLimiterWords>;

impl Words {
    /// A configuration problem in the lab's words.
    pub fn run_error(&self, e: &RunError) -> String {
        match &e.problem {
            Problem::Range { min, max } => fill(
                &self.own.form.out_of_range,
                &[("min", &min.to_string()), ("max", &max.to_string())],
            ),
            Problem::Engine(reason) => fill(&self.own.form.refused, &[("error", reason)]),
        }
    }

    fn act_error(&self, e: &ActError) -> String {
        let w = &self.own.status;
        match e {
            ActError::TooManyPresses => {
                fill(&w.too_many_presses, &[("max", &MAX_MANUAL.to_string())])
            }
            ActError::Stopped(stop) => self.stopped(*stop),
            ActError::Cluster(e) => fill(&self.own.cluster.refused, &[("error", e)]),
        }
    }

    pub fn stopped(&self, stop: Stop) -> String {
        let w = &self.own.status;
        match stop {
            Stop::Time => fill(&w.end_of_time, &[("ms", &grouped(MAX_RUN_MS))]),
            Stop::Requests => fill(&w.end_of_requests, &[("max", &grouped(MAX_REQUESTS))]),
        }
    }
}

/// The lab's shared handles. All are `Copy`; the views take them by value.
#[derive(Clone, Copy)]
pub struct Ctx {
    pub session: StoredValue<Session>,
    pub frame: RwSignal<Frame>,
    pub player: Player,
    pacer: StoredValue<Pacer>,
    /// When the views were last refreshed while playing (`performance.now()`, ms).
    drawn_at: StoredValue<f64>,
    /// A refusal from the last action.
    pub notice: RwSignal<Option<String>>,
    pub words: Words,
}

impl Ctx {
    /// Fills the views' frame. Safe to call after the page is gone (does nothing).
    pub fn refresh(&self) {
        self.session.try_with_value(|s| {
            self.frame.try_update(|f| s.frame(f));
        });
    }

    /// A request by hand, now.
    pub fn press(&self) {
        let r = self.session.try_update_value(Session::press);
        self.notice
            .set(r.and_then(|r| r.err()).map(|e| self.words.act_error(&e)));
        self.refresh();
    }

    /// A shard action, now.
    pub fn act(&self, action: ShardAction) {
        let r = self.session.try_update_value(|s| s.act(action));
        self.notice
            .set(r.and_then(|r| r.err()).map(|e| self.words.act_error(&e)));
        self.refresh();
    }

    /// The same requests and actions under another configuration, replayed to now; a
    /// configuration the engine refuses changes nothing and is returned.
    pub fn reconfigure(&self, run: RunConfig) -> Result<(), RunError> {
        let parts = self
            .session
            .with_value(|s| (s.manual_ms(), s.events().to_vec(), s.now_ms()));
        let session = Session::new(run, parts.0, parts.1, parts.2)?;
        self.session.set_value(session);
        self.notice.set(None);
        self.refresh();
        Ok(())
    }

    /// A fresh run of the same configuration from time 0, paused.
    pub fn restart(&self) {
        self.player.pause();
        let run = self.session.with_value(Session::run);
        if let Ok(s) = Session::new(run, Vec::new(), Vec::new(), 0) {
            self.session.set_value(s);
        }
        self.notice.set(None);
        self.refresh();
    }

    pub fn step_once(&self) {
        self.player.pause();
        self.session.update_value(|s| {
            s.advance(STEP_MS);
        });
        self.refresh();
    }

    pub fn play(&self) {
        let ctx = *self;
        if ctx.session.with_value(|s| s.stopped().is_some()) {
            return;
        }
        ctx.pacer.set_value(Pacer::new(MAX_MS_PER_FRAME));
        ctx.player
            .play(move |f: PlayerFrame| ctx.on_frame(f), move || ctx.refresh());
    }

    fn on_frame(&self, f: PlayerFrame) -> u64 {
        let speed = self.player.speed.get_untracked();
        let Some(due) = self.pacer.try_update_value(|p| p.due(speed, f.dt_ms)) else {
            return 0;
        };
        let done = self
            .session
            .try_update_value(|s| s.advance(due))
            .unwrap_or(0);
        if self.session.with_value(|s| s.stopped().is_some()) {
            self.player.pause();
        }
        // Nothing here moves smoothly: while playing, the views follow at most every
        // VIEW_REFRESH_MS (the run itself advances every frame); a pause draws the last state.
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
        self.session
            .with_value(|s| url_state::query(&s.run(), &s.manual_ms(), s.events(), s.now_ms()))
    }
}

/// The session the address describes (or defaults) and what in the address could not be used.
fn from_address(words: Words) -> (Session, Vec<String>) {
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
    match Session::new(
        address.run,
        address.manual_ms,
        address.events,
        address.until_ms,
    ) {
        Ok(s) => (s, problems),
        Err(e) => {
            problems.push(fill(&link.bad_run, &[("error", &words.run_error(&e))]));
            let fresh = Session::new(RunConfig::default(), Vec::new(), Vec::new(), 0);
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

fn speed_label(ms_per_second: u32) -> String {
    let x = f64::from(ms_per_second) / f64::from(MS_PER_SECOND_AT_1X);
    if x < 1.0 {
        format!("{x}×")
    } else {
        format!("{x:.0}×")
    }
}

#[component]
fn StatusItems(ctx: Ctx) -> impl IntoView {
    let w = &ctx.words.own.status;
    let frame = ctx.frame;
    let time = Signal::derive(move || {
        frame.with(|f| {
            fill(
                &w.time_value,
                &[("s", &format!("{:.1}", f.now_ms as f64 / 1000.0))],
            )
        })
    });
    let requests = Signal::derive(move || frame.with(|f| grouped(f.requests)));
    let presses = Signal::derive(move || frame.with(|f| grouped(f.presses)));
    let rate = throughput(ctx.player, ctx.words.kit, move |r| {
        fill(&w.rate, &[("rate", &r)])
    });
    view! {
        <StatusItem label=w.time.as_str() id="time" value=time/>
        <StatusItem label=w.requests.as_str() id="requests" value=requests/>
        <StatusItem label=w.presses.as_str() id="presses" value=presses/>
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
    let words = Words::of(crate::labs::ratelimit::bundle());
    let (session, problems) = from_address(words);
    let mut frame = Frame::default();
    session.frame(&mut frame);
    let ctx = Ctx {
        session: StoredValue::new(session),
        frame: RwSignal::new(frame),
        player: Player::new(MS_PER_SECOND_AT_1X),
        pacer: StoredValue::new(Pacer::new(MAX_MS_PER_FRAME)),
        drawn_at: StoredValue::new(0.0),
        notice: RwSignal::new(None),
        words,
    };
    let link_error = (!problems.is_empty()).then(|| {
        let text = fill(&words.kit.link_error, &[("error", &problems.join("; "))]);
        view! { <p class="lab-alert" role="alert" data-testid="link-error">{text}</p> }
    });
    let stopped = move || {
        ctx.frame
            .with(|f| f.stopped)
            .map(|s| view! { <p class="panel-note" role="status" data-testid="stopped">{words.stopped(s)}</p> })
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
        {stopped}
        <algos::Setup ctx=ctx/>
        <algos::Panels ctx=ctx/>
        <cluster::ClusterPanel ctx=ctx/>
        <measure::AccuracyPanel ctx=ctx/>
        <measure::BenchPanel ctx=ctx/>
        <measure::RedisPanel ctx=ctx/>
    }
}
