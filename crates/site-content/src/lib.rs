//! The shape of the site's content (`content/`), and the rules it must satisfy.
//!
//! Shared by the site (which reads the embedded JSON in the browser), its build step (which
//! assembles and checks the content) and xtask (which prerenders every route). It depends on
//! nothing but `serde`, so the browser pays for nothing else.

#![forbid(unsafe_code)]

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
    pub snippet: Snippet,
    pub case_studies_page: CaseStudiesPage,
    pub case_studies: Vec<CaseStudy>,
    pub writing_page: WritingPage,
    /// Filled by the build from `content/writing/*.toml` (written by `cargo xtask import-feed`).
    #[serde(default)]
    pub posts: Vec<Post>,
    pub pages: Vec<PageMeta>,
    pub not_found: NotFound,
    /// The words of the order book lab (`/lab/orderbook`).
    #[serde(default)]
    pub orderbook_lab: Option<OrderbookLab>,
    /// Engine source files a lab links to, each written highlighted to `dist/source/<slug>.html`.
    #[serde(default)]
    pub sources: Vec<SourceFile>,
}

/// A source file shown highlighted on its own static page, built at build time.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SourceFile {
    pub slug: String,
    /// The route of the lab that runs this code.
    pub lab: String,
    pub label: String,
    /// Path from the repository root.
    pub file: String,
    pub lang: String,
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
    /// The body of `/work/<slug>`, rendered by the build from `content/work/<slug>.md`.
    #[serde(default)]
    pub body_html: String,
    /// A live lab of this project, linked from its card and page.
    #[serde(default)]
    pub lab: Option<ProjectLab>,
    /// Key numbers, read by the build from the benchmark records in `content/measurements/`.
    #[serde(default)]
    pub figures: Vec<Figure>,
}

/// A link from a project to the lab that runs it live.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProjectLab {
    /// The lab's route, e.g. `/lab/orderbook`.
    pub path: String,
    /// The link text, e.g. "Runs live: re-implemented in Rust/WASM".
    pub label: String,
}

/// The order book lab: prose that reads without interaction, and the preset scenarios.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OrderbookLab {
    pub label: String,
    pub heading: String,
    pub lede: String,
    pub prose: Vec<ProseSection>,
    pub presets: Vec<LabPreset>,
    /// Over the step-through panel: how stepping works.
    pub step_note: String,
    /// Over the flow controls: what the synthetic flow is.
    pub flow_note: String,
    /// Over the import/export panel.
    pub io_note: String,
    /// Over the links to the engine source the lab runs.
    pub source_heading: String,
    pub bench_heading: String,
    pub bench_lede: String,
    /// Why batches are timed rather than single operations.
    pub bench_timing_note: String,
    /// Over the embedded native figures.
    pub native_note: String,
}

/// A heading and its paragraphs.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProseSection {
    pub heading: String,
    pub paragraphs: Vec<String>,
}

/// A preset scenario in the replay text format: `setup` lines are applied at once, `steps` are
/// queued for the step-through.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LabPreset {
    pub slug: String,
    pub title: String,
    pub summary: String,
    pub setup: String,
    pub steps: String,
}

/// A measured number shown on the site, and where it came from. The content names the benchmark
/// and the field; the build fills in the value from the record `cargo xtask bench` wrote, so no
/// figure on the site is typed in by hand.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Figure {
    pub label: String,
    /// The engine whose record holds it: `content/measurements/<engine>.json`.
    pub engine: String,
    /// A word of the benchmark command that identifies the run, e.g. `book-bench`.
    pub run: String,
    /// A dotted path into that run's record, e.g. `result.ops_per_sec` (numbers index arrays).
    pub field: String,
    pub unit: String,
    /// The recorded number is divided by this before it is shown (e.g. 1000 for milli-ticks).
    #[serde(default)]
    pub divide_by: Option<f64>,
    /// Filled by the build.
    #[serde(default)]
    pub value: String,
    #[serde(default)]
    pub provenance: Option<Provenance>,
}

/// How a figure was measured.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Provenance {
    pub command: String,
    pub measured_at: String,
    pub cpu: String,
    pub logical_cores: u32,
    pub load_average: String,
}

