//! One module per page of the site.

pub mod case_studies;
pub mod home;
pub mod lab;
pub mod not_found;
pub mod project;
pub mod work;
pub mod writing;
