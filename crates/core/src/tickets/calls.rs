//! The hotline call log (热线来电登记, 热线管理制度): every call with its time, caller, number,
//! content, result and where it was transferred; a call that needs work becomes a request in
//! one step, linked both ways.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::Core;
use crate::audit::{self, Action, Entry};
use crate::shared::crypto::mask_phone;
use crate::shared::ctx::{Ctx, Perm};
use crate::shared::error::{Checks, CommonCode, CoreError, CoreResult};
use crate::shared::export::{Cell, Column, ExportFile, PAGE, Sink, col};
use crate::shared::ids::*;
use crate::shared::values::{Phone, optional_multiline, optional_text, required_multiline};

use super::error::TicketCode;
use super::model::{Request, RequestForCreate};
use super::store::{self, calls::CallRow};

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct HotlineCall {
    pub id: i64,
    pub community_id: CommunityId,
    pub call_at: DateTime<Utc>,
    pub caller_name: Option<String>,
    /// Masked.
    pub caller_phone: Option<String>,
    pub content: String,
    pub result: Option<String>,
    pub transferred_to: Option<String>,
    pub taken_by: UserId,
    pub taken_by_name: String,
    pub request_id: Option<RequestId>,
    pub request_number: Option<String>,
}

fn from_row(core: &Core, r: CallRow) -> HotlineCall {
    HotlineCall {
        id: r.id,
        community_id: r.community_id,
        call_at: r.call_at,
        caller_name: r.caller_name,
        caller_phone: r
            .caller_phone_enc
            .as_deref()
            .and_then(|b| core.crypto.decrypt(b).ok())
            .map(|p| mask_phone(&p)),
        content: r.content,
        result: r.result,
        transferred_to: r.transferred_to,
        taken_by: r.taken_by,
        taken_by_name: r.taken_by_name,
        request_id: r.request_id,
        request_number: r.request_number,
    }
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct CallForCreate {
    pub community_id: CommunityId,
    /// When the call came in (RFC 3339; `call_at` is accepted too, its former name), for a call
    /// typed up after it ended: at most the backdating window back (`WUYE_BACKDATE_DAYS`,
    /// default 7 days), never in the future; more than five minutes back needs
    /// `records.backdate`. A request made of the call later keeps this time. Default: now.
    #[serde(default, alias = "call_at")]
    pub received_at: Option<DateTime<Utc>>,
    pub caller_name: Option<String>,
    pub caller_phone: Option<String>,
    pub content: String,
    pub result: Option<String>,
    pub transferred_to: Option<String>,
}

/// Logs a call (needs `tickets.register` in the community).
pub async fn log_call(core: &Core, ctx: &Ctx, input: CallForCreate) -> CoreResult<HotlineCall> {
    ctx.require_in(Perm::TicketsRegister, input.community_id)?;
    let now = Utc::now();
    let mut c = Checks::new();
    let name = c.take(optional_text(
        "caller_name",
        input.caller_name.as_deref(),
        50,
    ));
    let phone = match input.caller_phone.as_deref().map(str::trim) {
        None | Some("") => Some(None),
        Some(p) => c.take(Phone::parse("caller_phone", p).map(Some)),
    };
    let content = c.take(required_multiline("content", &input.content, 2000));
    let result = c.take(optional_multiline("result", input.result.as_deref(), 500));
    let transferred = c.take(optional_text(
        "transferred_to",
        input.transferred_to.as_deref(),
        50,
    ));
    let happened = match input.received_at {
        None => None,
        Some(at) => match crate::shared::backdate::check_time(
            "received_at",
            at,
            now,
            core.settings.backdate_window,
        ) {
            Ok(h) => Some(h),
            Err(e) => {
                c.push(e);
                None
            }
        },
    };
    c.finish()?;
    if happened.is_some_and(|h| h.late) && !ctx.has(Perm::RecordsBackdate) {
        return Err(CoreError::Forbidden);
    }
    let call_at = happened.map_or(now, |h| h.happened_at);
    let (Some(name), Some(phone), Some(content), Some(result), Some(transferred)) =
        (name, phone, content, result, transferred)
    else {
        return Err(CoreError::internal("validated call"));
    };
    let mut tx = core.db.begin().await?;
    let tz = crate::registry::store::for_tickets::community_timezone(
        &mut tx,
        input.community_id,
        ctx.company_id,
    )
    .await?
    .ok_or(CoreError::NotFound("community"))?;
    let tz = crate::shared::calendar::zone(&tz);
    let day = call_at.with_timezone(&tz).format("%Y-%m-%d").to_string();
    let row = store::calls::insert(
        &mut tx,
        store::calls::NewCall {
            community: input.community_id,
            call_at,
            day: &day,
            caller_name: name,
            phone_enc: phone.map(|p| core.crypto.encrypt(p.as_str())),
            content: &content,
            result,
            transferred_to: transferred,
            taken_by: ctx.user_id,
            at: now,
        },
    )
    .await?;
    let id = row.id;
    let call = from_row(core, row);
    audit::record(
        &mut tx,
        ctx,
        Entry::new(Action::Create, "hotline_call", id)
            .community(input.community_id)
            .after(&serde_json::json!({
                "call": &call,
                "entered_late": happened.and_then(|h| h.audit("received_at")),
            })),
    )
    .await?;
    tx.commit().await?;
    Ok(call)
}

#[derive(Debug, Clone, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CallFilter {
    pub community_id: CommunityId,
    /// Calls of this local day (YYYY-MM-DD); default: the latest 200.
    pub day: Option<String>,
}

