//! The live labs: each one runs an engine crate in the page and explains it.

pub mod orderbook;
