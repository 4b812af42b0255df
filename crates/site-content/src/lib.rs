//! The shape of the site's content (`content/`), and the rules it must satisfy.
//!
//! Shared by the site (which reads the embedded JSON in the browser), its build step (which
//! assembles and checks the content) and xtask (which prerenders every route). It depends on
//! nothing but `serde`, so the browser pays for nothing else.

#![forbid(unsafe_code)]

use serde::{Deserialize, Serialize};

/// A struct of words (every field a `String`), checked for unknown fields.
#[macro_export]
#[doc(hidden)]
macro_rules! words {
    ($(#[$m:meta])* $name:ident { $($(#[$fm:meta])* $field:ident),* $(,)? }) => {
        $(#[$m])*
        #[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
        #[serde(deny_unknown_fields)]
        pub struct $name {
            $($(#[$fm])* pub $field: String,)*
        }
    };
}

mod raft_words;
pub use raft_words::*;
mod ratelimit_words;
pub use ratelimit_words::*;
mod marketdata_words;
pub use marketdata_words::*;

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
    /// The lab index (`/lab`) and the frame of every lab page.
    pub lab_index: LabIndex,
    /// The live labs, one route `/lab/<slug>` each. A lab is listed only once it is built.
    #[serde(default)]
    pub labs: Vec<LabContent>,
}

/// A source file a lab runs, shown highlighted on its own static page
/// (`dist/source/<slug>.html`), built at build time.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SourceFile {
    pub slug: String,
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
    /// The labs where the thread's subject runs live.
    #[serde(default)]
    pub labs: Vec<ProjectLab>,
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

/// `/lab` (every lab, one line each) and the site's frame around a lab's live part.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LabIndex {
    pub label: String,
    pub heading: String,
    pub lede: String,
    /// Before the engine crate a lab runs ("Runs").
    pub runs_label: String,
    /// Shown in a lab page's live column until the lab's module has loaded.
    pub loading: String,
    pub load_failed: String,
}

/// Words of the lab kit's shared parts inside a lab's module (status strip, player, share
/// button, files, worker), from `content/labs/kit.toml`: every lab's bundle carries them and the
/// site's module does not. Templates name their values in braces, e.g. `{error}`; [`fill`] puts
/// them in.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LabKitWords {
    /// The accessible name of the status strip.
    pub status_label: String,
    pub play: String,
    pub pause: String,
    pub speed: String,
    /// Throughput while paused, and before the first measurement.
    pub paused: String,
    pub measuring: String,
    pub invariants: String,
    pub invariants_hold: String,
    pub share: String,
    pub share_link_label: String,
    pub share_placeholder: String,
    pub share_copied: String,
    /// `{error}`: why the address could not be replayed.
    pub link_error: String,
    /// `{limit}`: the most characters a lab's address may carry.
    pub link_too_long: String,
    pub file_open: String,
    pub file_download_failed: String,
    /// `{name}`, `{size}`, `{limit}`: a file over the lab's size bound.
    pub file_too_large: String,
    /// `{name}`: a file the browser could not read as text.
    pub file_unreadable: String,
    pub worker_failed: String,
    pub worker_cancelled: String,
    /// `{ratio}`, `{native}`: an in-browser figure against the native one of the same work.
    pub versus_native: String,
    /// Says what that ratio compares (two machines, unless the visitor's is the one measured).
    pub versus_native_note: String,
    /// Shown by every lab benchmark in a debug build.
    pub debug_build: String,
}

/// A live lab (`/lab/<slug>`): the page's words, its prose that reads without interaction
/// (`content/labs/<slug>.md`) and the source it runs. The words of its live part are its
/// [`LabLive`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LabContent {
    pub slug: String,
    /// The page title before " — <name>", e.g. "Order book lab".
    pub title: String,
    pub description: String,
    /// Its line on the lab index: what it lets a visitor do.
    pub summary: String,
    /// The engine crate it runs, e.g. `crates/orderbook`.
    pub runs: String,
    pub label: String,
    pub heading: String,
    pub lede: String,
    /// Over the links to the engine source the lab runs.
    pub source_heading: String,
    pub sources: Vec<SourceFile>,
    /// Filled by the build: the prose rendered from `content/labs/<slug>.md`, then the "view
    /// source" list (links relative to `<base href>`, so they hold under any public URL).
    #[serde(default)]
    pub prose_html: String,
}

