//! The live market-data lab: `crates/marketdata`'s venue, faulty network and ingestion client
//! running in the page as WebAssembly, tick by tick, with the visitor's faults and actions, the
//! client's state machine, both books and the event log rebuilt at any offset; and, in a Web
//! Worker, the parse + apply + checksum benchmark beside `md-bench`'s native figure. Compiled
//! into its own module (the bin `lab-market-data`, with its worker in
//! `lab-market-data-worker`), which the site's `/lab/market-data` page (the kit's `LabFrame`)
//! loads on demand.
//!
//! The run lives in one `session::Run` outside the reactive graph: a seed, the faults it starts
//! with and the visitor's actions with their ticks, so a run is a function of its address and
//! replays exactly. Everything but `session`, `url_state` and `worker_msg` is the page's
//! (feature `ui`); the worker is built without it.

use crate::content::schema::{LabBundle, MarketDataWords};

/// This lab's content, embedded in its own module only.
pub fn bundle() -> &'static LabBundle<MarketDataWords> {
    crate::lab_bundle!("market-data", MarketDataWords)
}

pub mod session;
pub mod url_state;
pub mod worker_msg;

#[cfg(feature = "ui")]
mod ui;
#[cfg(feature = "ui")]
pub use ui::*;
