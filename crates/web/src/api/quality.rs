//! Quality audits over the API (品质核查): the company's audit sheets (the seed's templates written
//! on first read; an edit is the sheet's next version), audits of a community opened with sheets
//! and weights, items scored once, signed off once.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use utoipa_axum::{router::OpenApiRouter, routes};
use wuye_core::quality::{self, *};
use wuye_core::shared::ids::*;

use crate::AppState;
use crate::error::{ApiResult, ErrorBody};
use crate::extract::{ApiCtx, ApiJson, ApiPath, ApiQuery};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(sheets, create_sheet))
        .routes(routes!(sheet, update_sheet))
        .routes(routes!(audits, open))
        .routes(routes!(get_one))
        .routes(routes!(evidence))
        .routes(routes!(score, clear))
        .routes(routes!(sign))
        .routes(routes!(add_photo))
        .routes(routes!(photo))
        .routes(routes!(rewards, save_rewards))
        .routes(routes!(report))
        .routes(routes!(report_xlsx))
}

type One = ApiResult<Json<Audit>>;

/// The company's audit sheets with their current items; the seed's 客户服务 and 设施设备 sheets are
/// written the first time.
#[utoipa::path(get, path = "/api/v1/audit-sheets", tag = "quality", security(("bearer" = [])),
    responses((status = 200, body = Vec<AuditSheet>), (status = 403, body = ErrorBody)))]
async fn sheets(State(s): State<AppState>, a: ApiCtx) -> ApiResult<Json<Vec<AuditSheet>>> {
    Ok(Json(quality::list_sheets(&s.core, &a.ctx).await?))
}

