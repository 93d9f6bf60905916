//! Quality campaigns over the API (专项工作, issue 16 point 5): the company's campaign with its five
//! phases, each community's self-check plan, the final audit opened in the acceptance phase, the
//! summary that closes it.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use utoipa_axum::{router::OpenApiRouter, routes};
use wuye_core::quality::{self, *};
use wuye_core::shared::ids::*;

use crate::AppState;
use crate::error::{ApiResult, ErrorBody};
use crate::extract::{ApiCtx, ApiJson, ApiPath};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list, create))
        .routes(routes!(get_one))
        .routes(routes!(tasks, add_task))
        .routes(routes!(finish_task))
        .routes(routes!(open_audit))
        .routes(routes!(close))
}

/// The company's campaigns, newest first (`quality.manage`; a community's manager sees those his
/// communities take part in).
#[utoipa::path(get, path = "/api/v1/quality-campaigns", tag = "quality", security(("bearer" = [])),
    responses((status = 200, body = Vec<Campaign>), (status = 403, body = ErrorBody)))]
async fn list(State(s): State<AppState>, a: ApiCtx) -> ApiResult<Json<Vec<Campaign>>> {
    Ok(Json(quality::list_campaigns(&s.core, &a.ctx).await?))
}

/// Starts a campaign (`quality.manage`): five phases in order (default the seed's dates in
/// `year`), the communities taking part, the final audit's sheets and weights.
#[utoipa::path(post, path = "/api/v1/quality-campaigns", tag = "quality", security(("bearer" = [])),
    request_body = CampaignForCreate,
    responses((status = 201, body = Campaign), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn create(
    State(s): State<AppState>,
    a: ApiCtx,
    ApiJson(b): ApiJson<CampaignForCreate>,
) -> ApiResult<(StatusCode, Json<Campaign>)> {
    let v = quality::create_campaign(&s.core, &a.ctx, b).await?;
    Ok((StatusCode::CREATED, Json(v)))
}

/// A campaign: its phases (and the one today falls in), the communities the user reaches with
/// their plan's progress and final audit.
#[utoipa::path(get, path = "/api/v1/quality-campaigns/{id}", tag = "quality", security(("bearer" = [])), params(("id" = i64, Path)),
    responses((status = 200, body = Campaign), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn get_one(
    State(s): State<AppState>,
    a: ApiCtx,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<Json<Campaign>> {
    Ok(Json(
        quality::get_campaign(&s.core, &a.ctx, CampaignId(id)).await?,
    ))
}

/// A community's self-check plan (自查自纠实施方案), by deadline.
#[utoipa::path(get, path = "/api/v1/quality-campaigns/{id}/communities/{community}/tasks", tag = "quality", security(("bearer" = [])),
    params(("id" = i64, Path), ("community" = i64, Path)),
    responses((status = 200, body = Vec<CampaignTask>), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn tasks(
    State(s): State<AppState>,
    a: ApiCtx,
    ApiPath((id, c)): ApiPath<(i64, i64)>,
) -> ApiResult<Json<Vec<CampaignTask>>> {
    Ok(Json(
        quality::campaign_tasks(&s.core, &a.ctx, CampaignId(id), CommunityId(c)).await?,
    ))
}

/// Adds a task to the plan: its phase, what, its owner (责任人, a staff member of the community) and
/// its day within the campaign (完成时间); 409 `campaign_closed` once closed.
#[utoipa::path(post, path = "/api/v1/quality-campaigns/{id}/communities/{community}/tasks", tag = "quality", security(("bearer" = [])),
    params(("id" = i64, Path), ("community" = i64, Path)), request_body = CampaignTaskInput,
    responses((status = 201, body = CampaignTask), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn add_task(
    State(s): State<AppState>,
    a: ApiCtx,
    ApiPath((id, c)): ApiPath<(i64, i64)>,
    ApiJson(b): ApiJson<CampaignTaskInput>,
) -> ApiResult<(StatusCode, Json<CampaignTask>)> {
    let v = quality::add_campaign_task(&s.core, &a.ctx, CampaignId(id), CommunityId(c), b).await?;
    Ok((StatusCode::CREATED, Json(v)))
}

/// Marks a task done, once (409 `campaign_task_done`), by its owner or one who keeps the plan.
#[utoipa::path(post, path = "/api/v1/campaign-tasks/{id}/done", tag = "quality", security(("bearer" = [])), params(("id" = i64, Path)),
    request_body = CampaignTaskDone,
    responses((status = 200, body = CampaignTask), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn finish_task(
    State(s): State<AppState>,
    a: ApiCtx,
    ApiPath(id): ApiPath<i64>,
    ApiJson(b): ApiJson<CampaignTaskDone>,
) -> ApiResult<Json<CampaignTask>> {
    Ok(Json(
        quality::finish_campaign_task(&s.core, &a.ctx, CampaignTaskId(id), b).await?,
    ))
}

/// Opens the community's final audit (检查验收) with the campaign's sheets, once (409
/// `campaign_audit_opened`), from the acceptance phase on (409 `campaign_before_acceptance`).
#[utoipa::path(post, path = "/api/v1/quality-campaigns/{id}/communities/{community}/audit", tag = "quality", security(("bearer" = [])),
    params(("id" = i64, Path), ("community" = i64, Path)),
    responses((status = 201, body = Audit), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn open_audit(
    State(s): State<AppState>,
    a: ApiCtx,
    ApiPath((id, c)): ApiPath<(i64, i64)>,
) -> ApiResult<(StatusCode, Json<Audit>)> {
    let v = quality::open_campaign_audit(&s.core, &a.ctx, CampaignId(id), CommunityId(c)).await?;
    Ok((StatusCode::CREATED, Json(v)))
}

/// Closes the campaign with its summary (专项总结); 409 `campaign_closed` when it is already.
#[utoipa::path(post, path = "/api/v1/quality-campaigns/{id}/close", tag = "quality", security(("bearer" = [])), params(("id" = i64, Path)),
    request_body = CampaignClose,
    responses((status = 200, body = Campaign), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn close(
    State(s): State<AppState>,
    a: ApiCtx,
    ApiPath(id): ApiPath<i64>,
    ApiJson(b): ApiJson<CampaignClose>,
) -> ApiResult<Json<Campaign>> {
    Ok(Json(
        quality::close_campaign(&s.core, &a.ctx, CampaignId(id), b).await?,
    ))
}
