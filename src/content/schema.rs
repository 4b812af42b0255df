//! The shape of the site's content (`content/site.toml`).
//!
//! This file is shared by two compilers: `build.rs` includes it to check the TOML and turn it into
//! JSON, and the app includes it to read that JSON back. It must therefore depend on nothing but
//! `serde`.

use serde::{Deserialize, Serialize};

/// Everything the site says, loaded once at start-up.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Site {
    pub identity: Identity,
    pub intro: Intro,
    pub sections: Sections,
    pub work_page: WorkPage,
    pub threads: Vec<Thread>,
    pub toolkit: Vec<ToolGroup>,
    pub projects: Vec<Project>,
    pub focus: Vec<FocusArea>,
    pub pages: Vec<PageMeta>,
    pub not_found: NotFound,
}

/// Whose site this is.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Identity {
    pub initials: String,
    pub name: String,
    pub tagline: String,
    /// One sentence: the static loading shell and the home page's meta description.
    pub description: String,
    /// Optional profile links; the header shows them only when there are some.
    #[serde(default)]
    pub links: Vec<ProfileLink>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProfileLink {
    pub label: String,
    pub url: String,
}

/// The opening "Thread 03" block of the home page.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Intro {
    pub label: String,
    pub title: String,
    pub lede: String,
    pub tags: Vec<String>,
    pub facts: Vec<Fact>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Fact {
    pub label: String,
    pub value: String,
}

/// Headings of the home page's sections.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Sections {
    pub threads: String,
    pub toolkit: String,
    pub work: String,
    pub focus: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WorkPage {
    pub label: String,
    pub heading: String,
    pub lede: String,
}

/// One of the three threads of work, with its points.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Thread {
    pub title: String,
    pub summary: String,
    pub points: Vec<String>,
}

/// A named group of toolkit chips.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ToolGroup {
    pub name: String,
    pub items: Vec<String>,
}

/// A selected-work project card.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Project {
    pub number: String,
    pub slug: String,
    pub title: String,
    pub featured: bool,
    pub summary: String,
    pub tags: Vec<String>,
    /// What the project was originally built with, stated plainly.
    pub stack: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FocusArea {
    pub title: String,
    pub line: String,
}

/// A route the site answers, with the title and description its prerendered file carries.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PageMeta {
    pub path: String,
    pub title: String,
    pub description: String,
    /// The page's label in the main navigation; pages without one are not in the navigation.
    #[serde(default)]
    pub nav: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NotFound {
    pub title: String,
    pub description: String,
    pub heading: String,
    pub body: String,
}

impl Site {
    /// The metadata of a known route; `path` is compared without a trailing slash.
    pub fn page(&self, path: &str) -> Option<&PageMeta> {
        let path = normalize_path(path);
        self.pages.iter().find(|p| p.path == path)
    }

    /// Every rule the content must satisfy beyond its shape. Returns one message per problem so
    /// the build can report them all at once.
    pub fn problems(&self) -> Vec<String> {
        let mut out = Vec::new();
        let mut blank = |what: &str, s: &str| {
            if s.trim().is_empty() {
                out.push(format!("{what} is empty"));
            }
        };
        blank("identity.name", &self.identity.name);
        blank("identity.initials", &self.identity.initials);
        blank("identity.description", &self.identity.description);
        blank("intro.title", &self.intro.title);
        for t in &self.threads {
            blank("threads.title", &t.title);
            t.points.iter().for_each(|p| blank("threads.points", p));
        }
        for p in &self.projects {
            blank("projects.title", &p.title);
            blank("projects.stack", &p.stack);
        }
        for link in &self.identity.links {
            let ok = ["https://", "mailto:"]
                .iter()
                .any(|s| link.url.starts_with(s));
            if !ok {
                out.push(format!(
                    "identity.links: {:?} must start with https:// or mailto:",
                    link.url
                ));
            }
        }
        let featured = self.projects.iter().filter(|p| p.featured).count();
        if featured > 1 {
            out.push(format!(
                "projects: {featured} are featured; at most one may be"
            ));
        }
        let mut slugs: Vec<&str> = self.projects.iter().map(|p| p.slug.as_str()).collect();
        slugs.sort_unstable();
        if slugs.windows(2).any(|w| w[0] == w[1]) {
            out.push("projects: two projects share a slug".to_string());
        }
        for page in &self.pages {
            if !page.path.starts_with('/') || (page.path.len() > 1 && page.path.ends_with('/')) {
                out.push(format!(
                    "pages: path {:?} must start with / and not end with /",
                    page.path
                ));
            }
        }
        if self.page("/").is_none() {
            out.push("pages: the home page \"/\" is missing".to_string());
        }
        out
    }
}

/// `/work/` and `/work` name the same page; the root stays `/`.
pub fn normalize_path(path: &str) -> &str {
    let trimmed = path.trim_end_matches('/');
    if trimmed.is_empty() {
        "/"
    } else {
        trimmed
    }
}
