//! Markdown → HTML at build time (pulldown-cmark), with syntect-highlighted
//! fenced code, slugged heading ids, word count, excerpt, and "broken
//! Markdown" checks that fail with `origin:line`.
//!
//! Enabled extensions: tables, footnotes, strikethrough, task lists, and
//! heading attributes (`# Title {#custom-id}`).
//!
//! Rejected (each a [`ContentError`] with the 1-based line):
//! * a fenced code block that is never closed (CommonMark closes it at EOF
//!   or when its container ends, silently swallowing the rest of the file);
//! * a fence language the highlighter does not know;
//! * raw HTML, a link or an image that the sanitiser ([`crate::sanitize`],
//!   ammonia) would change: a script, a frame, an event handler, a `javascript:`
//!   or `data:` URL, any element or attribute outside the prose allow-list;
//! * full or collapsed reference links (`[text][label]`, `[label][]`) whose
//!   label is never defined (pulldown-cmark would print them as text).

use std::collections::HashSet;
use std::ops::Range;

use pulldown_cmark::{
    BrokenLink, CodeBlockKind, CowStr, Event, LinkType, Options, Parser, Tag, TagEnd,
};
use serde::Serialize;

use crate::error::ContentError;
use crate::highlight;
use crate::sanitize::{self, Kind};
use crate::text::{collapse_ws, escape_html, slugify, LineIndex};

/// The result of rendering one Markdown document.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Rendered {
    /// Finished HTML (trusted: it comes from the site's own content).
    pub html: String,
    /// Words of prose (text and inline code; code blocks and image alt text
    /// are not counted).
    pub word_count: usize,
    /// Plain text of the first top-level paragraph (empty if there is none).
    pub excerpt: String,
    /// Headings in document order, with the ids written into the HTML.
    pub headings: Vec<Heading>,
}

impl Rendered {
    /// Reading time in minutes (~230 wpm, at least 1).
    pub fn reading_minutes(&self) -> u32 {
        crate::reading_minutes(self.word_count)
    }
}

/// One heading, for tables of contents.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Heading {
    /// 1 to 6.
    pub level: u8,
    /// The `id` attribute (slug, de-duplicated with `-1`, `-2`, ...).
    pub id: String,
    /// Plain text of the heading.
    pub text: String,
}

fn options() -> Options {
    Options::ENABLE_TABLES
        | Options::ENABLE_FOOTNOTES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_TASKLISTS
        | Options::ENABLE_HEADING_ATTRIBUTES
}

