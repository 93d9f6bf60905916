//! Decoration over the API (二次装修): the community's defaults; applications recorded at the
//! desk or by the owner in the portal; approval (fees charged, deposit fixed) or refusal; the
//! deposit taken, the permit issued, inspections with violations, rectification, extension,
//! files, acceptance and the deposit refunded less its deductions.

use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use axum::extract::rejection::BytesRejection;
use axum::http::StatusCode;
use utoipa_axum::{router::OpenApiRouter, routes};
use wuye_core::decoration::{self as dec, *};
use wuye_core::shared::error::CommonCode;
use wuye_core::shared::ids::*;
use wuye_core::{CoreError, FieldError};

use crate::AppState;
use crate::error::{ApiResult, AppError, ErrorBody};
use crate::extract::{ApiCtx, ApiJson, ApiPath, ApiQuery};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(settings, save_settings))
        .routes(routes!(list, apply))
        .routes(routes!(get_one))
        .routes(routes!(approve))
        .routes(routes!(refuse))
        .routes(routes!(cancel))
        .routes(routes!(deposit))
        .routes(routes!(permit))
        .routes(routes!(inspect))
        .routes(routes!(rectify))
        .routes(routes!(extend))
        .routes(routes!(add_file))
        .routes(routes!(accept))
        .routes(routes!(refund))
        .routes(routes!(mine, request))
        .routes(routes!(cancel_mine))
}

type One = ApiResult<Json<Decoration>>;