/// The words of a lab's live part (`content/labs/<slug>.toml`): presets, the benchmark, and the
/// lab's own words. Only the lab's module carries them, so the site's module neither embeds nor
/// decodes them.
/// Read with `W = LabWords` (any lab's words); a lab's module embeds it typed by its own words,
/// so it links no other lab's decoder.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LabLive<W = LabWords> {
    #[serde(default)]
    pub presets: Vec<LabPreset>,
    #[serde(default)]
    pub bench: Option<LabBench>,
    pub words: W,
}

/// What one lab's own WebAssembly module embeds: its page's content, its live part and the
/// kit's words, not the whole site's (`W`: as for [`LabLive`]).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LabBundle<W = LabWords> {
    pub kit: LabKitWords,
    pub lab: LabContent,
    pub live: LabLive<W>,
}

impl LabBundle {
    /// The same bundle with `words` (this lab's own) in place of the enum of every lab's.
    pub fn with_words<W: Clone>(&self, words: &W) -> LabBundle<W> {
        LabBundle {
            kit: self.kit.clone(),
            lab: self.lab.clone(),
            live: LabLive {
                presets: self.live.presets.clone(),
                bench: self.live.bench.clone(),
                words: words.clone(),
            },
        }
    }
}

/// An in-browser benchmark beside the native figures of the same work.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LabBench {
    pub heading: String,
    pub lede: String,
    /// Why batches are timed rather than single operations.
    pub timing_note: String,
    pub browser_heading: String,
    pub native_heading: String,
    /// Over the native figures.
    pub native_note: String,
    /// The native figures, filled by the build from `content/measurements/`.
    #[serde(default)]
    pub native: Vec<Figure>,
}

/// The words of one lab's own live part, by lab.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LabWords {
    Orderbook(Box<OrderbookWords>),
    Raft(Box<RaftWords>),
    RateLimiter(Box<RateLimiterWords>),
    MarketData(Box<MarketDataWords>),
}

impl LabWords {
    /// The slug of the lab these words belong to (the build checks it matches the lab's).
    pub fn slug(&self) -> &'static str {
        match self {
            LabWords::Orderbook(_) => "orderbook",
            LabWords::Raft(_) => "raft",
            LabWords::RateLimiter(_) => "rate-limiter",
            LabWords::MarketData(_) => "market-data",
        }
    }
}

/// The order book lab's own words.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OrderbookWords {
    /// The player's single-step button: apply one flow command.
    pub step_one: String,
    pub status: OrderbookStatusWords,
    pub book: OrderbookBookWords,
    pub tape: OrderbookTapeWords,
    pub mine: OrderbookMineWords,
    pub flow: OrderbookFlowWords,
    pub form: OrderbookFormWords,
    pub io: OrderbookIoWords,
    pub step: OrderbookStepWords,
    pub explain: OrderbookExplainWords,
    pub bench: OrderbookBenchWords,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OrderbookStatusWords {
    pub seed: String,
    pub time: String,
    pub events: String,
    pub live: String,
    pub throughput: String,
    /// `{rate}`: measured flow commands per second.
    pub rate: String,
}

/// The book panel: ladder, depth chart and the L3 queue of a level.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OrderbookBookWords {
    pub heading: String,
    /// `{depth}`: levels per side.
    pub ladder_caption: String,
    pub price: String,
    pub size: String,
    pub total: String,
    pub orders: String,
    pub bid: String,
    pub ask: String,
    pub buy: String,
    pub sell: String,
    pub no_bids: String,
    pub no_asks: String,
    /// `{spread}`, `{mid}`.
    pub spread: String,
    pub one_side_empty: String,
    /// `{side}` (bid or ask), `{price}`: the title of a ladder level's button.
    pub pick_level: String,
    pub depth_caption: String,
    pub depth_bids: String,
    pub depth_asks: String,
    /// `{levels}`, `{lo}`, `{hi}`, `{bids}`, `{asks}`: the chart's text alternative.
    pub depth_label: String,
    pub depth_empty: String,
    pub queue_heading: String,
    pub queue_pick: String,
    /// `{side}`, `{price}`, `{n}`.
    pub queue_head: String,
    pub queue_empty: String,
    /// `{more}`, `{shown}`.
    pub queue_more: String,
    /// `{owner}`.
    pub queue_owner: String,
}

/// The trade tape and the event log.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OrderbookTapeWords {
    pub heading: String,
    /// `{n}`: trades kept.
    pub caption: String,
    pub region: String,
    pub time: String,
    pub aggressor: String,
    pub price: String,
    pub qty: String,
    pub buy: String,
    pub sell: String,
    pub no_trades: String,
    pub log_heading: String,
    /// `{n}`: events kept.
    pub log_note: String,
    pub log_region: String,
}

