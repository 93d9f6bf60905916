//! The error every service returns, and the codes it carries.
//!
//! Each `CoreError` variant maps to one HTTP status at the edge. The codes inside it (which field
//! is wrong and why, which conflict) are enum variants: each module declares its own with
//! [`error_codes!`](crate::error_codes) in its `error.rs`, so the compiler knows every code and a
//! test proves each has zh-CN and en text. The strings they serialise to are stable snake_case.
//! Modules add codes rather than error types: the edge needs exactly the shapes of `CoreError`,
//! and one type keeps `?` working across module boundaries.

use std::fmt;

/// A stable snake_case error code: a variant of one module's code enum.
pub trait ErrorCode: Copy + Send + Sync + 'static {
    /// The stable string clients see and the locale files key on.
    fn as_str(self) -> &'static str;
}

/// Declares a module's error codes: an enum whose variants serialise to the given stable
/// strings, with `CODES` listing every string (for the locale test).
///
/// ```ignore
/// wuye_core::error_codes! {
///     /// Billing's codes.
///     pub enum BillingCode {
///         PeriodAlreadyPosted = "period_already_posted",
///     }
/// }
/// ```
#[macro_export]
macro_rules! error_codes {
    ($(#[$m:meta])* $vis:vis enum $name:ident { $($(#[$vm:meta])* $variant:ident = $code:literal,)* }) => {
        $(#[$m])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        $vis enum $name { $($(#[$vm])* $variant,)* }
        impl $name {
            /// Every code of this enum, as clients see it.
            pub const CODES: &'static [&'static str] = &[$($code,)*];
        }
        impl $crate::shared::error::ErrorCode for $name {
            fn as_str(self) -> &'static str {
                match self { $($name::$variant => $code,)* }
            }
        }
        impl ::std::fmt::Display for $name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str($crate::shared::error::ErrorCode::as_str(*self))
            }
        }
        impl ::serde::Serialize for $name {
            fn serialize<S: ::serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str($crate::shared::error::ErrorCode::as_str(*self))
            }
        }
    };
}

error_codes! {
    /// Codes every module may raise: the shape of a value (shared validated types) and the
    /// generic refusals.
    pub enum CommonCode {
        Required = "required",
        TooLong = "too_long",
        /// A row left as the template's example.
        ExampleRow = "example_row",
        InvalidCharacters = "invalid_characters",
        MustBePositive = "must_be_positive",
        NotANumber = "not_a_number",
        TooManyDecimals = "too_many_decimals",
        TooLarge = "too_large",
        InvalidPhone = "invalid_phone",
        InvalidIdNumber = "invalid_id_number",
        IdNumberCheckDigit = "id_number_check_digit",
        InvalidPlate = "invalid_plate",
        InvalidCode = "invalid_code",
        InvalidDate = "invalid_date",
        /// A time of something that happened, later than now.
        TimeInFuture = "time_in_future",
        /// A time entered late (补录) further back than the backdating window allows.
        TooFarBack = "too_far_back",
        UnknownDayKind = "unknown_day_kind",
        CalendarLineFormat = "calendar_line_format",
        CalendarNameInvalid = "calendar_name_invalid",
        CalendarRangeInvalid = "calendar_range_invalid",
        Invalid = "invalid",
        FileTooLarge = "file_too_large",
        BackupPostgresUnsupported = "backup_postgres_unsupported",
        /// The database server is gone or not accepting writes (a failover under way): the
        /// request did nothing the client can rely on and may be retried shortly.
        DatabaseUnavailable = "database_unavailable",
        /// A required choice left empty (a select at "—"): "请选择类型", not "unknown type".
        Choose = "choose",
        /// The font file receipts and notices embed is missing or unreadable (`WUYE_PDF_FONT`).
        PdfFontMissing = "pdf_font_missing",
    }
}

/// One problem with one input field.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct FieldError {
    pub field: String,
    pub code: &'static str,
    /// Values the message may interpolate, e.g. `("max", "50")`.
    pub params: Vec<(&'static str, String)>,
}

impl FieldError {
    pub fn new(field: impl Into<String>, code: impl ErrorCode) -> Self {
        Self {
            field: field.into(),
            code: code.as_str(),
            params: Vec::new(),
        }
    }
    pub fn with(mut self, key: &'static str, value: impl ToString) -> Self {
        self.params.push((key, value.to_string()));
        self
    }
}

