//! The site as a library: the Leptos client-side app that presents the portfolio (`app`,
//! `pages`, `components`), the parts every page and lab shares (`content`, `base`, `fatal`,
//! `theme`) and the live labs (`labs`, on `labs::kit`). It only adapts engines and content to the
//! DOM; the engines live in `crates/` and know nothing of the web.
//!
//! Each WebAssembly module is a thin bin over this library: `site` (`main.rs`) mounts the app,
//! `lab-<slug>` exports one lab's mount and unmount, `lab-<slug>-worker` runs its Web Worker. The
//! linker keeps only what a bin uses, so a lab's module carries that lab's engine and words and
//! not the site's pages, and the site's module carries no engine. The views need the feature
//! `ui` (on by default); a lab's worker is built without it, so it links no UI framework.

#![forbid(unsafe_code)]

#[cfg(feature = "ui")]
pub mod app;
pub mod base;
#[cfg(feature = "ui")]
pub mod components;
pub mod content;
pub mod fatal;
pub mod labs;
#[cfg(feature = "ui")]
pub mod pages;
#[cfg(all(feature = "ui", not(target_arch = "wasm32")))]
pub mod prerender;
pub mod theme;
