//! Assembles the site's content from `content/`: the TOML, each project's and case study's
//! Markdown, the case-study diagrams, the highlighted contract snippet and the imported posts.
//! The site's `build.rs` embeds the result; xtask uses it to prerender every route.

use crate::sanitize::{self, Kind};
use crate::text::escape_html;
use crate::{highlight, markdown, ContentError};
use site_content::{
    Figure, LabBundle, LabContent, LabKitWords, LabLive, LabWords, Post, Provenance, Site,
};
use std::{
    fs,
    path::{Path, PathBuf},
};

/// Reads and renders everything under `root/content`, then checks the content's rules.
pub fn assemble(root: &Path) -> Result<Site, ContentError> {
    let content = root.join("content");
    let site_toml = content.join("site.toml");
    let mut site: Site = parse_toml(&site_toml)?;
    let measurements = content.join("measurements");
    for project in &mut site.projects {
        let path = content.join("work").join(format!("{}.md", project.slug));
        project.body_html = render(&path)?;
        fill_figures(&mut project.figures, &measurements)?;
    }
    for study in &mut site.case_studies {
        let dir = content.join("case-studies");
        study.body_html = render(&dir.join(format!("{}.md", study.slug)))?;
        study.diagram_svg = diagram(&dir.join(format!("{}.svg", study.slug)))?;
        fill_figures(&mut study.figures, &measurements)?;
    }
    let snippet_path = root.join(&site.snippet.file);
    site.snippet.html = sanitize::check(
        &highlight::code(&read(&snippet_path)?, &site.snippet.lang)?,
        Kind::Html,
        &snippet_path.display().to_string(),
        1,
    )?;
    site.posts = posts(&content.join("writing"))?;
    for lab in &mut site.labs {
        lab.prose_html = lab_prose(&content, lab)?;
    }
    let problems = site.problems();
    if problems.is_empty() {
        Ok(site)
    } else {
        Err(ContentError::Invalid(problems.join("\n")))
    }
}

/// A lab's prose column: its Markdown, then the links to the source it runs (each a static page
/// `xtask prerender` writes; `rel="external"` keeps the router out of it).
fn lab_prose(content: &Path, lab: &LabContent) -> Result<String, ContentError> {
    let mut html = render(&content.join("labs").join(format!("{}.md", lab.slug)))?;
    let items: String = lab
        .sources
        .iter()
        .map(|s| {
            format!(
                "<li><a href=\"source/{}.html\" rel=\"external\">{}</a></li>",
                escape_html(&s.slug),
                escape_html(&s.label)
            )
        })
        .collect();
    html.push_str(&format!(
        "<section class=\"lab-source\"><h2>{}</h2><ul>{items}</ul></section>",
        escape_html(&lab.source_heading)
    ));
    Ok(html)
}

/// The bundle each lab's own module embeds: its page's content, the kit's words
/// (`root/content/labs/kit.toml`), and its live part from `root/content/labs/<slug>.toml` with
/// the benchmark's native figures filled in.
pub fn lab_bundles(root: &Path, site: &Site) -> Result<Vec<LabBundle>, ContentError> {
    let content = root.join("content");
    let measurements = content.join("measurements");
    let kit: LabKitWords = parse_toml(&content.join("labs").join("kit.toml"))?;
    site.labs
        .iter()
        .map(|lab| {
            let mut live: LabLive =
                parse_toml(&content.join("labs").join(format!("{}.toml", lab.slug)))?;
            if live.words.slug() != lab.slug {
                return Err(ContentError::Invalid(format!(
                    "content/labs/{}.toml holds the words of the {} lab",
                    lab.slug,
                    live.words.slug()
                )));
            }
            if let Some(bench) = &mut live.bench {
                fill_figures(&mut bench.native, &measurements)?;
            }
            if let LabWords::RateLimiter(w) = &mut live.words {
                fill_figures(&mut w.redis.figures, &measurements)?;
            }
            if let LabWords::MarketData(w) = &mut live.words {
                fill_figures(std::slice::from_mut(&mut w.native_checksum), &measurements)?;
            }
            Ok(LabBundle {
                kit: kit.clone(),
                lab: lab.clone(),
                live,
            })
        })
        .collect()
}

