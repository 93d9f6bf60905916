//! Incidents handled with a plan (突发事件 · 应急预案 · 演练, SPEC §5, issue 14 point 9).
//!
//! A company keeps a library of emergency plans (seven shipped: fire, flood or burst pipe, power
//! cut, elevator entrapment, gas leak, severe weather, public security), each a checklist of
//! steps with the role that does them and an escalation ladder (levels with minutes and the roles
//! or people they tell). Any staff member reports an incident; opening it activates its plan:
//! level 1 is told at once through the outbox, a leased job tells the next level when nobody has
//! acknowledged it in time (each level once), steps are ticked with their time, the affected
//! buildings get a notice in one step (category 停水停电, which ignores quiet hours), and it
//! closes with the analysis and conclusion the audit sheet asks for. Every event is on its
//! timeline. Drills are recorded with their plan, participants and findings.

pub mod error;
pub mod model;
mod service;
pub(crate) mod store;

pub use service::drills::*;
pub use service::export::*;
pub use service::incidents::*;
pub use service::*;
