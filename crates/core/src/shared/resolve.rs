//! Who and where a desk means: a unit typed as its label (`1栋-1801`) or a caller's phone number
//! turned into the person and his units. One service for the desk, the console, the API and the
//! portal, so none of them resolves a caller its own way.
