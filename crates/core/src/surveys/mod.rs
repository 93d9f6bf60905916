//! Satisfaction surveys and the opinion library (满意度调查 / 意见征集库, SPEC §7, issue 13
//! points 4 and 5). A manager builds a questionnaire for one community (single and multiple
//! choice, scores 1–5, text; each required or not), aims it at the whole community or some
//! buildings, at owners or every resident, named or anonymous, for a period of the community's
//! days; opening it fixes its questions and tells every person asked (`survey_opened`). Owners
//! answer in the portal, once each, and may change their answer until it closes. The analysis
//! is live: the response rate, each question's counts, the satisfaction index (the share of
//! scores 4 and 5), as charts, .xlsx and PDF.
//!
//! The opinion library gathers survey comments, scores below 3, complaints and suggestions,
//! each with a topic and a follow-up state; a reply reaches the person through notifications.
//! Hotline calls bring none of their own: a call that needs work becomes a request, and a
//! complaint or suggestion request is in the library.

pub mod error;
pub mod model;
mod service;
pub(crate) mod store;

pub use service::analysis::*;
pub use service::answer::*;
pub use service::opinions::*;
pub use service::*;