/// The smart-contract snippet on the home page, highlighted at build time.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Snippet {
    pub label: String,
    pub heading: String,
    pub lede: String,
    /// Path of the source file, relative to the repository root.
    pub file: String,
    pub lang: String,
    #[serde(default)]
    pub html: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CaseStudiesPage {
    pub label: String,
    pub heading: String,
    pub lede: String,
    /// Over a study's own reported figures, and the note that says whose figures they are.
    pub claims_heading: String,
    pub claims_note: String,
    pub reproduce_heading: String,
    pub reproduce_lede: String,
    pub not_reproduced_heading: String,
    /// Over a project's measured figures.
    pub figures_heading: String,
    pub figures_lede: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WritingPage {
    pub label: String,
    pub heading: String,
    pub lede: String,
    /// Heading over posts written by someone other than the site's owner.
    pub recommended_heading: String,
    pub recommended_lede: String,
    /// On the page of a post by someone else: whose words the article is.
    pub credit_note: String,
    /// Over the latest posts on the home page.
    pub home_heading: String,
}

/// A case study: its claims are shown as the study's own, beside what the simulator reproduces.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CaseStudy {
    pub slug: String,
    pub number: String,
    pub title: String,
    pub summary: String,
    pub tags: Vec<String>,
    pub claims: Vec<Claim>,
    /// Rendered by the build from `content/case-studies/<slug>.md`.
    #[serde(default)]
    pub body_html: String,
    /// Inlined by the build from `content/case-studies/<slug>.svg`.
    #[serde(default)]
    pub diagram_svg: String,
    pub diagram_caption: String,
    /// What the Raft simulator reproduces of the study's claims, from its benchmark record.
    #[serde(default)]
    pub figures: Vec<Figure>,
    /// The claims the simulator cannot reproduce, and why.
    #[serde(default)]
    pub not_reproduced: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Claim {
    pub value: String,
    pub label: String,
}

/// A post in the writing list. Posts by someone other than the owner are shown as credited
/// recommended reading and are never part of the site's own feed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Post {
    pub slug: String,
    pub title: String,
    /// RFC 3339.
    pub date: String,
    pub author: String,
    pub by_owner: bool,
    pub tags: Vec<String>,
    /// The canonical address of the original.
    pub link: String,
    pub reading_minutes: u32,
    /// The feed's own opening words, as imported.
    pub excerpt: String,
    /// Our summary, written for this site; shown instead of the excerpt when present.
    #[serde(default)]
    pub summary: Option<String>,
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
    /// Every route the site answers: the fixed pages, then one per project, case study and post.
    pub fn routes(&self) -> Vec<PageMeta> {
        let name = &self.identity.name;
        let page = |path: String, title: &str, description: &str| PageMeta {
            path,
            title: format!("{title} — {name}"),
            description: description.to_string(),
            nav: None,
        };
        let mut routes = self.pages.clone();
        routes.extend(
            self.projects
                .iter()
                .map(|p| page(format!("/work/{}", p.slug), &p.title, &p.summary)),
        );
        routes.extend(
            self.case_studies
                .iter()
                .map(|c| page(format!("/case-studies/{}", c.slug), &c.title, &c.summary)),
        );
        routes.extend(self.posts.iter().map(|p| {
            let description = p.summary.as_deref().unwrap_or(&p.excerpt);
            page(format!("/writing/{}", p.slug), &p.title, description)
        }));
        routes
    }

    /// The metadata of a known route; `path` is compared without a trailing slash.
    pub fn page(&self, path: &str) -> Option<PageMeta> {
        let path = normalize_path(path);
        self.routes().into_iter().find(|p| p.path == path)
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
        let slugs = self.projects.iter().map(|p| &p.slug);
        let slugs = slugs.chain(self.case_studies.iter().map(|c| &c.slug));
        for slug in slugs.chain(self.posts.iter().map(|p| &p.slug)) {
            let url_safe = slug
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
            if slug.is_empty() || !url_safe {
                out.push(format!(
                    "slug {slug:?} must be lowercase letters, digits and dashes"
                ));
            }
        }
        let routes = self.routes();
        let mut paths: Vec<&str> = routes.iter().map(|p| p.path.as_str()).collect();
        paths.sort_unstable();
        if let Some(w) = paths.windows(2).find(|w| w[0] == w[1]) {
            out.push(format!("two pages share the path {:?}", w[0]));
        }
        for page in &routes {
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
