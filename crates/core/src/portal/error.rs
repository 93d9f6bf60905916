//! The error codes the owner portal raises: stable snake_case strings, each with zh-CN and en
//! text in the web crate's locale files (a test checks).

crate::error_codes! {
    /// Codes of the owner portal.
    pub enum PortalCode {
        PersonHasNoUnit = "person_has_no_unit",
        AccountExists = "account_exists",
        /// Unknown account, wrong or expired code, too many tries: deliberately one code.
        BadActivationCode = "bad_activation_code",
        NoServiceDesk = "no_service_desk",
        NotYourUnit = "not_your_unit",
        /// A serious complaint is the centre's classification, not the owner's.
        UnknownRequestKind = "unknown_request_kind",
        SatisfactionOutOfRange = "satisfaction_out_of_range",
        RequestNotDone = "request_not_done",
        AlreadyRated = "already_rated",
        RequestChanged = "request_changed",
    }
}
