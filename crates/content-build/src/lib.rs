//! Build-time content pipeline for the portfolio site.
//!
//! Everything here runs natively from the site's `build.rs` or `cargo xtask`;
//! the browser only ever receives the finished HTML and CSS. Modules:
//!
//! * [`markdown`]: Markdown → HTML with highlighted code, heading anchors,
//!   word count and excerpt, plus "broken Markdown" checks.
//! * [`highlight`]: whole-file highlighting with per-line spans, and the
//!   light/dark theme CSS.
//! * [`feed`]: RSS/Atom import (sanitized), TOML export and RSS output.
//! * [`sanitize`]: every build-time HTML fragment a page sets as
//!   `inner_html` goes through ammonia (prose and SVG allow-lists).
//! * [`site`]: assembles all of `content/` into the site's `Site` value.
//! * [`error`]: the typed [`ContentError`].

#![forbid(unsafe_code)]

pub mod error;
pub mod feed;
pub mod highlight;
pub mod markdown;
pub mod sanitize;
pub mod site;
mod text;

pub use error::ContentError;
pub use feed::Entry;
pub use markdown::{Heading, Rendered};
pub use text::{escape_html, slug, slugify};

/// Reading speed used for reading-time estimates, in words per minute.
pub const WORDS_PER_MINUTE: usize = 230;

/// Reading time in whole minutes for `words` words (~230 wpm, at least 1).
pub fn reading_minutes(words: usize) -> u32 {
    let minutes = words.div_ceil(WORDS_PER_MINUTE).max(1);
    u32::try_from(minutes).unwrap_or(u32::MAX)
}
