//! Duty rosters and handovers (值班表 · 交接班, SPEC §5, issue 14 points 7 and 8).
//!
//! A community adopts the shift patterns of the 24小时值班制度 in one step (office hours by
//! season, the evening desk, night monitoring, the technicians' evening and overnight, three
//! security shifts) and edits them after. A manager sets each team's month grid (person × day →
//! shift), copies last month's, records swaps and leave; a shift on a day of leave and two
//! overlapping shifts of one person are refused; gaps and short shifts are flagged on the month.
//! "Who is on duty now" feeds the desk, the staff home page and the public board.
//!
//! A handover goes from the outgoing person to the incoming one: it is filled in from the system
//! (open requests, cash not yet daily-closed, open incidents) plus lines typed by hand; every
//! item still open when the next handover of the team starts carries over to it by itself.
//! Roster teams are names kept with the roster, not the ticket teams: those route request
//! categories (round-robin, pools), and a security shift or the evening desk takes none.

pub mod error;
pub mod model;
mod service;
pub(crate) mod store;

pub use service::handover::*;
pub use service::on_duty::*;
pub use service::roster::*;
pub use service::sources::HandoverSource;
pub use service::*;
