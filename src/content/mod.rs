//! The site's content, checked and embedded by `build.rs`, decoded once on first use.

pub use site_content as schema;

use schema::Site;
use std::sync::OnceLock;

/// The site's content. It was encoded from the same types by `build.rs` moments before this
/// crate was compiled, so it always decodes (a test checks it).
pub fn site() -> &'static Site {
    static SITE: OnceLock<Site> = OnceLock::new();
    SITE.get_or_init(|| {
        postcard::from_bytes(embedded()).expect("content embedded by build.rs decodes")
    })
}

fn embedded() -> &'static [u8] {
    include_bytes!(concat!(env!("OUT_DIR"), "/site.postcard"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn embedded_content_parses_and_has_no_problems() {
        let site: Site = postcard::from_bytes(embedded()).expect("decodes");
        assert!(site.problems().is_empty(), "{:?}", site.problems());
    }

    #[test]
    fn home_has_the_sections_the_design_asks_for() {
        let site = site();
        assert_eq!(site.threads.len(), 3);
        assert!(site.threads.iter().all(|t| t.points.len() == 4));
        assert_eq!(site.toolkit.len(), 4);
        assert_eq!(site.projects.len(), 4);
        assert_eq!(site.focus.len(), 4);
        assert_eq!(site.projects.iter().filter(|p| p.featured).count(), 1);
    }

    #[test]
    fn trailing_slashes_name_the_same_page() {
        let site = site();
        assert_eq!(site.page("/work/"), site.page("/work"));
        assert!(site.page("/").is_some());
        assert!(site.page("/nowhere").is_none());
    }
}
