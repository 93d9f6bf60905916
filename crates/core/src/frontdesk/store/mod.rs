//! Every SQL text of the front desk: key cabinets, keys, owners' authorisations and the lending
//! register (`key_cabinets`, `key_items`, `key_authorisations`, `key_loans`), parcels held at
//! the desk with their signatures (`parcels`, `parcel_signatures`), visitors and their passes
//! (`visits`, `visitor_passes`), small items lent (`lend_items`, `item_loans`). Other modules reach these
//! tables only through the functions here (duty: [`keys::open_loans`] for handovers).

pub(crate) mod keys;
pub(crate) mod lending;
pub(crate) mod moveouts;
pub(crate) mod parcels;
pub(crate) mod releases;
pub(crate) mod services;
pub(crate) mod venues;
pub(crate) mod visitors;
