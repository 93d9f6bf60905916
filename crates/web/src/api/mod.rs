//! The JSON API under `/api/v1`. Each module registers its routes together with their OpenAPI
//! docs (`routes!`), so no route can be left out of `/api/openapi.json`.

mod admin;
mod audit;
mod auth;
pub(crate) mod billing;
pub mod import;
mod opening;
mod portal;
mod registry;
mod switch_report;
mod switching;
mod tickets;

use utoipa_axum::router::OpenApiRouter;

use crate::AppState;

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
        .merge(switching::router())
        .merge(opening::router())
        .merge(switch_report::router())
}
