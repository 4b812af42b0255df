//! The seeded random source of traffic and simulations: the engines' shared SplitMix64,
//! re-exported so `ratelimit::rng::SplitMix64` stays the crate's public name for it.

pub use splitmix::SplitMix64;