/// Renders `source` to HTML. `origin` names the file in errors.
pub fn render(source: &str, origin: &str) -> Result<Rendered, ContentError> {
    let lines = LineIndex::new(source);
    let mut broken: Vec<(Range<usize>, String)> = Vec::new();
    let events: Vec<(Event<'_>, Range<usize>)> = {
        let callback = |link: BrokenLink<'_>| {
            if matches!(link.link_type, LinkType::Reference | LinkType::Collapsed) {
                broken.push((link.span.clone(), link.reference.to_string()));
            }
            None
        };
        Parser::new_with_broken_link_callback(source, options(), Some(callback))
            .into_offset_iter()
            .collect()
    };
    if let Some((span, label)) = broken.first() {
        return Err(ContentError::BrokenReference {
            origin: origin.to_owned(),
            line: lines.line(span.start),
            label: label.clone(),
        });
    }

    let (word_count, excerpt) = prose_stats(&events);
    let mut headings = Vec::new();
    let mut used_ids: HashSet<String> = HashSet::new();
    let mut out: Vec<Event<'_>> = Vec::with_capacity(events.len());
    let mut i = 0;
    while i < events.len() {
        let (event, range) = &events[i];
        let line = lines.line(range.start);
        match event {
            Event::Start(Tag::CodeBlock(kind)) => {
                let end = find_end(&events, i, |e| matches!(e, Event::End(TagEnd::CodeBlock)));
                let mut code = String::new();
                for (e, _) in &events[i + 1..end] {
                    if let Event::Text(t) = e {
                        code.push_str(t);
                    }
                }
                let lang = match kind {
                    CodeBlockKind::Fenced(info) => {
                        if !fence_is_closed(&source[range.clone()]) {
                            return Err(ContentError::UnclosedFence {
                                origin: origin.to_owned(),
                                line,
                            });
                        }
                        info_lang(info).to_owned()
                    }
                    CodeBlockKind::Indented => String::new(),
                };
                let resolved =
                    highlight::resolve(&lang)?.ok_or_else(|| ContentError::UnknownLanguage {
                        origin: origin.to_owned(),
                        line,
                        lang: lang.clone(),
                    })?;
                // Code starts on the line after an opening fence.
                let first = if matches!(kind, CodeBlockKind::Fenced(_)) {
                    line + 1
                } else {
                    line
                };
                let inner = highlight::classed_html(&code, resolved.syntax, origin, first)?;
                out.push(Event::Html(CowStr::from(format!(
                    "<pre class=\"code hl-code\" data-lang=\"{}\" tabindex=\"0\"><code>{}</code></pre>\n",
                    escape_html(&resolved.name),
                    inner
                ))));
                i = end + 1;
                continue;
            }
            Event::Start(Tag::Heading {
                level,
                id,
                classes,
                attrs,
            }) => {
                let end = find_end(&events, i, |e| matches!(e, Event::End(TagEnd::Heading(_))));
                let inner = &events[i + 1..end];
                for (e, r) in inner {
                    check_event(e, origin, lines.line(r.start))?;
                }
                let text = collapse_ws(&plain_text(inner.iter().map(|(e, _)| e)));
                let id = match id {
                    Some(explicit) => explicit.to_string(),
                    None => unique_id(&slugify(&text), &used_ids),
                };
                used_ids.insert(id.clone());
                headings.push(Heading {
                    level: *level as u8,
                    id: id.clone(),
                    text,
                });
                out.push(Event::Start(Tag::Heading {
                    level: *level,
                    id: Some(CowStr::from(id)),
                    classes: classes.clone(),
                    attrs: attrs.clone(),
                }));
                out.extend(inner.iter().map(|(e, _)| e.clone()));
                out.push(Event::End(TagEnd::Heading(*level)));
                i = end + 1;
                continue;
            }
            other => {
                check_event(other, origin, line)?;
                out.push(other.clone());
            }
        }
        i += 1;
    }

    let mut html = String::with_capacity(source.len() * 2);
    pulldown_cmark::html::push_html(&mut html, out.into_iter());
    // Every part was checked where it was written; what ships is the sanitiser's output.
    let html = sanitize::check(&html, Kind::Html, origin, 1)?;
    Ok(Rendered {
        html,
        word_count,
        excerpt,
        headings,
    })
}

