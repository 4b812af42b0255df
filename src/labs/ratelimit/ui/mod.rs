//! The lab's views (feature `ui`).

mod algos;
mod cluster;
mod live;
mod measure;

pub use live::{mount, LabLive};
