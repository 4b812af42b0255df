//! Interface parts shared by several pages.

pub mod chips;
pub mod code;
pub mod figures;
pub mod footer;
pub mod head;
pub mod header;
pub mod page_intro;
pub mod project_card;
pub mod theme_toggle;
