//! The community's side of the service centre (社区, SPEC §7): notices to owners (公告) and the
//! public board each community keeps (三公开公示栏). Notices reach owners in the portal and,
//! through `notify`, on their phones; an emergency (停水停电) goes out at once, quiet hours or not.

pub mod activities;
pub mod announcements;
pub mod board;
pub mod error;
pub(crate) mod store;
