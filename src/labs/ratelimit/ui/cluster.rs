//! The sharded cluster: the consistent-hash ring drawn (shards' points and the client keys,
//! coloured by shard), one button per shard (kill / restore), add and remove, the degradation
//! policy, per-shard load and latency, and over-admission against the exact global limit.

use super::live::Ctx;
use crate::labs::kit::format::{fill, grouped};
use crate::labs::ratelimit::session::{ClusterFrame, ShardFrame, DEFAULT_SHARE_PERMILLE};
use leptos::prelude::*;
use ratelimit::cluster::{DegradationPolicy, ShardAction};

/// Distinct shard colours before they repeat.
pub const SHARD_COLOURS: u32 = 8;
/// The ring's radius in its drawing (of 100).
const RADIUS: f64 = 40.0;

fn at(position: u64, r: f64) -> (f64, f64) {
    let a = position as f64 / u64::MAX as f64 * std::f64::consts::TAU - std::f64::consts::FRAC_PI_2;
    (50.0 + r * a.cos(), 50.0 + r * a.sin())
}

fn shard_class(shard: Option<u32>) -> String {
    shard.map_or_else(
        || "shard-none".to_string(),
        |s| format!("shard-{}", s % SHARD_COLOURS),
    )
}

fn percent(part: u64, whole: u64) -> String {
    if whole == 0 {
        "0".to_string()
    } else {
        format!("{:.1}", part as f64 * 100.0 / whole as f64)
    }
}

#[component]
fn Ring(ctx: Ctx) -> impl IntoView {
    let w = &ctx.words.own.cluster;
    let frame = ctx.frame;
    let points = Memo::new(move |_| frame.with(|f| f.cluster.points.clone()));
    let keys = Memo::new(move |_| frame.with(|f| f.cluster.keys.clone()));
    let arcs = move || {
        points
            .get()
            .into_iter()
            .map(|(p, shard)| {
                let (x1, y1) = at(p, RADIUS - 3.0);
                let (x2, y2) = at(p, RADIUS + 3.0);
                view! { <line class=format!("rl-point {}", shard_class(Some(shard))) x1=x1 y1=y1 x2=x2 y2=y2/> }
            })
            .collect_view()
    };
    let dots = move || {
        keys.get()
            .into_iter()
            .map(|(p, shard, hot)| {
                let (x, y) = at(p, RADIUS - 8.0);
                let class = format!(
                    "rl-key-dot {}{}",
                    shard_class(shard),
                    if hot { " hot" } else { "" }
                );
                view! { <circle class=class cx=x cy=y r=if hot { 2.4 } else { 1.4 }/> }
            })
            .collect_view()
    };
    view! {
        <svg class="rl-ring" viewBox="0 0 100 100" role="img" aria-label=w.ring_label.as_str()>
            <circle class="rl-ring-line" cx="50" cy="50" r=RADIUS/>
            {arcs}
            {dots}
        </svg>
    }
}

fn shard_row(ctx: Ctx, s: ShardFrame) -> impl IntoView {
    let w = &ctx.words.own.cluster;
    let state = if !s.in_ring {
        w.removed.as_str()
    } else if s.up {
        w.up.as_str()
    } else {
        w.down.as_str()
    };
    view! {
        <tr>
            <td><span class=format!("rl-swatch {}", shard_class(Some(s.shard))) aria-hidden="true"></span>{s.shard}</td>
            <td>{state}</td>
            <td>{grouped(s.requests)}</td>
            <td>{format!("{:.0}", s.latency_ns_mean as f64 / 1000.0)}" / "{format!("{:.0}", s.latency_ns_max as f64 / 1000.0)}</td>
            <td>{grouped(s.timeouts)}</td>
        </tr>
    }
}

