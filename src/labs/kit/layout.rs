//! The layout every lab shares (`../shared/DESIGN.md`, "Labs share one layout"):
//!
//! - [`LabFrame`], rendered by the site: the page head, prose that reads without interaction and
//!   the "view source" list (both rendered at build time), and the live column into which the
//!   lab's own module is loaded;
//! - [`StatusBar`], rendered by the lab's module at the top of the live column: the status items
//!   (seed, time, invariants, throughput…), the player's controls and the share button, so the
//!   primary action is visible with the live view without scrolling.

use super::format::grouped;
use super::module::{self, Loaded};
use super::player::Player;
use crate::components::{head::Head, page_intro::PageIntro};
use crate::content::{schema::LabContent, site};
use leptos::{html, prelude::*};

/// The lab page: words from `lab`, the live part from the lab's own module.
#[component]
pub fn LabFrame(lab: &'static LabContent) -> impl IntoView {
    let words = &site().lab_index;
    let live = NodeRef::<html::Div>::new();
    let loaded: Loaded = StoredValue::new_local(None);
    Effect::new(move |_| {
        if let Some(el) = live.get() {
            let target = el.clone();
            module::load(&lab.slug, &el, loaded, move || {
                target.set_text_content(Some(&words.load_failed));
            });
        }
    });
    on_cleanup(move || module::unload(loaded));
    let page = site().page(&lab.path());
    view! {
        {page.map(|p| view! { <Head title=p.title description=p.description/> })}
        <article class="wrap page lab">
            <PageIntro label=lab.label.as_str() heading=lab.heading.as_str() lede=lab.lede.as_str()/>
            <div class="lab-grid">
                // Rendered at build time from content/labs/<slug>.md, with the source list.
                <div class="lab-prose" inner_html=lab.prose_html.as_str()></div>
                <div class="lab-live" node_ref=live>
                    <p class="muted" role="status">{words.loading.as_str()}</p>
                </div>
            </div>
        </article>
    }
}

/// One figure of the status strip; `id` names it for tests (`data-status`).
#[component]
pub fn StatusItem(
    label: &'static str,
    id: &'static str,
    #[prop(into)] value: Signal<String>,
) -> impl IntoView {
    view! {
        <div class="status-item">
            <dt>{label}</dt>
            <dd data-status=id>{value}</dd>
        </div>
    }
}

/// Whether the engine's own invariant check holds, or the first thing it found wrong.
#[component]
pub fn InvariantsItem(
    label: &'static str,
    holding: &'static str,
    #[prop(into)] result: Signal<Result<(), String>>,
) -> impl IntoView {
    let value = move || {
        result.with(|r| match r {
            Ok(()) => view! { <dd class="ok" data-status="invariants">{holding}</dd> }.into_any(),
            Err(e) => {
                view! { <dd class="bad" data-status="invariants">"✗ " {e.clone()}</dd> }.into_any()
            }
        })
    };
    view! { <div class="status-item"><dt>{label}</dt>{value}</div> }
}

/// The player's throughput as the status strip shows it: `rate` formats a measured rate.
pub fn throughput(
    player: Player,
    kit: &'static crate::content::schema::LabKitWords,
    rate: impl Fn(String) -> String + Send + Sync + 'static,
) -> Signal<String> {
    Signal::derive(
        move || match (player.playing.get(), player.throughput.get()) {
            (true, Some(t)) => rate(grouped(t.round() as u64)),
            (true, None) => kit.measuring.clone(),
            (false, _) => kit.paused.clone(),
        },
    )
}

