//! One error type at the edge. Each kind maps explicitly to a status and a stable snake_case
//! `code`; the message is translated from the code in one table (the locale files). An
//! infrastructure failure is logged with the request id and answered generically: internal
//! error text never reaches a client.

use axum::Json;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use utoipa::ToSchema;
use wuye_core::shared::error::CommonCode;
use wuye_core::{CoreError, ErrorCode, FieldError};

use crate::locale::Locale;

wuye_core::error_codes! {
    /// Codes of the edge itself: input refused before it reached a service.
    pub enum WebCode {
        InvalidJson = "invalid_json",
        InvalidType = "invalid_type",
        InvalidPath = "invalid_path",
        InvalidQuery = "invalid_query",
        CalendarFileInvalid = "calendar_file_invalid",
        NotXlsx = "not_xlsx",
    }
}

/// The codes the web crate raises itself (beside `wuye_core::ERROR_CODES`), for the locale test.
pub const EDGE_CODES: &[&[&str]] = &[WebCode::CODES];

#[derive(Debug)]
pub struct AppError {
    pub kind: CoreError,
    pub locale: Locale,
}

impl From<CoreError> for AppError {
    fn from(kind: CoreError) -> Self {
        Self {
            kind,
            locale: crate::request_locale(),
        }
    }
}

impl AppError {
    pub fn in_locale(mut self, l: Locale) -> Self {
        self.locale = l;
        self
    }
    /// A bad request that did not reach a service (JSON, path, query, upload).
    pub fn bad(field: &str, code: impl wuye_core::ErrorCode) -> Self {
        CoreError::invalid(field, code).into()
    }
}

/// The JSON body of every error response.
#[derive(Debug, Serialize, ToSchema)]
pub struct ErrorBody {
    /// Stable snake_case code, e.g. `duplicate_unit_no`.
    pub code: String,
    /// Human message in the request's language.
    pub message: String,
    /// The offending input field, when there is one.
    pub field: Option<String>,
    /// Every field error, when the input had several.
    pub errors: Vec<FieldErrorBody>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct FieldErrorBody {
    pub field: String,
    pub code: String,
    pub message: String,
}

pub fn field_message(l: Locale, e: &FieldError) -> String {
    l.field_error(&e.field, e.code, &e.params)
}

/// Status, code, field errors and message of an error, shared by the JSON and the HTML renderings.
pub fn describe(kind: &CoreError, l: Locale) -> (StatusCode, String, Vec<FieldError>, String) {
    match kind {
        CoreError::Invalid(errs) => {
            let (status, code) = match errs.first().map(|e| e.code) {
                Some("file_too_large") => (StatusCode::PAYLOAD_TOO_LARGE, "file_too_large"),
                Some(c) => (StatusCode::UNPROCESSABLE_ENTITY, c),
                None => (StatusCode::UNPROCESSABLE_ENTITY, "invalid"),
            };
            let msg = errs
                .iter()
                .map(|e| field_message(l, e))
                .collect::<Vec<_>>()
                .join("；");
            (status, code.to_string(), errs.clone(), msg)
        }
        CoreError::Conflict(e) => (
            StatusCode::CONFLICT,
            e.code.to_string(),
            vec![e.clone()],
            field_message(l, e),
        ),
        CoreError::NotFound(entity) => {
            let ent = l.t(&format!("entity.{entity}"));
            (
                StatusCode::NOT_FOUND,
                "not_found".into(),
                vec![],
                l.tf("err.not_found", &[("entity", ent)]),
            )
        }
        CoreError::Forbidden => (
            StatusCode::FORBIDDEN,
            "forbidden".into(),
            vec![],
            l.t("err.forbidden").into(),
        ),
        CoreError::Unauthorized(code) => (
            StatusCode::UNAUTHORIZED,
            code.to_string(),
            vec![],
            l.t(&format!("err.{code}")).into(),
        ),
        CoreError::Throttled { code, retry_after } => {
            let minutes = retry_after.div_ceil(60).max(1).to_string();
            (
                StatusCode::TOO_MANY_REQUESTS,
                code.to_string(),
                vec![],
                l.tf(&format!("err.{code}"), &[("minutes", minutes.as_str())]),
            )
        }
        CoreError::Db(_) if kind.is_db_unavailable() => {
            // Expected during a failover: no stack, no alarm, a code the client can act on.
            let rid = crate::request_id();
            tracing::warn!(request_id = %rid, error = %kind, "database unavailable");
            let code = CommonCode::DatabaseUnavailable;
            (
                StatusCode::SERVICE_UNAVAILABLE,
                code.as_str().into(),
                vec![],
                l.t(&format!("err.{code}")).into(),
            )
        }
        CoreError::Unavailable { code, detail } => {
            tracing::error!(error = %kind, "a server resource is missing");
            (
                StatusCode::SERVICE_UNAVAILABLE,
                code.as_str().into(),
                vec![],
                l.tf(&format!("err.{code}"), &[("detail", detail.as_str())]),
            )
        }
        CoreError::Db(_) | CoreError::Migrate(_) | CoreError::Internal(_) => {
            let rid = crate::request_id();
            tracing::error!(request_id = %rid, error = %kind, "request failed");
            (
                StatusCode::INTERNAL_SERVER_ERROR,
                "internal".into(),
                vec![],
                l.tf("err.internal", &[("request_id", rid.as_str())]),
            )
        }
    }
}

/// The `Retry-After` value (seconds) of a throttled request, or of one refused while the
/// database is unavailable (a failover takes seconds, not minutes).
pub fn retry_after(kind: &CoreError) -> Option<HeaderValue> {
    match kind {
        CoreError::Throttled { retry_after, .. } => Some(HeaderValue::from(*retry_after)),
        k if k.is_db_unavailable() => Some(HeaderValue::from(1u64)),
        _ => None,
    }
}

/// Tells a throttled client when to come back.
pub fn add_retry_after(kind: &CoreError, r: &mut Response) {
    if let Some(v) = retry_after(kind) {
        r.headers_mut().insert(header::RETRY_AFTER, v);
    }
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        let (status, code, errs, message) = describe(&self.kind, self.locale);
        let body = ErrorBody {
            code,
            message,
            field: errs
                .first()
                .map(|e| e.field.clone())
                .filter(|f| !f.is_empty()),
            errors: errs
                .iter()
                .map(|e| FieldErrorBody {
                    field: e.field.clone(),
                    code: e.code.to_string(),
                    message: field_message(self.locale, e),
                })
                .collect(),
        };
        let mut r = (status, Json(body)).into_response();
        add_retry_after(&self.kind, &mut r);
        r
    }
}

pub type ApiResult<T> = Result<T, AppError>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_lost_database_is_503_with_its_code_and_a_retry_after() {
        let refused = std::io::Error::from(std::io::ErrorKind::ConnectionRefused);
        for kind in [
            CoreError::Db(sqlx::Error::Io(refused)),
            CoreError::Db(sqlx::Error::PoolTimedOut),
        ] {
            let (status, code, _, message) = describe(&kind, Locale::En);
            assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
            assert_eq!(code, "database_unavailable");
            assert!(message.contains("retry"), "{message}");
            assert_eq!(retry_after(&kind), Some(HeaderValue::from(1u64)));
        }
        let other = CoreError::Db(sqlx::Error::RowNotFound);
        assert_eq!(
            describe(&other, Locale::En).0,
            StatusCode::INTERNAL_SERVER_ERROR
        );
        assert_eq!(retry_after(&other), None);
    }
}
