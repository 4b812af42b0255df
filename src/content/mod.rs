//! The site's content, checked and embedded by `build.rs`, decoded once on first use: the whole
//! site for the `site` module, and one lab's bundle for that lab's module.

pub use site_content as schema;

use schema::Site;
use std::sync::OnceLock;

/// The site's content. It was encoded from the same types by `build.rs` moments before this
/// crate was compiled, so it always decodes (a test checks it).
pub fn site() -> &'static Site {
    static SITE: OnceLock<Site> = OnceLock::new();
    SITE.get_or_init(|| decode(embedded()))
}

fn embedded() -> &'static [u8] {
    include_bytes!(concat!(env!("OUT_DIR"), "/site.postcard"))
}

/// Decodes content that `build.rs` encoded from the same types (a lab's bundle, the site).
pub fn decode<T: serde::de::DeserializeOwned>(bytes: &[u8]) -> T {
    postcard::from_bytes(bytes).expect("content embedded by build.rs decodes")
}

/// The bundle of the lab `$slug` (`lab-<slug>.postcard`, written by `build.rs`), decoded once.
/// Only the lab's own module refers to it, so no other module embeds it.
#[macro_export]
macro_rules! lab_bundle {
    ($slug:literal, $words:ty) => {{
        static BUNDLE: ::std::sync::OnceLock<$crate::content::schema::LabBundle<$words>> =
            ::std::sync::OnceLock::new();
        BUNDLE.get_or_init(|| {
            $crate::content::decode(include_bytes!(concat!(
                env!("OUT_DIR"),
                "/lab-",
                $slug,
                ".postcard"
            )))
        })
    }};
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

    /// Every lab in the content has its own module in index.html (a Trunk bin `lab-<slug>`) and
    /// a bundle that decodes to the same words the site holds.
    #[test]
    fn every_lab_has_its_own_module_and_bundle() {
        let index = include_str!("../../index.html");
        for lab in &site().labs {
            let bin = format!("data-bin=\"lab-{}\"", lab.slug);
            assert!(index.contains(&bin), "index.html has no {bin}");
        }
        let orderbook = crate::lab_bundle!("orderbook", crate::content::schema::OrderbookWords);
        assert_eq!(Some(&orderbook.lab), site().lab("orderbook"));
    }
}
