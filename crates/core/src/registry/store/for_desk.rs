//! The desk's lookups in the registry: a unit by its label (`1栋-1801`), a caller's phone to the
//! person and the units he is linked to. Used by `shared::resolve`.
