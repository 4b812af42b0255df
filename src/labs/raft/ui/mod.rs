//! The lab's views, on the kit. `live` holds the shared handles and mounts the rest.

mod chaos;
mod diagram;
mod help;
mod inspector;
mod io;
mod kv;
mod live;
mod network;
mod presets;
mod ring;
mod status;

pub use live::*;
