//! What service requests read of the registry (a unit with its people, a person's name), so
//! that the requests' own SQL never queries the registry's tables by itself.
