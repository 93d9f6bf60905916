//! The patrol pages: the phone app a guard walks rounds with ([`phone`]: an installable page
//! with a service worker, working without signal), the manager's day board and task pages
//! ([`board`]), and the manager's setting up and reading back: checkpoints with their items and
//! labels ([`checkpoints`]), routes ([`routes`]), plans ([`plans`]), findings turned into
//! requests and the completion report ([`findings`]). Every page of a community lives under
//! `/patrols/{community}/…`; the services decide who may see it (another community: 404).

use axum::Router;
use wuye_core::CoreError;

use super::{PageError, PageResult, Shell};
use crate::AppState;
use crate::error::describe;
use crate::extract::ConsoleUser;

mod board;
mod checkpoints;
mod findings;
mod phone;
mod plans;
mod routes;

pub fn router() -> Router<AppState> {
    phone::router()
        .merge(board::router())
        .merge(checkpoints::router())
        .merge(routes::router())
        .merge(plans::router())
        .merge(findings::router())
}

/// The community's name, if the user works in it (else the console's 404 page).
async fn community_name(st: &AppState, u: &ConsoleUser, c: i64) -> Result<String, PageError> {
    wuye_core::registry::list_communities(&st.core, &u.ctx)
        .await
        .map_err(|e| PageError::new(u, e))?
        .into_iter()
        .find(|x| x.id.0 == c)
        .map(|x| x.name)
        .ok_or_else(|| PageError::new(u, CoreError::NotFound("community")))
}

/// The page frame of a re-rendered form, and the status it is answered with.
fn refused_shell(u: &ConsoleUser, e: &CoreError) -> (Shell, axum::http::StatusCode) {
    (Shell::of(u).with_error(e), describe(e, u.locale).0)
}

/// What a setting-up form's save leads to: saved, back to `to` saying "已保存：name"; refused
/// field by field, the form again (`again`, given the frame with the messages) with the
/// refusal's status; anything else, the console's error page.
async fn after_save<T, Again>(
    st: &AppState,
    u: &ConsoleUser,
    r: Result<T, CoreError>,
    to_and_name: impl FnOnce(&T) -> (String, String),
    again: impl FnOnce(Shell) -> Again,
) -> PageResult
where
    Again: std::future::Future<Output = PageResult>,
{
    match r {
        Ok(x) => {
            let (to, name) = to_and_name(&x);
            let said = format!("{}：{name}", u.locale.t("pc.saved"));
            Ok(super::flash::done(st, u, &to, said))
        }
        Err(e @ (CoreError::Invalid(_) | CoreError::Conflict(_))) => {
            let (s, status) = refused_shell(u, &e);
            let mut r = again(s).await?;
            *r.status_mut() = status;
            Ok(r)
        }
        Err(e) => Err(PageError::new(u, e)),
    }
}
