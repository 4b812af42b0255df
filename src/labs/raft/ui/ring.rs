//! The cluster as a ring: one button per node (role, term, vote, the tail of its log coloured by
//! term with the commit index and snapshot boundary marked, and its election timer), the links
//! between them (cut ones marked), the clients in the centre and the messages in flight moving
//! along the links, each kind with its own shape. Also the legend.

use super::live::Ctx;
use crate::content::schema::RaftRingWords;
use crate::labs::kit::format::fill;
use crate::labs::raft::session::progress;
use leptos::prelude::*;
use raft::message::MsgKind;
use raft::sim::{Endpoint, InFlightView, MsgFields, NodeView, MAX_LOG_TAIL};
use raft::Role;

/// Log entries drawn in a node (the last ones).
pub const NODE_LOG_CELLS: usize = 12;
/// Distinct term colours before they repeat.
pub const TERM_COLOURS: u64 = 6;
/// The ring's radius, in percent of the drawing.
const RADIUS: f64 = 37.0;

const _: () = assert!(NODE_LOG_CELLS <= MAX_LOG_TAIL);

/// Where node `i` of `n` sits, in percent of the drawing (node 0 at the top, clockwise).
pub fn position(i: u8, n: usize) -> (f64, f64) {
    let a = -std::f64::consts::FRAC_PI_2 + f64::from(i) * std::f64::consts::TAU / n.max(1) as f64;
    (50.0 + RADIUS * a.cos(), 50.0 + RADIUS * a.sin())
}

fn endpoint(e: Endpoint, n: usize) -> (f64, f64) {
    match e {
        Endpoint::Node(i) => position(i, n),
        Endpoint::Client(_) => (50.0, 50.0),
    }
}

/// A node's role as the views name it: its CSS class, and its word in `w` (a node outside the
/// voter set is a learner).
fn role(w: &'static RaftRingWords, n: &NodeView) -> (&'static str, &'static str) {
    match n.role {
        None => ("crashed", &w.crashed),
        Some(_) if n.voters & (1 << n.id) == 0 => ("learner", &w.learner),
        Some(Role::Leader) => ("leader", &w.leader),
        Some(Role::Candidate) => ("candidate", &w.candidate),
        Some(Role::PreCandidate) => ("pre-candidate", &w.pre_candidate),
        Some(Role::Follower) => ("follower", &w.follower),
    }
}

/// The word for a node's role.
pub fn role_word(w: &'static RaftRingWords, n: &NodeView) -> &'static str {
    role(w, n).1
}

/// A CSS class colouring term `t`.
pub fn term_class(t: u64) -> String {
    format!("term-{}", t % TERM_COLOURS)
}

/// What tells messages in flight apart: send and arrival ticks, endpoints, kind, and a count
/// among otherwise equal ones (a duplicated message).
pub type MsgKey = (u64, u64, u8, u8, u8, u32);

fn msg_key(m: &InFlightView, nth: u32) -> MsgKey {
    let code = |e: Endpoint| match e {
        Endpoint::Node(i) => i,
        Endpoint::Client(c) => 128 | c,
    };
    (
        m.send_tick,
        m.arrive_tick,
        code(m.from),
        code(m.to),
        m.kind as u8,
        nth,
    )
}

/// Each message with its key; equal messages (a duplicate) are told apart by a count.
pub fn keyed(messages: &[InFlightView]) -> Vec<(MsgKey, InFlightView)> {
    let mut out: Vec<(MsgKey, InFlightView)> = Vec::with_capacity(messages.len());
    for m in messages {
        let mut key = msg_key(m, 0);
        while out.iter().any(|(k, _)| *k == key) {
            key.5 += 1;
        }
        out.push((key, *m));
    }
    out
}

/// The message kind's CSS class (its shape and colour).
pub fn kind_class(m: &InFlightView) -> &'static str {
    match (m.kind, m.fields) {
        (MsgKind::PreVote, _) => "m-prevote",
        (MsgKind::Vote, _) => "m-vote",
        (
            MsgKind::PreVoteResp | MsgKind::VoteResp,
            MsgFields::VoteReply {
                vote_granted: true, ..
            },
        ) => "m-reply granted",
        (MsgKind::PreVoteResp | MsgKind::VoteResp, _) => "m-reply",
        (MsgKind::Append, MsgFields::Append { entries: 0, .. }) => "m-heartbeat",
        (MsgKind::Append, _) => "m-append",
        (MsgKind::AppendResp, _) => "m-append-reply",
        (MsgKind::Snapshot, _) => "m-snapshot",
        (MsgKind::ClientRequest | MsgKind::ClientReply, _) => "m-client",
    }
}

