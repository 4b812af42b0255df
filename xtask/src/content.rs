//! The site's content as xtask sees it: assembled by `content-build`, like the site's build step.

use crate::cmd::{root, Result};
use site_content::Site;

/// The whole content, assembled exactly as the site's build step does it.
pub fn load() -> Result<Site> {
    content_build::site::assemble(&root()).map_err(|e| e.to_string())
}

/// Where the syntax-highlighting CSS lives; Trunk links it like any other stylesheet.
const HIGHLIGHT_CSS: &str = "style/highlight.css";

/// `cargo xtask highlight-css`: writes the light and dark syntax colours from syntect's themes.
pub fn write_highlight_css() -> Result {
    let css = content_build::highlight::theme_css().map_err(|e| e.to_string())?;
    let path = root().join(HIGHLIGHT_CSS);
    std::fs::write(&path, css).map_err(|e| format!("{}: {e}", path.display()))
}

pub use content_build::escape_html;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_static_shell_says_what_the_content_says() {
        // index.html shows the name, description and home title before the WASM loads.
        let html = std::fs::read_to_string(root().join("index.html")).expect("index.html");
        let site = load().expect("content loads");
        let home = site.page("/").expect("home page");
        assert!(html.contains(&escape_html(&site.identity.name)));
        assert!(html.contains(&escape_html(&site.identity.description)));
        assert!(html.contains(&format!("<title>{}</title>", escape_html(&home.title))));
        assert!(html.contains(&format!(
            "<meta name=\"description\" content=\"{}\">",
            escape_html(&home.description)
        )));
    }

    #[test]
    fn highlight_css_is_up_to_date() {
        let want = content_build::highlight::theme_css().expect("theme css");
        let have = std::fs::read_to_string(root().join(HIGHLIGHT_CSS)).unwrap_or_default();
        assert!(
            have == want,
            "{HIGHLIGHT_CSS} is stale: run `cargo xtask highlight-css`"
        );
    }
}
