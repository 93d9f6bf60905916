//! The community's pages (社区): notices (公告) and activities (社区活动) for staff and owners,
//! and the public board (三公开公示栏) — its editor and the page anyone reads without a login, fit for A3 print and a
//! lobby TV, with a QR code to it. Every rule is `wuye_core::community`'s.

mod activities;
mod board;
mod notices;
mod owner;

use axum::Router;
use axum::routing::{get, post};

use crate::AppState;
use crate::console::OrPage;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/notices", get(notices::list_page).post(notices::create))
        .route("/notices/new", get(notices::new_page))
        .route("/notices/{id}", get(notices::detail).post(notices::update))
        .route("/notices/{id}/edit", get(notices::edit_page))
        .route("/notices/{id}/publish", post(notices::publish))
        .route("/notices/{id}/withdraw", post(notices::withdraw))
        .route("/notices/{id}/delete", post(notices::delete))
        .route("/notices/{id}/attachments", post(notices::upload))
        .route("/notices/{id}/attachments/{file}", get(notices::attachment))
        .route(
            "/notices/{id}/attachments/{file}/delete",
            post(notices::delete_attachment),
        )
        .route(
            "/activities",
            get(activities::list_page).post(activities::create),
        )
        .route("/activities/new", get(activities::new_page))
        .route(
            "/activities/{id}",
            get(activities::detail).post(activities::update),
        )
        .route("/activities/{id}/edit", get(activities::edit_page))
        .route("/activities/{id}/open", post(activities::open))
        .route("/activities/{id}/cancel", post(activities::cancel))
        .route("/activities/{id}/finish", post(activities::finish))
        .route("/activities/{id}/photos", post(activities::upload))
        .route("/activities/{id}/photos/{photo}", get(activities::photo))
        .route(
            "/activities/{id}/signups/{signup}/check-in",
            post(activities::check_in),
        )
        .route("/portal/activities", get(owner::activities_page))
        .route("/portal/activities/{id}/signup", post(owner::sign_up))
        .route("/portal/activities/{id}/give-up", post(owner::give_up))
        .route("/portal/notices", get(owner::list_page))
        .route("/portal/notices/{id}", get(owner::detail))
        .route("/board", get(board::edit_page).post(board::save))
        .route("/board/renew", post(board::renew))
        .route("/board/{slug}", get(board::public_page))
        .route("/board/{slug}/qr.svg", get(board::qr))
}

/// The label of a notice's category, status or scope.
fn label(l: crate::locale::Locale, kind: &str, code: &str) -> String {
    l.get(&format!("an.{kind}.{code}"))
        .map_or_else(|| code.to_string(), str::to_string)
}

/// The communities the user may publish in, and the one the page is about (asked for, else
/// remembered, else the first).
async fn community_of(
    st: &crate::AppState,
    u: &crate::extract::ConsoleUser,
    want: Option<i64>,
) -> Result<
    (
        Vec<wuye_core::registry::Community>,
        wuye_core::registry::Community,
    ),
    crate::console::PageError,
> {
    u.ctx
        .require(wuye_core::Perm::AnnouncementsManage)
        .or_page(u)?;
    let all = wuye_core::registry::list_communities(&st.core, &u.ctx)
        .await
        .or_page(u)?;
    let listed: Vec<(i64, String)> = all.iter().map(|c| (c.id.0, c.name.clone())).collect();
    let c = crate::console::forms::chosen_community(&listed, want, u.community)
        .and_then(|id| all.iter().find(|c| c.id.0 == id))
        .cloned()
        .ok_or_else(|| {
            crate::console::PageError::new(u, wuye_core::CoreError::NotFound("community"))
        })?;
    Ok((all, c))
}

/// The file of a one-file upload form (`file`), with the name the browser gave it. `Err` is the
/// answer to a form whose CSRF token failed; `Ok(Err(..))` a refusal to show on the page, naming
/// `field` (too large, nothing sent).
pub(crate) async fn one_file(
    u: &crate::extract::ConsoleUser,
    mp: Result<axum::extract::Multipart, axum::extract::multipart::MultipartRejection>,
    max: usize,
    field: &str,
) -> Result<Result<(String, Vec<u8>), wuye_core::CoreError>, axum::response::Response> {
    Ok(one_file_and_fields(u, mp, max, field)
        .await?
        .map(|(name, bytes, _)| (name, bytes)))
}

/// [`one_file`] with the form's other small fields (a select saying what the file is).
#[allow(clippy::type_complexity)]
pub(crate) async fn one_file_and_fields(
    u: &crate::extract::ConsoleUser,
    mp: Result<axum::extract::Multipart, axum::extract::multipart::MultipartRejection>,
    max: usize,
    field: &str,
) -> Result<
    Result<(String, Vec<u8>, Vec<(String, String)>), wuye_core::CoreError>,
    axum::response::Response,
> {
    use axum::response::IntoResponse;
    let up = match mp {
        Ok(mp) => crate::console::registry::read_upload(mp, max, false).await,
        Err(_) => crate::console::registry::Upload {
            broken: true,
            ..Default::default()
        },
    };
    // A too-large upload may have lost its token: it gets its own message instead.
    if !up.too_large && !u.csrf_matches(up.csrf.as_deref()) {
        return Err(crate::extract::CsrfRejected(u.locale).into_response());
    }
    Ok(if up.too_large {
        Err(crate::console::registry::too_large(max))
    } else if up.broken || up.file.is_empty() {
        Err(wuye_core::CoreError::invalid(
            field,
            wuye_core::shared::error::CommonCode::Required,
        ))
    } else {
        Ok((up.file_name.unwrap_or_default(), up.file, up.other))
    })
}
