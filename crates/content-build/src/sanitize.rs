//! Every piece of build-time HTML that a page sets as `inner_html` — rendered Markdown (with its
//! highlighted code), the highlighted contract snippet and the inline SVG diagrams — leaves the
//! pipeline through [`ammonia`], with an allow-list for each kind: [`html`] for prose and code,
//! [`svg`] for diagrams. What ships is always the sanitiser's output.
//!
//! The content is ours, so anything the sanitiser would change is an authoring mistake (or an
//! attack in a pull request) and fails the build: [`check`] compares the sanitised markup with
//! the same markup parsed and serialised by the same HTML5 parser (html5ever, ammonia's own)
//! with nothing removed, and reports the first difference.

use crate::ContentError;
use ammonia::{Builder, UrlRelative};
use html5ever::{
    local_name, ns,
    serialize::{serialize, SerializeOpts, TraversalScope},
    tendril::TendrilSink,
    QualName,
};
use markup5ever_rcdom::{RcDom, SerializableHandle};
use std::{borrow::Cow, collections::HashSet, sync::LazyLock};

/// Which allow-list a piece of markup is held to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Prose: rendered Markdown, tables, footnotes, task lists, highlighted code.
    Html,
    /// A diagram: one `<svg>` of shapes and text, no scripts, no links, no foreign content.
    Svg,
}

/// Elements of rendered Markdown beyond ammonia's defaults: task-list checkboxes.
const HTML_EXTRA_TAGS: &[&str] = &["input"];

/// Attributes any prose element may carry: headings' and footnotes' anchors, highlighting's
/// classes.
const HTML_GENERIC_ATTRIBUTES: &[&str] = &["class", "id"];

/// URL schemes a link or image may use; relative URLs pass.
const URL_SCHEMES: &[&str] = &["http", "https", "mailto"];

const SVG_TAGS: &[&str] = &[
    "svg", "g", "defs", "marker", "title", "desc", "path", "rect", "circle", "ellipse", "line",
    "polyline", "polygon", "text", "tspan",
];

const SVG_GENERIC_ATTRIBUTES: &[&str] = &[
    "class",
    "id",
    "role",
    "aria-label",
    "aria-labelledby",
    "aria-hidden",
    "transform",
    "fill",
    "stroke",
    "stroke-width",
    "stroke-dasharray",
    "opacity",
    "marker-start",
    "marker-mid",
    "marker-end",
];

const SVG_TAG_ATTRIBUTES: &[(&str, &[&str])] = &[
    (
        "svg",
        &[
            "xmlns",
            "viewBox",
            "width",
            "height",
            "preserveAspectRatio",
            "focusable",
        ],
    ),
    (
        "marker",
        &[
            "viewBox",
            "markerWidth",
            "markerHeight",
            "markerUnits",
            "refX",
            "refY",
            "orient",
        ],
    ),
    ("path", &["d"]),
    ("rect", &["x", "y", "width", "height", "rx", "ry"]),
    ("circle", &["cx", "cy", "r"]),
    ("ellipse", &["cx", "cy", "rx", "ry"]),
    ("line", &["x1", "y1", "x2", "y2"]),
    ("polyline", &["points"]),
    ("polygon", &["points"]),
    (
        "text",
        &["x", "y", "dx", "dy", "text-anchor", "dominant-baseline"],
    ),
    (
        "tspan",
        &["x", "y", "dx", "dy", "text-anchor", "dominant-baseline"],
    ),
];

static HTML: LazyLock<Builder<'static>> = LazyLock::new(|| {
    let mut b = Builder::default();
    b.add_tags(HTML_EXTRA_TAGS)
        .add_generic_attributes(HTML_GENERIC_ATTRIBUTES)
        .add_tag_attributes("a", ["rel"])
        .add_tag_attributes("pre", ["tabindex", "data-lang"])
        .add_tag_attributes("input", ["type", "checked", "disabled"])
        .add_tag_attributes("th", ["style"])
        .add_tag_attributes("td", ["style"])
        .url_schemes(URL_SCHEMES.iter().copied().collect())
        .url_relative(UrlRelative::PassThrough)
        .link_rel(None)
        .strip_comments(false)
        .attribute_filter(html_attribute);
    b
});

static SVG: LazyLock<Builder<'static>> = LazyLock::new(|| {
    let mut b = Builder::empty();
    b.tags(SVG_TAGS.iter().copied().collect())
        .generic_attributes(SVG_GENERIC_ATTRIBUTES.iter().copied().collect())
        .tag_attributes(
            SVG_TAG_ATTRIBUTES
                .iter()
                .map(|(tag, attrs)| (*tag, attrs.iter().copied().collect::<HashSet<_>>()))
                .collect(),
        )
        .url_schemes(HashSet::new())
        .link_rel(None)
        .strip_comments(false)
        .attribute_filter(svg_attribute);
    b
});

/// A table cell's alignment (pulldown-cmark writes `style="text-align: …"`) and a task-list
/// checkbox are the only values these attributes may take.
fn html_attribute<'u>(element: &str, attribute: &str, value: &'u str) -> Option<Cow<'u, str>> {
    match (element, attribute) {
        ("th" | "td", "style") => matches!(
            value,
            "text-align: left" | "text-align: center" | "text-align: right"
        )
        .then_some(value.into()),
        ("input", "type") => (value == "checkbox").then_some(value.into()),
        _ => Some(value.into()),
    }
}