/// The SVG shape of a message at (x, y).
pub fn shape(class: &'static str, x: f64, y: f64, r: f64) -> AnyView {
    if class.starts_with("m-prevote") || class.starts_with("m-vote") {
        let d = format!(
            "M{x} {} L{} {y} L{x} {} L{} {y} Z",
            y - r,
            x + r,
            y + r,
            x - r
        );
        view! { <path d=d/> }.into_any()
    } else if class.starts_with("m-append-reply") {
        let d = format!("M{x} {} L{} {} L{} {} Z", y - r, x + r, y + r, x - r, y + r);
        view! { <path d=d/> }.into_any()
    } else if class.starts_with("m-append")
        || class.starts_with("m-heartbeat")
        || class.starts_with("m-snapshot")
    {
        let s = if class.starts_with("m-snapshot") {
            r * 1.4
        } else {
            r * 0.85
        };
        view! { <rect x=x - s y=y - s width=2.0 * s height=2.0 * s/> }.into_any()
    } else {
        view! { <circle cx=x cy=y r=r * 0.8/> }.into_any()
    }
}

#[component]
fn NodeButton(ctx: Ctx, id: u8) -> impl IntoView {
    let w = &ctx.words.own.ring;
    let frame = ctx.frame;
    // The node without its election timer, which moves every tick: the labels below rerun only
    // when the node itself changes.
    let settled = Memo::new(move |_| {
        frame.with(|f| {
            f.view.nodes.get(id as usize).map(|v| NodeView {
                election_elapsed: 0,
                ..*v
            })
        })
    });
    let node = move || settled.get();
    let clock = Memo::new(move |_| {
        frame.with(|f| {
            f.view
                .nodes
                .get(id as usize)
                .map(|v| (v.election_elapsed, v.election_timeout))
        })
    });
    // The log is redrawn only when it (or its commit or snapshot mark) changes.
    let log_state = Memo::new(move |_| {
        frame.with(|f| {
            let tail = f.view.logs.get(id as usize).cloned().unwrap_or_default();
            let v = f.view.nodes.get(id as usize);
            (
                tail,
                v.map_or(0, |v| v.commit),
                v.map_or(0, |v| v.snapshot_index),
            )
        })
    });
    let n = move || frame.with(|f| f.view.nodes.len());
    let style = move || {
        let (x, y) = position(id, n());
        format!("left:{x:.2}%;top:{y:.2}%")
    };
    let name = move || {
        node().map(|v| {
            fill(
                &w.node_name,
                &[
                    ("id", &id.to_string()),
                    ("role", role_word(w, &v)),
                    ("term", &v.term.to_string()),
                ],
            )
        })
    };
    let class = move || {
        let role = node().map_or("crashed", |v| role(w, &v).0);
        let sel = if ctx.selected.get() == Some(id) {
            " selected"
        } else {
            ""
        };
        format!("raft-node {role}{sel}")
    };
    let vote = move || {
        node().map(|v| match v.vote {
            Some(c) => fill(&w.voted, &[("id", &c.to_string())]),
            None => w.no_vote.clone(),
        })
    };
    let timer = move || {
        clock.get().map(|(elapsed, timeout)| {
            let pct = if timeout == 0 {
                0.0
            } else {
                (f64::from(elapsed) / f64::from(timeout)).min(1.0) * 100.0
            };
            (
                pct,
                fill(
                    &w.timer,
                    &[
                        ("elapsed", &elapsed.to_string()),
                        ("timeout", &timeout.to_string()),
                    ],
                ),
            )
        })
    };
    // A fixed row of cells, each with its own class, so a new entry or commit changes classes
    // and creates no elements.
    let cell = move |slot: usize| {
        move || {
            log_state.with(|(tail, commit, snap)| {
                let shown = tail.terms.len().min(NODE_LOG_CELLS);
                let skip = tail.terms.len() - shown;
                // Cells fill from the left; the ones past the log stay empty.
                let k = skip + slot;
                let Some(term) = tail.terms.get(k).filter(|_| slot < shown) else {
                    return "cell empty".to_string();
                };
                let index = tail.first + k as u64;
                let mut class = format!("cell {}", term_class(*term));
                if index <= *commit {
                    class.push_str(" committed");
                }
                if index == snap + 1 && *snap > 0 {
                    class.push_str(" after-snapshot");
                }
                class
            })
        }
    };
    let log = (0..NODE_LOG_CELLS)
        .map(|slot| view! { <span class=cell(slot)></span> })
        .collect_view();
    view! {
        <button type="button" class=class style=style aria-label=name
            aria-pressed=move || (ctx.selected.get() == Some(id)).to_string()
            data-node=id.to_string()
            on:click=move |_| {
                ctx.message.set(None);
                ctx.selected.update(|s| *s = if *s == Some(id) { None } else { Some(id) });
            }>
            <span class="node-name">{fill(&ctx.words.own.inspector.node_heading, &[("id", &id.to_string())])}</span>
            <span class="node-role">{move || node().map(|v| role_word(w, &v))}</span>
            <span class="node-term">{move || node().map(|v| fill(&w.term_value, &[("term", &v.term.to_string())]))}" · "{vote}</span>
            <span class="node-log" aria-hidden="true">{log}</span>
            <span class="node-commit">{move || node().map(|v| fill(&w.log_value, &[("commit", &v.commit.to_string()), ("last", &v.log_len.to_string())]))}</span>
            <span class="node-timer" title=move || timer().map(|t| t.1)>
                <span class="node-timer-bar" style=move || format!("transform:scaleX({:.2})", timer().map_or(0.0, |t| t.0 / 100.0))></span>
            </span>
        </button>
    }
}