/// Adds a sheet: its items sum to at most 100 points, each deduction range inside its item.
#[utoipa::path(post, path = "/api/v1/audit-sheets", tag = "quality", security(("bearer" = [])),
    request_body = SheetForSave,
    responses((status = 201, body = AuditSheet), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn create_sheet(
    State(s): State<AppState>,
    a: ApiCtx,
    ApiJson(b): ApiJson<SheetForSave>,
) -> ApiResult<(StatusCode, Json<AuditSheet>)> {
    let v = quality::create_sheet(&s.core, &a.ctx, b).await?;
    Ok((StatusCode::CREATED, Json(v)))
}

#[utoipa::path(get, path = "/api/v1/audit-sheets/{id}", tag = "quality", security(("bearer" = [])), params(("id" = i64, Path)),
    responses((status = 200, body = AuditSheet), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn sheet(
    State(s): State<AppState>,
    a: ApiCtx,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<Json<AuditSheet>> {
    Ok(Json(
        quality::get_sheet(&s.core, &a.ctx, AuditSheetId(id)).await?,
    ))
}

/// Edits a sheet: every item each time, written as its next version (audits keep theirs); two
/// edits at once: one is 409 `audit_sheet_edited`.
#[utoipa::path(put, path = "/api/v1/audit-sheets/{id}", tag = "quality", security(("bearer" = [])), params(("id" = i64, Path)),
    request_body = SheetForSave,
    responses((status = 200, body = AuditSheet), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn update_sheet(
    State(s): State<AppState>,
    a: ApiCtx,
    ApiPath(id): ApiPath<i64>,
    ApiJson(b): ApiJson<SheetForSave>,
) -> ApiResult<Json<AuditSheet>> {
    Ok(Json(
        quality::update_sheet(&s.core, &a.ctx, AuditSheetId(id), b).await?,
    ))
}

/// The community's audits, open ones first.
#[utoipa::path(get, path = "/api/v1/communities/{id}/audits", tag = "quality", security(("bearer" = [])), params(("id" = i64, Path)),
    responses((status = 200, body = Vec<AuditSummary>), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn audits(
    State(s): State<AppState>,
    a: ApiCtx,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<Json<Vec<AuditSummary>>> {
    Ok(Json(
        quality::list_audits(&s.core, &a.ctx, CommunityId(id)).await?,
    ))
}

/// Opens an audit (PZ-000001) with sheets of the company, each once, weights summing to 100
/// (422 `audit_weights_sum`).
#[utoipa::path(post, path = "/api/v1/communities/{id}/audits", tag = "quality", security(("bearer" = [])), params(("id" = i64, Path)),
    request_body = AuditForCreate,
    responses((status = 201, body = Audit), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn open(
    State(s): State<AppState>,
    a: ApiCtx,
    ApiPath(id): ApiPath<i64>,
    ApiJson(b): ApiJson<AuditForCreate>,
) -> ApiResult<(StatusCode, Json<Audit>)> {
    let v = quality::open_audit(&s.core, &a.ctx, CommunityId(id), b).await?;
    Ok((StatusCode::CREATED, Json(v)))
}

/// An audit with its sheets, items, scores, the sheet scores, weighted total and grade.
#[utoipa::path(get, path = "/api/v1/audits/{id}", tag = "quality", security(("bearer" = [])), params(("id" = i64, Path)),
    responses((status = 200, body = Audit), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn get_one(State(s): State<AppState>, a: ApiCtx, ApiPath(id): ApiPath<i64>) -> One {
    Ok(Json(
        quality::get_audit(&s.core, &a.ctx, AuditId(id)).await?,
    ))
}

/// What the system holds beside the audit's items (return visits, the key ledger, cashier days
/// closed, …), counted over the 90 days up to its sign-off (or now while open). Items without
/// evidence are left out; `warn` marks a fact the auditor should look at.
#[utoipa::path(get, path = "/api/v1/audits/{id}/evidence", tag = "quality", security(("bearer" = [])), params(("id" = i64, Path)),
    responses((status = 200, body = AuditEvidence), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn evidence(
    State(s): State<AppState>,
    a: ApiCtx,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<Json<AuditEvidence>> {
    Ok(Json(
        quality::audit_evidence(&s.core, &a.ctx, AuditId(id)).await?,
    ))
}

/// Scores an item once (409 `audit_item_scored`; 409 `audit_signed` once signed off): one finding
/// per element, a missing one's deduction inside the item's range.
#[utoipa::path(put, path = "/api/v1/audits/{id}/items/{item}", tag = "quality", security(("bearer" = [])),
    params(("id" = i64, Path), ("item" = i64, Path)), request_body = ItemScoreInput,
    responses((status = 200, body = Audit), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn score(
    State(s): State<AppState>,
    a: ApiCtx,
    ApiPath((id, item)): ApiPath<(i64, i64)>,
    ApiJson(b): ApiJson<ItemScoreInput>,
) -> One {
    Ok(Json(
        quality::score_item(&s.core, &a.ctx, AuditId(id), item, b).await?,
    ))
}

/// Clears an item's score while the audit is open.
#[utoipa::path(delete, path = "/api/v1/audits/{id}/items/{item}", tag = "quality", security(("bearer" = [])),
    params(("id" = i64, Path), ("item" = i64, Path)),
    responses((status = 200, body = Audit), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn clear(
    State(s): State<AppState>,
    a: ApiCtx,
    ApiPath((id, item)): ApiPath<(i64, i64)>,
) -> One {
    Ok(Json(
        quality::clear_item(&s.core, &a.ctx, AuditId(id), item).await?,
    ))
}

/// Signs the audit off once every item is scored (422 `audit_incomplete`); once (409
/// `audit_signed`).
#[utoipa::path(post, path = "/api/v1/audits/{id}/sign", tag = "quality", security(("bearer" = [])), params(("id" = i64, Path)),
    responses((status = 200, body = Audit), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn sign(State(s): State<AppState>, a: ApiCtx, ApiPath(id): ApiPath<i64>) -> One {
    Ok(Json(
        quality::sign_audit(&s.core, &a.ctx, AuditId(id)).await?,
    ))
}

/// The company's reward/penalty table by position (the seed's figures until it saves its own).
#[utoipa::path(get, path = "/api/v1/quality-rewards", tag = "quality", security(("bearer" = [])),
    responses((status = 200, body = RewardTable), (status = 403, body = ErrorBody)))]
async fn rewards(State(s): State<AppState>, a: ApiCtx) -> ApiResult<Json<RewardTable>> {
    Ok(Json(quality::reward_table(&s.core, &a.ctx).await?))
}

/// Saves the table whole: 1–20 positions, each named once, amounts in yuan.
#[utoipa::path(put, path = "/api/v1/quality-rewards", tag = "quality", security(("bearer" = [])),
    request_body = RewardTableInput,
    responses((status = 200, body = RewardTable), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn save_rewards(
    State(s): State<AppState>,
    a: ApiCtx,
    ApiJson(b): ApiJson<RewardTableInput>,
) -> ApiResult<Json<RewardTable>> {
    Ok(Json(quality::save_reward_table(&s.core, &a.ctx, b).await?))
}

/// The quarter's results of every community the actor audits: the last audit signed off in the
/// quarter, its grade, what each position gains or loses, the team bonus, the rectifications.
#[utoipa::path(get, path = "/api/v1/quality-report", tag = "quality", security(("bearer" = [])), params(QuarterQuery),
    responses((status = 200, body = QualityReport), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn report(
    State(s): State<AppState>,
    a: ApiCtx,
    ApiQuery(q): ApiQuery<QuarterQuery>,
) -> ApiResult<Json<QualityReport>> {
    Ok(Json(quality::quality_report(&s.core, &a.ctx, &q).await?))
}

/// The quarter's results as .xlsx.
#[utoipa::path(get, path = "/api/v1/quality-report.xlsx", tag = "quality", security(("bearer" = [])), params(QuarterQuery),
    responses((status = 200, description = "The workbook", content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn report_xlsx(
    State(s): State<AppState>,
    a: ApiCtx,
    ApiQuery(q): ApiQuery<QuarterQuery>,
) -> ApiResult<axum::response::Response> {
    let (name, bytes) = quality::quality_report_xlsx(&s.core, &a.ctx, &q).await?;
    Ok(super::import::xlsx(bytes, &name))
}

/// Adds a photo of an item while the audit is open: the image itself is the body (JPEG, PNG or
/// WebP, at most 5 MB; at most nine an item).
#[utoipa::path(post, path = "/api/v1/audits/{id}/items/{item}/photos", tag = "quality", security(("bearer" = [])),
    params(("id" = i64, Path), ("item" = i64, Path)),
    request_body(content(("image/jpeg"), ("image/png"), ("image/webp"))),
    responses((status = 201, body = Audit), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody),
        (status = 413, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn add_photo(
    State(s): State<AppState>,
    a: ApiCtx,
    ApiPath((id, item)): ApiPath<(i64, i64)>,
    body: Result<axum::body::Bytes, axum::extract::rejection::BytesRejection>,
) -> ApiResult<(StatusCode, Json<Audit>)> {
    let body = body.map_err(|_| {
        crate::error::AppError::from(wuye_core::CoreError::Invalid(vec![
            wuye_core::FieldError::new("photo", wuye_core::shared::error::CommonCode::FileTooLarge)
                .with("max", "5 MB"),
        ]))
        .in_locale(a.locale)
    })?;
    let v = quality::add_audit_photo(&s.core, &a.ctx, AuditId(id), item, &body).await?;
    Ok((StatusCode::CREATED, Json(v)))
}

/// One photo of an audit.
#[utoipa::path(get, path = "/api/v1/audits/{id}/photos/{photo}", tag = "quality", security(("bearer" = [])),
    params(("id" = i64, Path), ("photo" = i64, Path)),
    responses((status = 200, description = "The image, as it was uploaded", content(("image/jpeg"), ("image/png"), ("image/webp"))),
        (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn photo(
    State(s): State<AppState>,
    a: ApiCtx,
    ApiPath((id, photo)): ApiPath<(i64, i64)>,
) -> ApiResult<axum::response::Response> {
    let (ct, bytes) = quality::audit_photo(&s.core, &a.ctx, AuditId(id), photo).await?;
    Ok(crate::console::image_response(ct, bytes))
}
