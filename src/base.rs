//! The path the site is served under (`/` or a sub-path such as `/portfolio/`), read from the
//! `<base>` element Trunk writes, so one build works at any public URL.

use std::sync::OnceLock;

/// The base path without its trailing slash: `""` at the root, `"/portfolio"` under a sub-path.
#[cfg(target_arch = "wasm32")]
pub fn base_path() -> &'static str {
    static BASE: OnceLock<String> = OnceLock::new();
    BASE.get_or_init(|| {
        let href = gloo_utils::document()
            .query_selector("base")
            .ok()
            .flatten()
            .and_then(|base| base.get_attribute("href"))
            .unwrap_or_default();
        from_base_href(&href)
    })
}

/// Natively (pre-rendering), the base path [`set_native_base`] gave, else the root.
#[cfg(not(target_arch = "wasm32"))]
pub fn base_path() -> &'static str {
    NATIVE_BASE.get().map_or("", String::as_str)
}

#[cfg(not(target_arch = "wasm32"))]
static NATIVE_BASE: OnceLock<String> = OnceLock::new();

/// Sets, once per process, the public URL the pre-rendered pages are built for (`/`, `/sub/`).
#[cfg(not(target_arch = "wasm32"))]
pub fn set_native_base(public_url: &str) -> Result<(), String> {
    let base = from_base_href(public_url);
    match NATIVE_BASE.get_or_init(|| base.clone()) {
        set if *set == base => Ok(()),
        set => Err(format!("base path already set to {set:?}, not {base:?}")),
    }
}

/// An absolute link to a route of the site, with the base path in front.
pub fn href(route: &str) -> String {
    join(base_path(), route)
}

fn from_base_href(href: &str) -> String {
    // Only a path is meaningful here; a full URL would name another origin's base.
    let path = href
        .split_once("://")
        .map_or(href, |(_, rest)| rest.find('/').map_or("/", |i| &rest[i..]));
    path.trim_end_matches('/').to_string()
}

fn join(base: &str, route: &str) -> String {
    if route == "/" {
        format!("{base}/")
    } else {
        format!("{base}{route}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn root_base_is_empty() {
        assert_eq!(from_base_href("/"), "");
        assert_eq!(from_base_href(""), "");
    }

    #[test]
    fn sub_path_loses_its_trailing_slash() {
        assert_eq!(from_base_href("/portfolio/"), "/portfolio");
        assert_eq!(from_base_href("https://example.org/a/b/"), "/a/b");
    }

    #[test]
    fn links_carry_the_base() {
        assert_eq!(join("", "/"), "/");
        assert_eq!(join("", "/work"), "/work");
        assert_eq!(join("/sub", "/"), "/sub/");
        assert_eq!(join("/sub", "/work"), "/sub/work");
    }
}
