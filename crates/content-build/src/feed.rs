//! Feed import (RSS 2.0 / Atom via `feed-rs`), HTML sanitizing (`ammonia`),
//! TOML export of entries for `cargo xtask`, and RSS 2.0 output of the site
//! owner's own entries.

use std::collections::HashSet;

use ammonia::{Builder, Url, UrlRelative};
use chrono::{DateTime, SecondsFormat, Utc};
use serde::{Deserialize, Serialize};

use crate::error::ContentError;
use crate::text::{collapse_ws, escape_html, escape_xml, html_to_text, truncate_words};

/// Words kept in an entry's excerpt before it is cut with `…`.
pub const EXCERPT_WORDS: usize = 40;

/// One imported post.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Entry {
    /// Plain-text title.
    pub title: String,
    /// Publication date (or last update if the feed gives no publication
    /// date), RFC 3339 in UTC, e.g. `2026-02-19T19:18:35Z`.
    pub date: String,
    /// Author's display name (entry author, else feed author; may be empty).
    pub author: String,
    /// Category labels, de-duplicated, in feed order.
    pub tags: Vec<String>,
    /// Canonical `http(s)` link to the original post.
    pub link: String,
    /// Reading time in minutes (~230 wpm, at least 1).
    pub reading_minutes: u32,
    /// Plain text, first ~40 words, cut at a word boundary with `…`.
    pub excerpt: String,
    /// Sanitized HTML body (safe to inject as inner HTML).
    pub body_html: String,
    /// `true` if the author is the site owner; `false` means the post must be
    /// presented as credited recommended reading.
    pub by_owner: bool,
    /// Title of the feed the entry came from (for credits), may be empty.
    pub source: String,
}

/// Parses an RSS 2.0 or Atom feed and returns its entries, newest first.
///
/// `site_owner` is compared (case- and whitespace-insensitively) with each
/// entry's author to set [`Entry::by_owner`]. Fails if the feed does not
/// parse, or if an entry lacks a title, a date, or an `http(s)` link.
pub fn import(xml: &[u8], site_owner: &str) -> Result<Vec<Entry>, ContentError> {
    let feed = feed_rs::parser::parse(xml).map_err(|e| ContentError::Feed(e.to_string()))?;
    let source = feed
        .title
        .as_ref()
        .map(|t| collapse_ws(&t.content))
        .unwrap_or_default();
    let feed_author = first_author(&feed.authors);
    let owner = normalize_name(site_owner);
    let title_cleaner = sanitizer(None);

    let mut dated: Vec<(DateTime<Utc>, Entry)> = Vec::with_capacity(feed.entries.len());
    for (index, item) in feed.entries.iter().enumerate() {
        let title = item
            .title
            .as_ref()
            .map(|t| {
                if t.content_type.subty() == "html" {
                    collapse_ws(&html_to_text(
                        &title_cleaner.clean(&t.content).to_string(),
                        false,
                    ))
                } else {
                    collapse_ws(&t.content)
                }
            })
            .unwrap_or_default();
        let fail = |message: &str| ContentError::FeedEntry {
            index,
            title: title.clone(),
            message: message.to_owned(),
        };
        if title.is_empty() {
            return Err(fail("missing title"));
        }
        let when = item
            .published
            .or(item.updated)
            .ok_or_else(|| fail("missing publication date"))?;
        let link = canonical_link(item).ok_or_else(|| fail("no http(s) link"))?;
        let author = first_author(&item.authors)
            .or_else(|| feed_author.clone())
            .unwrap_or_default();

        let mut seen = HashSet::new();
        let tags: Vec<String> = item
            .categories
            .iter()
            .map(|c| collapse_ws(c.label.as_deref().unwrap_or(&c.term)))
            .filter(|t| !t.is_empty() && seen.insert(t.to_lowercase()))
            .collect();

        let base = Url::parse(&link).ok();
        let cleaner = sanitizer(base);
        let raw_body = item
            .content
            .as_ref()
            .and_then(|c| {
                c.body
                    .as_ref()
                    .map(|b| as_html(b, c.content_type.subty().as_str()))
            })
            .or_else(|| {
                item.summary
                    .as_ref()
                    .map(|s| as_html(&s.content, s.content_type.subty().as_str()))
            })
            .unwrap_or_default();
        let body_html = cleaner.clean(&raw_body).to_string();
        let body_text = collapse_ws(&html_to_text(&body_html, true));
        let words = body_text.split_whitespace().count();

        // Prefer an explicit summary for the excerpt when there is also content.
        let summary_text = match (&item.content, &item.summary) {
            (Some(_), Some(s)) => {
                let html = cleaner.clean(&as_html(&s.content, s.content_type.subty().as_str()));
                collapse_ws(&html_to_text(&html.to_string(), true))
            }
            _ => String::new(),
        };
        let excerpt_source = if summary_text.is_empty() {
            &body_text
        } else {
            &summary_text
        };

        let by_owner = !owner.is_empty() && normalize_name(&author) == owner;
        dated.push((
            when,
            Entry {
                title,
                date: when.to_rfc3339_opts(SecondsFormat::Secs, true),
                author,
                tags,
                link,
                reading_minutes: crate::reading_minutes(words),
                excerpt: truncate_words(excerpt_source, EXCERPT_WORDS),
                body_html,
                by_owner,
                source: source.clone(),
            },
        ));
    }
    dated.sort_by(|(da, a), (db, b)| db.cmp(da).then_with(|| a.title.cmp(&b.title)));
    Ok(dated.into_iter().map(|(_, e)| e).collect())
}

