//! Every route's own page: `dist/<route>/index.html` with the route's markup (the app's views
//! rendered natively by `site-prerender`), its title, description, canonical link and
//! OpenGraph/Twitter tags, and the Content-Security-Policy; `dist/404.html` for unknown paths;
//! `sitemap.xml`, `robots.txt`, `_headers`, the site's feed and the lab source pages. A reader
//! without JavaScript gets the page itself; with it, the app mounts in place of that markup and
//! routes by the address bar.

use crate::{
    cmd::{self, Result},
    content::{self, escape_html},
    csp,
};
use std::{collections::BTreeSet, fs, path::Path};

/// Where the pre-rendered markup goes in Trunk's `index.html`: the static shell, whole.
const SHELL_OPEN: &str = "<div id=\"shell\" class=\"shell\">";
const SHELL_CLOSE: &str = "</div><!-- /shell -->";

/// The origin used when `SITE_URL` is not set: where `cargo xtask serve-dist` serves by default.
pub const LOCAL_ORIGIN: &str = "http://127.0.0.1:8090";

/// Writes the pages for a site served at `origin` (`https://example.org`) under `public_url`.
pub fn run(dist: &Path, public_url: &str, origin: &str) -> Result {
    let site = content::load()?;
    let base = format!("{}{public_url}", origin.trim_end_matches('/'));
    write(&dist.join("feed.xml"), &site_feed(&site, &base)?)?;
    let mut hashes = write_sources(&site, dist)?;
    let index_path = dist.join("index.html");
    let index =
        fs::read_to_string(&index_path).map_err(|e| format!("{}: {e}", index_path.display()))?;
    let rendered = rendered_views(public_url)?;
    let routes = site.routes();
    for page in &routes {
        let markup = rendered["routes"][&page.path]
            .as_str()
            .ok_or_else(|| format!("site-prerender rendered no {}", page.path))?;
        let relative = page.path.trim_start_matches('/');
        let head = Head {
            title: &page.title,
            description: &page.description,
            canonical: Some(&served_url(&base, &page.path)),
            site_name: &site.identity.name,
        };
        let html = page_html(&index, &head, markup)?;
        hashes.extend(csp::inline_script_hashes(&html));
        let dir = dist.join(relative);
        fs::create_dir_all(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
        write(&dir.join("index.html"), &html)?;
    }
    let not_found = Head {
        title: &site.not_found.title,
        description: &site.not_found.description,
        canonical: None,
        site_name: &site.identity.name,
    };
    let markup = rendered["not_found"]
        .as_str()
        .ok_or("site-prerender rendered no 404 page")?;
    write(
        &dist.join("404.html"),
        &page_html(&index, &not_found, markup)?,
    )?;
    write(&dist.join("sitemap.xml"), &sitemap(&base, &routes))?;
    write(
        &dist.join("robots.txt"),
        &format!("User-agent: *\nAllow: /\n\nSitemap: {base}sitemap.xml\n"),
    )?;
    write(
        &dist.join("_headers"),
        &csp::headers_file(public_url, &hashes),
    )?;
    eprintln!(
        "xtask: prerendered {} routes and 404.html into {} (canonical base {base})",
        routes.len(),
        dist.display()
    );
    Ok(())
}

/// What `site-prerender` prints: `routes` (path → markup) and `not_found`.
fn rendered_views(public_url: &str) -> Result<serde_json::Value> {
    let json = cmd::output(cmd::new("cargo").args([
        "run",
        "-q",
        "--locked",
        "-p",
        "site",
        "--bin",
        "site-prerender",
        "--",
        public_url,
    ]))
    .ok_or("site-prerender failed")?;
    serde_json::from_str(&json).map_err(|e| format!("site-prerender printed no JSON: {e}"))
}

/// One page's head: what `<title>`, the description and the link-preview tags say.
struct Head<'a> {
    title: &'a str,
    description: &'a str,
    /// The page's address; `None` for the 404 page, which is not to be indexed.
    canonical: Option<&'a str>,
    site_name: &'a str,
}

