//! Every SQL text of the community module.

pub(crate) mod activities;
pub(crate) mod announcements;
pub(crate) mod board;
pub(crate) mod for_quality;
