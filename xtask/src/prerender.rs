//! Deep links on any static host: writes `dist/<route>/index.html` for every known route (each with
//! its own title and description) and `dist/404.html` for unknown paths. The app boots from any of
//! them and routes by the address bar.

use crate::{
    cmd::Result,
    content::{self, escape_html},
};
use std::{fs, path::Path};

pub fn run(dist: &Path, public_url: &str) -> Result {
    let site = content::load()?;
    write(&dist.join("feed.xml"), &site_feed(&site, public_url)?)?;
    write_sources(&site, dist)?;
    let index_path = dist.join("index.html");
    let index =
        fs::read_to_string(&index_path).map_err(|e| format!("{}: {e}", index_path.display()))?;
    let routes = site.routes();
    for page in &routes {
        let html = with_head(&index, &page.title, &page.description)?;
        let relative = page.path.trim_start_matches('/');
        let dir = dist.join(relative);
        fs::create_dir_all(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
        write(&dir.join("index.html"), &html)?;
    }
    let not_found = with_head(&index, &site.not_found.title, &site.not_found.description)?;
    write(&dist.join("404.html"), &not_found)?;
    eprintln!(
        "xtask: prerendered {} routes and 404.html into {}",
        routes.len(),
        dist.display()
    );
    Ok(())
}

/// The site's own feed: its own posts and its case studies, never other people's posts.
/// Links are absolute when `SITE_URL` (e.g. `https://example.org`) is set, else site-relative.
fn site_feed(site: &site_content::Site, public_url: &str) -> Result<String> {
    let origin = std::env::var("SITE_URL").unwrap_or_default();
    let base = format!("{}{public_url}", origin.trim_end_matches('/'));
    let owner = &site.identity.name;
    let mut entries: Vec<content_build::Entry> = site
        .posts
        .iter()
        .filter(|p| p.by_owner)
        .map(|p| content_build::Entry {
            title: p.title.clone(),
            date: p.date.clone(),
            author: p.author.clone(),
            tags: p.tags.clone(),
            link: p.link.clone(),
            reading_minutes: p.reading_minutes,
            excerpt: p.excerpt.clone(),
            body_html: escape_html(p.summary.as_deref().unwrap_or(&p.excerpt)),
            by_owner: true,
            source: owner.clone(),
        })
        .collect();
    entries.extend(site.case_studies.iter().map(|c| content_build::Entry {
        title: c.title.clone(),
        date: String::new(),
        author: owner.clone(),
        tags: c.tags.clone(),
        link: format!("{base}case-studies/{}", c.slug),
        reading_minutes: 1,
        excerpt: c.summary.clone(),
        body_html: escape_html(&c.summary),
        by_owner: true,
        source: owner.clone(),
    }));
    content_build::feed::write_rss(
        &entries,
        &format!("{owner} — writing and case studies"),
        &base,
    )
    .map_err(|e| e.to_string())
}

/// Each engine source file a lab links to, highlighted at build time on a static page of its own
/// (with both themes' colours inline), so the lab's WASM never carries it.
fn write_sources(site: &site_content::Site, dist: &Path) -> Result {
    let sources: Vec<_> = site
        .labs
        .iter()
        .flat_map(|lab| lab.sources.iter().map(move |source| (lab, source)))
        .collect();
    if sources.is_empty() {
        return Ok(());
    }
    let css = content_build::highlight::theme_css().map_err(|e| e.to_string())?;
    let dir = dist.join("source");
    fs::create_dir_all(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    for (lab, source) in sources {
        let path = crate::cmd::root().join(&source.file);
        let code = fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))?;
        let html =
            content_build::highlight::code(&code, &source.lang).map_err(|e| e.to_string())?;
        let title = escape_html(&format!("{} — {}", source.file, site.identity.name));
        let page = format!(
            "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
             <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
             <title>{title}</title>\n<link rel=\"icon\" href=\"data:,\">\n<meta name=\"color-scheme\" content=\"light dark\">\n\
             <script>(function(){{var t=null;try{{t=localStorage.getItem(\"theme\")}}catch(e){{}}\
             if(t!==\"light\"&&t!==\"dark\"){{t=matchMedia(\"(prefers-color-scheme: dark)\").matches?\"dark\":\"light\"}}\
             document.documentElement.setAttribute(\"data-theme\",t)}})()</script>\n\
             <style>{SOURCE_PAGE_CSS}\n{css}</style>\n</head>\n<body>\n<main>\n\
             <p><a href=\"../{lab}\">← Back to the lab</a></p>\n<h1>{file}</h1>\n{html}</main>\n</body>\n</html>\n",
            lab = escape_html(lab.path().trim_start_matches('/')),
            file = escape_html(&source.file),
        );
        write(&dir.join(format!("{}.html", source.slug)), &page)?;
    }
    Ok(())
}

/// Layout of the static source pages (colours come from the theme CSS).
const SOURCE_PAGE_CSS: &str = "body{margin:0;font-family:system-ui,sans-serif}\
[data-theme=\"dark\"] body{background:#2b303b;color:#c0c5ce}\
[data-theme=\"dark\"] a{color:#86b6ff}\
main{max-width:72rem;margin:0 auto;padding:1.5rem}\
h1{font-family:ui-monospace,monospace;font-size:1.1rem}\
pre.code{padding:1rem;font-size:.85rem;line-height:1.5;border-radius:.5rem}";

fn write(path: &Path, text: &str) -> Result {
    fs::write(path, text).map_err(|e| format!("{}: {e}", path.display()))
}

/// `html` with its `<title>` and description meta replaced.
fn with_head(html: &str, title: &str, description: &str) -> Result<String> {
    let html = replace_between(html, "<title>", "</title>", &escape_html(title))?;
    replace_between(
        &html,
        "<meta name=\"description\" content=\"",
        "\"",
        &escape_html(description),
    )
}

fn replace_between(html: &str, open: &str, close: &str, value: &str) -> Result<String> {
    let start = html
        .find(open)
        .ok_or_else(|| format!("built index.html has no {open:?}"))?
        + open.len();
    let end = html[start..]
        .find(close)
        .ok_or_else(|| format!("built index.html does not close {open:?}"))?
        + start;
    Ok(format!("{}{}{}", &html[..start], value, &html[end..]))
}

#[cfg(test)]
mod tests {
    use super::*;

    const PAGE: &str =
        "<head><title>Old</title>\n<meta name=\"description\" content=\"old\"></head>";

    #[test]
    fn replaces_title_and_description_escaped() {
        let out = with_head(PAGE, "A & B", "say \"hi\"").expect("replaced");
        assert!(out.contains("<title>A &amp; B</title>"));
        assert!(out.contains("content=\"say &quot;hi&quot;\""));
        assert!(!out.contains("Old"));
    }

    #[test]
    fn a_page_without_a_title_is_an_error() {
        assert!(with_head("<head></head>", "t", "d").is_err());
    }
}