/// The player's controls: play / pause, one step, and the speed (one of `speeds`, each with its
/// label). `on_play` starts the lab's loop through [`Player::play`].
#[component]
pub fn PlayerControls(
    player: Player,
    kit: &'static crate::content::schema::LabKitWords,
    step_label: &'static str,
    speeds: Vec<(u32, String)>,
    on_play: impl Fn() + Copy + 'static,
    on_step: impl Fn() + Copy + 'static,
) -> impl IntoView {
    let toggle = move |_| {
        if player.is_playing() {
            player.pause();
        } else {
            on_play();
        }
    };
    let allowed: Vec<u32> = speeds.iter().map(|(s, _)| *s).collect();
    let options = speeds
        .into_iter()
        .map(|(s, label)| view! { <option value=s.to_string() selected=move || player.speed.get() == s>{label}</option> })
        .collect_view();
    view! {
        <div class="player">
            <button type="button" class="btn btn-primary" on:click=toggle
                aria-pressed=move || player.playing.get().to_string() data-testid="play">
                {move || if player.playing.get() { kit.pause.as_str() } else { kit.play.as_str() }}
            </button>
            <button type="button" class="btn" on:click=move |_| { player.pause(); on_step(); }>{step_label}</button>
            <div class="field inline">
                <label for="lab-rate">{kit.speed.as_str()}</label>
                <select id="lab-rate" on:change=move |ev| {
                    if let Ok(s) = event_target_value(&ev).parse::<u32>() {
                        if allowed.contains(&s) {
                            player.speed.set(s);
                        }
                    }
                }>{options}</select>
            </div>
        </div>
    }
}

/// A lab benchmark's native figures (from `content/measurements/`), shown beside what the
/// visitor's browser measures (nothing when the benchmark has none); in a debug build, first a
/// warning that the browser's figures are a debug build's.
#[component]
pub fn NativeFigures(
    kit: &'static crate::content::schema::LabKitWords,
    bench: &'static crate::content::schema::LabBench,
) -> impl IntoView {
    let debug = cfg!(debug_assertions).then(|| {
        view! { <p class="lab-alert" role="status" data-testid="debug-build">{kit.debug_build.as_str()}</p> }
    });
    let native = (!bench.native.is_empty()).then(|| {
        view! {
            <div class="bench-native">
                <h3 class="sub-title">{bench.native_heading.as_str()}</h3>
                <p class="panel-note">{bench.native_note.as_str()}</p>
                <crate::components::figures::Figures figures=&bench.native/>
                <p class="panel-note">{kit.versus_native_note.as_str()}</p>
            </div>
        }
    });
    view! { {debug}{native} }
}

/// How an in-browser figure compares with the native figure of the same work.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Better {
    /// A rate: more is better (ops/s).
    Higher,
    /// A cost: less is better (ns per decision).
    Lower,
}

/// The in-browser figure `value` as a multiple of the native figure keyed `key` in `bench`
/// (`Some(0.74)`: 74 % of native speed), when both are known and positive.
pub fn versus_native(
    bench: &crate::content::schema::LabBench,
    key: &str,
    value: f64,
    better: Better,
) -> Option<f64> {
    keyed_ratio(bench, key, value, better).map(|(_, ratio)| ratio)
}

/// The native figure keyed `key` and `value` as a multiple of it.
fn keyed_ratio<'b>(
    bench: &'b crate::content::schema::LabBench,
    key: &str,
    value: f64,
    better: Better,
) -> Option<(&'b crate::content::schema::Figure, f64)> {
    let figure = bench.native.iter().find(|f| f.key == key)?;
    let native = figure.number?;
    (native > 0.0 && value > 0.0 && value.is_finite()).then(|| {
        let ratio = match better {
            Better::Higher => value / native,
            Better::Lower => native / value,
        };
        (figure, ratio)
    })
}

/// "0.74× the native figure (22.4 M ops/s)", or nothing without a native figure keyed `key`.
pub fn versus_native_text(
    kit: &crate::content::schema::LabKitWords,
    bench: &crate::content::schema::LabBench,
    key: &str,
    value: f64,
    better: Better,
) -> Option<String> {
    let (figure, ratio) = keyed_ratio(bench, key, value, better)?;
    let native = if figure.unit.is_empty() {
        figure.value.clone()
    } else {
        format!("{} {}", figure.value, figure.unit)
    };
    Some(crate::labs::kit::format::fill(
        &kit.versus_native,
        &[("ratio", &format!("{ratio:.2}")), ("native", &native)],
    ))
}

/// The bar over a lab's panels: its status items (`children`), then its controls.
#[component]
pub fn StatusBar(
    kit: &'static crate::content::schema::LabKitWords,
    controls: AnyView,
    children: Children,
) -> impl IntoView {
    view! {
        <div class="lab-statusbar">
            <dl class="lab-status" aria-label=kit.status_label.as_str()>{children()}</dl>
            <div class="lab-controls">{controls}</div>
        </div>
    }
}
