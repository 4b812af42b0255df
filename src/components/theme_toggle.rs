//! The light/dark switch. It reads as a switch ("off / on"), announces itself as a toggle button
//! with a pressed state, and works from the keyboard like any button.

use crate::theme::{self, Theme};
use leptos::prelude::*;

#[component]
pub fn ThemeToggle() -> impl IntoView {
    let (current, set_current) = signal(theme::current());
    let dark = move || current.get() == Theme::Dark;
    let toggle = move |_| {
        let next = current.get_untracked().toggled();
        theme::choose(next);
        set_current.set(next);
    };
    view! {
        <button
            type="button"
            class="theme-toggle"
            aria-label="Dark theme"
            aria-pressed=move || dark().to_string()
            on:click=toggle
        >
            <span class="theme-toggle-label" aria-hidden="true">"Dark"</span>
            <span class="switch" aria-hidden="true">
                <span class="switch-thumb"></span>
            </span>
            <span class="theme-toggle-state" aria-hidden="true">
                {move || if dark() { "on" } else { "off" }}
            </span>
        </button>
    }
}
