//! Maintenance plans and machine rooms in the console: the community's plans with the form to
//! make one, adopting the manuals' defaults in one step and running the job as of a date; the
//! machine rooms with their CCTV systems (retention under 7 days flagged), and a room's page with
//! the run/duty log form, the visitor form and their records.

use askama::Template;
use axum::Router;
use axum::extract::{Query, State};
use axum::routing::{get, post};
use chrono::NaiveDate;
use serde::Deserialize;
use wuye_core::CoreError;
use wuye_core::equipment::model::{Anchor, Frequency, RoomKind, System};
use wuye_core::equipment::{self as eq, MaintenancePlan, PlanForUpdate};
use wuye_core::shared::ids::*;

use super::{community_of, shell, shown};
use crate::AppState;
use crate::console::flash::done;
use crate::console::forms::{Opt, default_zone, label, opts};
use crate::console::{Id, Ids, OrPage, PageError, PageResult, Shell, page};
use crate::extract::{ConsoleUser, CsrfForm};
use crate::locale::Locale;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/maintenance/plans", get(plans).post(create_plan))
        .route("/maintenance/plans/defaults", post(adopt))
        .route("/maintenance/run", post(run))
        .route("/machine-rooms", get(rooms).post(create_room))
        .route("/machine-rooms/cctv", post(save_cctv))
        .route("/machine-rooms/{id}", get(room))
        .route("/machine-rooms/{id}/logs", post(add_log))
        .route("/machine-rooms/{id}/visits", post(add_visit))
        .route("/machine-rooms/{id}/visits/{visit}/left", post(left))
}

/// "每 2 个月（按计划日期）", "每年 4、10 月 15 日", "运行小时 每 250".
pub fn frequency_text(p: &MaintenancePlan, l: Locale) -> String {
    let en = l == Locale::En;
    let anchor = label(Anchor::ALL, &p.anchor, l);
    match p.frequency {
        Frequency::Days => format!(
            "{} {} {}（{anchor}）",
            if en { "every" } else { "每" },
            p.every,
            if en { "days" } else { "天" }
        ),
        Frequency::Weeks => format!(
            "{} {} {}（{anchor}）",
            if en { "every" } else { "每" },
            p.every,
            if en { "weeks" } else { "周" }
        ),
        Frequency::Months => format!(
            "{} {} {}（{anchor}）",
            if en { "every" } else { "每" },
            p.every,
            if en { "months" } else { "个月" }
        ),
        Frequency::OnMonths => {
            let m: Vec<String> = p.months.iter().map(u32::to_string).collect();
            format!(
                "{} {} / {}",
                label(Frequency::ALL, &p.frequency, l),
                m.join("、"),
                p.day_of_month.unwrap_or(1)
            )
        }
        Frequency::Meter => format!(
            "{} ≥ {}（{}）",
            p.meter.clone().unwrap_or_default(),
            p.next_at_reading.clone().unwrap_or_default(),
            p.threshold.clone().unwrap_or_default()
        ),
    }
}

pub struct PlanRow {
    pub id: MaintenancePlanId,
    pub title: String,
    pub system: &'static str,
    pub frequency: String,
    pub start_on: String,
    pub active: bool,
}

#[derive(Template)]
#[template(path = "equipment/plans.html")]
struct PlansPage {
    s: Shell,
    communities: Vec<(i64, String)>,
    community: i64,
    rows: Vec<PlanRow>,
    systems: Vec<Opt>,
    frequencies: Vec<Opt>,
    anchors: Vec<Opt>,
    f: PlanForm,
    today: String,
    can_manage: bool,
}

#[derive(Deserialize, Default, Clone)]
#[serde(default)]
pub(super) struct PlanForm {
    pub community: String,
    pub equipment_code: String,
    pub system: String,
    pub title: String,
    pub frequency: String,
    pub every: String,
    pub months: String,
    pub day: String,
    pub anchor: String,
    pub start_on: String,
    pub meter: String,
    pub threshold: String,
    pub checklist: String,
    pub required_attachments: String,
    pub contractor: String,
    /// The edit form's box (a new plan is active).
    pub active: String,
}

