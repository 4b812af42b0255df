//! Syntax highlighting with syntect (pure-Rust `fancy-regex` engine):
//! class-based HTML for code, plus light/dark theme CSS scoped by
//! `[data-theme="…"]`.
//!
//! The syntax set is syntect's defaults plus two compact grammars shipped in
//! `syntaxes/` (Solidity and TOML, which the defaults lack). It is built once
//! per process.

use std::sync::OnceLock;

use syntect::highlighting::ThemeSet;
use syntect::html::{css_for_theme_with_class_style, ClassStyle, ClassedHTMLGenerator};
use syntect::parsing::{SyntaxDefinition, SyntaxReference, SyntaxSet};
use syntect::util::LinesWithEndings;

use crate::error::ContentError;
use crate::text::escape_html;

/// Prefix of every highlighting class (`hl-keyword`, `hl-string`, ...).
pub const CLASS_PREFIX: &str = "hl-";
/// syntect class style used for both the HTML and the CSS.
pub const CLASS_STYLE: ClassStyle = ClassStyle::SpacedPrefixed {
    prefix: CLASS_PREFIX,
};
/// Default syntect theme used for `[data-theme="light"]`.
pub const LIGHT_THEME: &str = "InspiredGitHub";
/// Default syntect theme used for `[data-theme="dark"]`.
pub const DARK_THEME: &str = "base16-ocean.dark";

const SOLIDITY_SYNTAX: &str = include_str!("../syntaxes/Solidity.sublime-syntax");
const TOML_SYNTAX: &str = include_str!("../syntaxes/TOML.sublime-syntax");

static SYNTAXES: OnceLock<Result<SyntaxSet, String>> = OnceLock::new();

/// The shared syntax set: syntect defaults (newline variant) + Solidity + TOML.
pub fn syntax_set() -> Result<&'static SyntaxSet, ContentError> {
    SYNTAXES
        .get_or_init(build_syntax_set)
        .as_ref()
        .map_err(|e| ContentError::Setup(e.clone()))
}

fn build_syntax_set() -> Result<SyntaxSet, String> {
    let defaults = SyntaxSet::load_defaults_newlines();
    let has_toml = defaults.find_syntax_by_extension("toml").is_some();
    let mut builder = defaults.into_builder();
    let solidity = SyntaxDefinition::load_from_str(SOLIDITY_SYNTAX, true, None)
        .map_err(|e| format!("Solidity grammar: {e}"))?;
    builder.add(solidity);
    if !has_toml {
        let toml = SyntaxDefinition::load_from_str(TOML_SYNTAX, true, None)
            .map_err(|e| format!("TOML grammar: {e}"))?;
        builder.add(toml);
    }
    Ok(builder.build())
}

/// A language tag resolved to a grammar.
pub(crate) struct Resolved {
    pub(crate) syntax: &'static SyntaxReference,
    /// Canonical short name for `data-lang` (`rust`, `solidity`, `bash`, ...).
    pub(crate) name: String,
}

/// Resolves a fence/info language tag (case-insensitive; common aliases
/// such as `rs`, `sol`, `js`, `sh`, `shell`, `txt`, `plaintext` accepted).
/// Tags outside the aliases fall back to syntect's own name/extension lookup,
/// so e.g. `python` or `yaml` also work. `None` means unknown.
pub(crate) fn resolve(lang: &str) -> Result<Option<Resolved>, ContentError> {
    let set = syntax_set()?;
    let key = lang.trim().to_ascii_lowercase();
    let (canonical, grammar) = match key.as_str() {
        "rust" | "rs" => ("rust", "Rust"),
        "solidity" | "sol" => ("solidity", "Solidity"),
        "toml" => ("toml", "TOML"),
        "json" | "jsonc" => ("json", "JSON"),
        "javascript" | "js" | "mjs" | "cjs" => ("javascript", "JavaScript"),
        "bash" | "sh" | "shell" | "zsh" | "console" => ("bash", "Bourne Again Shell (bash)"),
        "" | "text" | "plaintext" | "plain" | "txt" => ("text", "Plain Text"),
        _ => {
            return Ok(set.find_syntax_by_token(&key).map(|syntax| Resolved {
                syntax,
                name: key.clone(),
            }))
        }
    };
    let syntax = if grammar == "TOML" {
        set.find_syntax_by_extension("toml")
    } else {
        set.find_syntax_by_name(grammar)
    };
    Ok(syntax.map(|syntax| Resolved {
        syntax,
        name: canonical.to_owned(),
    }))
}

