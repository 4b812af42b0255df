//! The lab's shared handles and its live part, mounted by the lab's module.

use super::{chaos, diagram, help, inspector, io, kv, network, presets, ring, status};
use crate::content::schema::RaftWords;
use crate::labs::kit::{
    self,
    format::fill,
    layout::StatusBar,
    player::{Frame as PlayerFrame, Pacer, Player},
    worker::{WorkerHandle, WorkerSlot},
};
use crate::labs::raft::session::{Frame, RunConfig, Session};
use crate::labs::raft::url_state;
use crate::labs::raft::worker_msg::{WorkerReply, WorkerRequest};
use leptos::prelude::*;
use raft::faults::{FaultAction, FaultSchedule};
use raft::sim::InFlightView;

/// The worker bin (Trunk builds it with its loader shim).
pub const WORKER_BIN: &str = "lab-raft-worker";
/// Ticks per second at 1× (the default election timeout of 20–40 ticks then reads as seconds).
pub const TICKS_PER_SECOND_AT_1X: u32 = 10;
/// The speeds offered, in ticks per second: 0.1× to 100×, logarithmic.
pub const SPEEDS: &[u32] = &[1, 2, 5, 10, 20, 50, 100, 200, 500, 1000];
/// Most ticks one animation frame may run (at 100× a frame runs about 17).
pub const MAX_TICKS_PER_FRAME: u64 = 64;
/// While playing, the heavier panels (inspector, history, space-time diagram, schedule) are
/// redrawn at most this often; the ring and the status strip follow every frame.
pub const PANEL_REFRESH_MS: f64 = 200.0;

/// The lab's words: its live part, the kit's words and its own.
pub type Words = kit::words::Words<RaftWords>;

/// The digest and verdict of the run as shown, from the worker's replay.
#[derive(Clone, Debug, PartialEq)]
pub enum Replay {
    Playing,
    Pending,
    Done {
        digest: String,
        violation: Option<(String, String)>,
        linearizability_unknown: bool,
        operations: usize,
    },
    Failed(String),
}

/// The lab's shared handles. All are `Copy`; the views take it by value.
#[derive(Clone, Copy)]
pub struct Ctx {
    pub session: StoredValue<Session>,
    /// The run as of now, for the ring, the status strip and the controls.
    pub frame: RwSignal<Frame>,
    /// The same, refreshed at most every [`PANEL_REFRESH_MS`] while playing, for the panels.
    pub panels: RwSignal<Frame>,
    panels_at: StoredValue<f64>,
    /// How far the next tick has come (0..1), for drawing messages between ticks.
    pub frac: RwSignal<f64>,
    pub selected: RwSignal<Option<u8>>,
    pub message: RwSignal<Option<InFlightView>>,
    pub player: Player,
    pacer: StoredValue<Pacer>,
    pub replay: RwSignal<Replay>,
    generation: StoredValue<u64>,
    replay_worker: WorkerSlot,
    /// A refusal or an error from the last action.
    pub notice: RwSignal<Option<String>>,
    /// The open scenario's "watch for".
    pub watching: RwSignal<Option<&'static str>>,
    pub help_open: RwSignal<bool>,
    pub reduced_motion: bool,
    pub words: Words,
}

impl Ctx {
    /// Fills the views' frame. Safe to call after the page is gone (does nothing).
    pub fn refresh(&self) {
        let Some(selected) = self.selected.try_get_untracked() else {
            return;
        };
        self.session.try_with_value(|s| {
            self.frame.try_update(|f| s.frame(selected, f));
        });
        let now = kit::player::now_ms();
        let due = self
            .panels_at
            .try_get_value()
            .is_some_and(|at| now - at >= PANEL_REFRESH_MS);
        if due || !self.player.is_playing() {
            self.panels_at.try_set_value(now);
            self.frame.with_untracked(|f| {
                self.panels.try_update(|p| p.clone_from(f));
            });
        }
    }

    /// Applies a visitor's action at the current tick (recorded in the schedule).
    pub fn act(&self, action: FaultAction) {
        let result = self.session.try_update_value(|s| s.act(action));
        let notice = match result {
            Some(Ok(None)) | None => None,
            Some(Ok(Some(refused))) => Some(fill(
                &self.words.own.inspector.refused,
                &[("error", &refused.to_string())],
            )),
            Some(Err(e)) => Some(e.to_string()),
        };
        self.notice.set(notice);
        self.changed();
    }

    /// After anything but playing: new frame, and (while paused) a new digest.
    pub fn changed(&self) {
        self.refresh();
        if !self.player.is_playing() {
            self.request_replay();
        }
    }

    /// Asks the worker for the digest and verdict of the run as shown; an older answer still
    /// on its way is ignored.
    pub fn request_replay(&self) {
        let Some((run, schedule, until)) = self.session.try_with_value(Session::digest_request)
        else {
            return;
        };
        let generation = self.generation.try_update_value(|g| {
            *g += 1;
            *g
        });
        let Some(generation) = generation else {
            return;
        };
        self.replay.set(Replay::Pending);
        let ctx = *self;
        let request = WorkerRequest::Replay {
            generation,
            run,
            schedule,
            until,
        };
        let spawned = WorkerHandle::spawn(
            WORKER_BIN,
            request,
            move |r: Result<WorkerReply, String>| {
                if ctx.generation.try_get_value() != Some(generation) {
                    return;
                }
                let state = match r {
                    Ok(WorkerReply::Replayed {
                        digest,
                        violation,
                        linearizability_unknown,
                        operations,
                        ..
                    }) => Replay::Done {
                        digest,
                        violation,
                        linearizability_unknown,
                        operations,
                    },
                    Ok(WorkerReply::Failed { error }) | Err(error) => Replay::Failed(error),
                    Ok(WorkerReply::Chaos(_)) => return,
                };
                ctx.replay.try_set(state);
                ctx.replay_worker.stop();
            },
        );
        match spawned {
            Ok(handle) => self.replay_worker.set(handle),
            Err(_) => self
                .replay
                .set(Replay::Failed(self.words.kit.worker_failed.clone())),
        }
    }

