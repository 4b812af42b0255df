//! The lab kit: the parts every live lab stands on, so a lab is only its engine session and the
//! views of it. Each part is small and has one job:
//!
//! - [`layout`]: the lab page the site renders (prose that reads without interaction, the "view
//!   source" list, the live column) and, inside the live column, the status bar (status items,
//!   the player's controls and the share button) over the lab's panels;
//! - [`module`]: loading a lab's own WebAssembly module into its page (no `eval`), and mounting
//!   and unmounting the lab from inside that module;
//! - [`player`]: play / pause / single step / speed on `requestAnimationFrame`; one loop at a
//!   time, stopped when the page goes away;
//! - [`url`]: the lab's state in the address, within the bounds the lab declares, and the share
//!   button that copies it; [`query`]: reading an address's pairs and bounded numbers (also in
//!   a lab's worker);
//! - [`worker`]: a Trunk module worker with the ready handshake, JSON messages both ways, and
//!   cancel = terminate (also on unmount);
//! - [`file`]: download of a text file, and opening one within a size bound;
//! - [`format`]: numbers as the labs show them (`grouped`, medians with their spread);
//! - [`words`]: a lab's words as its views take them (its live part, the kit's, its own).
//!
//! *Invariant:* the kit knows no engine; words come from `content/` (`LabKitWords`).

// Everything but `format` and the worker's own side needs the UI (feature `ui`); a lab's worker
// is built without it, so it links no UI framework.
#[cfg(feature = "ui")]
pub mod file;
pub mod format;
#[cfg(feature = "ui")]
pub mod layout;
#[cfg(feature = "ui")]
pub mod module;
#[cfg(feature = "ui")]
pub mod player;
pub mod query;
#[cfg(feature = "ui")]
pub mod url;
#[cfg(feature = "ui")]
pub mod words;
pub mod worker;
