//! The desk's lookups in the registry: a unit by its label (`1栋-1801`), a caller's phone to the
//! person and the units he is linked to. Used by `shared::resolve`.
//!
//! Empty on purpose: `shared::resolve` finds units and callers through the registry's search
//! service (`registry::search`), whose queries live in the registry's own store, so the desk
//! matches exactly what the search box matches. A lookup the desk needs that the search cannot
//! answer gets its query here.
