//! The live labs: each one runs an engine crate in the page and explains it, on the shared
//! [`kit`]. A lab is compiled into its own WebAssembly module (the Trunk bin `lab-<slug>`), which
//! the site's `/lab/<slug>` page loads on demand.

pub mod kit;
pub mod marketdata;
pub mod orderbook;
pub mod raft;
pub mod ratelimit;