/// The community's decoration defaults (deposit, fee per m², rubbish fee, hours, longest period).
#[utoipa::path(get, path = "/api/v1/communities/{id}/decoration-settings", tag = "decoration", security(("bearer" = [])), params(("id" = i64, Path)),
    responses((status = 200, body = DecorationSettings), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn settings(
    State(s): State<AppState>,
    a: ApiCtx,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<Json<DecorationSettings>> {
    Ok(Json(
        dec::decoration_settings(&s.core, &a.ctx, CommunityId(id)).await?,
    ))
}

/// Saves the community's decoration defaults (`frontdesk.manage`).
#[utoipa::path(put, path = "/api/v1/communities/{id}/decoration-settings", tag = "decoration", security(("bearer" = [])), params(("id" = i64, Path)),
    request_body = DecorationSettingsForSave,
    responses((status = 200, body = DecorationSettings), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn save_settings(
    State(s): State<AppState>,
    a: ApiCtx,
    ApiPath(id): ApiPath<i64>,
    ApiJson(b): ApiJson<DecorationSettingsForSave>,
) -> ApiResult<Json<DecorationSettings>> {
    Ok(Json(
        dec::save_decoration_settings(&s.core, &a.ctx, CommunityId(id), b).await?,
    ))
}

/// The community's decorations, newest first; `?state=` (or `live`).
#[utoipa::path(get, path = "/api/v1/communities/{id}/decorations", tag = "decoration", security(("bearer" = [])), params(("id" = i64, Path), DecorationFilter),
    responses((status = 200, body = Vec<Decoration>), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn list(
    State(s): State<AppState>,
    a: ApiCtx,
    ApiPath(id): ApiPath<i64>,
    ApiQuery(f): ApiQuery<DecorationFilter>,
) -> ApiResult<Json<Vec<Decoration>>> {
    Ok(Json(
        dec::list_decorations(&s.core, &a.ctx, CommunityId(id), f).await?,
    ))
}

/// The desk records an owner's application (ZX-000001); a unit with one applied for or under
/// way is 409 `decoration_unit_busy`.
#[utoipa::path(post, path = "/api/v1/communities/{id}/decorations", tag = "decoration", security(("bearer" = [])), params(("id" = i64, Path)),
    request_body = DecorationForCreate,
    responses((status = 201, body = Decoration), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn apply(
    State(s): State<AppState>,
    a: ApiCtx,
    ApiPath(id): ApiPath<i64>,
    ApiJson(b): ApiJson<DecorationForCreate>,
) -> ApiResult<(StatusCode, Json<Decoration>)> {
    let v = dec::apply_decoration(&s.core, &a.ctx, CommunityId(id), b).await?;
    Ok((StatusCode::CREATED, Json(v)))
}

/// A decoration with its workers, inspections, violations, files, extensions and passes.
#[utoipa::path(get, path = "/api/v1/decorations/{id}", tag = "decoration", security(("bearer" = [])), params(("id" = i64, Path)),
    responses((status = 200, body = Decoration), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn get_one(State(s): State<AppState>, a: ApiCtx, ApiPath(id): ApiPath<i64>) -> One {
    Ok(Json(
        dec::get_decoration(&s.core, &a.ctx, DecorationId(id)).await?,
    ))
}

/// Approves once (`frontdesk.manage`): the fees posted as charges of the unit, the deposit fixed;
/// the money defaults to the community's settings.
#[utoipa::path(post, path = "/api/v1/decorations/{id}/approve", tag = "decoration", security(("bearer" = [])), params(("id" = i64, Path)),
    request_body = DecorationApproval,
    responses((status = 200, body = Decoration), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn approve(
    State(s): State<AppState>,
    a: ApiCtx,
    ApiPath(id): ApiPath<i64>,
    ApiJson(b): ApiJson<DecorationApproval>,
) -> One {
    Ok(Json(
        dec::approve_decoration(&s.core, &a.ctx, DecorationId(id), b).await?,
    ))
}

/// Refuses once, with why (`frontdesk.manage`).
#[utoipa::path(post, path = "/api/v1/decorations/{id}/refuse", tag = "decoration", security(("bearer" = [])), params(("id" = i64, Path)),
    request_body = DecorationRefusal,
    responses((status = 200, body = Decoration), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn refuse(
    State(s): State<AppState>,
    a: ApiCtx,
    ApiPath(id): ApiPath<i64>,
    ApiJson(b): ApiJson<DecorationRefusal>,
) -> One {
    Ok(Json(
        dec::refuse_decoration(&s.core, &a.ctx, DecorationId(id), b).await?,
    ))
}

/// Cancels before the permit while no money is taken (an approved one's fees reversed).
#[utoipa::path(post, path = "/api/v1/decorations/{id}/cancel", tag = "decoration", security(("bearer" = [])), params(("id" = i64, Path)),
    responses((status = 200, body = Decoration), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn cancel(State(s): State<AppState>, a: ApiCtx, ApiPath(id): ApiPath<i64>) -> One {
    Ok(Json(
        dec::cancel_decoration(&s.core, &a.ctx, DecorationId(id)).await?,
    ))
}

/// The cashier takes the deposit fixed on approval into billing's deposits, once (`billing.collect`).
#[utoipa::path(post, path = "/api/v1/decorations/{id}/deposit", tag = "decoration", security(("bearer" = [])), params(("id" = i64, Path)),
    request_body = DecorationDepositTaking,
    responses((status = 200, body = Decoration), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn deposit(
    State(s): State<AppState>,
    a: ApiCtx,
    ApiPath(id): ApiPath<i64>,
    ApiJson(b): ApiJson<DecorationDepositTaking>,
) -> One {
    Ok(Json(
        dec::take_decoration_deposit(&s.core, &a.ctx, DecorationId(id), b).await?,
    ))
}

/// Issues the permit once the fees are paid and the deposit taken (422 naming what is unpaid):
/// the works are under way and the unit is 装修中.
#[utoipa::path(post, path = "/api/v1/decorations/{id}/permit", tag = "decoration", security(("bearer" = [])), params(("id" = i64, Path)),
    responses((status = 200, body = Decoration), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn permit(State(s): State<AppState>, a: ApiCtx, ApiPath(id): ApiPath<i64>) -> One {
    Ok(Json(
        dec::issue_decoration_permit(&s.core, &a.ctx, DecorationId(id)).await?,
    ))
}

/// Records a site inspection with the violations found (each with a deadline and a deduction).
#[utoipa::path(post, path = "/api/v1/decorations/{id}/inspections", tag = "decoration", security(("bearer" = [])), params(("id" = i64, Path)),
    request_body = DecorationInspectionForCreate,
    responses((status = 201, body = Decoration), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn inspect(
    State(s): State<AppState>,
    a: ApiCtx,
    ApiPath(id): ApiPath<i64>,
    ApiJson(b): ApiJson<DecorationInspectionForCreate>,
) -> ApiResult<(StatusCode, Json<Decoration>)> {
    let v = dec::inspect_decoration(&s.core, &a.ctx, DecorationId(id), b).await?;
    Ok((StatusCode::CREATED, Json(v)))
}

/// Records a violation rectified, once.
#[utoipa::path(post, path = "/api/v1/decoration-violations/{id}/rectify", tag = "decoration", security(("bearer" = [])), params(("id" = i64, Path)),
    request_body = ViolationRectified,
    responses((status = 200, body = Decoration), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn rectify(
    State(s): State<AppState>,
    a: ApiCtx,
    ApiPath(id): ApiPath<i64>,
    ApiJson(b): ApiJson<ViolationRectified>,
) -> One {
    Ok(Json(dec::rectify_violation(&s.core, &a.ctx, id, b).await?))
}

/// Extends the works' period, with a reason.
#[utoipa::path(post, path = "/api/v1/decorations/{id}/extend", tag = "decoration", security(("bearer" = [])), params(("id" = i64, Path)),
    request_body = DecorationExtension,
    responses((status = 200, body = Decoration), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn extend(
    State(s): State<AppState>,
    a: ApiCtx,
    ApiPath(id): ApiPath<i64>,
    ApiJson(b): ApiJson<DecorationExtension>,
) -> One {
    Ok(Json(
        dec::extend_decoration(&s.core, &a.ctx, DecorationId(id), b).await?,
    ))
}

/// Adds a file: the body is the file itself (PDF, JPEG, PNG or WebP, at most 10 MB); `label`
/// says what it is (a `fire_letter` records the letter signed), `inspection_id` whose photo.
#[utoipa::path(post, path = "/api/v1/decorations/{id}/files", tag = "decoration", security(("bearer" = [])), params(("id" = i64, Path), DecorationFileLabel),
    request_body(content(("application/pdf"), ("image/jpeg"), ("image/png"), ("image/webp"))),
    responses((status = 201, body = DecorationFile), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody), (status = 413, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn add_file(
    State(s): State<AppState>,
    a: ApiCtx,
    ApiPath(id): ApiPath<i64>,
    ApiQuery(q): ApiQuery<DecorationFileLabel>,
    body: Result<Bytes, BytesRejection>,
) -> ApiResult<(StatusCode, Json<DecorationFile>)> {
    let body = body.map_err(|_| {
        AppError::from(CoreError::Invalid(vec![
            FieldError::new("file", CommonCode::FileTooLarge).with("max", "10 MB"),
        ]))
        .in_locale(a.locale)
    })?;
    let f = dec::add_decoration_file(&s.core, &a.ctx, DecorationId(id), q, &body).await?;
    Ok((StatusCode::CREATED, Json(f)))
}

/// Records the completion acceptance: failed (with a note; the works go on) or passed once
/// every violation is rectified (422 `decoration_violations_open`).
#[utoipa::path(post, path = "/api/v1/decorations/{id}/accept", tag = "decoration", security(("bearer" = [])), params(("id" = i64, Path)),
    request_body = DecorationAcceptance,
    responses((status = 200, body = Decoration), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn accept(
    State(s): State<AppState>,
    a: ApiCtx,
    ApiPath(id): ApiPath<i64>,
    ApiJson(b): ApiJson<DecorationAcceptance>,
) -> One {
    Ok(Json(
        dec::accept_decoration(&s.core, &a.ctx, DecorationId(id), b).await?,
    ))
}

/// Refunds the deposit after acceptance (409 `decoration_not_accepted` before), less the
/// violations' deductions and those named (`billing.manage`).
#[utoipa::path(post, path = "/api/v1/decorations/{id}/refund", tag = "decoration", security(("bearer" = [])), params(("id" = i64, Path)),
    request_body = DecorationRefund,
    responses((status = 200, body = Decoration), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn refund(
    State(s): State<AppState>,
    a: ApiCtx,
    ApiPath(id): ApiPath<i64>,
    ApiJson(b): ApiJson<DecorationRefund>,
) -> One {
    Ok(Json(
        dec::refund_decoration_deposit(&s.core, &a.ctx, DecorationId(id), b).await?,
    ))
}

/// The decorations of the owner's units, newest first.
#[utoipa::path(get, path = "/api/v1/portal/decorations", tag = "portal", security(("bearer" = [])),
    responses((status = 200, body = Vec<Decoration>), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn mine(State(s): State<AppState>, a: ApiCtx) -> ApiResult<Json<Vec<Decoration>>> {
    Ok(Json(dec::my_decorations(&s.core, &a.ctx).await?))
}

/// The owner applies for decoration of a unit he owns.
#[utoipa::path(post, path = "/api/v1/portal/decorations", tag = "portal", security(("bearer" = [])),
    request_body = DecorationRequest,
    responses((status = 201, body = Decoration), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn request(
    State(s): State<AppState>,
    a: ApiCtx,
    ApiJson(b): ApiJson<DecorationRequest>,
) -> ApiResult<(StatusCode, Json<Decoration>)> {
    let v = dec::request_decoration(&s.core, &a.ctx, b).await?;
    Ok((StatusCode::CREATED, Json(v)))
}

/// The owner withdraws his application before it is decided.
#[utoipa::path(post, path = "/api/v1/portal/decorations/{id}/cancel", tag = "portal", security(("bearer" = [])), params(("id" = i64, Path)),
    responses((status = 200, body = Decoration), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn cancel_mine(State(s): State<AppState>, a: ApiCtx, ApiPath(id): ApiPath<i64>) -> One {
    Ok(Json(
        dec::cancel_my_decoration(&s.core, &a.ctx, DecorationId(id)).await?,
    ))
}
