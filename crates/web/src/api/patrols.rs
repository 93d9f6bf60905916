//! Patrols over the API: a community's checkpoints (and their printable labels), routes, plans,
//! the day's tasks and one task's scans, findings and the request made of one, the completion
//! report; and the phone's side — its rounds to walk, the sync of scans made offline, photos.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use chrono::NaiveDate;
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::{router::OpenApiRouter, routes};
use wuye_core::patrols::model::TaskState;
use wuye_core::patrols::{self, *};
use wuye_core::shared::error::{CommonCode, CoreError, FieldError};
use wuye_core::shared::ids::*;

use crate::AppState;
use crate::error::{ApiResult, AppError, ErrorBody};
use crate::extract::{ApiCtx, ApiJson, ApiPath, ApiQuery};

type Created<T> = ApiResult<(StatusCode, Json<T>)>;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_checkpoints, create_checkpoint))
        .routes(routes!(get_checkpoint, update_checkpoint))
        .routes(routes!(reprint_label))
        .routes(routes!(labels))
        .routes(routes!(list_routes, create_route))
        .routes(routes!(get_route, update_route))
        .routes(routes!(list_plans, create_plan))
        .routes(routes!(get_plan, update_plan))
        .routes(routes!(generate))
        .routes(routes!(day_tasks))
        .routes(routes!(tasks_xlsx))
        .routes(routes!(get_task))
        .routes(routes!(list_findings))
        .routes(routes!(finding_request))
        .routes(routes!(report))
        .routes(routes!(get_photo))
        .routes(routes!(my_rounds))
        .routes(routes!(sync))
        .routes(routes!(upload_photo))
}