/// A diagram may point only at its own parts (`url(#arrow)` for a marker), never at a resource.
fn svg_attribute<'u>(_element: &str, _attribute: &str, value: &'u str) -> Option<Cow<'u, str>> {
    let lower = value.to_ascii_lowercase();
    let Some(at) = lower.find("url(") else {
        return Some(value.into());
    };
    let inner = lower[at + 4..].trim_start();
    let local = inner.starts_with('#')
        && inner[1..]
            .chars()
            .take_while(|&c| c != ')')
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
    (local && lower.matches("url(").count() == 1).then_some(value.into())
}

/// `markup` as the sanitiser lets it through (always safe to set as `inner_html`).
pub fn clean(markup: &str, kind: Kind) -> String {
    match kind {
        Kind::Html => HTML.clean(markup).to_string(),
        Kind::Svg => SVG.clean(markup).to_string(),
    }
}

/// `markup` parsed as a fragment in a `<div>` (as ammonia parses it) and serialised, with
/// nothing removed: what [`clean`] returns when it finds nothing to remove.
fn normalized(markup: &str) -> String {
    let dom = html5ever::parse_fragment(
        RcDom::default(),
        Default::default(),
        QualName::new(None, ns!(html), local_name!("div")),
        vec![],
        false,
    )
    .one(markup);
    let root: SerializableHandle = dom.document.children.borrow()[0].clone().into();
    let mut out = Vec::new();
    let opts = SerializeOpts {
        traversal_scope: TraversalScope::ChildrenOnly(None),
        ..Default::default()
    };
    // Writing to a Vec cannot fail; an empty result then only makes the comparison fail.
    let _ = serialize(&mut out, &root, opts);
    String::from_utf8(out).unwrap_or_default()
}

/// The sanitised `markup`, or an error naming what the sanitiser would have removed (`origin`
/// and `line` say where the markup came from).
pub fn check(markup: &str, kind: Kind, origin: &str, line: usize) -> Result<String, ContentError> {
    let cleaned = clean(markup, kind);
    let whole = normalized(markup);
    if cleaned == whole {
        return Ok(cleaned);
    }
    let at = cleaned
        .bytes()
        .zip(whole.bytes())
        .take_while(|(a, b)| a == b)
        .count();
    let start = whole[..at].rfind('<').unwrap_or(at);
    let excerpt: String = whole[start..].chars().take(60).collect();
    Err(ContentError::Forbidden {
        origin: origin.to_owned(),
        line: line + whole[..start].matches('\n').count(),
        what: format!("markup the sanitiser removes: {excerpt}"),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clean_prose_passes_unchanged() {
        let html = "<h2 id=\"a\">A</h2><p>x <a href=\"https://example.org\" rel=\"external\">y</a></p>\
                    <pre class=\"code hl-code\" data-lang=\"rust\" tabindex=\"0\"><code><span class=\"hl-k\">fn</span></code></pre>\
                    <table><thead><tr><th style=\"text-align: right\">n</th></tr></thead></table>\
                    <ul><li><input disabled=\"\" type=\"checkbox\" checked=\"\">done</li></ul>";
        assert_eq!(
            check(html, Kind::Html, "t", 1).expect("clean"),
            normalized(html)
        );
    }

    #[test]
    fn a_diagram_passes_unchanged() {
        let svg = "<svg viewBox=\"0 0 10 10\" role=\"img\" aria-labelledby=\"t\"><title id=\"t\">T</title>\
                   <defs><marker id=\"arrow\" markerWidth=\"4\" markerHeight=\"4\" refX=\"2\" refY=\"2\" orient=\"auto\"><path d=\"M0 0L4 2L0 4z\"></path></marker></defs>\
                   <path d=\"M1 1H9\" marker-end=\"url(#arrow)\" class=\"dg-line\"></path><text x=\"1\" y=\"5\" text-anchor=\"middle\">k</text></svg>";
        let out = check(svg, Kind::Svg, "d.svg", 1).expect("clean");
        assert!(
            out.contains("viewBox=\"0 0 10 10\"") && out.contains("url(#arrow)"),
            "{out}"
        );
    }

    #[test]
    fn a_removal_is_an_error_with_its_line() {
        let err = check(
            "<p>a</p>\n<p>b</p>\n<img src=x onerror=alert(1)>",
            Kind::Html,
            "f.md",
            10,
        )
        .expect_err("handler");
        let ContentError::Forbidden { line, what, .. } = err else {
            panic!("{err:?}");
        };
        assert_eq!(line, 12);
        assert!(what.contains("<img"), "{what}");
    }

    #[test]
    fn a_diagram_may_not_point_outside_itself() {
        for value in [
            "url(https://evil.example/x.svg#a)",
            "url(#a) url(#b)",
            "url( javascript:x)",
        ] {
            let svg = format!("<svg><path d=\"M0 0\" marker-end=\"{value}\"></path></svg>");
            assert!(!clean(&svg, Kind::Svg).contains("marker-end"), "{value}");
        }
    }
}
