//! Service requests and work orders (报事报修 · 投诉 · 工单): registering a request at the desk, on
//! the hotline or in the owner portal; dispatching it by hand, in turn or through a pool;
//! the technician's accept / on site / done; hold, transfer, escalation; the promise to the
//! customer (首问责任制); the SLA clocks of SPEC §3 over the company calendar, and the background
//! scanner that warns before a clock breaks and escalates once when it does; the return visit
//! that closes the loop or reopens the request; the timeline of every request.
//!
//! `model` holds the pure rules (the state machine and its permission matrix, the clocks),
//! `store` every SQL text; the other files are the use cases, re-exported here flat.

pub mod actions;
pub mod calls;
pub mod create;
pub mod error;
pub mod export;
pub mod model;
pub mod photos;
pub mod service;
pub mod services;
pub mod settings;
pub mod sla;
pub mod stats;
pub mod store;
pub mod teams;

pub use actions::*;
pub use calls::*;
pub use create::{check_request, create_request, create_request_for};
pub use model::*;
pub use photos::*;
pub use service::*;
pub use services::*;
pub use settings::*;
pub use sla::*;
pub use stats::*;
pub use store::ensure_categories;
pub use teams::*;
