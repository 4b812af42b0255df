//! Assembles the site's content from `content/`: the TOML, each project's and case study's
//! Markdown, the case-study diagrams, the highlighted contract snippet and the imported posts.
//! The site's `build.rs` embeds the result; xtask uses it to prerender every route.

use crate::{highlight, markdown, ContentError};
use site_content::{Post, Site};
use std::{
    fs,
    path::{Path, PathBuf},
};

/// Reads and renders everything under `root/content`, then checks the content's rules.
pub fn assemble(root: &Path) -> Result<Site, ContentError> {
    let content = root.join("content");
    let site_toml = content.join("site.toml");
    let mut site: Site = parse_toml(&site_toml)?;
    for project in &mut site.projects {
        let path = content.join("work").join(format!("{}.md", project.slug));
        project.body_html = render(&path)?;
    }
    for study in &mut site.case_studies {
        let dir = content.join("case-studies");
        study.body_html = render(&dir.join(format!("{}.md", study.slug)))?;
        study.diagram_svg = diagram(&dir.join(format!("{}.svg", study.slug)))?;
    }
    let snippet_path = root.join(&site.snippet.file);
    site.snippet.html = highlight::code(&read(&snippet_path)?, &site.snippet.lang)?;
    site.posts = posts(&content.join("writing"))?;
    let problems = site.problems();
    if problems.is_empty() {
        Ok(site)
    } else {
        Err(ContentError::Invalid(problems.join("\n")))
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

/// An inline SVG diagram: it becomes part of the page, so it may not carry scripts or handlers.
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
    for needle in ["<script", "javascript:", "<foreignobject"] {
        if let Some(at) = lower.find(needle) {
            let line = line_of(&lower, at);
            return Err(ContentError::Forbidden {
                origin,
                line,
                what: needle.into(),
            });
        }
    }
    let handler = lower.match_indices(" on").find(|(at, _)| {
        let rest = &lower[at + 3..];
        let name_len = rest.bytes().take_while(u8::is_ascii_alphabetic).count();
        name_len > 0 && rest[name_len..].trim_start().starts_with('=')
    });
    if let Some((at, _)) = handler {
        let line = line_of(&lower, at);
        return Err(ContentError::Forbidden {
            origin,
            line,
            what: "an on… event handler".into(),
        });
    }
    Ok(svg)
}

/// The 1-based line of byte offset `at`.
fn line_of(text: &str, at: usize) -> usize {
    text[..at].bytes().filter(|&b| b == b'\n').count() + 1
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
    }
}