/// Each entry's slug (its file name under `content/writing/` and its page's path), in order:
/// the title transliterated to ASCII by [`crate::slug`], or `post-<date>` when the title has no
/// letters or digits at all. Two entries whose slugs agree would overwrite each other's file, so
/// that is an error naming both titles, never a silent loss.
pub fn slugs(entries: &[Entry]) -> Result<Vec<String>, ContentError> {
    let mut out: Vec<String> = Vec::with_capacity(entries.len());
    for (index, e) in entries.iter().enumerate() {
        let slug = crate::slug(&e.title)
            .unwrap_or_else(|| format!("post-{}", e.date.get(..10).unwrap_or(&e.date)));
        if let Some(first) = out.iter().position(|s| *s == slug) {
            return Err(ContentError::FeedEntry {
                index,
                title: e.title.clone(),
                message: format!(
                    "its slug {slug:?} is also entry {first}'s ({:?}); one would overwrite the \
                     other, so retitle one of them in the feed",
                    entries[first].title
                ),
            });
        }
        out.push(slug);
    }
    Ok(out)
}

/// Text constructs that are plain text get escaped and split into paragraphs.
fn as_html(body: &str, subtype: &str) -> String {
    if subtype == "plain" {
        body.split("\n\n")
            .map(str::trim)
            .filter(|p| !p.is_empty())
            .map(|p| format!("<p>{}</p>", escape_html(p)))
            .collect()
    } else {
        body.to_owned()
    }
}

/// The ammonia policy for feed HTML. Relative URLs are resolved against the
/// post's own link when known (they point at the blog, not this site), else
/// dropped.
fn sanitizer(base: Option<Url>) -> Builder<'static> {
    let mut b = Builder::default();
    b.link_rel(Some("noopener noreferrer"))
        .url_schemes(["http", "https", "mailto"].into_iter().collect())
        .add_clean_content_tags([
            "iframe", "noscript", "template", "object", "embed", "svg", "math",
        ])
        .strip_comments(true);
    match base {
        Some(url) => b.url_relative(UrlRelative::RewriteWithBase(url)),
        None => b.url_relative(UrlRelative::Deny),
    };
    b
}

fn canonical_link(item: &feed_rs::model::Entry) -> Option<String> {
    let is_http = |s: &str| {
        Url::parse(s.trim())
            .ok()
            .filter(|u| matches!(u.scheme(), "http" | "https"))
            .map(|u| u.to_string())
    };
    item.links
        .iter()
        .filter(|l| l.rel.as_deref().is_none_or(|r| r == "alternate"))
        .find_map(|l| is_http(&l.href))
        .or_else(|| is_http(&item.id))
}

/// The display name of the first usable person.
///
/// feed-rs reports RSS `<author>`/`<managingEditor>` as a person *named* after
/// the element with the text in `email` (RSS puts `jane@x.org (Jane Doe)`
/// there), so a real name (e.g. from `dc:creator`) is preferred, then the name
/// inside such an email field, then the bare email.
fn first_author(people: &[feed_rs::model::Person]) -> Option<String> {
    let is_role = |p: &feed_rs::model::Person| {
        p.email.is_some() && matches!(p.name.as_str(), "author" | "managingEditor" | "webMaster")
    };
    people
        .iter()
        .filter(|p| !is_role(p))
        .map(|p| person_name(&p.name))
        .find(|n| !n.is_empty())
        .or_else(|| {
            people
                .iter()
                .filter_map(|p| p.email.as_deref())
                .map(person_name)
                .find(|n| !n.is_empty())
        })
}

