//! The live Raft lab: the `raft` crate's simulator running in the page as WebAssembly — the
//! cluster as a ring, messages in flight, the inspector, faults, a KV client with its history
//! and linearizability verdict, the space-time diagram, the chaos sweep and replay by link.
//! Compiled into its own module (the bin `lab-raft`, with its worker in `lab-raft-worker`), which
//! the site's `/lab/raft` page (the kit's `LabFrame`) loads on demand.
//!
//! The run lives in one `session::Session` outside the reactive graph: a configuration and a
//! fault schedule that every visitor action is recorded in, so the run replays exactly (after a
//! seek, in the worker for the digest, by link, natively with `raft-sim`). Every change ends
//! with `Ctx::refresh`, which fills one `session::Frame` for the views. Everything but
//! `session`, `url_state` and `worker_msg` is the page's (feature `ui`); the worker is built
//! without it.

use crate::content::schema::{LabBundle, RaftWords};

/// This lab's content, embedded in its own module only.
pub fn bundle() -> &'static LabBundle<RaftWords> {
    crate::lab_bundle!("raft", RaftWords)
}

pub mod scenarios;
pub mod session;
pub mod url_state;
pub mod worker_msg;

#[cfg(feature = "ui")]
mod ui;
#[cfg(feature = "ui")]
pub use ui::*;
