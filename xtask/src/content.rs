//! The site's content as xtask sees it: the same schema the site uses, read from the TOML source.

use crate::cmd::{root, Result};
use site_content::Site;

pub fn load() -> Result<Site> {
    let path = root().join("content/site.toml");
    let text = std::fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))?;
    toml::from_str(&text).map_err(|e| format!("{}: {e}", path.display()))
}

/// Escapes text for an HTML text node or a double-quoted attribute.
pub fn escape_html(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            _ => out.push(c),
        }
    }
    out
}

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
    fn escapes_markup() {
        assert_eq!(
            escape_html("a & <b> \"c\""),
            "a &amp; &lt;b&gt; &quot;c&quot;"
        );
    }
}