#[component]
pub fn Ring(ctx: Ctx) -> impl IntoView {
    let w = &ctx.words.own.ring;
    let frame = ctx.frame;
    let count = Memo::new(move |_| frame.with(|f| f.view.nodes.len()));
    let links = move || {
        let n = count.get();
        let mut out = Vec::new();
        for a in 0..n as u8 {
            for b in (a + 1)..n as u8 {
                let (x1, y1) = position(a, n);
                let (x2, y2) = position(b, n);
                out.push(view! { <line class="link" x1=x1 y1=y1 x2=x2 y2=y2/> });
            }
        }
        out.collect_view()
    };
    let cuts = move || {
        let n = count.get();
        frame.with(|f| {
            f.view
                .cut_links
                .iter()
                .map(|c| {
                    let (x1, y1) = position(c.from, n);
                    let (x2, y2) = position(c.to, n);
                    // The cut is marked near the receiving end: from -> to is blocked.
                    let (mx, my) = (x1 + (x2 - x1) * 0.7, y1 + (y2 - y1) * 0.7);
                    view! {
                        <g class="cut">
                            <line x1=x1 y1=y1 x2=x2 y2=y2/>
                            <circle cx=mx cy=my r="1.6"/>
                        </g>
                    }
                })
                .collect_view()
        })
    };
    // Messages are keyed, so a frame moves the ones in flight instead of drawing them anew.
    let keyed = Memo::new(move |_| frame.with(|f| keyed(&f.view.in_flight)));
    let message = move |(_, m): (MsgKey, InFlightView)| {
        let class = kind_class(&m);
        let at = move || {
            let n = count.get();
            let t = frame.with(|f| f.view.now) as f64 + ctx.frac.get();
            let (x1, y1) = endpoint(m.from, n);
            let (x2, y2) = endpoint(m.to, n);
            let p = progress(&m, t);
            format!(
                "translate({:.2} {:.2})",
                x1 + (x2 - x1) * p,
                y1 + (y2 - y1) * p
            )
        };
        let classes = move || {
            let sel = if ctx.message.get() == Some(m) {
                " selected"
            } else {
                ""
            };
            format!("msg {class}{sel}")
        };
        view! {
            <g class=classes transform=at on:click=move |_| {
                ctx.selected.set(None);
                ctx.message.set(Some(m));
            }>{shape(class, 0.0, 0.0, 1.6)}</g>
        }
    };
    let messages = move || {
        view! { <For each=move || keyed.get() key=|(k, _)| *k children=message/> }
    };
    let nodes = move || {
        (0..count.get() as u8)
            .map(|id| view! { <NodeButton ctx=ctx id=id/> })
            .collect_view()
    };
    let watching = move || {
        ctx.watching.get().map(|text| {
            view! { <p class="raft-watch" role="status"><strong>{ctx.words.own.preset_watch.as_str()}</strong>" "{text}</p> }
        })
    };
    view! {
        <section class="lab-panel raft-ring-panel" aria-labelledby="raft-ring-title">
            <h2 id="raft-ring-title" class="panel-title">{w.heading.as_str()}</h2>
            <p class="panel-note">{w.note.as_str()}</p>
            {watching}
            <div class="raft-ring" data-testid="ring">
                <svg class="raft-links" viewBox="0 0 100 100" aria-hidden="true">
                    {links}
                    {cuts}
                    <circle class="clients" cx="50" cy="50" r="4"/>
                    <text class="clients-label" x="50" y="57" text-anchor="middle">{w.clients.as_str()}</text>
                    {messages}
                </svg>
                {nodes}
            </div>
            <Legend ctx=ctx/>
        </section>
    }
}

#[component]
fn Legend(ctx: Ctx) -> impl IntoView {
    let w = &ctx.words.own.legend;
    let item = |class: &'static str, label: &'static str| {
        view! {
            <li><svg viewBox="0 0 10 10" aria-hidden="true"><g class=format!("msg {class}")>{shape(class, 5.0, 5.0, 3.2)}</g></svg>{label}</li>
        }
    };
    view! {
        <details class="raft-legend" open>
            <summary>{w.heading.as_str()}</summary>
            <ul>
                {item("m-prevote", &w.pre_vote)}
                {item("m-vote", &w.vote)}
                {item("m-reply granted", &w.vote_reply)}
                {item("m-append", &w.append)}
                {item("m-heartbeat", &w.heartbeat)}
                {item("m-append-reply", &w.append_reply)}
                {item("m-snapshot", &w.snapshot)}
                {item("m-client", &w.client)}
                <li><span class="legend-cut" aria-hidden="true"></span>{w.cut.as_str()}</li>
                <li><span class="cell term-1" aria-hidden="true"></span>{w.entry.as_str()}</li>
                <li><span class="cell term-1 committed" aria-hidden="true"></span>{w.commit.as_str()}</li>
                <li><span class="cell term-2 after-snapshot" aria-hidden="true"></span>{w.snapshot_mark.as_str()}</li>
            </ul>
        </details>
    }
}
