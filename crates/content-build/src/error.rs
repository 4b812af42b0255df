//! The crate's single error type; every variant says where the problem is.

use thiserror::Error;

/// An error from rendering, highlighting or importing content.
///
/// Variants that come from a source file carry its `origin` (the path or
/// name the caller passed in) and the 1-based `line`, and display as
/// `origin:line: message` so build output is clickable in most terminals.
#[derive(Debug, Error, Clone, PartialEq, Eq)]
pub enum ContentError {
    /// A fenced code block names a language the highlighter does not know.
    #[error("{origin}:{line}: unknown code-block language `{lang}`")]
    UnknownLanguage {
        /// File (or other name) the Markdown came from.
        origin: String,
        /// 1-based line of the opening fence.
        line: usize,
        /// The language tag as written.
        lang: String,
    },
    /// A fenced code block is never closed (CommonMark would close it at EOF).
    #[error("{origin}:{line}: code fence opened here is never closed")]
    UnclosedFence {
        /// File the Markdown came from.
        origin: String,
        /// 1-based line of the opening fence.
        line: usize,
    },
    /// Raw HTML or a link that is not allowed in site content.
    #[error("{origin}:{line}: forbidden content: {what}")]
    Forbidden {
        /// File the Markdown came from.
        origin: String,
        /// 1-based line where it starts.
        line: usize,
        /// What was found (e.g. `<script>`, `javascript: URL`).
        what: String,
    },
    /// A full or collapsed reference link whose label is never defined.
    #[error("{origin}:{line}: reference link `[{label}]` has no definition")]
    BrokenReference {
        /// File the Markdown came from.
        origin: String,
        /// 1-based line of the link.
        line: usize,
        /// The undefined label.
        label: String,
    },
    /// `highlight::code` was asked for a language it does not know.
    #[error("unknown language `{lang}` for highlighting")]
    UnsupportedLanguage {
        /// The language tag as given.
        lang: String,
    },
    /// syntect failed while highlighting.
    #[error("{origin}:{line}: highlighting failed: {message}")]
    Highlight {
        /// File (or `<code>` for [`crate::highlight::code`]).
        origin: String,
        /// 1-based line being highlighted.
        line: usize,
        /// syntect's message.
        message: String,
    },
    /// The bundled syntaxes or themes failed to load (a bug in this crate).
    #[error("highlighter setup failed: {0}")]
    Setup(String),
    /// The feed could not be parsed at all.
    #[error("feed could not be parsed: {0}")]
    Feed(String),
    /// One entry of a feed is unusable (missing date, unsafe link, ...).
    #[error("feed entry {index} ({title:?}): {message}")]
    FeedEntry {
        /// 0-based position of the entry in the feed.
        index: usize,
        /// Its title, if it had one.
        title: String,
        /// What is wrong.
        message: String,
    },
    /// Serializing entries (TOML) or reading an entry's date back failed.
    #[error("serialization failed: {0}")]
    Serialize(String),
    /// A content file could not be read or written.
    #[error("{path}: {message}")]
    Io {
        /// The file.
        path: String,
        /// The operating system's message.
        message: String,
    },
    /// A TOML content file does not match the site's content schema (the message has the line).
    #[error("{origin}: {message}")]
    Toml {
        /// The file.
        origin: String,
        /// The parser's message, with line and column.
        message: String,
    },
    /// The content parses but breaks a rule of `site_content::Site::problems`.
    #[error("content rules broken:\n{0}")]
    Invalid(String),
}
