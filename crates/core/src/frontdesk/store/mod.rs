//! Every SQL text of the front desk: key cabinets, keys, owners' authorisations and the lending
//! register (`key_cabinets`, `key_items`, `key_authorisations`, `key_loans`). Other modules reach
//! these tables only through the functions here (duty: [`keys::open_loans`] for handovers).

pub(crate) mod keys;
