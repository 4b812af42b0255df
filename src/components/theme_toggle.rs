//! The light/dark switch. It reads as a switch ("off / on"), announces itself as a toggle button
//! with a pressed state, and works from the keyboard like any button. What it shows follows
//! `<html data-theme>` in CSS, so the pre-rendered page shows it right before the app runs.

use crate::theme::{self, Theme};
use leptos::prelude::*;

#[component]
pub fn ThemeToggle() -> impl IntoView {
    // The page's theme is known before the app runs (the inline script sets it); pre-rendered
    // markup is the light one's, and its look follows `data-theme` in CSS until the app takes over.
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
            // Both words are in the markup; the stylesheet shows the one for the page's theme.
            <span class="theme-toggle-state" aria-hidden="true">
                <span class="when-dark">"on"</span>
                <span class="when-light">"off"</span>
            </span>
        </button>
    }
}