/// Fills each figure's value and provenance from `dir/<engine>.json`, the record `cargo xtask
/// bench` writes. A figure whose record, run or field is missing fails the build: the site never
/// shows a number no benchmark produced.
fn fill_figures(figures: &mut [Figure], dir: &Path) -> Result<(), ContentError> {
    for figure in figures {
        let path = dir.join(format!("{}.json", figure.engine));
        let origin = path.display().to_string();
        let missing = |what: String| {
            ContentError::Invalid(format!(
                "figure {:?}: {what} (run `cargo xtask bench {}`)",
                figure.label, figure.engine
            ))
        };
        let record: serde_json::Value =
            serde_json::from_str(&read(&path)?).map_err(|e| ContentError::Toml {
                origin: origin.clone(),
                message: e.to_string(),
            })?;
        let run = record["runs"]
            .as_array()
            .and_then(|runs| {
                runs.iter().find(|r| {
                    r["command"]
                        .as_str()
                        .is_some_and(|c| c.split(' ').any(|w| w == figure.run))
                })
            })
            .ok_or_else(|| missing(format!("{origin} has no run of {:?}", figure.run)))?;
        figure.number = match lookup(run, &figure.field) {
            Some(serde_json::Value::Number(n)) => {
                n.as_f64().map(|v| v / figure.divide_by.unwrap_or(1.0))
            }
            _ => None,
        };
        figure.value = match lookup(run, &figure.field) {
            Some(serde_json::Value::Number(_)) => figure.number.map(format_number),
            Some(serde_json::Value::String(text)) if figure.divide_by.is_none() => {
                Some(text.clone())
            }
            _ => None,
        }
        .ok_or_else(|| missing(format!("{origin}: no number or text at {:?}", figure.field)))?;
        let machine = &record["machine"];
        let text = |v: &serde_json::Value| v.as_str().unwrap_or_default().to_string();
        figure.provenance = Some(Provenance {
            command: text(&run["command"]),
            measured_at: text(&record["measured_at"]),
            cpu: text(&machine["cpu"]),
            logical_cores: machine["logical_cores"].as_u64().map_or(0, |n| n as u32),
            load_average: text(&machine["load_average_1m_at_start"]),
        });
    }
    Ok(())
}

/// Follows a dotted path (`a.b.0.c`) through objects and arrays.
fn lookup<'v>(value: &'v serde_json::Value, path: &str) -> Option<&'v serde_json::Value> {
    path.split('.')
        .try_fold(value, |v, key| match key.parse::<usize>() {
            Ok(i) if v.is_array() => v.get(i),
            _ => v.get(key),
        })
}

/// Numbers as people read them: `23.5 M`, `12,345`, `40.2`, `0.057`.
pub fn format_number(value: f64) -> String {
    let abs = value.abs();
    if abs >= 1e9 {
        format!("{:.2} G", value / 1e9)
    } else if abs >= 1e6 {
        format!("{:.1} M", value / 1e6)
    } else if abs >= 1e4 {
        let whole = value.round() as i64;
        let digits = whole.unsigned_abs().to_string();
        let mut out = String::new();
        for (i, c) in digits.chars().enumerate() {
            if i > 0 && (digits.len() - i).is_multiple_of(3) {
                out.push(',');
            }
            out.push(c);
        }
        if whole < 0 {
            format!("-{out}")
        } else {
            out
        }
    } else if abs >= 100.0 || value.fract() == 0.0 {
        format!("{value:.0}")
    } else if abs >= 1.0 {
        format!("{value:.1}")
    } else {
        format!("{value:.3}")
    }
}

/// Posts from `dir/*.toml` (written by `cargo xtask import-feed`), newest first.
pub fn posts(dir: &Path) -> Result<Vec<Post>, ContentError> {
    let mut posts = Vec::new();
    if !dir.exists() {
        return Ok(posts);
    }
    for path in sorted_files(dir, "toml")? {
        posts.push(parse_toml::<Post>(&path)?);
    }
    // RFC 3339 dates in UTC sort as text.
    posts.sort_by(|a, b| b.date.cmp(&a.date).then_with(|| a.slug.cmp(&b.slug)));
    Ok(posts)
}

fn render(path: &Path) -> Result<String, ContentError> {
    Ok(markdown::render(&read(path)?, &path.display().to_string())?.html)
}

/// An inline SVG diagram: it becomes part of the page, so it passes the SVG allow-list unchanged.
fn diagram(path: &Path) -> Result<String, ContentError> {
    let svg = read(path)?;
    let origin = path.display().to_string();
    let lower = svg.to_ascii_lowercase();
    if !lower.trim_start().starts_with("<svg") {
        return Err(ContentError::Forbidden {
            origin,
            line: 1,
            what: "a diagram must be one <svg> element".into(),
        });
    }
    sanitize::check(&svg, Kind::Svg, &origin, 1)
}

fn parse_toml<T: serde::de::DeserializeOwned>(path: &Path) -> Result<T, ContentError> {
    toml::from_str(&read(path)?).map_err(|e| ContentError::Toml {
        origin: path.display().to_string(),
        message: e.to_string(),
    })
}

fn read(path: &Path) -> Result<String, ContentError> {
    fs::read_to_string(path).map_err(|e| io_error(path, &e))
}

fn sorted_files(dir: &Path, extension: &str) -> Result<Vec<PathBuf>, ContentError> {
    let mut files: Vec<PathBuf> = fs::read_dir(dir)
        .map_err(|e| io_error(dir, &e))?
        .filter_map(|entry| entry.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == extension))
        .collect();
    files.sort();
    Ok(files)
}