/// Highlights `source` into syntect's classed spans (no wrapper). `origin` and
/// `first_line` only label errors.
pub(crate) fn classed_html(
    source: &str,
    syntax: &SyntaxReference,
    origin: &str,
    first_line: usize,
) -> Result<String, ContentError> {
    let set = syntax_set()?;
    let mut generator = ClassedHTMLGenerator::new_with_class_style(syntax, set, CLASS_STYLE);
    let owned;
    let text = if source.is_empty() || source.ends_with('\n') {
        source
    } else {
        owned = format!("{source}\n");
        &owned
    };
    for (i, line) in LinesWithEndings::from(text).enumerate() {
        generator
            .parse_html_for_line_which_includes_newline(line)
            .map_err(|e| ContentError::Highlight {
                origin: origin.to_owned(),
                line: first_line + i,
                message: e.to_string(),
            })?;
    }
    Ok(generator.finalize())
}

/// Highlights a whole file for "view source" pages.
///
/// Output: `<pre class="code hl-code lines" data-lang="…"><code>` then one
/// `<span class="line">…\n</span>` per source line, `</code></pre>`. Each line
/// is self-contained (spans open across a line break are closed and reopened),
/// so `.line::before { counter-increment: line; content: counter(line) }`
/// numbers lines (see [`theme_css`], which includes that rule).
pub fn code(source: &str, lang: &str) -> Result<String, ContentError> {
    let resolved = resolve(lang)?.ok_or_else(|| ContentError::UnsupportedLanguage {
        lang: lang.to_owned(),
    })?;
    let inner = classed_html(source, resolved.syntax, "<code>", 1)?;
    Ok(format!(
        "<pre class=\"code hl-code lines\" data-lang=\"{}\" tabindex=\"0\"><code>{}</code></pre>\n",
        escape_html(&resolved.name),
        wrap_lines(&inner)
    ))
}

/// Splits syntect's classed HTML into `<span class="line">` per line, closing
/// spans still open at a line break and reopening them on the next line.
///
/// Relies on syntect's output shape: text is escaped, so every `<` starts a
/// `<span …>` or `</span>` tag.
pub(crate) fn wrap_lines(html: &str) -> String {
    let mut out = String::with_capacity(html.len() * 5 / 4);
    let mut open: Vec<&str> = Vec::new();
    let mut segments: Vec<&str> = html.split('\n').collect();
    // The text after the last newline holds only tags (syntect closes its
    // spans after the final `\n`); it is not a line of its own.
    if segments.len() > 1 && segments.last().is_some_and(|s| is_tags_only(s)) {
        segments.pop();
    }
    for line in segments {
        out.push_str("<span class=\"line\">");
        for tag in &open {
            out.push_str(tag);
        }
        let mut rest = line;
        while let Some(lt) = rest.find('<') {
            out.push_str(&rest[..lt]);
            let after = &rest[lt..];
            let end = after.find('>').map_or(after.len(), |i| i + 1);
            let tag = &after[..end];
            if tag.starts_with("</") {
                open.pop();
            } else {
                open.push(tag);
            }
            out.push_str(tag);
            rest = &after[end..];
        }
        out.push_str(rest);
        for _ in &open {
            out.push_str("</span>");
        }
        out.push_str("\n</span>");
    }
    out
}

fn is_tags_only(segment: &str) -> bool {
    let mut rest = segment;
    loop {
        let trimmed = rest.trim_start_matches('\r');
        if trimmed.is_empty() {
            return true;
        }
        if !trimmed.starts_with('<') {
            return false;
        }
        match trimmed.find('>') {
            Some(i) => rest = &trimmed[i + 1..],
            None => return false,
        }
    }
}

/// Layout rules for highlighted blocks (line numbers via a CSS counter).
pub const LAYOUT_CSS: &str = "\
pre.code { overflow-x: auto; }
pre.code.lines { counter-reset: line; }
pre.code.lines .line::before { counter-increment: line; content: counter(line); \
display: inline-block; width: 3ch; margin-right: 1.5ch; text-align: right; \
opacity: 0.5; user-select: none; }
";

/// CSS for both site themes: [`LAYOUT_CSS`], then [`LIGHT_THEME`]'s rules
/// under `[data-theme="light"]` and [`DARK_THEME`]'s under
/// `[data-theme="dark"]`. Deterministic; write it to a file at build time.
pub fn theme_css() -> Result<String, ContentError> {
    let themes = ThemeSet::load_defaults();
    let mut css = String::from("/* Generated by content-build; do not edit. */\n");
    css.push_str(LAYOUT_CSS);
    for (attr, name) in [("light", LIGHT_THEME), ("dark", DARK_THEME)] {
        let theme = themes
            .themes
            .get(name)
            .ok_or_else(|| ContentError::Setup(format!("syntect theme `{name}` missing")))?;
        let raw = css_for_theme_with_class_style(theme, CLASS_STYLE)
            .map_err(|e| ContentError::Setup(format!("CSS for `{name}`: {e}")))?;
        let raw = with_readable_colors(&raw);
        css.push_str(&format!("\n/* {attr}: syntect theme \"{name}\" */\n"));
        css.push_str(&scope_css(&raw, &format!("[data-theme=\"{attr}\"]")));
    }
    Ok(css)
}