pub async fn list_calls(core: &Core, ctx: &Ctx, f: &CallFilter) -> CoreResult<Vec<HotlineCall>> {
    let rows = match call_day(ctx, f)? {
        Some(d) => store::calls::of_day(&core.db, f.community_id, d).await?,
        None => {
            store::calls::page(&mut core.db.read(), f.community_id, None, i64::MAX, 200).await?
        }
    };
    Ok(rows.into_iter().map(|r| from_row(core, r)).collect())
}

/// The filter's day, checked, after the caller's right to the log.
fn call_day<'f>(ctx: &Ctx, f: &'f CallFilter) -> CoreResult<Option<&'f str>> {
    ctx.require_in(Perm::TicketsRegister, f.community_id)?;
    match f.day.as_deref().filter(|d| !d.is_empty()) {
        Some(d) => {
            chrono::NaiveDate::parse_from_str(d, "%Y-%m-%d")
                .map_err(|_| CoreError::invalid("day", CommonCode::InvalidDate))?;
            Ok(Some(d))
        }
        None => Ok(None),
    }
}

const COLUMNS: &[Column<HotlineCall>] = &[
    col("来电时间", 16.0, |c| Cell::At(c.call_at)),
    col("来电人", 10.0, |c| Cell::from(&c.caller_name)),
    col("电话", 13.0, |c| Cell::from(&c.caller_phone)),
    col("来电内容", 40.0, |c| Cell::from(&c.content)),
    col("处理结果", 20.0, |c| Cell::from(&c.result)),
    col("转交", 12.0, |c| Cell::from(&c.transferred_to)),
    col("接听人", 10.0, |c| Cell::from(&c.taken_by_name)),
    col("报事单号", 12.0, |c| Cell::from(&c.request_number)),
];

/// Every call of the log (of the filter's day, or all), newest first, as .xlsx, streamed;
/// phones masked as the list shows them.
pub async fn calls_xlsx(core: &Core, ctx: &Ctx, f: &CallFilter) -> CoreResult<ExportFile> {
    let day = call_day(ctx, f)?;
    let mut q = core.db.read();
    let tz = super::service::community_tz(&mut q, ctx, f.community_id).await?;
    let sink = Sink::new("热线来电", COLUMNS, tz);
    let mut sink = sink.by_id(|c| c.id);
    while let Some(below) = sink.below() {
        let rows: CoreResult<Vec<_>> = {
            let rows = store::calls::page(&mut q, f.community_id, day, below, PAGE).await?;
            Ok(rows.into_iter().map(|r| from_row(core, r)).collect())
        };
        sink.page(rows?).await;
    }
    sink.finish().await
}

/// What the agent picks when a call becomes a request.
#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct CallToRequest {
    #[schema(value_type = crate::tickets::RequestKind)]
    pub kind: String,
    pub category: String,
    pub unit_id: Option<UnitId>,
    pub location: Option<String>,
    #[schema(value_type = Option<crate::tickets::Urgency>)]
    pub urgency: Option<String>,
}

/// Turns a logged call into a request (channel hotline, the call's content, caller and time),
/// and links the two. A call becomes one request at most.
pub async fn call_to_request(
    core: &Core,
    ctx: &Ctx,
    call: i64,
    input: CallToRequest,
) -> CoreResult<Request> {
    let row = store::calls::get(&core.db, call)
        .await?
        .filter(|r| ctx.reaches(r.community_id))
        .ok_or(CoreError::NotFound("hotline_call"))?;
    ctx.require_in(Perm::TicketsRegister, row.community_id)?;
    if row.request_id.is_some() {
        return Err(CoreError::conflict(
            "call_id",
            TicketCode::CallAlreadyConverted,
        ));
    }
    let phone = row
        .caller_phone_enc
        .as_deref()
        .and_then(|b| core.crypto.decrypt(b).ok());
    let input = RequestForCreate {
        community_id: row.community_id,
        kind: input.kind,
        category: input.category,
        channel: "hotline".into(),
        urgency: input.urgency,
        complex: None,
        unit_id: input.unit_id,
        person_id: None,
        location: input.location,
        contact_name: row.caller_name.clone(),
        contact_phone: phone,
        description: row.content.clone(),
        promise_at: None,
        assignee_id: None,
        received_at: None,
    };
    // The request and the call's link commit together: of two clicks at once, the second finds
    // the call taken (PostgreSQL re-checks `request_id IS NULL` after the first commits) and
    // rolls its request back.
    // The caller asked at the time of the call: every clock, the hotline's 48 hours among them,
    // runs from then, not from when the desk turned the call into a request.
    let (mut tx, created) =
        super::create::create_in(core, ctx, input, ctx.user_id, Some(row.call_at)).await?;
    let id = created.id;
    if !store::calls::link_request(&mut tx, call, id).await? {
        return Err(CoreError::conflict(
            "call_id",
            TicketCode::CallAlreadyConverted,
        ));
    }
    audit::record(
        &mut tx,
        ctx,
        Entry::new(Action::Update, "hotline_call", call)
            .community(row.community_id)
            .after(&serde_json::json!({ "request_id": id })),
    )
    .await?;
    tx.commit().await?;
    Ok(created)
}
