//! Measured figures with their provenance: every number names the command, machine and date
//! that produced it (filled in at build time from `content/measurements/`).

use crate::content::schema::Figure;
use leptos::prelude::*;

#[component]
pub fn Figures(figures: &'static [Figure]) -> impl IntoView {
    let items = figures
        .iter()
        .map(|figure| {
            view! {
                <div class="figure">
                    <dt>{figure.label.as_str()}</dt>
                    <dd>
                        <span class="figure-value">{figure.value.as_str()}</span>
                        " "
                        <span class="figure-unit">{figure.unit.as_str()}</span>
                    </dd>
                </div>
            }
        })
        .collect_view();
    // One line per distinct benchmark run, in first-use order.
    let mut runs: Vec<&'static str> = Vec::new();
    let sources = figures
        .iter()
        .filter_map(|f| f.provenance.as_ref())
        .filter(|p| {
            let new = !runs.contains(&p.command.as_str());
            if new {
                runs.push(p.command.as_str());
            }
            new
        })
        .map(|p| {
            let day = p.measured_at.get(..10).unwrap_or(&p.measured_at);
            view! {
                <li>
                    <code>{p.command.as_str()}</code>
                    {format!(
                        " — {}, {} logical cores, load average {} at start, {day}",
                        p.cpu, p.logical_cores, p.load_average
                    )}
                </li>
            }
        })
        .collect_view();
    view! {
        <dl class="figure-grid">{items}</dl>
        <ul class="figure-sources">{sources}</ul>
    }
}
