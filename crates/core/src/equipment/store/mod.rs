//! Every SQL text of equipment, maintenance and machine rooms: the ledger and its files
//! ([`items`]), plans, orders, their files and meter readings ([`maintenance`]), machine rooms,
//! their logs and visits and the CCTV systems ([`rooms`]). Other modules reach these tables only
//! through the functions here or the services.

pub(crate) mod for_dashboard;
pub(crate) mod for_kpis;
pub(crate) mod for_quality;
pub(crate) mod items;
pub(crate) mod maintenance;
pub(crate) mod rooms;
