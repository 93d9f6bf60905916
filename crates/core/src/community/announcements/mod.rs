//! Notices (公告): a draft is written for the company, a community or some of its buildings,
//! published at once or at a set time, shown to owners in the portal until it expires, and
//! withdrawn when wrong. Publishing tells the notice's readers through `notify` in the same
//! transaction; a scheduled notice is told by the [scheduler](spawn_scheduler) when its time
//! comes, claimed row by row so that two nodes never tell it twice. Each copy counts who read it,
//! so staff see the share of readers per building.

mod files;
pub mod model;
mod owner;
mod service;

pub use files::*;
pub use owner::*;
pub use service::*;
