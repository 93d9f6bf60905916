//! The error codes this module raises: stable snake_case strings, each with zh-CN and en text in
//! the web crate's locale files (a test checks). Raise them through `CoreError::invalid`,
//! `CoreError::conflict`, `CoreError::unauthorized` or `FieldError::new`.

crate::error_codes! {
    /// Codes of accounts, sessions, tokens, roles and assignments.
    pub enum AuthCode {
        /// Unknown user, wrong password or inactive account: deliberately one code.
        BadCredentials = "bad_credentials",
        /// Too many failed logins from the caller's address (or at the account): throttled.
        TooManyAttempts = "too_many_attempts",
        SessionExpired = "session_expired",
        InvalidToken = "invalid_token",
        PasswordChangeRequired = "password_change_required",
        AlreadyRevoked = "already_revoked",
        WrongPassword = "wrong_password",
        PasswordUnchanged = "password_unchanged",
        PasswordTooShort = "password_too_short",
        PasswordTooWeak = "password_too_weak",
        InvalidUsername = "invalid_username",
        DuplicateUsername = "duplicate_username",
        UnknownPermission = "unknown_permission",
        AdminKeepsUsersManage = "admin_keeps_users_manage",
        UnknownRole = "unknown_role",
        UnknownCommunity = "unknown_community",
        CannotDeactivateSelf = "cannot_deactivate_self",
        /// Owner accounts are opened from the registry (a person living in a unit), not as staff.
        OwnerAccountFromRegistry = "owner_account_from_registry",
        /// A committee member sits for exactly one community.
        CommitteeOneCommunity = "committee_one_community",
    }
}
