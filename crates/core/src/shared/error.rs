//! The error every service returns.
//!
//! Each variant maps to one HTTP status at the edge; the `code` strings are stable, snake_case,
//! and translated in the web crate's locale files. Modules add their own codes (see each module's
//! `error.rs`) rather than their own enum: the edge needs exactly these shapes and nothing more,
//! and one type keeps `?` working across module boundaries.

use std::fmt;

/// One problem with one input field.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct FieldError {
    pub field: String,
    pub code: &'static str,
    /// Values the message may interpolate, e.g. `("max", "50")`.
    pub params: Vec<(&'static str, String)>,
}

impl FieldError {
    pub fn new(field: impl Into<String>, code: &'static str) -> Self {
        Self {
            field: field.into(),
            code,
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
    /// Not logged in, bad credentials, locked account, expired session; the code says which.
    #[error("unauthorized: {0}")]
    Unauthorized(&'static str),
    /// The write conflicts with existing data (a duplicate, a stale state).
    #[error("conflict: {0:?}")]
    Conflict(FieldError),
    #[error("database error: {0}")]
    Db(#[from] sqlx::Error),
    #[error("migration error: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    #[error("internal error: {0}")]
    Internal(String),
}

pub type CoreResult<T> = Result<T, CoreError>;

impl CoreError {
    pub fn invalid(field: impl Into<String>, code: &'static str) -> Self {
        CoreError::Invalid(vec![FieldError::new(field, code)])
    }
    pub fn conflict(field: impl Into<String>, code: &'static str) -> Self {
        CoreError::Conflict(FieldError::new(field, code))
    }
    pub fn internal(e: impl fmt::Display) -> Self {
        CoreError::Internal(e.to_string())
    }
    /// A duplicate key refused by the database (a concurrent insert that passed the explicit
    /// check) becomes the same conflict the check would have given; other errors pass through.
    pub fn or_conflict(self, field: &str, code: &'static str) -> CoreError {
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
