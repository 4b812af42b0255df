//! A lab's words as its views take them: its live part, the kit's words and its own, all from
//! the bundle its module embeds.

use crate::content::schema::{LabBundle, LabKitWords, LabLive};

pub struct Words<W: 'static> {
    pub live: &'static LabLive<W>,
    pub kit: &'static LabKitWords,
    pub own: &'static W,
}

// By hand: a derive would ask `W: Copy`, but only references are copied.
impl<W> Clone for Words<W> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<W> Copy for Words<W> {}

impl<W> Words<W> {
    pub fn of(bundle: &'static LabBundle<W>) -> Self {
        Words {
            live: &bundle.live,
            kit: &bundle.kit,
            own: &bundle.live.words,
        }
    }
}