pub(crate) fn io_error(path: &Path, e: &std::io::Error) -> ContentError {
    ContentError::Io {
        path: path.display().to_string(),
        message: e.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn temp_file(name: &str, text: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("content-build-site-{}", std::process::id()));
        fs::create_dir_all(&dir).expect("mkdir");
        let path = dir.join(name);
        fs::write(&path, text).expect("write");
        path
    }

    #[test]
    fn numbers_read_like_numbers() {
        assert_eq!(format_number(23_456_789.0), "23.5 M");
        assert_eq!(format_number(12_345.4), "12,345");
        assert_eq!(format_number(1_234_567_890.0), "1.23 G");
        assert_eq!(format_number(40.24), "40.2");
        assert_eq!(format_number(512.0), "512");
        assert_eq!(format_number(0.0566), "0.057");
    }

    #[test]
    fn paths_reach_into_objects_and_arrays() {
        let v: serde_json::Value =
            serde_json::from_str(r#"{"a":{"b":[{"c":1.5}]}}"#).expect("json");
        assert_eq!(
            lookup(&v, "a.b.0.c").and_then(serde_json::Value::as_f64),
            Some(1.5)
        );
        assert!(lookup(&v, "a.x").is_none());
    }

    #[test]
    fn a_clean_diagram_passes() {
        let path = temp_file(
            "ok.svg",
            "<svg viewBox=\"0 0 1 1\"><rect class=\"dg-box\"/></svg>",
        );
        assert!(diagram(&path).is_ok());
    }

    #[test]
    fn scripts_and_handlers_in_a_diagram_fail_with_their_line() {
        let path = temp_file("bad.svg", "<svg>\n<script>alert(1)</script></svg>");
        assert!(matches!(
            diagram(&path),
            Err(ContentError::Forbidden { line: 2, .. })
        ));
        let path = temp_file("handler.svg", "<svg>\n\n<rect onclick = \"x()\"/></svg>");
        assert!(matches!(
            diagram(&path),
            Err(ContentError::Forbidden { line: 3, .. })
        ));
        let path = temp_file("html.svg", "<div></div>");
        assert!(diagram(&path).is_err());
    }

    fn entry(title: &str, link: &str) -> crate::feed::Entry {
        crate::feed::Entry {
            title: title.into(),
            date: "2026-05-01T10:00:00Z".into(),
            author: "Someone Else".into(),
            tags: vec![],
            link: link.into(),
            reading_minutes: 3,
            excerpt: "Opening words.".into(),
            body_html: String::new(),
            by_owner: false,
            source: String::new(),
        }
    }

    #[test]
    fn imported_posts_with_any_title_pass_and_unsafe_links_fail() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
        let base = assemble(&root).expect("content assembles");
        let entries = [
            entry("Ünïcode Café: naïve Straße", "https://example.com/a"),
            entry("Привет, мир", "https://example.com/b"),
            entry("★★★", "https://example.com/c"),
        ];
        let slugs = crate::feed::slugs(&entries).expect("distinct slugs");
        assert_eq!(
            slugs,
            [
                "unicode-cafe-naive-strasse",
                "privet-mir",
                "post-2026-05-01"
            ]
        );
        let post = |slug: &str, link: &str| Post {
            slug: slug.into(),
            link: link.into(),
            ..base.posts[0].clone()
        };
        let mut site = base.clone();
        for (slug, e) in slugs.iter().zip(&entries) {
            site.posts.push(post(slug, &e.link));
        }
        assert_eq!(site.problems(), Vec::<String>::new());
        for bad in [
            "javascript:alert(1)",
            "data:text/html,<script>alert(1)</script>",
            "https://",
            "https://user@evil.example/",
            "https://example.com/a b",
            "https://example.com/\"onmouseover=\"x",
            "//example.com/x",
        ] {
            let mut site = base.clone();
            site.posts.push(post("bad-link", bad));
            let problems = site.problems();
            assert!(
                problems
                    .iter()
                    .any(|p| p.starts_with("posts.bad-link: link")),
                "{bad}: {problems:?}"
            );
        }
    }

    #[test]
    fn the_real_content_assembles() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
        let site = assemble(&root).expect("content assembles");
        assert!(site.projects.iter().all(|p| p.body_html.contains("<h2")));
        assert!(site.snippet.html.contains("hl-"), "snippet is highlighted");
        assert!(site
            .case_studies
            .iter()
            .all(|c| c.diagram_svg.starts_with("<svg")));
        for lab in &site.labs {
            assert!(lab.prose_html.contains("<h2") && lab.prose_html.contains("source/"));
        }
        let bundles = lab_bundles(&root, &site).expect("lab bundles assemble");
        assert_eq!(bundles.len(), site.labs.len());
        for bundle in &bundles {
            let native = bundle.live.bench.iter().flat_map(|b| &b.native);
            assert!(native
                .clone()
                .all(|f| !f.value.is_empty() && f.provenance.is_some()));
        }
    }
}
