//! The patrol pages: the phone app a guard walks rounds with ([`phone`]: an installable page
//! with a service worker, working without signal) and the manager's day board and task pages
//! ([`board`]).

use axum::Router;

use crate::AppState;

mod board;
mod phone;

pub fn router() -> Router<AppState> {
    phone::router().merge(board::router())
}
