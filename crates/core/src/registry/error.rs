//! The error codes this module raises: stable snake_case strings, each with zh-CN and en text in
//! the web crate's locale files (a test checks). Raise them through `CoreError::invalid`,
//! `CoreError::conflict` or `FieldError::new`.

crate::error_codes! {
    /// Codes of the registry: communities, buildings, units, people, vehicles, parking, imports.
    pub enum RegistryCode {
    }
}