/// The community's checkpoints with their check items (needs `patrols.manage`).
#[utoipa::path(get, path = "/api/v1/communities/{id}/patrol-checkpoints", tag = "patrols", security(("bearer" = [])),
    params(("id" = i64, Path)),
    responses((status = 200, body = Vec<Checkpoint>), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn list_checkpoints(
    State(s): State<AppState>,
    a: ApiCtx,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<Json<Vec<Checkpoint>>> {
    Ok(Json(
        patrols::checkpoints(&s.core, &a.ctx, CommunityId(id)).await?,
    ))
}

/// Places a checkpoint: its name and place, optionally its position (and the radius within
/// which a scan counts as there) and NFC tag, and its check items (normal/abnormal, a number
/// with limits, a choice with the options that are findings, text, a photo). A refused field
/// is named (`name`, `items[1].options`, `items[0].min`, `nfc_tag`…).
#[utoipa::path(post, path = "/api/v1/communities/{id}/patrol-checkpoints", tag = "patrols", security(("bearer" = [])),
    params(("id" = i64, Path)), request_body = CheckpointForCreate,
    responses((status = 201, body = Checkpoint), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn create_checkpoint(
    State(s): State<AppState>,
    a: ApiCtx,
    ApiPath(id): ApiPath<i64>,
    ApiJson(b): ApiJson<CheckpointForCreate>,
) -> Created<Checkpoint> {
    let v = patrols::create_checkpoint(&s.core, &a.ctx, CommunityId(id), b).await?;
    Ok((StatusCode::CREATED, Json(v)))
}

#[utoipa::path(get, path = "/api/v1/communities/{id}/patrol-checkpoints/{checkpoint}", tag = "patrols", security(("bearer" = [])),
    params(("id" = i64, Path), ("checkpoint" = i64, Path)),
    responses((status = 200, body = Checkpoint), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn get_checkpoint(
    State(s): State<AppState>,
    a: ApiCtx,
    ApiPath((id, k)): ApiPath<(i64, i64)>,
) -> ApiResult<Json<Checkpoint>> {
    Ok(Json(
        patrols::checkpoint(&s.core, &a.ctx, CommunityId(id), CheckpointId(k)).await?,
    ))
}

/// Rewrites a checkpoint and its items (items that results point to stay in history).
#[utoipa::path(put, path = "/api/v1/communities/{id}/patrol-checkpoints/{checkpoint}", tag = "patrols", security(("bearer" = [])),
    params(("id" = i64, Path), ("checkpoint" = i64, Path)), request_body = CheckpointForCreate,
    responses((status = 200, body = Checkpoint), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn update_checkpoint(
    State(s): State<AppState>,
    a: ApiCtx,
    ApiPath((id, k)): ApiPath<(i64, i64)>,
    ApiJson(b): ApiJson<CheckpointForCreate>,
) -> ApiResult<Json<Checkpoint>> {
    Ok(Json(
        patrols::update_checkpoint(&s.core, &a.ctx, CommunityId(id), CheckpointId(k), b).await?,
    ))
}

#[derive(serde::Serialize, ToSchema)]
pub struct LabelVersion {
    /// The new label's version.
    pub label_version: i64,
}

/// A new label for the checkpoint: a new secret, so scans of the old label are flagged
/// `stale_label` from now on. Print it with `patrol-labels`.
#[utoipa::path(post, path = "/api/v1/communities/{id}/patrol-checkpoints/{checkpoint}/reprint", tag = "patrols", security(("bearer" = [])),
    params(("id" = i64, Path), ("checkpoint" = i64, Path)),
    responses((status = 200, body = LabelVersion), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn reprint_label(
    State(s): State<AppState>,
    a: ApiCtx,
    ApiPath((id, k)): ApiPath<(i64, i64)>,
) -> ApiResult<Json<LabelVersion>> {
    let v = patrols::reprint_label(&s.core, &a.ctx, CommunityId(id), CheckpointId(k)).await?;
    Ok(Json(LabelVersion { label_version: v }))
}

#[derive(Deserialize, IntoParams)]
pub struct LabelsQuery {
    /// Checkpoint ids, comma-separated (none: every active checkpoint).
    pub ids: Option<String>,
}

/// A PDF sheet of QR labels (eight to an A4 page) to print and stick on site.
#[utoipa::path(get, path = "/api/v1/communities/{id}/patrol-labels", tag = "patrols", security(("bearer" = [])),
    params(("id" = i64, Path), LabelsQuery),
    responses((status = 200, description = "the labels", content_type = "application/pdf"), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 422, body = ErrorBody),
        (status = 503, description = "the PDF font file is missing (`WUYE_PDF_FONT`)", body = ErrorBody)))]
async fn labels(
    State(s): State<AppState>,
    a: ApiCtx,
    ApiPath(id): ApiPath<i64>,
    ApiQuery(q): ApiQuery<LabelsQuery>,
) -> ApiResult<Response> {
    let mut ids = Vec::new();
    for part in q
        .ids
        .as_deref()
        .unwrap_or("")
        .split(',')
        .filter(|p| !p.trim().is_empty())
    {
        match part.trim().parse() {
            Ok(n) => ids.push(CheckpointId(n)),
            Err(_) => {
                return Err(AppError::from(CoreError::invalid(
                    "checkpoint_ids",
                    CommonCode::NotANumber,
                ))
                .in_locale(a.locale));
            }
        }
    }
    let bytes = patrols::labels_pdf(&s.core, &a.ctx, CommunityId(id), &ids).await?;
    Ok(super::billing::pdf(
        bytes,
        &format!("patrol-labels-{id}.pdf"),
    ))
}

#[utoipa::path(get, path = "/api/v1/communities/{id}/patrol-routes", tag = "patrols", security(("bearer" = [])),
    params(("id" = i64, Path)),
    responses((status = 200, body = Vec<Route>), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn list_routes(
    State(s): State<AppState>,
    a: ApiCtx,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<Json<Vec<Route>>> {
    Ok(Json(
        patrols::routes(&s.core, &a.ctx, CommunityId(id)).await?,
    ))
}

/// A route: the community's checkpoints in the order they are walked (none: 422 on
/// `checkpoint_ids`, `patrol_route_empty`).
#[utoipa::path(post, path = "/api/v1/communities/{id}/patrol-routes", tag = "patrols", security(("bearer" = [])),
    params(("id" = i64, Path)), request_body = RouteForCreate,
    responses((status = 201, body = Route), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn create_route(
    State(s): State<AppState>,
    a: ApiCtx,
    ApiPath(id): ApiPath<i64>,
    ApiJson(b): ApiJson<RouteForCreate>,
) -> Created<Route> {
    let v = patrols::create_route(&s.core, &a.ctx, CommunityId(id), b).await?;
    Ok((StatusCode::CREATED, Json(v)))
}

#[utoipa::path(get, path = "/api/v1/communities/{id}/patrol-routes/{route}", tag = "patrols", security(("bearer" = [])),
    params(("id" = i64, Path), ("route" = i64, Path)),
    responses((status = 200, body = Route), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn get_route(
    State(s): State<AppState>,
    a: ApiCtx,
    ApiPath((id, r)): ApiPath<(i64, i64)>,
) -> ApiResult<Json<Route>> {
    Ok(Json(
        patrols::route(&s.core, &a.ctx, CommunityId(id), RouteId(r)).await?,
    ))
}

#[utoipa::path(put, path = "/api/v1/communities/{id}/patrol-routes/{route}", tag = "patrols", security(("bearer" = [])),
    params(("id" = i64, Path), ("route" = i64, Path)), request_body = RouteForCreate,
    responses((status = 200, body = Route), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn update_route(
    State(s): State<AppState>,
    a: ApiCtx,
    ApiPath((id, r)): ApiPath<(i64, i64)>,
    ApiJson(b): ApiJson<RouteForCreate>,
) -> ApiResult<Json<Route>> {
    Ok(Json(
        patrols::update_route(&s.core, &a.ctx, CommunityId(id), RouteId(r), b).await?,
    ))
}

#[utoipa::path(get, path = "/api/v1/communities/{id}/patrol-plans", tag = "patrols", security(("bearer" = [])),
    params(("id" = i64, Path)),
    responses((status = 200, body = Vec<PatrolPlan>), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn list_plans(
    State(s): State<AppState>,
    a: ApiCtx,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<Json<Vec<PatrolPlan>>> {
    Ok(Json(
        patrols::plans(&s.core, &a.ctx, CommunityId(id)).await?,
    ))
}

/// A plan: its route, how often (every N hours within the window, daily, weekly on days,
/// monthly on dates), the window of the community's clock, the time a round has to be
/// finished, and who walks it (people, or a duty shift). Today's and tomorrow's tasks are
/// written at once.
#[utoipa::path(post, path = "/api/v1/communities/{id}/patrol-plans", tag = "patrols", security(("bearer" = [])),
    params(("id" = i64, Path)), request_body = PatrolPlanForCreate,
    responses((status = 201, body = PatrolPlan), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn create_plan(
    State(s): State<AppState>,
    a: ApiCtx,
    ApiPath(id): ApiPath<i64>,
    ApiJson(b): ApiJson<PatrolPlanForCreate>,
) -> Created<PatrolPlan> {
    let v = patrols::create_plan(&s.core, &a.ctx, CommunityId(id), b).await?;
    Ok((StatusCode::CREATED, Json(v)))
}

#[utoipa::path(get, path = "/api/v1/communities/{id}/patrol-plans/{plan}", tag = "patrols", security(("bearer" = [])),
    params(("id" = i64, Path), ("plan" = i64, Path)),
    responses((status = 200, body = PatrolPlan), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn get_plan(
    State(s): State<AppState>,
    a: ApiCtx,
    ApiPath((id, p)): ApiPath<(i64, i64)>,
) -> ApiResult<Json<PatrolPlan>> {
    Ok(Json(
        patrols::plan(&s.core, &a.ctx, CommunityId(id), PatrolPlanId(p)).await?,
    ))
}

/// Rewrites a plan; its tasks not yet begun are written again from it.
#[utoipa::path(put, path = "/api/v1/communities/{id}/patrol-plans/{plan}", tag = "patrols", security(("bearer" = [])),
    params(("id" = i64, Path), ("plan" = i64, Path)), request_body = PatrolPlanForCreate,
    responses((status = 200, body = PatrolPlan), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn update_plan(
    State(s): State<AppState>,
    a: ApiCtx,
    ApiPath((id, p)): ApiPath<(i64, i64)>,
    ApiJson(b): ApiJson<PatrolPlanForCreate>,
) -> ApiResult<Json<PatrolPlan>> {
    Ok(Json(
        patrols::update_plan(&s.core, &a.ctx, CommunityId(id), PatrolPlanId(p), b).await?,
    ))
}

#[derive(Deserialize, ToSchema)]
pub struct GenerateBody {
    #[schema(value_type = String, format = Date)]
    pub from: NaiveDate,
    #[schema(value_type = String, format = Date)]
    pub to: NaiveDate,
}

/// Writes the community's tasks for the days `from`–`to` (at most 31 days) that are not there
/// yet: a catch-up, or tasks ahead. Running it twice writes nothing the second time.
#[utoipa::path(post, path = "/api/v1/communities/{id}/patrol-tasks/generate", tag = "patrols", security(("bearer" = [])),
    params(("id" = i64, Path)), request_body = GenerateBody,
    responses((status = 200, body = TasksGenerated), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn generate(
    State(s): State<AppState>,
    a: ApiCtx,
    ApiPath(id): ApiPath<i64>,
    ApiJson(b): ApiJson<GenerateBody>,
) -> ApiResult<Json<TasksGenerated>> {
    Ok(Json(
        patrols::generate_for(&s.core, &a.ctx, CommunityId(id), b.from, b.to).await?,
    ))
}

#[derive(Deserialize, IntoParams)]
pub struct DayQuery {
    /// A day of the community (`YYYY-MM-DD`; default today).
    #[param(value_type = Option<String>, format = Date)]
    pub day: Option<NaiveDate>,
    #[param(value_type = Option<String>)]
    pub state: Option<TaskState>,
}

/// The community's tasks of a day, by start, with who walks each and how far it got.
#[utoipa::path(get, path = "/api/v1/communities/{id}/patrol-tasks", tag = "patrols", security(("bearer" = [])),
    params(("id" = i64, Path), DayQuery),
    responses((status = 200, body = Vec<PatrolTask>), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn day_tasks(
    State(s): State<AppState>,
    a: ApiCtx,
    ApiPath(id): ApiPath<i64>,
    ApiQuery(q): ApiQuery<DayQuery>,
) -> ApiResult<Json<Vec<PatrolTask>>> {
    let (_, tasks) = patrols::day_board(&s.core, &a.ctx, CommunityId(id), q.day, q.state).await?;
    Ok(Json(tasks))
}

/// The same tasks as the list (of `day`, in `state`), newest first, as .xlsx, streamed.
#[utoipa::path(get, path = "/api/v1/communities/{id}/patrol-tasks.xlsx", tag = "patrols", security(("bearer" = [])),
    params(("id" = i64, Path), DayQuery),
    responses((status = 200, description = "The workbook", content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn tasks_xlsx(
    State(s): State<AppState>,
    a: ApiCtx,
    ApiPath(id): ApiPath<i64>,
    ApiQuery(q): ApiQuery<DayQuery>,
) -> ApiResult<Response> {
    let file = patrols::day_tasks_xlsx(&s.core, &a.ctx, CommunityId(id), q.day, q.state).await?;
    Ok(super::import::xlsx_file(file, "patrol-tasks.xlsx"))
}

/// A task with its scans (times as the phone had them and as corrected, when received, the
/// distance and every flag), the results and the checkpoints still missing.
#[utoipa::path(get, path = "/api/v1/communities/{id}/patrol-tasks/{task}", tag = "patrols", security(("bearer" = [])),
    params(("id" = i64, Path), ("task" = i64, Path)),
    responses((status = 200, body = TaskDetail), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn get_task(
    State(s): State<AppState>,
    a: ApiCtx,
    ApiPath((id, t)): ApiPath<(i64, i64)>,
) -> ApiResult<Json<TaskDetail>> {
    Ok(Json(
        patrols::task_detail(&s.core, &a.ctx, CommunityId(id), PatrolTaskId(t)).await?,
    ))
}

#[derive(Deserialize, IntoParams)]
pub struct FindingsQuery {
    /// Only those not yet turned into a request.
    pub open: Option<bool>,
}

/// The community's latest findings (abnormal results, readings out of their limits).
#[utoipa::path(get, path = "/api/v1/communities/{id}/patrol-findings", tag = "patrols", security(("bearer" = [])),
    params(("id" = i64, Path), FindingsQuery),
    responses((status = 200, body = Vec<Finding>), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn list_findings(
    State(s): State<AppState>,
    a: ApiCtx,
    ApiPath(id): ApiPath<i64>,
    ApiQuery(q): ApiQuery<FindingsQuery>,
) -> ApiResult<Json<Vec<Finding>>> {
    Ok(Json(
        patrols::findings(&s.core, &a.ctx, CommunityId(id), q.open.unwrap_or(false)).await?,
    ))
}

/// Turns a finding into a common-area repair request (channel 巡查发现, the checkpoint as its
/// place, the finding's photo attached), once: a second time is 409 `patrol_already_requested`.
#[utoipa::path(post, path = "/api/v1/communities/{id}/patrol-findings/{finding}/request", tag = "patrols", security(("bearer" = [])),
    params(("id" = i64, Path), ("finding" = i64, Path)), request_body = FindingToRequest,
    responses((status = 201, body = FindingRequest), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn finding_request(
    State(s): State<AppState>,
    a: ApiCtx,
    ApiPath((id, f)): ApiPath<(i64, i64)>,
    ApiJson(b): ApiJson<FindingToRequest>,
) -> Created<FindingRequest> {
    let v = patrols::request_from_finding(&s.core, &a.ctx, CommunityId(id), PatrolResultId(f), b)
        .await?;
    Ok((StatusCode::CREATED, Json(v)))
}

#[derive(Deserialize, IntoParams)]
pub struct ReportQuery {
    /// The first day (default: a year before `to`).
    #[param(value_type = Option<String>, format = Date)]
    pub from: Option<NaiveDate>,
    /// The last day (default: the community's today).
    #[param(value_type = Option<String>, format = Date)]
    pub to: Option<NaiveDate>,
}

/// How the rounds of the community's days `from`–`to` went (at most 366 days; default the
/// last year): tasks done, late, missed, checkpoints scanned and flagged, by plan and by month.
#[utoipa::path(get, path = "/api/v1/communities/{id}/patrol-report", tag = "patrols", security(("bearer" = [])),
    params(("id" = i64, Path), ReportQuery),
    responses((status = 200, body = CompletionReport), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
async fn report(
    State(s): State<AppState>,
    a: ApiCtx,
    ApiPath(id): ApiPath<i64>,
    ApiQuery(q): ApiQuery<ReportQuery>,
) -> ApiResult<Json<CompletionReport>> {
    Ok(Json(
        patrols::completion_report(&s.core, &a.ctx, CommunityId(id), q.from, q.to).await?,
    ))
}

/// A photo taken on a round, by the phone's id for it.
#[utoipa::path(get, path = "/api/v1/communities/{id}/patrol-photos/{client_id}", tag = "patrols", security(("bearer" = [])),
    params(("id" = i64, Path), ("client_id" = String, Path)),
    responses((status = 200, description = "The image as taken", content(("image/jpeg"), ("image/png"), ("image/webp"))),
        (status = 404, body = ErrorBody)))]
async fn get_photo(
    State(s): State<AppState>,
    a: ApiCtx,
    ApiPath((id, client)): ApiPath<(i64, String)>,
) -> ApiResult<Response> {
    let (ct, bytes) = patrols::photo_file(&s.core, &a.ctx, CommunityId(id), &client).await?;
    Ok(crate::console::image_response(ct, bytes))
}

/// The calling person's rounds from 18 hours ago to 30 hours ahead, with each route's
/// checkpoints and items: what the patrol app keeps on the phone to walk without signal.
#[utoipa::path(get, path = "/api/v1/patrol/rounds", tag = "patrols", security(("bearer" = [])),
    responses((status = 200, body = PhoneBundle), (status = 403, body = ErrorBody)))]
async fn my_rounds(State(s): State<AppState>, a: ApiCtx) -> ApiResult<Json<PhoneBundle>> {
    Ok(Json(patrols::my_rounds(&s.core, &a.ctx).await?))
}

/// Records scans made on the phone, with or without signal. Each scan carries the phone's id
/// for it: sent again (a retried sync), it is answered `duplicate` and nothing is written. The
/// server flags what it doubts (stale label, phone clock off, far away, out of the window or
/// the order, findings, required items left empty) and refuses, per scan, only what cannot be
/// a real scan (`rejected`, naming the field: `scans[2].code`).
#[utoipa::path(post, path = "/api/v1/patrol/sync", tag = "patrols", security(("bearer" = [])),
    request_body = SyncBatch,
    responses((status = 200, body = SyncReport), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn sync(
    State(s): State<AppState>,
    a: ApiCtx,
    ApiJson(b): ApiJson<SyncBatch>,
) -> ApiResult<Json<SyncReport>> {
    Ok(Json(patrols::sync_scans(&s.core, &a.ctx, b).await?))
}

#[derive(Deserialize, IntoParams)]
pub struct PhotoQuery {
    pub task_id: i64,
    /// The phone's id for the photo (8–64 letters, digits, `-`, `_`).
    pub client_id: String,
}

/// Stores a photo taken on a round (the image is the request body: JPEG, PNG or WebP, at most
/// 5 MB), once by the phone's id: sent again, it is answered with `stored: false`.
#[utoipa::path(post, path = "/api/v1/patrol/photos", tag = "patrols", security(("bearer" = [])), params(PhotoQuery),
    request_body(content(("image/jpeg"), ("image/png"), ("image/webp"))),
    responses((status = 200, body = PhotoOutcome), (status = 403, body = ErrorBody), (status = 413, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
async fn upload_photo(
    State(s): State<AppState>,
    a: ApiCtx,
    ApiQuery(q): ApiQuery<PhotoQuery>,
    body: Result<axum::body::Bytes, axum::extract::rejection::BytesRejection>,
) -> ApiResult<Json<PhotoOutcome>> {
    let body = body.map_err(|_| {
        AppError::from(CoreError::Invalid(vec![
            FieldError::new("photo", CommonCode::FileTooLarge).with("max", "5 MB"),
        ]))
        .in_locale(a.locale)
    })?;
    Ok(Json(
        patrols::upload_photo(
            &s.core,
            &a.ctx,
            PatrolTaskId(q.task_id),
            &q.client_id,
            &body,
        )
        .await?,
    ))
}
