//! Staff KPIs (绩效, issue 16 point 6): a month's figures per person and per request team —
//! hotline calls answered, requests registered, work orders resolved and their resolution, on-time
//! (per clock), first-time-fix and complaint rates, satisfaction, patrol rounds walked, maintenance
//! done on time — read from the requests, patrols and maintenance the system already holds; each
//! person scored by his role's card (考评表) drawn from the indicator library (考核关键指标库),
//! the company's own or the built-in one; as JSON, a console page and .xlsx.

pub mod error;
pub mod model;
mod service;
mod store;

pub use error::KpiCode;
pub use model::*;
pub use service::*;
