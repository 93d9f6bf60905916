//! Patrols (巡检, SPEC §5, issue 14 points 1–3). A manager places checkpoints (机房, 楼层, 消防通道,
//! 绿化区…), each with a printable QR label and check items, strings them into routes, and plans
//! when each route is walked and by whom; a job generates the tasks ahead on every node, each
//! once. Guards, cleaners and technicians walk their tasks on a phone that works without signal
//! (the patrol web app in the web crate's static files): scans and results are kept on the
//! phone and synced when the connection returns, each once by the phone's own id. The server
//! judges the evidence — the label's secret, the phone's clock against its own, the distance
//! from the checkpoint, the window and the order — and flags, never refuses, what a guard did
//! in the field. A finding becomes a common-area repair request in one step; a round not
//! finished in time tells its supervisor through notifications.

pub mod error;
pub mod model;
mod service;
pub(crate) mod store;

pub use service::findings::*;
pub use service::labels::*;
pub use service::plans::*;
pub use service::report::*;
pub use service::setup::*;
pub use service::sync::*;
pub use service::tasks::*;
