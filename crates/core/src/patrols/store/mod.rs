//! Every SQL text of patrols.

pub(crate) mod for_dashboard;
pub(crate) mod for_kpis;
pub(crate) mod scans;
pub(crate) mod setup;
pub(crate) mod tasks;
