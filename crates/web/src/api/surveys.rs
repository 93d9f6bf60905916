//! Satisfaction surveys and the opinion library over the API: a community's surveys, building,
//! publishing and closing one, its live analysis (JSON, .xlsx, PDF); the owner's surveys and his
//! answer sheet; the opinion library's list, follow-up and reply.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use utoipa_axum::{router::OpenApiRouter, routes};
use wuye_core::shared::ids::*;
use wuye_core::surveys::model::SurveyForUpdate;
use wuye_core::surveys::{self, *};

use crate::AppState;
use crate::error::{ApiResult, ErrorBody};
use crate::extract::{ApiCtx, ApiJson, ApiPath, ApiQuery};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_surveys, create_survey))
        .routes(routes!(survey_reminder))
        .routes(routes!(get_survey, update_survey))
        .routes(routes!(open_survey))
        .routes(routes!(close_survey))
        .routes(routes!(survey_analysis))
        .routes(routes!(survey_export))
        .routes(routes!(survey_report))
        .routes(routes!(my_surveys))
        .routes(routes!(my_survey))
        .routes(routes!(submit_response))
        .routes(routes!(list_opinions))
        .routes(routes!(get_opinion, update_opinion))
        .routes(routes!(reply_opinion))
}

/// A community's surveys, newest first, without their questions (needs `surveys.manage`).
#[utoipa::path(get, path = "/api/v1/communities/{id}/surveys", tag = "surveys", security(("bearer" = [])), params(("id" = i64, Path)),
    responses((status = 200, body = Vec<Survey>), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn list_surveys(
    State(s): State<AppState>,
    a: ApiCtx,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<Json<Vec<Survey>>> {
    Ok(Json(
        surveys::list_surveys(&s.core, &a.ctx, CommunityId(id)).await?,
    ))
}

/// Builds a survey of the community as a draft: its questions in order, each single choice,
/// multiple choice, score (1–5) or text. A refused field is named (`title`, `questions`,
/// `questions[2].options`, `closes_on`, …).
#[utoipa::path(post, path = "/api/v1/communities/{id}/surveys", tag = "surveys", security(("bearer" = [])), params(("id" = i64, Path)),
    request_body = SurveyForUpdate,
    responses((status = 201, body = Survey), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn create_survey(
    State(s): State<AppState>,
    a: ApiCtx,
    ApiPath(id): ApiPath<i64>,
    ApiJson(b): ApiJson<SurveyForUpdate>,
) -> ApiResult<(StatusCode, Json<Survey>)> {
    let v = surveys::create_survey(&s.core, &a.ctx, CommunityId(id), b).await?;
    Ok((StatusCode::CREATED, Json(v)))
}

/// Whether the community is due for a survey: its last one opened over six months ago, or
/// none ever did.
#[utoipa::path(get, path = "/api/v1/communities/{id}/survey-reminder", tag = "surveys", security(("bearer" = [])), params(("id" = i64, Path)),
    responses((status = 200, body = SurveyReminder), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn survey_reminder(
    State(s): State<AppState>,
    a: ApiCtx,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<Json<SurveyReminder>> {
    Ok(Json(
        surveys::reminder(&s.core, &a.ctx, CommunityId(id)).await?,
    ))
}

/// A survey with its questions.
#[utoipa::path(get, path = "/api/v1/surveys/{id}", tag = "surveys", security(("bearer" = [])), params(("id" = i64, Path)),
    responses((status = 200, body = Survey), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn get_survey(
    State(s): State<AppState>,
    a: ApiCtx,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<Json<Survey>> {
    Ok(Json(
        surveys::get_survey(&s.core, &a.ctx, SurveyId(id)).await?,
    ))
}

/// Rewrites a draft: its fields and its whole list of questions (a published survey: 409).
#[utoipa::path(put, path = "/api/v1/surveys/{id}", tag = "surveys", security(("bearer" = [])), params(("id" = i64, Path)),
    request_body = SurveyForUpdate,
    responses((status = 200, body = Survey), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn update_survey(
    State(s): State<AppState>,
    a: ApiCtx,
    ApiPath(id): ApiPath<i64>,
    ApiJson(b): ApiJson<SurveyForUpdate>,
) -> ApiResult<Json<Survey>> {
    Ok(Json(
        surveys::update_survey(&s.core, &a.ctx, SurveyId(id), b).await?,
    ))
}

/// Publishes a draft: its questions are fixed, and every person it asks is told
/// (`survey_opened`). A period already over: 422 on `closes_on`; not a draft: 409.
#[utoipa::path(post, path = "/api/v1/surveys/{id}/open", tag = "surveys", security(("bearer" = [])), params(("id" = i64, Path)),
    responses((status = 200, body = Survey), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn open_survey(
    State(s): State<AppState>,
    a: ApiCtx,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<Json<Survey>> {
    Ok(Json(
        surveys::open_survey(&s.core, &a.ctx, SurveyId(id)).await?,
    ))
}

/// Closes an open survey (not open: 409).
#[utoipa::path(post, path = "/api/v1/surveys/{id}/close", tag = "surveys", security(("bearer" = [])), params(("id" = i64, Path)),
    responses((status = 200, body = Survey), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
async fn close_survey(
    State(s): State<AppState>,
    a: ApiCtx,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<Json<Survey>> {
    Ok(Json(
        surveys::close_survey(&s.core, &a.ctx, SurveyId(id)).await?,
    ))
}

/// The live analysis: response rate, each question's counts, means and the satisfaction index
/// (share of scores 4 and 5 among all scores, in percent). Names nobody.
#[utoipa::path(get, path = "/api/v1/surveys/{id}/analysis", tag = "surveys", security(("bearer" = [])), params(("id" = i64, Path)),
    responses((status = 200, body = SurveyAnalysis), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn survey_analysis(
    State(s): State<AppState>,
    a: ApiCtx,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<Json<SurveyAnalysis>> {
    Ok(Json(
        surveys::analysis(&s.core, &a.ctx, SurveyId(id)).await?,
    ))
}

/// The analysis and every answer sheet as an .xlsx workbook (an anonymous survey's without
/// names).
#[utoipa::path(get, path = "/api/v1/surveys/{id}/export", tag = "surveys", security(("bearer" = [])), params(("id" = i64, Path)),
    responses((status = 200, description = "the workbook", content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn survey_export(
    State(s): State<AppState>,
    a: ApiCtx,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<Response> {
    let bytes = surveys::export_xlsx(&s.core, &a.ctx, SurveyId(id)).await?;
    Ok(super::import::xlsx(bytes, &format!("survey-{id}.xlsx")))
}

/// The analysis as a PDF report.
#[utoipa::path(get, path = "/api/v1/surveys/{id}/report", tag = "surveys", security(("bearer" = [])), params(("id" = i64, Path)),
    responses((status = 200, description = "the report", content_type = "application/pdf"), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 503, description = "the PDF font file is missing (`WUYE_PDF_FONT`)", body = ErrorBody)))]
async fn survey_report(
    State(s): State<AppState>,
    a: ApiCtx,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<Response> {
    let bytes = surveys::report_pdf(&s.core, &a.ctx, SurveyId(id)).await?;
    Ok(super::billing::pdf(bytes, &format!("survey-{id}.pdf")))
}

/// The surveys that ask the owner: open ones, and closed ones he answered.
#[utoipa::path(get, path = "/api/v1/portal/surveys", tag = "portal", security(("bearer" = [])),
    responses((status = 200, body = Vec<MySurvey>), (status = 403, body = ErrorBody)))]
async fn my_surveys(State(s): State<AppState>, a: ApiCtx) -> ApiResult<Json<Vec<MySurvey>>> {
    Ok(Json(surveys::my_surveys(&s.core, &a.ctx).await?))
}

/// A survey that asks the owner, with his answer so far (one that does not ask him: 422 on
/// `survey_id`).
#[utoipa::path(get, path = "/api/v1/portal/surveys/{id}", tag = "portal", security(("bearer" = [])), params(("id" = i64, Path)),
    responses((status = 200, body = MySurvey), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn my_survey(
    State(s): State<AppState>,
    a: ApiCtx,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<Json<MySurvey>> {
    Ok(Json(
        surveys::my_survey(&s.core, &a.ctx, SurveyId(id)).await?,
    ))
}

/// The owner's answer sheet: his first, or a change to it while the survey is open (one per
/// person). Closed: 422 `survey_closed` on `survey_id`; a required question left out: 422
/// `survey_answer_required` on `q<question id>`, naming it.
#[utoipa::path(put, path = "/api/v1/portal/surveys/{id}/response", tag = "portal", security(("bearer" = [])), params(("id" = i64, Path)),
    request_body = ResponseForSubmit,
    responses((status = 200, body = MySurvey), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn submit_response(
    State(s): State<AppState>,
    a: ApiCtx,
    ApiPath(id): ApiPath<i64>,
    ApiJson(b): ApiJson<ResponseForSubmit>,
) -> ApiResult<Json<MySurvey>> {
    Ok(Json(
        surveys::submit(&s.core, &a.ctx, SurveyId(id), b).await?,
    ))
}

/// The opinion library, newest first (at most 500), filtered.
#[utoipa::path(get, path = "/api/v1/opinions", tag = "surveys", security(("bearer" = [])), params(OpinionFilter),
    responses((status = 200, body = Vec<Opinion>), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn list_opinions(
    State(s): State<AppState>,
    a: ApiCtx,
    ApiQuery(f): ApiQuery<OpinionFilter>,
) -> ApiResult<Json<Vec<Opinion>>> {
    Ok(Json(surveys::list_opinions(&s.core, &a.ctx, &f).await?))
}

/// One opinion.
#[utoipa::path(get, path = "/api/v1/opinions/{id}", tag = "surveys", security(("bearer" = [])), params(("id" = i64, Path)),
    responses((status = 200, body = Opinion), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn get_opinion(
    State(s): State<AppState>,
    a: ApiCtx,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<Json<Opinion>> {
    Ok(Json(
        surveys::get_opinion(&s.core, &a.ctx, OpinionId(id)).await?,
    ))
}

/// Re-tags an opinion's topic or sets its follow-up state.
#[utoipa::path(patch, path = "/api/v1/opinions/{id}", tag = "surveys", security(("bearer" = [])), params(("id" = i64, Path)),
    request_body = OpinionForUpdate,
    responses((status = 200, body = Opinion), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn update_opinion(
    State(s): State<AppState>,
    a: ApiCtx,
    ApiPath(id): ApiPath<i64>,
    ApiJson(b): ApiJson<OpinionForUpdate>,
) -> ApiResult<Json<Opinion>> {
    Ok(Json(
        surveys::update_opinion(&s.core, &a.ctx, OpinionId(id), b).await?,
    ))
}

/// Replies to the person who gave the opinion (his inbox, and his channels for
/// `opinion_replied`); the opinion becomes `replied`. No one to reply to: 422 on `reply`.
#[utoipa::path(post, path = "/api/v1/opinions/{id}/reply", tag = "surveys", security(("bearer" = [])), params(("id" = i64, Path)),
    request_body = OpinionReply,
    responses((status = 200, body = Opinion), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn reply_opinion(
    State(s): State<AppState>,
    a: ApiCtx,
    ApiPath(id): ApiPath<i64>,
    ApiJson(b): ApiJson<OpinionReply>,
) -> ApiResult<Json<Opinion>> {
    Ok(Json(
        surveys::reply_opinion(&s.core, &a.ctx, OpinionId(id), b).await?,
    ))
}
