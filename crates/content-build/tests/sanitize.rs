//! The sanitiser against a corpus of known cross-site-scripting payloads
//! (`fixtures/xss-payloads.txt`: the OWASP filter-evasion cases and the bypasses of the site's
//! former hand-written filters). Each payload goes through both allow-lists and through the
//! Markdown renderer; whatever comes out is parsed again by a real HTML5 parser and walked, and
//! nothing in it may be able to run script or load a resource.

use content_build::markdown::render;
use content_build::sanitize::{clean, Kind};
use html5ever::{local_name, ns, tendril::TendrilSink, QualName};
use markup5ever_rcdom::{Handle, NodeData, RcDom};

fn payloads() -> Vec<String> {
    let path = format!(
        "{}/tests/fixtures/xss-payloads.txt",
        env!("CARGO_MANIFEST_DIR")
    );
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("read {path}: {e}"));
    let body: String = text
        .lines()
        .filter(|l| !l.starts_with('#'))
        .collect::<Vec<_>>()
        .join("\n");
    body.split("\n----\n")
        .map(|p| p.trim_matches('\n').to_string())
        .filter(|p| !p.is_empty() && p != "----")
        .collect()
}

/// Elements that run script, load or embed something, or change how the page is parsed.
const ACTIVE_ELEMENTS: &[&str] = &[
    "script",
    "style",
    "iframe",
    "frame",
    "frameset",
    "object",
    "embed",
    "applet",
    "base",
    "link",
    "meta",
    "form",
    "math",
    "foreignObject",
    "animate",
    "set",
    "use",
    "image",
    "bgsound",
    "noscript",
    "template",
    "svg",
];

/// Attributes whose value is a URL.
const URL_ATTRIBUTES: &[&str] = &[
    "href",
    "src",
    "xlink:href",
    "action",
    "formaction",
    "background",
    "dynsrc",
    "lowsrc",
    "data",
    "poster",
    "srcdoc",
];

/// Everything in `html` (parsed as a fragment, as the browser parses `innerHTML`) that could
/// run or load something; `allow_svg` for the diagram allow-list, whose `<svg>` is its point.
fn dangers(html: &str, allow_svg: bool) -> Vec<String> {
    let dom = html5ever::parse_fragment(
        RcDom::default(),
        Default::default(),
        QualName::new(None, ns!(html), local_name!("div")),
        vec![],
        false,
    )
    .one(html);
    let mut found = Vec::new();
    walk(&dom.document, allow_svg, &mut found);
    found
}

fn walk(node: &Handle, allow_svg: bool, found: &mut Vec<String>) {
    if let NodeData::Element { name, attrs, .. } = &node.data {
        let tag = name.local.to_string();
        if ACTIVE_ELEMENTS
            .iter()
            .any(|a| a.eq_ignore_ascii_case(&tag) && !(allow_svg && tag == "svg"))
        {
            found.push(format!("<{tag}>"));
        }
        for attr in attrs.borrow().iter() {
            let key = attr.name.local.to_string().to_ascii_lowercase();
            let value: String = attr
                .value
                .chars()
                .filter(|c| !c.is_whitespace() && !c.is_control())
                .collect::<String>()
                .to_ascii_lowercase();
            if key.starts_with("on") {
                found.push(format!("<{tag} {key}>"));
            }
            if key == "style" && !value.starts_with("text-align:") {
                found.push(format!("<{tag} style={value}>"));
            }
            let scheme_attr = URL_ATTRIBUTES.contains(&key.as_str())
                || (attr.name.prefix.is_some() && key == "href");
            if scheme_attr
                && ["javascript:", "vbscript:", "data:", "livescript:"]
                    .iter()
                    .any(|s| value.starts_with(s))
            {
                found.push(format!("<{tag} {key}={value}>"));
            }
            if value.contains("url(") && !value.starts_with("url(#") {
                found.push(format!("<{tag} {key}={value}>"));
            }
        }
    }
    for child in node.children.borrow().iter() {
        walk(child, allow_svg, found);
    }
}

#[test]
fn the_corpus_is_the_one_written_down() {
    let all = payloads();
    assert!(all.len() >= 90, "only {} payloads parsed", all.len());
    for needle in ["javascript&#58;", "a > b", "<rect/onclick=", "\nonerror="] {
        assert!(all.iter().any(|p| p.contains(needle)), "missing {needle:?}");
    }
    // The walk itself finds what it is looking for.
    assert!(!dangers("<img src=x onerror=alert(1)>", false).is_empty());
    assert!(!dangers("<a href=\"jav&#x61;script:x\">", false).is_empty());
    assert!(!dangers("<svg><rect/onclick=x></svg>", true).is_empty());
}

#[test]
fn no_payload_survives_the_prose_allow_list() {
    for payload in payloads() {
        let out = clean(&payload, Kind::Html);
        assert_eq!(
            dangers(&out, false),
            Vec::<String>::new(),
            "{payload:?} → {out:?}"
        );
    }
}

#[test]
fn no_payload_survives_the_diagram_allow_list() {
    for payload in payloads() {
        for svg in [
            payload.clone(),
            format!("<svg viewBox=\"0 0 1 1\">{payload}</svg>"),
        ] {
            let out = clean(&svg, Kind::Svg);
            assert_eq!(
                dangers(&out, true),
                Vec::<String>::new(),
                "{svg:?} → {out:?}"
            );
        }
    }
}

/// Markdown with a payload in it either fails to build (the usual case: the author is told
/// where) or renders to markup in which nothing can run.
#[test]
fn no_payload_survives_the_markdown_renderer() {
    for payload in payloads() {
        for md in [
            format!("A paragraph.\n\n{payload}\n\nAnother."),
            format!("Inline {payload} in text."),
        ] {
            if let Ok(rendered) = render(&md, "payload.md") {
                assert_eq!(
                    dangers(&rendered.html, false),
                    Vec::<String>::new(),
                    "{md:?} → {:?}",
                    rendered.html
                );
            }
        }
    }
}
