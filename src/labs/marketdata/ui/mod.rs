//! The lab's views (feature `ui`).

mod bench;
mod books;
mod live;
mod setup;
mod wire;

pub use live::{mount, LabLive};
