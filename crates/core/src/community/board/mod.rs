//! The public board of a community (三公开公示栏, seed 001 信息公示): what the centre shows
//! everyone without a login — its services and their standards, the fee schedule, the paid-service
//! price list, contacts and the complaint phone, who is on duty, the latest notices. The centre
//! edits the lists of its own; the fees, prices and notices are read from their modules, so the
//! board never disagrees with what is charged. The board's address is an unguessable slug.

pub mod model;
mod service;

pub use service::*;