/// `"jane@example.com (Jane Doe)"` → `Jane Doe`; other names are trimmed.
fn person_name(raw: &str) -> String {
    let raw = raw.trim();
    if let (Some(open), true) = (raw.find('('), raw.ends_with(')')) {
        let inner = raw[open + 1..raw.len() - 1].trim();
        if raw[..open].contains('@') && !inner.is_empty() {
            return collapse_ws(inner);
        }
    }
    collapse_ws(raw)
}

fn normalize_name(name: &str) -> String {
    collapse_ws(name).to_lowercase()
}

#[derive(Serialize)]
struct TomlDoc<'a> {
    entries: &'a [Entry],
}

/// Serializes entries as TOML: an array of tables, `[[entries]]`, with the
/// fields of [`Entry`]. Read back with `toml::from_str` into a struct with an
/// `entries: Vec<Entry>` field.
pub fn to_toml(entries: &[Entry]) -> Result<String, ContentError> {
    toml::to_string(&TomlDoc { entries }).map_err(|e| ContentError::Serialize(e.to_string()))
}

/// RSS 2.0 XML for the site's OWN entries (`by_owner == true`), in the given
/// order. `site_url` is the channel link; every string is XML-escaped and
/// characters XML 1.0 cannot carry are dropped. `lastBuildDate` is the newest
/// entry's date, so output is reproducible.
pub fn write_rss(
    entries: &[Entry],
    site_title: &str,
    site_url: &str,
) -> Result<String, ContentError> {
    let own: Vec<&Entry> = entries.iter().filter(|e| e.by_owner).collect();
    let mut items = String::new();
    let mut newest: Option<DateTime<chrono::FixedOffset>> = None;
    for e in &own {
        items.push_str("    <item>\n");
        items.push_str(&format!("      <title>{}</title>\n", escape_xml(&e.title)));
        items.push_str(&format!("      <link>{}</link>\n", escape_xml(&e.link)));
        items.push_str(&format!(
            "      <guid isPermaLink=\"true\">{}</guid>\n",
            escape_xml(&e.link)
        ));
        // An undated entry (a case study has no publication date) simply has no pubDate.
        if !e.date.is_empty() {
            let date = DateTime::parse_from_rfc3339(&e.date).map_err(|err| {
                ContentError::Serialize(format!("entry {:?}: date {:?}: {err}", e.title, e.date))
            })?;
            newest = Some(newest.map_or(date, |n| n.max(date)));
            items.push_str(&format!("      <pubDate>{}</pubDate>\n", date.to_rfc2822()));
        }
        if !e.author.is_empty() {
            items.push_str(&format!(
                "      <dc:creator>{}</dc:creator>\n",
                escape_xml(&e.author)
            ));
        }
        for tag in &e.tags {
            items.push_str(&format!("      <category>{}</category>\n", escape_xml(tag)));
        }
        items.push_str(&format!(
            "      <description>{}</description>\n",
            escape_xml(&e.body_html)
        ));
        items.push_str("    </item>\n");
    }
    let mut xml = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n\
         <rss version=\"2.0\" xmlns:dc=\"http://purl.org/dc/elements/1.1/\">\n  <channel>\n",
    );
    xml.push_str(&format!("    <title>{}</title>\n", escape_xml(site_title)));
    xml.push_str(&format!("    <link>{}</link>\n", escape_xml(site_url)));
    xml.push_str(&format!(
        "    <description>{}</description>\n",
        escape_xml(site_title)
    ));
    if let Some(n) = newest {
        xml.push_str(&format!(
            "    <lastBuildDate>{}</lastBuildDate>\n",
            n.to_rfc2822()
        ));
    }
    xml.push_str(&items);
    xml.push_str("  </channel>\n</rss>\n");
    Ok(xml)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names() {
        assert_eq!(person_name("jane@example.com (Jane  Doe)"), "Jane Doe");
        assert_eq!(person_name(" Koustav Manna "), "Koustav Manna");
        assert_eq!(person_name("Team (Core)"), "Team (Core)");
        assert_eq!(
            normalize_name("KOUSTAV   manna"),
            normalize_name("Koustav Manna")
        );
    }

    #[test]
    fn sanitizer_config_is_valid() {
        // ammonia asserts its configuration on first use; exercise it.
        let out = sanitizer(None)
            .clean("<p onclick=x>a<script>b</script></p>")
            .to_string();
        assert_eq!(out, "<p>a</p>");
    }
}