/// Index of the first event after `start` matching `is_end`, or
/// `events.len()` if the stream is truncated (pulldown-cmark never does that,
/// but slicing `start + 1..end` stays valid either way).
fn find_end(
    events: &[(Event<'_>, Range<usize>)],
    start: usize,
    is_end: impl Fn(&Event<'_>) -> bool,
) -> usize {
    events
        .iter()
        .skip(start + 1)
        .position(|(e, _)| is_end(e))
        .map_or(events.len(), |p| start + 1 + p)
}

/// The language token of a fence info string: `rust,ignore` → `rust`,
/// `{.rust}` → `rust`.
fn info_lang(info: &str) -> &str {
    info.split(|c: char| c.is_whitespace() || c == ',' || c == '{' || c == '}')
        .map(|t| t.trim_start_matches('.'))
        .find(|t| !t.is_empty())
        .unwrap_or("")
}

/// Does the source text of a fenced code block end with a closing fence?
///
/// The block's text starts at the opening fence. Its last non-blank line
/// must be (after container markers `>` and indentation) a run of the same
/// fence character at least as long as the opener, with nothing after it.
fn fence_is_closed(block: &str) -> bool {
    let body = block.trim_end();
    let Some((opener, after_opener)) = body.split_once('\n') else {
        return false; // the opening line is the whole block
    };
    let opener = opener.trim_start_matches(|c: char| c == '>' || c.is_whitespace());
    let Some(fence_char) = opener.chars().next().filter(|c| *c == '`' || *c == '~') else {
        return false;
    };
    let need = opener.chars().take_while(|c| *c == fence_char).count();
    let last = after_opener.rsplit('\n').next().unwrap_or("").trim_end();
    let without_fence = last.trim_end_matches(fence_char);
    let have = (last.len() - without_fence.len()) / fence_char.len_utf8();
    have >= need && without_fence.chars().all(|c| c == '>' || c.is_whitespace())
}

fn unique_id(base: &str, used: &HashSet<String>) -> String {
    if !used.contains(base) {
        return base.to_owned();
    }
    (1..)
        .map(|n| format!("{base}-{n}"))
        .find(|candidate| !used.contains(candidate))
        .unwrap_or_else(|| base.to_owned())
}

/// Rejects raw HTML, links and images the sanitiser would change, with their line.
fn check_event(event: &Event<'_>, origin: &str, line: usize) -> Result<(), ContentError> {
    let markup = match event {
        Event::Html(html) | Event::InlineHtml(html) => html.to_string(),
        Event::Start(Tag::Link { dest_url, .. }) => {
            format!("<a href=\"{}\"></a>", escape_html(dest_url))
        }
        Event::Start(Tag::Image { dest_url, .. }) => {
            format!("<img src=\"{}\">", escape_html(dest_url))
        }
        _ => return Ok(()),
    };
    sanitize::check(&markup, Kind::Html, origin, line).map(drop)
}

/// Plain text of inline events (text and inline code; breaks become spaces).
fn plain_text<'a, 'e: 'a>(events: impl Iterator<Item = &'a Event<'e>>) -> String {
    let mut s = String::new();
    for e in events {
        match e {
            Event::Text(t) | Event::Code(t) => s.push_str(t),
            Event::SoftBreak | Event::HardBreak => s.push(' '),
            _ => {}
        }
    }
    s
}

/// Word count of prose and the first top-level paragraph as plain text.
fn prose_stats(events: &[(Event<'_>, Range<usize>)]) -> (usize, String) {
    let mut prose = String::new();
    let mut excerpt: Option<String> = None;
    let mut current: Option<String> = None;
    let mut containers = 0usize;
    let mut in_code = false;
    let mut image_depth = 0usize;
    for (e, _) in events {
        match e {
            Event::Start(Tag::CodeBlock(_)) => in_code = true,
            Event::End(TagEnd::CodeBlock) => in_code = false,
            Event::Start(Tag::Image { .. }) => image_depth += 1,
            Event::End(TagEnd::Image) => image_depth = image_depth.saturating_sub(1),
            Event::Start(
                Tag::BlockQuote(_) | Tag::List(_) | Tag::FootnoteDefinition(_) | Tag::Table(_),
            ) => containers += 1,
            Event::End(
                TagEnd::BlockQuote(_)
                | TagEnd::List(_)
                | TagEnd::FootnoteDefinition
                | TagEnd::Table,
            ) => containers = containers.saturating_sub(1),
            Event::Start(Tag::Paragraph) if containers == 0 && excerpt.is_none() => {
                current = Some(String::new());
            }
            Event::End(TagEnd::Paragraph) => {
                if let Some(p) = current.take() {
                    let p = collapse_ws(&p);
                    if !p.is_empty() {
                        excerpt = Some(p);
                    }
                }
            }
            Event::Text(t) | Event::Code(t) if !in_code && image_depth == 0 => {
                prose.push_str(t);
                if let Some(p) = current.as_mut() {
                    p.push_str(t);
                }
            }
            Event::SoftBreak | Event::HardBreak => {
                prose.push(' ');
                if let Some(p) = current.as_mut() {
                    p.push(' ');
                }
            }
            _ => {}
        }
        // Block boundaries separate words.
        if matches!(e, Event::End(_)) {
            prose.push(' ');
        }
    }
    (
        prose.split_whitespace().count(),
        excerpt.unwrap_or_default(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fence_closure() {
        assert!(fence_is_closed("```rust\nfn x() {}\n```\n"));
        assert!(fence_is_closed("````\n```\n````"));
        assert!(fence_is_closed("~~~\nx\n~~~~  \n"));
        assert!(fence_is_closed("> ```\n> x\n> ```\n"));
        assert!(!fence_is_closed("```rust\nfn x() {}\n"));
        assert!(!fence_is_closed("````\nx\n```\n"));
        assert!(!fence_is_closed("```\nx\n```rust\n"));
        assert!(!fence_is_closed("```\n"));
        assert!(!fence_is_closed("~~~\nx\n```\n"));
    }

    #[test]
    fn info_strings() {
        assert_eq!(info_lang("rust,ignore"), "rust");
        assert_eq!(info_lang(" sh title=x"), "sh");
        assert_eq!(info_lang("{.toml}"), "toml");
        assert_eq!(info_lang(""), "");
    }

    #[test]
    fn unique_ids() {
        let mut used = HashSet::new();
        used.insert("a".to_owned());
        used.insert("a-1".to_owned());
        assert_eq!(unique_id("a", &used), "a-2");
        assert_eq!(unique_id("b", &used), "b");
    }
}
