//! What billing reads of the registry (units, their areas, uses, states and owners), so that
//! billing's own SQL never names the registry's tables.