#[derive(Debug, thiserror::Error)]
pub enum CoreError {
    /// Input rejected; nothing was written.
    #[error("invalid input: {0:?}")]
    Invalid(Vec<FieldError>),
    /// The entity does not exist, or the actor may not know it exists.
    #[error("{0} not found")]
    NotFound(&'static str),
    /// The actor lacks the permission.
    #[error("forbidden")]
    Forbidden,
    /// Not logged in, bad credentials, expired session; the code says which. (Too many failed
    /// logins is `Throttled`: accounts are not locked.)
    #[error("unauthorized: {0}")]
    Unauthorized(&'static str),
    /// Too many failed attempts (of logins) from the caller's address or at the account: the
    /// code says which kind; the caller may try again after `retry_after` seconds.
    #[error("throttled: {code}, retry after {retry_after} s")]
    Throttled {
        code: &'static str,
        retry_after: u64,
    },
    /// The write conflicts with existing data (a duplicate, a stale state).
    #[error("conflict: {0:?}")]
    Conflict(FieldError),
    #[error("database error: {0}")]
    Db(#[from] sqlx::Error),
    #[error("migration error: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    #[error("internal error: {0}")]
    Internal(String),
    /// Something the server needs is missing (not the client's doing, nor a bug): the code
    /// says what, `detail` where (a file's path), for the operator.
    #[error("unavailable: {code}: {detail}")]
    Unavailable { code: CommonCode, detail: String },
}

pub type CoreResult<T> = Result<T, CoreError>;

impl CoreError {
    pub fn invalid(field: impl Into<String>, code: impl ErrorCode) -> Self {
        CoreError::Invalid(vec![FieldError::new(field, code)])
    }
    pub fn conflict(field: impl Into<String>, code: impl ErrorCode) -> Self {
        CoreError::Conflict(FieldError::new(field, code))
    }
    /// Not logged in, bad credentials, expired session.
    pub fn unauthorized(code: impl ErrorCode) -> Self {
        CoreError::Unauthorized(code.as_str())
    }
    /// Too many attempts; the next is heard after `retry_after` seconds.
    pub fn throttled(code: impl ErrorCode, retry_after: u64) -> Self {
        CoreError::Throttled {
            code: code.as_str(),
            retry_after,
        }
    }
    pub fn internal(e: impl fmt::Display) -> Self {
        CoreError::Internal(e.to_string())
    }
    /// A duplicate key refused by the database (a concurrent insert that passed the explicit
    /// check) becomes the same conflict the check would have given; other errors pass through.
    pub fn or_conflict(self, field: &str, code: impl ErrorCode) -> CoreError {
        if self.is_unique_violation() {
            CoreError::conflict(field, code)
        } else {
            self
        }
    }

    /// True when the database refused a row still referenced elsewhere (a unit with charges).
    pub fn is_foreign_key_violation(&self) -> bool {
        matches!(self, CoreError::Db(sqlx::Error::Database(e)) if e.is_foreign_key_violation())
    }

    /// True when the database server is gone, shutting down or read-only (a failover): worth
    /// a retry shortly, unlike other database errors.
    pub fn is_db_unavailable(&self) -> bool {
        matches!(self, CoreError::Db(e) if crate::db::follow::is_server_lost(e))
    }

    /// True when the database refused a duplicate key (a race that passed the explicit check).
    pub fn is_unique_violation(&self) -> bool {
        matches!(self, CoreError::Db(sqlx::Error::Database(e)) if e.is_unique_violation())
    }
}

/// Collects field errors while validating a whole input, so the user sees all of them at once.
#[derive(Debug, Default)]
pub struct Checks(pub Vec<FieldError>);

impl Checks {
    pub fn new() -> Self {
        Self::default()
    }
    pub fn push(&mut self, e: FieldError) {
        self.0.push(e);
    }
    /// Keeps the value of an `Ok`, records the error of an `Err`.
    pub fn take<T>(&mut self, r: Result<T, FieldError>) -> Option<T> {
        match r {
            Ok(v) => Some(v),
            Err(e) => {
                self.0.push(e);
                None
            }
        }
    }
    pub fn finish(self) -> CoreResult<()> {
        if self.0.is_empty() {
            Ok(())
        } else {
            Err(CoreError::Invalid(self.0))
        }
    }
}