#[derive(Deserialize, Default)]
struct CommunityQ {
    community: Option<String>,
}

pub(super) fn today() -> NaiveDate {
    chrono::Utc::now()
        .with_timezone(&default_zone())
        .date_naive()
}

async fn render_plans(
    st: &AppState,
    u: &ConsoleUser,
    want: Option<&str>,
    f: PlanForm,
    err: Option<&CoreError>,
) -> PageResult {
    let (communities, community) = community_of(st, u, want).await?;
    let l = u.locale;
    let rows = eq::list_plans(&st.core, &u.ctx, CommunityId(community))
        .await
        .or_page(u)?
        .iter()
        .map(|p| PlanRow {
            id: p.id,
            title: p.title.clone(),
            system: label(System::ALL, &p.system, l),
            frequency: frequency_text(p, l),
            start_on: p.start_on.to_string(),
            active: p.active,
        })
        .collect();
    let s = shell(u, err);
    Ok(shown(
        page(&PlansPage {
            s,
            communities,
            community,
            rows,
            systems: opts(System::ALL, l),
            frequencies: opts(Frequency::ALL, l),
            anchors: opts(Anchor::ALL, l),
            f,
            today: today().to_string(),
            can_manage: u.ctx.has(wuye_core::Perm::EquipmentManage),
        }),
        err,
        u,
    ))
}

async fn plans(
    State(st): State<AppState>,
    u: ConsoleUser,
    Query(q): Query<CommunityQ>,
) -> PageResult {
    render_plans(&st, &u, q.community.as_deref(), PlanForm::default(), None).await
}

pub(super) fn opt(s: &str) -> Option<String> {
    Some(s.trim().to_string()).filter(|s| !s.is_empty())
}

/// The plan a form describes. An item code not in the ledger becomes an unknown id, which the
/// service refuses naming `equipment_id`.
pub(super) async fn plan_input(
    st: &AppState,
    u: &ConsoleUser,
    c: CommunityId,
    f: &PlanForm,
) -> Result<PlanForUpdate, PageError> {
    let equipment_id = match opt(&f.equipment_code) {
        Some(code) => Some(
            eq::list_equipment(
                &st.core,
                &u.ctx,
                c,
                &eq::EquipmentFilter {
                    q: Some(code.clone()),
                    ..Default::default()
                },
            )
            .await
            .or_page(u)?
            .into_iter()
            .find(|e| e.code == code)
            .map_or(EquipmentId(0), |e| e.id),
        ),
        None => None,
    };
    let num = |s: &str| s.trim().parse::<i64>().ok();
    let lines = |s: &str| {
        s.lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .map(str::to_string)
            .collect::<Vec<_>>()
    };
    let contractor = opt(&f.contractor);
    Ok(PlanForUpdate {
        equipment_id,
        system: opt(&f.system),
        title: f.title.clone(),
        frequency: f.frequency.clone(),
        every: num(&f.every),
        months: opt(&f.months),
        day: num(&f.day),
        anchor: opt(&f.anchor),
        start_on: f.start_on.clone(),
        meter: opt(&f.meter),
        threshold: opt(&f.threshold),
        checklist: lines(&f.checklist),
        required_attachments: lines(&f.required_attachments),
        performer: Some(
            if contractor.is_some() {
                "contractor"
            } else {
                "staff"
            }
            .into(),
        ),
        contractor,
        assignee_id: None,
        lead_days: None,
        active: Some(true),
    })
}

