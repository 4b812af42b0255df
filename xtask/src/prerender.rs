//! Deep links on any static host: writes `dist/<route>/index.html` for every known route (each with
//! its own title and description) and `dist/404.html` for unknown paths. The app boots from any of
//! them and routes by the address bar.

use crate::{
    cmd::Result,
    content::{self, escape_html},
};
use std::{fs, path::Path};

pub fn run(dist: &Path) -> Result {
    let site = content::load()?;
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
        site.pages.len(),
        dist.display()
    );
    Ok(())
}

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
