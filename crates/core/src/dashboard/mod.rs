//! The company dashboard (经营看板, issue 16 point 7): across every community a manager reaches, or
//! one of them, over a window of months — open requests by where their clocks stand now, the
//! on-time, satisfaction, collection, patrol and maintenance rates month by month, arrears by age,
//! maintenance overdue, open rectifications and the latest audit grades; per community as a table;
//! as JSON, as the console's page of SVG charts, and as .xlsx.
//!
//! A thousand communities hold millions of requests and charges: adding them up on each view
//! would take seconds. So each community's figures are computed by reading its own rows (a few
//! thousand, through each module's `for_dashboard` store) and kept in two small tables, month by
//! month for the last two years; a view adds those up. Kept figures are recomputed when they may
//! be out of date: the community's audit log (every change to money, people and requests writes
//! it) has an entry since they were computed, the community's local day has changed, or they are
//! ten minutes old (what is not audited: patrol scans, clocks running out). A view of a few
//! communities computes them all afresh; a wider one recomputes a few of the out-of-date ones and
//! shows the rest as of when they were computed (`as_of`, `behind`), while a job on every node
//! recomputes every out-of-date community each pass. Open clocks are always counted live, from the
//! open clocks' index.

pub mod error;
pub mod model;
mod service;
mod store;

pub use error::DashboardCode;
pub use model::*;
pub use service::*;