async fn create_plan(
    State(st): State<AppState>,
    u: ConsoleUser,
    CsrfForm(f): CsrfForm<PlanForm>,
) -> PageResult {
    let (_, community) = community_of(&st, &u, Some(&f.community)).await?;
    let c = CommunityId(community);
    let input = plan_input(&st, &u, c, &f).await?;
    let to = format!("/maintenance/plans?community={community}");
    match eq::create_plan(&st.core, &u.ctx, c, input).await {
        Ok(_) => Ok(done(&st, &u, &to, u.locale.t("eq.saved"))),
        Err(e @ (CoreError::Invalid(_) | CoreError::Conflict(_))) => {
            let want = f.community.clone();
            render_plans(&st, &u, Some(&want), f, Some(&e)).await
        }
        Err(e) => Err(PageError::new(&u, e)),
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct DateForm {
    community: String,
    date: String,
}

async fn adopt(
    State(st): State<AppState>,
    u: ConsoleUser,
    CsrfForm(f): CsrfForm<DateForm>,
) -> PageResult {
    let (_, community) = community_of(&st, &u, Some(&f.community)).await?;
    let day = NaiveDate::parse_from_str(f.date.trim(), "%Y-%m-%d").unwrap_or_else(|_| today());
    let r = eq::adopt_defaults(&st.core, &u.ctx, CommunityId(community), day)
        .await
        .or_page(&u)?;
    let msg = u
        .locale
        .t("eq.adopted")
        .replace("{n}", &r.created.to_string());
    Ok(done(
        &st,
        &u,
        &format!("/maintenance/plans?community={community}"),
        msg,
    ))
}

async fn run(
    State(st): State<AppState>,
    u: ConsoleUser,
    CsrfForm(f): CsrfForm<DateForm>,
) -> PageResult {
    let (_, community) = community_of(&st, &u, Some(&f.community)).await?;
    let c = CommunityId(community);
    let day = match NaiveDate::parse_from_str(f.date.trim(), "%Y-%m-%d") {
        Ok(d) => d,
        Err(_) => {
            let e = CoreError::invalid("date", wuye_core::shared::error::CommonCode::InvalidDate);
            return render_plans(&st, &u, Some(&f.community), PlanForm::default(), Some(&e)).await;
        }
    };
    let r = eq::run_maintenance_as_of(&st.core, &u.ctx, c, day)
        .await
        .or_page(&u)?;
    let msg = u
        .locale
        .t("eq.ran")
        .replace("{created}", &r.created.to_string())
        .replace("{notified}", &r.notified.to_string());
    Ok(done(
        &st,
        &u,
        &format!("/maintenance/orders?community={community}"),
        msg,
    ))
}

pub struct CctvRow {
    pub id: CctvId,
    pub name: String,
    pub cameras: i64,
    pub retention_days: i64,
    pub short: bool,
    pub checked_on: String,
}

#[derive(Template)]
#[template(path = "equipment/rooms.html")]
struct RoomsPage {
    s: Shell,
    communities: Vec<(i64, String)>,
    community: i64,
    rooms: Vec<(MachineRoomId, String, &'static str, String)>,
    kinds: Vec<Opt>,
    cctv: Vec<CctvRow>,
    can_manage: bool,
}

async fn render_rooms(
    st: &AppState,
    u: &ConsoleUser,
    want: Option<&str>,
    err: Option<&CoreError>,
) -> PageResult {
    let (communities, community) = community_of(st, u, want).await?;
    let c = CommunityId(community);
    let l = u.locale;
    let rooms = eq::list_rooms(&st.core, &u.ctx, c)
        .await
        .or_page(u)?
        .into_iter()
        .map(|r| {
            (
                r.id,
                r.name,
                label(RoomKind::ALL, &r.kind, l),
                r.location.unwrap_or_default(),
            )
        })
        .collect();
    let cctv = eq::list_cctv(&st.core, &u.ctx, c)
        .await
        .or_page(u)?
        .into_iter()
        .map(|x| CctvRow {
            id: x.id,
            name: x.name,
            cameras: x.cameras,
            retention_days: x.retention_days,
            short: x.retention_too_short,
            checked_on: x.checked_on.map(|d| d.to_string()).unwrap_or_default(),
        })
        .collect();
    let s = shell(u, err);
    Ok(shown(
        page(&RoomsPage {
            s,
            communities,
            community,
            rooms,
            kinds: opts(RoomKind::ALL, l),
            cctv,
            can_manage: u.ctx.has(wuye_core::Perm::EquipmentManage),
        }),
        err,
        u,
    ))
}

async fn rooms(
    State(st): State<AppState>,
    u: ConsoleUser,
    Query(q): Query<CommunityQ>,
) -> PageResult {
    render_rooms(&st, &u, q.community.as_deref(), None).await
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct RoomForm {
    community: String,
    kind: String,
    name: String,
    location: String,
}

async fn create_room(
    State(st): State<AppState>,
    u: ConsoleUser,
    CsrfForm(f): CsrfForm<RoomForm>,
) -> PageResult {
    let (_, community) = community_of(&st, &u, Some(&f.community)).await?;
    let input = eq::RoomForCreate {
        kind: f.kind,
        name: f.name,
        location: opt(&f.location),
    };
    match eq::create_room(&st.core, &u.ctx, CommunityId(community), input).await {
        Ok(r) => Ok(done(
            &st,
            &u,
            &format!("/machine-rooms/{}", r.id),
            u.locale.t("eq.saved"),
        )),
        Err(e @ (CoreError::Invalid(_) | CoreError::Conflict(_))) => {
            render_rooms(&st, &u, Some(&f.community), Some(&e)).await
        }
        Err(e) => Err(PageError::new(&u, e)),
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct CctvForm {
    community: String,
    id: String,
    name: String,
    cameras: String,
    retention_days: String,
    checked_on: String,
}

async fn save_cctv(
    State(st): State<AppState>,
    u: ConsoleUser,
    CsrfForm(f): CsrfForm<CctvForm>,
) -> PageResult {
    let (_, community) = community_of(&st, &u, Some(&f.community)).await?;
    let c = CommunityId(community);
    let num = |s: &str| s.trim().parse::<i64>().unwrap_or(-1);
    let input = eq::CctvForUpdate {
        name: f.name.clone(),
        room_id: None,
        cameras: num(&f.cameras).max(0),
        retention_days: num(&f.retention_days),
        checked_on: opt(&f.checked_on),
        notes: None,
    };
    let r = match f.id.trim().parse::<i64>() {
        Ok(id) => eq::update_cctv(&st.core, &u.ctx, CctvId(id), input).await,
        Err(_) => eq::create_cctv(&st.core, &u.ctx, c, input).await,
    };
    match r {
        Ok(_) => Ok(done(
            &st,
            &u,
            &format!("/machine-rooms?community={community}"),
            u.locale.t("eq.saved"),
        )),
        Err(e @ (CoreError::Invalid(_) | CoreError::Conflict(_))) => {
            render_rooms(&st, &u, Some(&f.community), Some(&e)).await
        }
        Err(e) => Err(PageError::new(&u, e)),
    }
}

pub struct LogRow {
    pub at: String,
    pub on_duty: String,
    pub readings: Vec<(String, bool)>,
    pub out_of_range: bool,
    pub remarks: String,
}

pub struct VisitRow {
    pub id: i64,
    pub visitor: String,
    pub company: String,
    pub purpose: String,
    pub entered: String,
    pub left: String,
    pub with: String,
}

#[derive(Template)]
#[template(path = "equipment/room.html")]
struct RoomPage {
    s: Shell,
    id: MachineRoomId,
    community: i64,
    name: String,
    kind: &'static str,
    logs: Vec<LogRow>,
    visits: Vec<VisitRow>,
    log: LogForm,
    visit: VisitForm,
}

fn at(t: chrono::DateTime<chrono::Utc>) -> String {
    t.with_timezone(&default_zone())
        .format("%m-%d %H:%M")
        .to_string()
}

async fn render_room(
    st: &AppState,
    u: &ConsoleUser,
    id: MachineRoomId,
    log: LogForm,
    visit: VisitForm,
    err: Option<&CoreError>,
) -> PageResult {
    let r = eq::get_room(&st.core, &u.ctx, id).await.or_page(u)?;
    let logs = eq::list_room_logs(&st.core, &u.ctx, id)
        .await
        .or_page(u)?
        .into_iter()
        .map(|x| LogRow {
            at: at(x.logged_at),
            on_duty: x.on_duty,
            readings: x
                .readings
                .into_iter()
                .map(|r| {
                    let lim = match (&r.min, &r.max) {
                        (None, None) => String::new(),
                        (a, b) => format!(
                            " [{},{}]",
                            a.clone().unwrap_or_default(),
                            b.clone().unwrap_or_default()
                        ),
                    };
                    (format!("{}={}{lim}", r.key, r.value), r.out_of_range)
                })
                .collect(),
            out_of_range: x.out_of_range,
            remarks: x.remarks.unwrap_or_default(),
        })
        .collect();
    let visits = eq::list_room_visits(&st.core, &u.ctx, id)
        .await
        .or_page(u)?
        .into_iter()
        .map(|v| VisitRow {
            id: v.id,
            visitor: v.visitor,
            company: v.company.unwrap_or_default(),
            purpose: v.purpose,
            entered: at(v.entered_at),
            left: v.left_at.map(at).unwrap_or_default(),
            with: v.accompanied_by.unwrap_or_default(),
        })
        .collect();
    let s = shell(u, err);
    Ok(shown(
        page(&RoomPage {
            s,
            id,
            community: r.community_id.0,
            kind: label(RoomKind::ALL, &r.kind, u.locale),
            name: r.name,
            logs,
            visits,
            log,
            visit,
        }),
        err,
        u,
    ))
}

async fn room(State(st): State<AppState>, u: ConsoleUser, Id(id): Id) -> PageResult {
    let log = LogForm {
        on_duty: u.ctx.display_name.clone(),
        ..Default::default()
    };
    render_room(&st, &u, MachineRoomId(id), log, VisitForm::default(), None).await
}

#[derive(Deserialize, Default, Clone)]
#[serde(default)]
struct LogForm {
    on_duty: String,
    readings: String,
    remarks: String,
}

async fn add_log(
    State(st): State<AppState>,
    u: ConsoleUser,
    Id(id): Id,
    CsrfForm(f): CsrfForm<LogForm>,
) -> PageResult {
    let id = MachineRoomId(id);
    let input = eq::RoomLogForCreate {
        on_duty: f.on_duty.clone(),
        readings: f.readings.clone(),
        remarks: opt(&f.remarks),
    };
    match eq::add_room_log(&st.core, &u.ctx, id, input).await {
        Ok(_) => Ok(done(
            &st,
            &u,
            &format!("/machine-rooms/{id}"),
            u.locale.t("eq.saved"),
        )),
        Err(e @ (CoreError::Invalid(_) | CoreError::Conflict(_))) => {
            render_room(&st, &u, id, f, VisitForm::default(), Some(&e)).await
        }
        Err(e) => Err(PageError::new(&u, e)),
    }
}

#[derive(Deserialize, Default, Clone)]
#[serde(default)]
struct VisitForm {
    visitor: String,
    company: String,
    purpose: String,
    accompanied_by: String,
}

async fn add_visit(
    State(st): State<AppState>,
    u: ConsoleUser,
    Id(id): Id,
    CsrfForm(f): CsrfForm<VisitForm>,
) -> PageResult {
    let id = MachineRoomId(id);
    let input = eq::VisitForCreate {
        visitor: f.visitor.clone(),
        company: opt(&f.company),
        purpose: f.purpose.clone(),
        entered_at: None,
        left_at: None,
        accompanied_by: opt(&f.accompanied_by),
    };
    match eq::add_room_visit(&st.core, &u.ctx, id, input).await {
        Ok(_) => Ok(done(
            &st,
            &u,
            &format!("/machine-rooms/{id}"),
            u.locale.t("eq.saved"),
        )),
        Err(e @ (CoreError::Invalid(_) | CoreError::Conflict(_))) => {
            render_room(&st, &u, id, LogForm::default(), f, Some(&e)).await
        }
        Err(e) => Err(PageError::new(&u, e)),
    }
}

async fn left(
    State(st): State<AppState>,
    u: ConsoleUser,
    Ids(id, visit): Ids,
    _: CsrfForm<Vec<(String, String)>>,
) -> PageResult {
    let id = MachineRoomId(id);
    match eq::visit_left(&st.core, &u.ctx, id, visit).await {
        Ok(_) => Ok(done(
            &st,
            &u,
            &format!("/machine-rooms/{id}"),
            u.locale.t("eq.saved"),
        )),
        Err(e @ (CoreError::Invalid(_) | CoreError::Conflict(_))) => {
            render_room(
                &st,
                &u,
                id,
                LogForm::default(),
                VisitForm::default(),
                Some(&e),
            )
            .await
        }
        Err(e) => Err(PageError::new(&u, e)),
    }
}