fn totals_text(ctx: Ctx, c: &ClusterFrame) -> (String, String) {
    let w = &ctx.words.own.cluster;
    let t = &c.totals;
    let all = t.allowed + t.denied;
    (
        fill(
            &w.over_admission,
            &[
                ("wrongly", &grouped(t.wrongly_allowed)),
                ("percent", &percent(t.wrongly_allowed, all)),
                ("ticks", &grouped(t.ticks)),
            ],
        ),
        fill(
            &w.availability,
            &[
                ("wrongly", &grouped(t.wrongly_denied)),
                ("percent", &percent(t.wrongly_denied, all)),
                ("degraded", &grouped(t.degraded)),
            ],
        ),
    )
}

#[component]
pub fn ClusterPanel(ctx: Ctx) -> impl IntoView {
    let w = &ctx.words.own.cluster;
    let frame = ctx.frame;
    let shards = Memo::new(move |_| frame.with(|f| f.cluster.shards.clone()));
    let share_error = RwSignal::new(None::<String>);
    let buttons = move || {
        shards
            .get()
            .into_iter()
            .filter(|s| s.in_ring)
            .map(|s| {
                let state = if s.up { w.up.as_str() } else { w.down.as_str() };
                let label = fill(&w.shard_button, &[("shard", &s.shard.to_string()), ("state", state)]);
                let action = if s.up {
                    ShardAction::Kill { shard: s.shard }
                } else {
                    ShardAction::Restore { shard: s.shard }
                };
                let hint = if s.up { w.kill_hint.as_str() } else { w.restore_hint.as_str() };
                view! {
                    <button type="button" class=format!("btn rl-shard {}", if s.up { "up" } else { "down" })
                        aria-pressed=(!s.up).to_string() title=hint
                        on:click=move |_| ctx.act(action)>
                        <span class=format!("rl-swatch {}", shard_class(Some(s.shard))) aria-hidden="true"></span>{label}
                    </button>
                }
            })
            .collect_view()
    };
    let remove_choice = RwSignal::new(None::<u32>);
    let remove_options = move || {
        shards
            .get()
            .into_iter()
            .filter(|s| s.in_ring)
            .map(|s| view! { <option value=s.shard.to_string()>{s.shard}</option> })
            .collect_view()
    };
    let remove = move |_| {
        let first = shards.with_untracked(|v| v.iter().find(|s| s.in_ring).map(|s| s.shard));
        if let Some(shard) = remove_choice.get_untracked().or(first) {
            remove_choice.set(None);
            ctx.act(ShardAction::Remove { shard });
        }
    };
    let policy = move || ctx.frame.with(|f| f.run.policy);
    let set_policy = move |p: DegradationPolicy| {
        let mut run = ctx.frame.with_untracked(|f| f.run);
        run.policy = p;
        share_error.set(ctx.reconfigure(run).err().map(|e| ctx.words.run_error(&e)));
    };
    let on_policy = move |ev| {
        let p = match event_target_value(&ev).as_str() {
            "open" => DegradationPolicy::FailOpen,
            "closed" => DegradationPolicy::FailClosed,
            _ => DegradationPolicy::LocalFallback {
                share_permille: match policy() {
                    DegradationPolicy::LocalFallback { share_permille } => share_permille,
                    _ => DEFAULT_SHARE_PERMILLE,
                },
            },
        };
        set_policy(p);
    };
    let share_value = move || match policy() {
        DegradationPolicy::LocalFallback { share_permille } => share_permille.to_string(),
        _ => String::new(),
    };
    let on_share = move |ev| match event_target_value(&ev).trim().parse::<u64>() {
        Ok(share_permille) => set_policy(DegradationPolicy::LocalFallback { share_permille }),
        Err(_) => share_error.set(Some(ctx.words.own.form.not_a_number.clone())),
    };
    let is_local = move || matches!(policy(), DegradationPolicy::LocalFallback { .. });
    let rows = move || {
        shards
            .get()
            .into_iter()
            .map(|s| shard_row(ctx, s))
            .collect_view()
    };
    let totals = move || frame.with(|f| totals_text(ctx, &f.cluster));
    let moved = move || {
        frame.with(|f| {
            f.cluster.moved.as_ref().map(|m| {
                let on_ring = f.cluster.shards.iter().filter(|s| s.in_ring).count().max(1);
                fill(
                    &w.moved,
                    &[
                        ("keys", &m.keys.to_string()),
                        ("of", &m.of.to_string()),
                        ("percent", &percent(m.keys as u64, m.of as u64)),
                        (
                            "to",
                            &m.to
                                .iter()
                                .map(u32::to_string)
                                .collect::<Vec<_>>()
                                .join(", "),
                        ),
                        ("ideal", &format!("{:.1}", 100.0 / on_ring as f64)),
                    ],
                )
            })
        })
    };
    view! {
        <section class="lab-panel" aria-labelledby="rl-cluster-title" data-testid="cluster">
            <h2 id="rl-cluster-title" class="panel-title">{w.heading.as_str()}</h2>
            <p class="panel-note">{w.lede.as_str()}</p>
            <div class="rl-cluster">
                <Ring ctx=ctx/>
                <div>
                    <div class="rl-form">
                        <div class="field">
                            <label for="rl-policy">{w.policy.as_str()}</label>
                            <select id="rl-policy" on:change=on_policy>
                                <option value="open" selected=move || policy() == DegradationPolicy::FailOpen>{w.fail_open.as_str()}</option>
                                <option value="closed" selected=move || policy() == DegradationPolicy::FailClosed>{w.fail_closed.as_str()}</option>
                                <option value="local" selected=is_local>{w.local.as_str()}</option>
                            </select>
                        </div>
                        <div class="field" hidden=move || !is_local()>
                            <label for="rl-share">{w.share.as_str()}</label>
                            <input id="rl-share" type="text" inputmode="numeric" size="5" prop:value=share_value
                                aria-describedby="rl-share-error" on:change=on_share/>
                        </div>
                    </div>
                    <p class="field-error" id="rl-share-error" role="alert">{move || share_error.get()}</p>
                    <p class="panel-note">{move || match policy() {
                        DegradationPolicy::FailOpen => w.fail_open_note.clone(),
                        DegradationPolicy::FailClosed => w.fail_closed_note.clone(),
                        DegradationPolicy::LocalFallback { .. } => w.local_note.clone(),
                    }}</p>
                    <div class="raft-actions" role="group" aria-label=w.shards_label.as_str()>{buttons}</div>
                    <div class="raft-actions">
                        <button type="button" class="btn" on:click=move |_| ctx.act(ShardAction::Add) data-testid="add-shard">{w.add.as_str()}</button>
                        <label for="rl-remove" class="panel-note">{w.remove_label.as_str()}</label>
                        <select id="rl-remove" on:change=move |ev| remove_choice.set(event_target_value(&ev).parse().ok())>{remove_options}</select>
                        <button type="button" class="btn" on:click=remove data-testid="remove-shard">{w.remove.as_str()}</button>
                    </div>
                    <p class="panel-note" role="status" data-testid="moved">{moved}</p>
                </div>
            </div>
            <p data-testid="over-admission">{move || totals().0}</p>
            <p data-testid="availability">{move || totals().1}</p>
            <div class="raft-scroll">
                <table class="raft-table">
                    <caption class="panel-note">{w.table_caption.as_str()}</caption>
                    <thead><tr>
                        <th scope="col">{w.shard.as_str()}</th>
                        <th scope="col">{w.state.as_str()}</th>
                        <th scope="col">{w.load.as_str()}</th>
                        <th scope="col">{w.latency.as_str()}</th>
                        <th scope="col">{w.timeouts.as_str()}</th>
                    </tr></thead>
                    <tbody>{rows}</tbody>
                </table>
            </div>
        </section>
    }
}