/// Trunk's `index.html` made into one route's page: its head, its markup in place of the shell,
/// and the policy over the scripts it ends up with. The app, once running, takes the markup's
/// place with its own nodes (`app::take_over`).
fn page_html(index: &str, head: &Head, markup: &str) -> Result<String> {
    let html = with_head(index, head.title, head.description)?;
    let html = with_markup(&html, markup)?;
    let tags = head_tags(head);
    let at = html
        .find("</head>")
        .ok_or("built index.html has no </head>")?;
    let html = format!("{}{tags}{}", &html[..at], &html[at..]);
    csp::with_meta(&html)
}

fn head_tags(head: &Head) -> String {
    let title = escape_html(head.title);
    let description = escape_html(head.description);
    let mut tags = String::new();
    match head.canonical {
        Some(url) => {
            let url = escape_html(url);
            tags.push_str(&format!(
                "  <link rel=\"canonical\" href=\"{url}\">\n  <meta property=\"og:url\" content=\"{url}\">\n"
            ));
        }
        None => tags.push_str("  <meta name=\"robots\" content=\"noindex\">\n"),
    }
    tags.push_str(&format!(
        "  <meta property=\"og:type\" content=\"website\">\n\
         \x20 <meta property=\"og:site_name\" content=\"{}\">\n\
         \x20 <meta property=\"og:title\" content=\"{title}\">\n\
         \x20 <meta property=\"og:description\" content=\"{description}\">\n\
         \x20 <meta name=\"twitter:card\" content=\"summary\">\n\
         \x20 <meta name=\"twitter:title\" content=\"{title}\">\n\
         \x20 <meta name=\"twitter:description\" content=\"{description}\">\n",
        escape_html(head.site_name)
    ));
    tags
}

/// `html` with the static shell replaced by the route's own markup, in a wrapper that draws no
/// box (`.prerendered`).
fn with_markup(html: &str, markup: &str) -> Result<String> {
    let start = html
        .find(SHELL_OPEN)
        .ok_or("built index.html has no static shell to replace")?;
    let end = html[start..]
        .find(SHELL_CLOSE)
        .ok_or("built index.html does not close its static shell")?
        + start
        + SHELL_CLOSE.len();
    Ok(format!(
        "{}<div id=\"shell\" class=\"prerendered\">{markup}</div>{}",
        &html[..start],
        &html[end..]
    ))
}

/// The address `route` is served at without a redirect: a directory's, with its slash (static
/// hosts redirect `/work` to `/work/`).
fn served_url(base: &str, route: &str) -> String {
    match route.trim_start_matches('/') {
        "" => base.to_string(),
        relative => format!("{base}{}/", relative.trim_end_matches('/')),
    }
}

/// Every route, absolute, for crawlers.
fn sitemap(base: &str, routes: &[site_content::PageMeta]) -> String {
    let mut xml = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n",
    );
    for page in routes {
        let url = served_url(base, &page.path);
        xml.push_str(&format!("  <url><loc>{}</loc></url>\n", escape_html(&url)));
    }
    xml.push_str("</urlset>\n");
    xml
}

/// The site's own feed: its own posts and its case studies, never other people's posts.
/// Links are absolute, under `base` (the site's origin and public URL).
fn site_feed(site: &site_content::Site, base: &str) -> Result<String> {
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
        base,
    )
    .map_err(|e| e.to_string())
}

/// Each engine source file a lab links to, highlighted at build time on a static page of its own
/// (with both themes' colours inline), so the lab's WASM never carries it.
/// Returns the hashes of their inline scripts (the policy of `_headers` must allow them too).
fn write_sources(site: &site_content::Site, dist: &Path) -> Result<BTreeSet<String>> {
    let mut hashes = BTreeSet::new();
    let sources: Vec<_> = site
        .labs
        .iter()
        .flat_map(|lab| lab.sources.iter().map(move |source| (lab, source)))
        .collect();
    if sources.is_empty() {
        return Ok(hashes);
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
        let page = csp::with_meta(&page)?;
        hashes.extend(csp::inline_script_hashes(&page));
        write(&dir.join(format!("{}.html", source.slug)), &page)?;
    }
    Ok(hashes)
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
