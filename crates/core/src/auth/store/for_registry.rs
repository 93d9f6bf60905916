//! What the registry reads of accounts (a vacant unit's keeper, the users of a community).
