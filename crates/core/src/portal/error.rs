//! The error codes the owner portal raises: stable snake_case strings, each with zh-CN and en
//! text in the web crate's locale files (a test checks).

crate::error_codes! {
    /// Codes of the owner portal.
    pub enum PortalCode {
    }
}