/// Prefixes every selector of every rule in `css` with `scope` (descendant
/// combinator), e.g. `.hl-a, .hl-b {…}` → `[s] .hl-a, [s] .hl-b {…}`.
///
/// Comments are dropped; `@media`/`@supports` blocks are scoped inside;
/// other at-rules pass through unchanged. Assumes no `{`/`}` in strings,
/// which holds for syntect's output.
pub fn scope_css(css: &str, scope: &str) -> String {
    let css = strip_comments(css);
    let mut out = String::with_capacity(css.len() * 2);
    let mut rest = css.as_str();
    while let Some(open) = rest.find('{') {
        let prelude = rest[..open].trim();
        let Some(close) = matching_brace(rest, open) else {
            break;
        };
        let body = &rest[open + 1..close];
        if prelude.starts_with('@') {
            if prelude.starts_with("@media") || prelude.starts_with("@supports") {
                out.push_str(&format!("{prelude} {{\n{}}}\n", scope_css(body, scope)));
            } else {
                out.push_str(&format!("{prelude} {{{body}}}\n"));
            }
        } else {
            let selectors: Vec<String> = prelude
                .split(',')
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(|s| format!("{scope} {s}"))
                .collect();
            let decls: Vec<&str> = body
                .split(';')
                .map(str::trim)
                .filter(|d| !d.is_empty())
                .collect();
            out.push_str(&selectors.join(", "));
            out.push_str(" { ");
            for d in decls {
                out.push_str(d);
                out.push_str("; ");
            }
            out.push_str("}\n");
        }
        rest = &rest[close + 1..];
    }
    out
}

fn strip_comments(css: &str) -> String {
    let mut out = String::with_capacity(css.len());
    let mut rest = css;
    while let Some(start) = rest.find("/*") {
        out.push_str(&rest[..start]);
        match rest[start + 2..].find("*/") {
            Some(end) => rest = &rest[start + 2 + end + 2..],
            None => {
                rest = "";
                break;
            }
        }
    }
    out.push_str(rest);
    out
}

