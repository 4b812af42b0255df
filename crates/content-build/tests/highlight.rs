//! Integration tests for `highlight::code` and `highlight::theme_css`.

use content_build::highlight::{code, scope_css, theme_css};
use content_build::ContentError;

#[test]
fn whole_file_has_one_line_span_per_line() {
    let src = "/* a\n   multi-line\n   comment */\nfn main() {\n    let x = \"s\";\n}\n";
    let html = code(src, "rust").expect("highlights");
    assert!(html
        .starts_with("<pre class=\"code hl-code lines\" data-lang=\"rust\" tabindex=\"0\"><code>"));
    assert!(html.ends_with("</code></pre>\n"));
    assert_eq!(html.matches("<span class=\"line\">").count(), 6, "{html}");
    // Every line span is balanced: the comment span is closed/reopened per line.
    let body = html
        .trim_start_matches(
            "<pre class=\"code hl-code lines\" data-lang=\"rust\" tabindex=\"0\"><code>",
        )
        .trim_end_matches("</code></pre>\n");
    for line in body.split("\n</span>").filter(|l| !l.is_empty()) {
        assert_eq!(
            line.matches("<span").count(),
            line.matches("</span>").count() + 1,
            "unbalanced line: {line}"
        );
        assert!(line.starts_with("<span class=\"line\">"));
    }
    assert_eq!(body.matches("hl-comment hl-block").count(), 3);
}

#[test]
fn no_trailing_newline_and_empty_lines() {
    let html = code("a = 1\n\nb = 2", "toml").expect("highlights");
    assert_eq!(html.matches("<span class=\"line\">").count(), 3, "{html}");
}

#[test]
fn solidity_file_highlights() {
    let src = "pragma solidity ^0.8.0;\n/// @notice hi\ncontract A is B {\n  function f(uint256 x) public pure returns (bool) { return x > 0; }\n}\n";
    let html = code(src, "solidity").expect("highlights");
    assert!(html.contains("data-lang=\"solidity\""));
    assert!(html.contains("hl-entity hl-name hl-class hl-contract"));
    assert!(
        html.contains("<span class=\"hl-entity hl-other hl-inherited-class hl-solidity\">B</span>")
    );
    assert!(html.contains("hl-keyword hl-other hl-documentation hl-natspec"));
    assert_eq!(html.matches("<span class=\"line\">").count(), 5);
}

#[test]
fn unknown_language_is_an_error() {
    assert_eq!(
        code("x", "cobol-2099"),
        Err(ContentError::UnsupportedLanguage {
            lang: "cobol-2099".into()
        })
    );
}

#[test]
fn theme_css_is_scoped_and_differs_between_themes() {
    let css = theme_css().expect("css");
    let rules: Vec<&str> = css
        .lines()
        .filter(|l| l.contains('{') && !l.trim_start().starts_with("pre.code"))
        .collect();
    assert!(rules.len() > 20, "too few rules: {}", rules.len());
    let mut light = std::collections::BTreeMap::new();
    let mut dark = std::collections::BTreeMap::new();
    for rule in &rules {
        let (selectors, body) = rule.split_once('{').expect("rule");
        for sel in selectors.split(',') {
            let sel = sel.trim();
            let (theme, rest) = if let Some(r) = sel.strip_prefix("[data-theme=\"light\"] ") {
                ("light", r)
            } else if let Some(r) = sel.strip_prefix("[data-theme=\"dark\"] ") {
                ("dark", r)
            } else {
                panic!("unscoped selector: {sel}");
            };
            assert!(rest.starts_with(".hl-"), "selector not prefixed: {sel}");
            let map = if theme == "light" {
                &mut light
            } else {
                &mut dark
            };
            map.insert(rest.to_owned(), body.trim().to_owned());
        }
    }
    let light_code = light.get(".hl-code").expect("light .hl-code");
    let dark_code = dark.get(".hl-code").expect("dark .hl-code");
    assert!(light_code.contains("background-color"));
    assert_ne!(light_code, dark_code, "base colors must differ");
    let common: Vec<_> = light.keys().filter(|k| dark.contains_key(*k)).collect();
    let differing = common.iter().filter(|k| light[**k] != dark[**k]).count();
    assert!(
        differing * 2 > common.len(),
        "{differing} of {} differ",
        common.len()
    );
    assert!(css.contains("counter-increment: line"));
    // Deterministic.
    assert_eq!(theme_css().expect("css"), css);
}

#[test]
fn scope_css_public_helper() {
    assert_eq!(
        scope_css(".a,.b{color:red}", ".s"),
        ".s .a, .s .b { color:red; }\n"
    );
}
