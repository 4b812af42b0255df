//! The live rate limiter lab: `crates/ratelimit`'s five algorithms deciding the same requests side
//! by side in the page as WebAssembly, a sharded cluster the visitor can break, and, in a Web
//! Worker, the sliding-window accuracy experiment and a decision benchmark. Compiled into its own
//! module (the bin `lab-rate-limiter`, with its worker in `lab-rate-limiter-worker`), which the
//! site's `/lab/rate-limiter` page (the kit's `LabFrame`) loads on demand.
//!
//! The run lives in one `session::Session` outside the reactive graph: a configuration, the
//! visitor's own requests and shard actions, so the run is a function of its address and
//! replays exactly (by link, and through `limit-replay` from an exported trace). Everything but
//! `session`, `url_state` and `worker_msg` is the page's (feature `ui`); the worker is built
//! without it.

use crate::content::schema::{LabBundle, RateLimiterWords};

/// This lab's content, embedded in its own module only.
pub fn bundle() -> &'static LabBundle<RateLimiterWords> {
    crate::lab_bundle!("rate-limiter", RateLimiterWords)
}

pub mod session;
pub mod url_state;
pub mod worker_msg;

#[cfg(feature = "ui")]
mod ui;
#[cfg(feature = "ui")]
pub use ui::*;
