//! Administration pages: users, roles, API tokens, audit log.

use axum::Router;

use crate::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
}
