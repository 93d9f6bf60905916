//! The JSON API under `/api/v1`. Each module registers its routes together with their OpenAPI
//! docs (`routes!`), so no route can be left out of `/api/openapi.json`.

mod admin;
mod audit;
mod auth;
pub(crate) mod billing;
pub mod import;
mod portal;
mod registry;
mod tickets;

use utoipa_axum::router::OpenApiRouter;
use wuye_core::CoreResult;

use crate::AppState;
use crate::error::{ApiResult, AppError};
use crate::locale::Locale;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .merge(auth::router())
        .merge(registry::router())
        .merge(admin::router())
        .merge(audit::router())
        .merge(import::router())
        .merge(tickets::router())
        .merge(portal::router())
        .merge(billing::router())
}

/// Attaches the caller's language to a service error.
pub(crate) trait InLocale<T> {
    fn loc(self, l: Locale) -> ApiResult<T>;
}

impl<T> InLocale<T> for CoreResult<T> {
    fn loc(self, l: Locale) -> ApiResult<T> {
        self.map_err(|e| AppError::from(e).in_locale(l))
    }
}