fn matching_brace(s: &str, open: usize) -> Option<usize> {
    let mut depth = 0usize;
    for (i, c) in s[open..].char_indices() {
        match c {
            '{' => depth += 1,
            '}' => {
                depth = depth.checked_sub(1)?;
                if depth == 0 {
                    return Some(open + i);
                }
            }
            _ => {}
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scope_simple_rules() {
        let css = "/* c */\n.hl-code {\n color: #fff;\n background-color: #000;\n}\n\n.hl-a, .hl-b .hl-c {\n color: #123;\n}\n";
        let out = scope_css(css, "[data-theme=\"dark\"]");
        assert_eq!(
            out,
            "[data-theme=\"dark\"] .hl-code { color: #fff; background-color: #000; }\n\
             [data-theme=\"dark\"] .hl-a, [data-theme=\"dark\"] .hl-b .hl-c { color: #123; }\n"
        );
    }

    #[test]
    fn scope_media_and_comments() {
        let css = "@media print { .x { color: red } } /* { tricky } */ .y{font-weight:bold}";
        let out = scope_css(css, "S");
        assert_eq!(
            out,
            "@media print {\nS .x { color: red; }\n}\nS .y { font-weight:bold; }\n"
        );
    }

    #[test]
    fn wrap_lines_reopens_spans() {
        let html = "<span class=\"a\">x\ny</span>\nz\n";
        let out = wrap_lines(html);
        assert_eq!(
            out,
            "<span class=\"line\"><span class=\"a\">x</span>\n</span>\
             <span class=\"line\"><span class=\"a\">y</span>\n</span>\
             <span class=\"line\">z\n</span>"
        );
    }

    #[test]
    fn wrap_lines_trailing_newline_inside_span() {
        let html = "<span class=\"s\">a\n</span>";
        let out = wrap_lines(html);
        assert_eq!(
            out,
            "<span class=\"line\"><span class=\"s\">a</span>\n</span>"
        );
    }
}

/// WCAG AA asks for 4.5:1 between text and its background; syntect's stock themes fall short for
/// comments and a few token colours.
const MIN_CONTRAST: f64 = 4.5;

/// Rewrites every `color: #rrggbb` in a theme's CSS that reads below [`MIN_CONTRAST`] against the
/// theme's code background, moving it toward black (light themes) or white (dark themes) just
/// far enough. Hues stay recognisable; backgrounds are left alone.
pub fn with_readable_colors(css: &str) -> String {
    let Some(background) = code_background(css) else {
        return css.to_string();
    };
    let mut out = String::with_capacity(css.len());
    let mut rest = css;
    while let Some(at) = rest.find("color: #") {
        // `background-color: #…` is the background itself, not text.
        let is_background = rest[..at].ends_with("background-");
        let hex_start = at + "color: #".len();
        out.push_str(&rest[..hex_start]);
        let hex = rest.get(hex_start..hex_start + 6).unwrap_or("");
        match parse_hex(hex) {
            Some(color) if !is_background => {
                let fixed = readable(color, background);
                out.push_str(&format!("{:02x}{:02x}{:02x}", fixed[0], fixed[1], fixed[2]));
                rest = &rest[hex_start + 6..];
            }
            _ => rest = &rest[hex_start..],
        }
    }
    out.push_str(rest);
    out
}

fn code_background(css: &str) -> Option<[u8; 3]> {
    let rule = &css[css.find(".hl-code")?..];
    let rule = &rule[..rule.find('}')?];
    let at = rule.find("background-color: #")? + "background-color: #".len();
    parse_hex(rule.get(at..at + 6)?)
}

fn parse_hex(hex: &str) -> Option<[u8; 3]> {
    if hex.len() != 6 || !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    let byte = |i: usize| u8::from_str_radix(&hex[i..i + 2], 16).ok();
    Some([byte(0)?, byte(2)?, byte(4)?])
}

fn readable(color: [u8; 3], background: [u8; 3]) -> [u8; 3] {
    let target = if luminance(background) > 0.5 {
        [0u8; 3]
    } else {
        [255u8; 3]
    };
    (0..=20)
        .map(|step| mix(color, target, f64::from(step) / 20.0))
        .find(|c| contrast(*c, background) >= MIN_CONTRAST)
        .unwrap_or(target)
}

fn mix(a: [u8; 3], b: [u8; 3], t: f64) -> [u8; 3] {
    let channel =
        |i: usize| (f64::from(a[i]) + (f64::from(b[i]) - f64::from(a[i])) * t).round() as u8;
    [channel(0), channel(1), channel(2)]
}

fn luminance(c: [u8; 3]) -> f64 {
    let linear = |v: u8| {
        let v = f64::from(v) / 255.0;
        if v <= 0.03928 {
            v / 12.92
        } else {
            ((v + 0.055) / 1.055).powf(2.4)
        }
    };
    0.2126 * linear(c[0]) + 0.7152 * linear(c[1]) + 0.0722 * linear(c[2])
}

fn contrast(a: [u8; 3], b: [u8; 3]) -> f64 {
    let (la, lb) = (luminance(a), luminance(b));
    (la.max(lb) + 0.05) / (la.min(lb) + 0.05)
}

#[cfg(test)]
mod contrast_tests {
    use super::*;

    #[test]
    fn low_contrast_colours_are_darkened_on_light_backgrounds() {
        let css = ".hl-code { color: #323232; background-color: #ffffff; }\n.hl-comment { color: #969896; }\n";
        let out = with_readable_colors(css);
        assert!(out.contains("background-color: #ffffff"), "{out}");
        assert!(
            out.contains("color: #323232"),
            "already readable colours are kept: {out}"
        );
        assert!(!out.contains("#969896"), "{out}");
        let at = out.find(".hl-comment { color: #").expect("rule") + ".hl-comment { color: #".len();
        let fixed = parse_hex(&out[at..at + 6]).expect("hex");
        assert!(contrast(fixed, [255, 255, 255]) >= MIN_CONTRAST);
    }

    #[test]
    fn low_contrast_colours_are_lightened_on_dark_backgrounds() {
        let css = ".hl-code { color: #c0c5ce; background-color: #2b303b; }\n.hl-comment { color: #65737e; }\n";
        let out = with_readable_colors(css);
        let at = out.find(".hl-comment { color: #").expect("rule") + ".hl-comment { color: #".len();
        let fixed = parse_hex(&out[at..at + 6]).expect("hex");
        assert!(contrast(fixed, [0x2b, 0x30, 0x3b]) >= MIN_CONTRAST);
    }

    #[test]
    fn every_generated_colour_is_readable() {
        let css = theme_css().expect("css");
        for (theme, bg) in [("light", [255u8, 255, 255]), ("dark", [0x2b, 0x30, 0x3b])] {
            let scope = format!("[data-theme=\"{theme}\"]");
            for rule in css.lines().filter(|l| l.starts_with(&scope)) {
                let mut rest = rule;
                while let Some(at) = rest.find("color: #") {
                    let hex = &rest[at + 8..at + 14];
                    if !rest[..at].ends_with("background-") {
                        let c = parse_hex(hex).expect("hex");
                        assert!(contrast(c, bg) >= MIN_CONTRAST, "{theme}: {rule}");
                    }
                    rest = &rest[at + 8..];
                }
            }
        }
    }
}
