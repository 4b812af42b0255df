//! Light and dark themes. The choice lives on `<html data-theme>` and in localStorage; an inline
//! script in index.html applies it before first paint, and this module keeps the two in step.

/// The localStorage key shared with the inline script in index.html.
const STORAGE_KEY: &str = "theme";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Theme {
    Light,
    Dark,
}

impl Theme {
    fn as_str(self) -> &'static str {
        match self {
            Theme::Light => "light",
            Theme::Dark => "dark",
        }
    }

    pub fn toggled(self) -> Theme {
        match self {
            Theme::Light => Theme::Dark,
            Theme::Dark => Theme::Light,
        }
    }
}

/// The theme the page shows now (set by the inline script, so it is known before the app runs).
/// Pre-rendered markup is the same in both themes: natively this is the light one.
#[cfg(not(target_arch = "wasm32"))]
pub fn current() -> Theme {
    Theme::Light
}

/// The theme the page shows now (set by the inline script, so it is known before the app runs).
#[cfg(target_arch = "wasm32")]
pub fn current() -> Theme {
    let attr = gloo_utils::document_element().get_attribute("data-theme");
    match attr.as_deref() {
        Some("dark") => Theme::Dark,
        Some("light") => Theme::Light,
        _ if prefers_dark() => Theme::Dark,
        _ => Theme::Light,
    }
}

/// Shows `theme` and remembers it as the visitor's explicit choice.
pub fn choose(theme: Theme) {
    let _ = gloo_utils::document_element().set_attribute("data-theme", theme.as_str());
    // Private browsing may refuse storage; the theme still applies for this visit.
    if let Some(storage) = gloo_utils::window().local_storage().ok().flatten() {
        let _ = storage.set_item(STORAGE_KEY, theme.as_str());
    }
}

#[cfg(target_arch = "wasm32")]
fn prefers_dark() -> bool {
    gloo_utils::window()
        .match_media("(prefers-color-scheme: dark)")
        .ok()
        .flatten()
        .is_some_and(|m| m.matches())
}
