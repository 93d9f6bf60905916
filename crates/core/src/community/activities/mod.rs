//! Community activities (社区活动, seed 001): the plan — aim, place, time, budget, capacity —
//! opened for sign-up (its owners hear of it through `notify`), signed up for from the portal up
//! to the capacity and then onto a waiting list whose first moves up when a seat comes free,
//! checked in at the door, photographed, and closed with a summary and its real cost. The record
//! is what the quality audit asks for: 有社区活动的方案、图片、总结.

pub mod model;
mod photos;
mod service;
mod signups;

pub use photos::*;
pub use service::*;
pub use signups::*;