/// "My orders" and its modify editor.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OrderbookMineWords {
    pub heading: String,
    /// `{max}`: orders tracked.
    pub note: String,
    pub region: String,
    pub id: String,
    pub side: String,
    pub price: String,
    pub qty: String,
    pub actions: String,
    pub buy: String,
    pub sell: String,
    pub empty: String,
    pub modify: String,
    pub cancel: String,
    /// `{id}`: the accessible names of the row's buttons.
    pub modify_label: String,
    pub cancel_label: String,
    /// `{id}`.
    pub modify_note: String,
    pub new_price: String,
    pub new_qty: String,
    pub apply: String,
    pub close: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OrderbookFlowWords {
    pub heading: String,
    /// What the synthetic flow is.
    pub note: String,
    /// `{rate}`: one option of the speed control.
    pub rate_option: String,
    pub seed_label: String,
    pub seed_restart: String,
    pub seed_empty: String,
    /// `{max}`: the largest seed.
    pub seed_invalid: String,
    /// `{max}`: the most explicit commands a link carries.
    pub link_too_many: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OrderbookFormWords {
    pub heading: String,
    pub side: String,
    pub buy: String,
    pub sell: String,
    pub kind: String,
    pub kind_limit: String,
    pub kind_market: String,
    pub kind_ioc: String,
    pub kind_fok: String,
    pub kind_post: String,
    pub price: String,
    pub qty: String,
    pub owner: String,
    pub owner_hint: String,
    pub queue: String,
    pub submit: String,
    /// The names of the numbers in the messages below (`{what}`).
    pub price_name: String,
    pub qty_name: String,
    pub owner_name: String,
    /// Field messages; `{what}` is the field's name, `{max}` the largest number.
    pub enter: String,
    pub negative: String,
    pub fraction: String,
    pub digits: String,
    pub at_least_one: String,
    pub at_most: String,
    pub fix_fields: String,
    /// `{max}`: the step queue's bound.
    pub queue_full: String,
    /// `{id}`.
    pub queued: String,
    /// `{id}`, `{events}`: what the engine answered.
    pub sent: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OrderbookIoWords {
    pub heading: String,
    pub note: String,
    pub text_label: String,
    pub export: String,
    pub download: String,
    pub import: String,
    /// `{lines}` commands in the export, `{partial}` (`partial` or nothing).
    pub exported: String,
    pub exported_long: String,
    pub partial: String,
    /// `{max}`: the most lines an import may have.
    pub import_too_long: String,
    /// `{n}`.
    pub imported: String,
    /// `{error}`.
    pub import_failed: String,
    /// `{name}`, `{lines}`: a file was read into the text box.
    pub file_loaded: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OrderbookStepWords {
    pub heading: String,
    /// How stepping works.
    pub note: String,
    pub step: String,
    pub run_rest: String,
    pub queued_heading: String,
    pub nothing_queued: String,
    /// `{shown}`, `{total}`, `{state}`: where the step-through stands.
    pub progress: String,
    pub applied: String,
    pub not_applied: String,
}

/// Why the engine produced an event, for the step-through. Values: `{id}`, `{qty}`, `{price}`,
/// and those each template names.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OrderbookExplainWords {
    pub accept: String,
    pub reject_invalid: String,
    pub reject_duplicate: String,
    pub reject_unknown: String,
    /// `{available}`: what the opposite side offers at the price or better.
    pub reject_fok: String,
    /// `{best}`: `reject_post_best` filled with the opposite best price, or nothing.
    pub reject_post: String,
    pub reject_post_best: String,
    /// A trade whose maker is not in the book before (`{taker}`, `{maker}`).
    pub trade_plain: String,
    /// `{taker}`, `{side}` (`buy`/`sell`), `{maker}`, `{price_part}`, `{time_part}`.
    pub trade: String,
    pub buy: String,
    pub sell: String,
    pub lowest_ask: String,
    pub highest_bid: String,
    /// `{best}`: the lowest ask or highest bid.
    pub price_best: String,
    /// `{best}`, `{levels}`: the better levels taken first.
    pub price_after: String,
    /// `{maker}`, `{others}`: orders behind it.
    pub time_first: String,
    /// `{maker}`, `{position}` (1st, 2nd, …), `{ahead}`.
    pub time_later: String,
    pub cancelled: String,
    pub self_trade: String,
    pub market_rest: String,
    pub ioc_rest: String,
    pub left_unfilled: String,
    pub modify_keep: String,
    /// `{old_qty}`, `{old_price}`.
    pub modify_move: String,
    pub modify_plain: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OrderbookBenchWords {
    pub workload: String,
    /// `{ops}`: one option of the workload control.
    pub ops_option: String,
    pub run: String,
    pub cancel: String,
    pub starting: String,
    pub progress_label: String,
    /// `{done}`, `{ops}`.
    pub progress: String,
    pub throughput: String,
    /// `{batch}`.
    pub batch: String,
    /// `{median}`, `{min}`, `{max}`, `{ns}`.
    pub batch_value: String,
    pub checksum: String,
    pub workload_label: String,
    /// `{seed}`, `{ops}`.
    pub workload_value: String,
    /// `{command}`: the native command that prints the same checksum.
    pub native_command: String,
    /// `{rate}`: ops/s at the median batch's pace; `{versus}`: the kit's `versus_native`.
    pub steady: String,
    /// `{error}`.
    pub failed: String,
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

/// A measured figure shown on the site, and where it came from: the one typed path from the
/// benchmark records in `content/measurements/` to a page. The content names the benchmark and
/// the field; the build fills in the value from the record `cargo xtask bench` wrote, so no figure
/// on the site is typed in by hand and the browser parses no measurement JSON.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Figure {
    pub label: String,
    /// The engine whose record holds it: `content/measurements/<engine>.json`.
    pub engine: String,
    /// A word of the benchmark command that identifies the run, e.g. `book-bench`.
    pub run: String,
    /// A dotted path into that run's record, e.g. `result.ops_per_sec` (numbers index arrays).
    /// It names a number, or a text such as a checksum (shown as recorded).
    pub field: String,
    #[serde(default)]
    pub unit: String,
    /// The recorded number is divided by this before it is shown (e.g. 1000 for milli-ticks).
    #[serde(default)]
    pub divide_by: Option<f64>,
    /// Names the figure a lab compares its in-browser result with (empty for the others).
    #[serde(default)]
    pub key: String,
    /// Filled by the build.
    #[serde(default)]
    pub value: String,
    /// The number shown, for a lab to compute with; filled by the build (none for a text).
    #[serde(default)]
    pub number: Option<f64>,
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
    /// The lab where the study's design runs live, if there is one.
    #[serde(default)]
    pub lab: Option<ProjectLab>,
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
    /// A lab of this site that runs what the post describes, linked from its page.
    #[serde(default)]
    pub lab: Option<ProjectLab>,
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
        routes.extend(
            self.labs
                .iter()
                .map(|l| page(l.path(), &l.title, &l.description)),
        );
        routes
    }

    /// The lab at `/lab/<slug>`.
    pub fn lab(&self, slug: &str) -> Option<&LabContent> {
        self.labs.iter().find(|l| l.slug == slug)
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
        for post in &self.posts {
            if let Some(why) = link_problem(&post.link) {
                out.push(format!("posts.{}: link {:?} {why}", post.slug, post.link));
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
        let slugs = slugs.chain(self.labs.iter().map(|l| &l.slug));
        let sources = self
            .labs
            .iter()
            .flat_map(|l| l.sources.iter().map(|s| &s.slug));
        let slugs = slugs.chain(sources);
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
        for lab in &self.labs {
            if lab.sources.is_empty() {
                out.push(format!("labs.{}: a lab links the source it runs", lab.slug));
            }
        }
        out
    }
}

/// Why `link` is not an absolute `http(s)` address the site can put in an `href` as it is, if it
/// is not: the feed importer checks this too, but content can be edited by hand after import.
fn link_problem(link: &str) -> Option<&'static str> {
    let Some(rest) = ["https://", "http://"]
        .iter()
        .find_map(|scheme| link.strip_prefix(scheme))
    else {
        return Some("must start with https:// or http://");
    };
    let host = rest.split(['/', '?', '#']).next().unwrap_or("");
    if host.is_empty() || host.starts_with(':') || host.contains('@') {
        return Some("must name a host (and no user info)");
    }
    if link
        .chars()
        .any(|c| c.is_whitespace() || c.is_control() || matches!(c, '"' | '\'' | '<' | '>' | '`'))
    {
        return Some("must not contain spaces, quotes, angle brackets or control characters");
    }
    None
}

impl LabContent {
    /// The lab's route.
    pub fn path(&self) -> String {
        format!("/lab/{}", self.slug)
    }
}

/// `template` with each `{name}` replaced by its value. A name without a value stays as it is,
/// so a mistake shows on the page instead of vanishing (and the tests look for leftover braces).
pub fn fill(template: &str, values: &[(&str, &str)]) -> String {
    let mut out = template.to_string();
    for (name, value) in values {
        out = out.replace(&format!("{{{name}}}"), value);
    }
    out
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
