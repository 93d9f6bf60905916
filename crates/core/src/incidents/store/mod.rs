//! Every SQL text of plans, incidents and drills: the company's plan library
//! (`emergency_plans`), incidents with their steps and timeline (`incidents`, `incident_steps`,
//! `incident_events`), and drills (`drills`). Handovers list open incidents through
//! [`incidents::open_of`].

pub(crate) mod drills;
pub(crate) mod for_quality;
pub(crate) mod incidents;
pub(crate) mod plans;
