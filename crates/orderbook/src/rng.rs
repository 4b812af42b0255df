//! The seeded random source of the flow generator: the engines' shared SplitMix64, re-exported so
//! `orderbook::rng::SplitMix64` stays the crate's public name for it.

pub use splitmix::SplitMix64;
