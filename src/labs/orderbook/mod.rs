//! The live order book lab: the `orderbook` engine running in the page as WebAssembly — the
//! ladder, depth chart, tape, event log, order form, step-through, seeded flow, import/export and
//! the in-browser benchmark. Compiled into its own module (the bin `lab-orderbook`, with the
//! benchmark's worker in `lab-orderbook-worker`), which the site's `/lab/orderbook` page (the kit's
//! `LabFrame`, which also renders the prose) loads on demand, so no other page pays for it.
//!
//! State lives in one `core::Lab` held outside the reactive graph; every change ends with
//! `Ctx::refresh`, which takes one `core::Snapshot` for the views (at most once per animation
//! frame while flow runs). Everything but `bench_msg` is the page's (feature `ui`); the worker
//! is built without it.

#[cfg(feature = "ui")]
pub mod bench;
pub mod bench_msg;
#[cfg(feature = "ui")]
pub mod core;
#[cfg(feature = "ui")]
pub mod depth;
#[cfg(feature = "ui")]
pub mod flow;
#[cfg(feature = "ui")]
pub mod form;
#[cfg(feature = "ui")]
pub mod io;
#[cfg(feature = "ui")]
pub mod ladder;
#[cfg(feature = "ui")]
mod live;
#[cfg(feature = "ui")]
pub mod orders;
#[cfg(feature = "ui")]
pub mod presets;
#[cfg(feature = "ui")]
pub mod status;
#[cfg(feature = "ui")]
pub mod step;
#[cfg(feature = "ui")]
pub mod step_view;
#[cfg(feature = "ui")]
pub mod tape;
#[cfg(feature = "ui")]
pub mod url_state;
#[cfg(feature = "ui")]
pub use live::*;
