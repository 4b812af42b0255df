//! Integration tests for `markdown::render`.

use content_build::markdown::render;
use content_build::ContentError;

fn fixture(name: &str) -> String {
    let path = format!("{}/tests/fixtures/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("read {path}: {e}"))
}

#[test]
fn every_required_language_is_highlighted() {
    let r = render(&fixture("languages.md"), "languages.md").expect("renders");
    for lang in [
        "rust",
        "solidity",
        "toml",
        "json",
        "javascript",
        "bash",
        "text",
    ] {
        assert!(
            r.html.contains(&format!(
                "<pre class=\"code hl-code\" data-lang=\"{lang}\" tabindex=\"0\"><code>"
            )),
            "no block for {lang}:\n{}",
            r.html
        );
    }
    // Real highlighting: scopes from each grammar appear as prefixed classes.
    for class in [
        "hl-source hl-rust",
        "hl-source hl-solidity",
        "hl-source hl-toml",
        "hl-source hl-json",
        "hl-source hl-js",
        "hl-source hl-shell",
        "hl-text hl-plain",
    ] {
        assert!(r.html.contains(class), "missing class {class}");
    }
    // Solidity specifics: pragma, natspec tag, contract and function names, types.
    for class in [
        "hl-keyword hl-other hl-pragma",
        "hl-keyword hl-other hl-documentation hl-natspec",
        "hl-entity hl-name hl-class hl-contract",
        "hl-entity hl-name hl-function",
        "hl-storage hl-type hl-primitive",
        "hl-comment hl-block hl-documentation",
        "hl-constant hl-numeric",
        "hl-string hl-quoted",
    ] {
        assert!(r.html.contains(class), "missing Solidity class {class}");
    }
    // TOML specifics.
    for class in [
        "hl-entity hl-name hl-class hl-table",
        "hl-entity hl-name hl-tag hl-key",
        "hl-constant hl-other hl-datetime",
        "hl-comment hl-line",
    ] {
        assert!(r.html.contains(class), "missing TOML class {class}");
    }
    // Code text is escaped, never raw.
    assert!(r.html.contains("&lt;world&gt;"));
    assert!(!r.html.contains("<world>"));
    assert!(r.html.contains("plain &lt;text&gt; &amp; stuff"));
}

#[test]
fn headings_get_stable_unique_ids() {
    let md = "# Hello, World!\n\n## Hello World\n\n## `Code` & Stuff\n\n### Custom {#my-id}\n";
    let r = render(md, "h.md").expect("renders");
    assert!(
        r.html.contains("<h1 id=\"hello-world\">Hello, World!</h1>"),
        "{}",
        r.html
    );
    assert!(
        r.html.contains("<h2 id=\"hello-world-1\">Hello World</h2>"),
        "{}",
        r.html
    );
    assert!(
        r.html
            .contains("<h2 id=\"code-stuff\"><code>Code</code> &amp; Stuff</h2>"),
        "{}",
        r.html
    );
    assert!(
        r.html.contains("<h3 id=\"my-id\">Custom</h3>"),
        "{}",
        r.html
    );
    let ids: Vec<_> = r.headings.iter().map(|h| h.id.as_str()).collect();
    assert_eq!(ids, ["hello-world", "hello-world-1", "code-stuff", "my-id"]);
    assert_eq!(r.headings[2].text, "Code & Stuff");
    assert_eq!(r.headings[2].level, 2);
    // Stable: same input, same output.
    assert_eq!(render(md, "h.md").expect("renders"), r);
}

#[test]
fn word_count_and_excerpt() {
    let md = "# Title here\n\n> quoted words are not the excerpt\n\nFirst *real*\nparagraph, with `code`.\n\n```rust\nlet not_counted = 1;\n```\n\n- item one\n\n![alt text ignored](https://example.com/a.png)\n";
    let r = render(md, "w.md").expect("renders");
    assert_eq!(r.excerpt, "First real paragraph, with code.");
    // Title here (2) + quoted words are not the excerpt (6) + First real paragraph, with code. (5) + item one (2)
    assert_eq!(r.word_count, 15);
    assert_eq!(r.reading_minutes(), 1);
    let long = "word ".repeat(1000);
    assert_eq!(render(&long, "l.md").expect("renders").reading_minutes(), 5);
}

#[test]
fn extensions_render() {
    let md = "| a | b |\n|---|---|\n| 1 | 2 |\n\n~~gone~~ and a note[^1].\n\n[^1]: The note.\n\n- [x] done\n";
    let r = render(md, "x.md").expect("renders");
    assert!(r.html.contains("<table>"));
    assert!(r.html.contains("<del>gone</del>"));
    assert!(r.html.contains("footnote-definition"));
    assert!(r.html.contains("type=\"checkbox\""));
}

#[test]
fn unknown_language_names_file_and_fence_line() {
    let err = render(&fixture("unknown_lang.md"), "posts/unknown_lang.md").expect_err("must fail");
    assert_eq!(
        err,
        ContentError::UnknownLanguage {
            origin: "posts/unknown_lang.md".into(),
            line: 11,
            lang: "klingon".into()
        }
    );
    assert_eq!(
        err.to_string(),
        "posts/unknown_lang.md:11: unknown code-block language `klingon`"
    );
}

#[test]
fn unclosed_fence_names_file_and_opening_line() {
    let err = render(&fixture("unclosed_fence.md"), "posts/unclosed.md").expect_err("must fail");
    assert_eq!(
        err,
        ContentError::UnclosedFence {
            origin: "posts/unclosed.md".into(),
            line: 11
        }
    );
    // Also inside a block quote that ends before the fence closes.
    let err = render("text\n\n> ```rust\n> fn x() {}\n\nafter\n", "q.md").expect_err("must fail");
    assert!(
        matches!(err, ContentError::UnclosedFence { line: 3, .. }),
        "{err}"
    );
    // A longer fence is closed only by one at least as long.
    let err = render("````\n```\n", "f.md").expect_err("must fail");
    assert!(
        matches!(err, ContentError::UnclosedFence { line: 1, .. }),
        "{err}"
    );
    // Closed fences, including tilde, nested and list-indented ones, pass.
    let ok =
        "~~~toml\na = 1\n~~~\n\n````md\n```rust\n```\n````\n\n- item\n\n  ```sh\n  ls\n  ```\n";
    render(ok, "ok.md").expect("closed fences render");
}

#[test]
fn script_and_other_dangerous_html_fail_with_line() {
    let err = render(&fixture("script.md"), "script.md").expect_err("must fail");
    assert!(
        matches!(&err, ContentError::Forbidden { line: 5, origin, .. } if origin == "script.md"),
        "{err:?}"
    );
    let cases = [
        ("a\n\nText <script src=x></script> inline\n", 3),
        ("a\n\n<img src=x onerror=\"alert(1)\">\n", 3),
        ("a\nb\n\n[click](javascript:alert(1))\n", 4),
        ("<iframe src=\"https://x\"></iframe>\n", 1),
        ("# Head <span onclick=\"x\">y</span>\n", 1),
    ];
    for (md, line) in cases {
        match render(md, "c.md") {
            Err(ContentError::Forbidden { line: l, .. }) => assert_eq!(l, line, "{md:?}"),
            other => panic!("{md:?} gave {other:?}"),
        }
    }
    // `<script>` as code (fenced or inline) is content, not HTML: allowed, escaped.
    let r = render(
        "Use `<script>` tags:\n\n```javascript\ndocument.write('<script></script>');\n```\n",
        "code.md",
    )
    .expect("script inside code is fine");
    assert!(r.html.contains("<code>&lt;script&gt;</code>"));
    assert!(!r.html.contains("<script"));
    // Harmless raw HTML stays.
    let r = render(
        "<details><summary>More</summary>\n\nBody\n\n</details>\n",
        "d.md",
    )
    .expect("ok");
    assert!(r.html.contains("<details>"));
}

#[test]
fn broken_reference_link_fails_with_line() {
    let err = render("para\n\nsee [the docs][nope] here\n", "r.md").expect_err("must fail");
    assert_eq!(
        err,
        ContentError::BrokenReference {
            origin: "r.md".into(),
            line: 3,
            label: "nope".into()
        }
    );
    // Shortcut brackets such as array indexing are not treated as links.
    render("a[i] and [x] are fine\n", "ok.md").expect("ok");
    render("[ok][d]\n\n[d]: https://example.com\n", "ok.md").expect("ok");
}

#[test]
fn indented_code_and_aliases() {
    let r = render(
        "para\n\n    plain indented\n\n```rs\nfn a() {}\n```\n\n```sol\ncontract A {}\n```\n",
        "a.md",
    )
    .expect("renders");
    assert!(r.html.contains("data-lang=\"text\""));
    assert!(r.html.contains("data-lang=\"rust\""));
    assert!(r.html.contains("data-lang=\"solidity\""));
}
