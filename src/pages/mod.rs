//! One module per page of the site.

pub mod home;
pub mod not_found;
pub mod work;
