//! What the owner portal reads of the registry: the units a person owns or lives in.
