//! Small text helpers shared by the modules: escaping, slugs, line lookup,
//! HTML-to-text and word-boundary truncation.

/// Escapes text for use in HTML element content or a double-quoted attribute.
pub fn escape_html(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

/// Escapes text for XML 1.0 content/attributes, dropping characters XML 1.0
/// cannot represent at all (C0 controls other than tab, LF, CR, and U+FFFE/F).
pub(crate) fn escape_xml(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\t' | '\n' | '\r' => out.push(c),
            c if (c as u32) < 0x20 || c == '\u{FFFE}' || c == '\u{FFFF}' => {}
            _ => out.push(c),
        }
    }
    out
}

/// Turns heading or title text into a stable, URL-safe id: ASCII lowercase letters and digits,
/// with runs of anything else collapsed to one `-`. Other scripts are transliterated first
/// (`deunicode`: "Café" → "cafe", "Привет" → "privet"), so a non-ASCII title still gets a slug
/// the site accepts. `None` when nothing usable is left (only punctuation or symbols).
pub fn slug(text: &str) -> Option<String> {
    let mut slug = String::new();
    let mut pending_dash = false;
    for c in deunicode::deunicode(text).chars() {
        if c.is_ascii_alphanumeric() {
            if pending_dash && !slug.is_empty() {
                slug.push('-');
            }
            pending_dash = false;
            slug.push(c.to_ascii_lowercase());
        } else if c.is_whitespace() || c == '-' || c == '_' || c == '.' || c == '/' {
            pending_dash = true;
        }
        // Other punctuation (quotes, `?`, `!`, `&`, ...) is dropped silently.
    }
    (!slug.is_empty()).then_some(slug)
}

/// [`slug`] for heading anchors: empty → `section`.
pub fn slugify(text: &str) -> String {
    slug(text).unwrap_or_else(|| "section".to_owned())
}

/// Maps byte offsets to 1-based line numbers.
pub(crate) struct LineIndex {
    starts: Vec<usize>,
}

impl LineIndex {
    pub(crate) fn new(src: &str) -> Self {
        let mut starts = vec![0];
        starts.extend(src.match_indices('\n').map(|(i, _)| i + 1));
        LineIndex { starts }
    }

    /// 1-based line containing byte `offset`.
    pub(crate) fn line(&self, offset: usize) -> usize {
        self.starts.partition_point(|&s| s <= offset)
    }
}

/// Collapses all whitespace runs to single spaces and trims.
pub(crate) fn collapse_ws(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// First `max_words` words of `text`; if it was longer, cut at that word
/// boundary (trailing punctuation trimmed) and end with `…`.
pub(crate) fn truncate_words(text: &str, max_words: usize) -> String {
    let words: Vec<&str> = text.split_whitespace().collect();
    if words.len() <= max_words {
        return words.join(" ");
    }
    let mut cut = words[..max_words].join(" ");
    let trimmed_len = cut
        .trim_end_matches([',', ';', ':', '-', '—', '–', '.'])
        .len();
    cut.truncate(trimmed_len);
    cut.push('…');
    cut
}

const BLOCK_TAGS: &[&str] = &[
    "p",
    "br",
    "div",
    "li",
    "ul",
    "ol",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "blockquote",
    "pre",
    "tr",
    "td",
    "th",
    "table",
    "hr",
    "figure",
    "figcaption",
    "section",
    "article",
    "dd",
    "dt",
];

/// Plain text of already-sanitized, serializer-produced HTML.
///
/// Tags are dropped (block tags become spaces), `<pre>` contents are skipped
/// when `skip_pre` is set (code is not prose for word counts and excerpts),
/// and the few entities an HTML serializer emits are decoded.
pub(crate) fn html_to_text(html: &str, skip_pre: bool) -> String {
    let mut out = String::with_capacity(html.len() / 2);
    let mut pre_depth = 0usize;
    let mut rest = html;
    while let Some(lt) = rest.find('<') {
        if pre_depth == 0 {
            out.push_str(&rest[..lt]);
        }
        let after = &rest[lt + 1..];
        let Some(gt) = after.find('>') else {
            rest = "";
            break;
        };
        let tag = &after[..gt];
        let closing = tag.starts_with('/');
        let name: String = tag
            .trim_start_matches('/')
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric())
            .collect::<String>()
            .to_ascii_lowercase();
        if skip_pre && name == "pre" {
            if closing {
                pre_depth = pre_depth.saturating_sub(1);
            } else {
                pre_depth += 1;
            }
        }
        if BLOCK_TAGS.contains(&name.as_str()) {
            out.push(' ');
        }
        rest = &after[gt + 1..];
    }
    if pre_depth == 0 {
        out.push_str(rest);
    }
    decode_entities(&out)
}

/// Decodes the named entities an HTML serializer produces plus numeric ones.
pub(crate) fn decode_entities(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(amp) = rest.find('&') {
        out.push_str(&rest[..amp]);
        let after = &rest[amp..];
        let semi = after.find(';').filter(|&i| i <= 10);
        let decoded = semi.and_then(|i| {
            let name = &after[1..i];
            let c = match name {
                "amp" => Some('&'),
                "lt" => Some('<'),
                "gt" => Some('>'),
                "quot" => Some('"'),
                "apos" => Some('\''),
                "nbsp" => Some(' '),
                _ => name
                    .strip_prefix("#x")
                    .or_else(|| name.strip_prefix("#X"))
                    .and_then(|h| u32::from_str_radix(h, 16).ok())
                    .or_else(|| name.strip_prefix('#').and_then(|d| d.parse().ok()))
                    .and_then(char::from_u32),
            };
            c.map(|c| (c, i))
        });
        match decoded {
            Some((c, i)) => {
                out.push(c);
                rest = &after[i + 1..];
            }
            None => {
                out.push('&');
                rest = &after[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs() {
        assert_eq!(slugify("Hello, World!"), "hello-world");
        assert_eq!(
            slugify("  The `Real` Problem: Partial State "),
            "the-real-problem-partial-state"
        );
        assert_eq!(slugify("v1.2 / notes"), "v1-2-notes");
        assert_eq!(slugify("???"), "section");
        assert_eq!(slugify("Ünïcode Café"), "unicode-cafe");
        assert_eq!(slugify("Привет, мир"), "privet-mir");
        assert_eq!(slug("★ !! ?"), None);
    }

    #[test]
    fn lines() {
        let idx = LineIndex::new("a\nbc\n\nd");
        assert_eq!(idx.line(0), 1);
        assert_eq!(idx.line(1), 1);
        assert_eq!(idx.line(2), 2);
        assert_eq!(idx.line(5), 3);
        assert_eq!(idx.line(6), 4);
    }

    #[test]
    fn truncation() {
        assert_eq!(truncate_words("a b c", 3), "a b c");
        assert_eq!(truncate_words("a b, c d", 2), "a b…");
        assert_eq!(truncate_words("  a   b  ", 5), "a b");
    }

    #[test]
    fn html_text() {
        let t = html_to_text(
            "<h2>Title</h2><p>a &amp; b&lt;c</p><pre><code>x y</code></pre><p>end</p>",
            true,
        );
        assert_eq!(collapse_ws(&t), "Title a & b<c end");
        let t = html_to_text("<p>x</p><pre>code</pre>", false);
        assert_eq!(collapse_ws(&t), "x code");
    }

    #[test]
    fn xml_escape() {
        assert_eq!(escape_xml("a<b>&\"'\u{1}c"), "a&lt;b&gt;&amp;&quot;&apos;c");
    }
}