    /// Replaces the session (a scenario, an import, a new configuration), paused.
    pub fn reset(&self, session: Session) {
        self.player.pause();
        self.selected.set(None);
        self.message.set(None);
        self.notice.set(None);
        self.session.set_value(session);
        self.changed();
    }

    /// One tick, paused.
    pub fn step_once(&self) {
        self.player.pause();
        self.session.update_value(|s| {
            s.step(1);
        });
        self.frac.set(0.0);
        self.changed();
    }

    pub fn play(&self) {
        let ctx = *self;
        if !ctx.session.with_value(Session::can_step) {
            return;
        }
        ctx.replay.set(Replay::Playing);
        ctx.pacer.set_value(Pacer::new(MAX_TICKS_PER_FRAME));
        ctx.player.play(
            move |f: PlayerFrame| ctx.on_frame(f),
            move || {
                ctx.frac.try_set(0.0);
                ctx.changed();
            },
        );
    }

    fn on_frame(&self, f: PlayerFrame) -> u64 {
        let speed = self.player.speed.get_untracked();
        let Some((due, frac)) = self.pacer.try_update_value(|p| {
            let due = p.due(speed, f.dt_ms);
            (due, p.fraction())
        }) else {
            return 0;
        };
        let done = self.session.try_update_value(|s| s.step(due)).unwrap_or(0);
        if !self.session.with_value(Session::can_step) {
            self.player.pause();
        }
        self.frac.set(if self.reduced_motion { 0.0 } else { frac });
        if done > 0 {
            self.refresh();
        }
        done
    }

    /// Shows `tick` of the run (a replay from its start).
    pub fn seek(&self, tick: u64) {
        self.player.pause();
        let result = self.session.try_update_value(|s| s.seek(tick));
        if let Some(Err(e)) = result {
            self.notice.set(Some(e.to_string()));
        }
        self.frac.set(0.0);
        self.changed();
    }

    /// The address of the run as shown.
    pub fn query(&self) -> String {
        self.session.with_value(|s| {
            url_state::query(
                &s.run(),
                s.schedule(),
                s.now(),
                crate::labs::raft::worker_msg::encode,
            )
        })
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
    match Session::new(address.run, address.schedule, address.until) {
        Ok(s) => (s, problems),
        Err(e) => {
            problems.push(fill(&link.bad_run, &[("error", &e.to_string())]));
            let fresh = Session::new(RunConfig::default(), FaultSchedule::default(), 0);
            // The defaults are raft-sim's and always valid.
            (
                fresh.unwrap_or_else(|_| unreachable!("the default run starts")),
                problems,
            )
        }
    }
}

/// Mounts the live part into the page's live column (the lab module's `mount_lab`). Not generic,
/// so the lab's views are compiled in this crate once, not again in the bin.
pub fn mount(el: web_sys::HtmlElement) {
    kit::module::mount(el, LabLive);
}

fn prefers_reduced_motion() -> bool {
    web_sys::window()
        .and_then(|w| {
            w.match_media("(prefers-reduced-motion: reduce)")
                .ok()
                .flatten()
        })
        .is_some_and(|m| m.matches())
}

/// The live part of the lab, mounted by the lab's module into the page the site renders.
#[component]
pub fn LabLive() -> impl IntoView {
    let words = Words::of(crate::labs::raft::bundle());
    let (session, problems) = from_address(words);
    let mut frame = Frame::default();
    session.frame(None, &mut frame);
    let ctx = Ctx {
        session: StoredValue::new(session),
        panels: RwSignal::new(frame.clone()),
        panels_at: StoredValue::new(0.0),
        frame: RwSignal::new(frame),
        frac: RwSignal::new(0.0),
        selected: RwSignal::new(None),
        message: RwSignal::new(None),
        player: Player::new(TICKS_PER_SECOND_AT_1X),
        pacer: StoredValue::new(Pacer::new(MAX_TICKS_PER_FRAME)),
        replay: RwSignal::new(Replay::Pending),
        generation: StoredValue::new(0),
        replay_worker: WorkerSlot::new(),
        notice: RwSignal::new(None),
        watching: RwSignal::new(None),
        help_open: RwSignal::new(false),
        reduced_motion: prefers_reduced_motion(),
        words,
    };
    // A selection shows its detail: refresh when it changes.
    Effect::new(move |_| {
        ctx.selected.track();
        ctx.refresh();
    });
    ctx.request_replay();
    help::keyboard(ctx);
    let link_error = (!problems.is_empty()).then(|| {
        let text = fill(&words.kit.link_error, &[("error", &problems.join("; "))]);
        view! { <p class="lab-alert" role="alert" data-testid="link-error">{text}</p> }
    });
    view! {
        <StatusBar kit=words.kit controls=status::controls(ctx)>
            <status::StatusItems ctx=ctx/>
        </StatusBar>
        {link_error}
        <help::HelpPanel ctx=ctx/>
        <status::Timeline ctx=ctx/>
        <div class="raft-main">
            <ring::Ring ctx=ctx/>
            <inspector::Inspector ctx=ctx/>
        </div>
        <diagram::Diagram ctx=ctx/>
        <div class="lab-pair">
            <network::NetworkPanel ctx=ctx/>
            <kv::KvPanel ctx=ctx/>
        </div>
        <presets::Presets ctx=ctx/>
        <chaos::ChaosPanel ctx=ctx/>
        <io::SchedulePanel ctx=ctx/>
    }
}
