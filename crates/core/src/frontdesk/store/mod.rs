//! Every SQL text of the front desk: key cabinets, keys, owners' authorisations and the lending
//! register (`key_cabinets`, `key_items`, `key_authorisations`, `key_loans`), parcels held at
//! the desk with their signatures (`parcels`, `parcel_signatures`), visitors and their passes
//! (`visits`, `visitor_passes`), small items lent (`lend_items`, `item_loans`), release slips
//! (`release_slips`), venues and their bookings (`venues`, `venue_bookings`, `venue_slots`),
//! move-outs (`move_outs`, `move_out_people`), the paid services and lock changes
//! (`desk_services`, `desk_sales`, `lock_changes`). Other modules reach these tables only through
//! the functions here (duty: [`keys::open_loans`] for handovers).

pub(crate) mod for_quality;
pub(crate) mod keys;
pub(crate) mod lending;
pub(crate) mod moveouts;
pub(crate) mod parcels;
pub(crate) mod releases;
pub(crate) mod services;
pub(crate) mod venues;
pub(crate) mod visitors;
