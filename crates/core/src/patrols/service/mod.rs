//! The use cases of patrols: setting up checkpoints and routes ([`setup`]) and plans
//! ([`plans`]), labels ([`labels`]), tasks and their job ([`tasks`]), what phones send
//! ([`sync`], [`findings`]), and what managers read back ([`report`]).

pub mod findings;
pub mod labels;
pub mod plans;
pub mod report;
pub mod setup;
pub mod sync;
pub mod tasks;
