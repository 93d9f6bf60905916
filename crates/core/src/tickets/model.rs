//! Request types and their pure rules: kinds, channels, states and the transitions between them,
//! the default SLA clocks of SPEC §3 and their deadlines, the promise to the customer.

use chrono::{DateTime, Duration, Utc};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::shared::calendar::Calendar;
use crate::shared::code_enum;
use crate::shared::ids::*;

code_enum!(RequestKind, "unknown_request_kind", {
    RepairUnit = "repair_unit", "户内报修", "Repair (in unit)";
    RepairCommon = "repair_common", "公共报修", "Repair (common area)";
    ComplaintGeneral = "complaint_general", "一般投诉", "Complaint (general)";
    ComplaintSerious = "complaint_serious", "重大投诉", "Complaint (serious)";
    Inquiry = "inquiry", "咨询", "Inquiry";
    Suggestion = "suggestion", "建议", "Suggestion";
    Help = "help", "求助", "Help";
});

impl RequestKind {
    pub fn is_repair(self) -> bool {
        matches!(self, RequestKind::RepairUnit | RequestKind::RepairCommon)
    }
    pub fn is_complaint(self) -> bool {
        matches!(
            self,
            RequestKind::ComplaintGeneral | RequestKind::ComplaintSerious
        )
    }
}

code_enum!(Channel, "unknown_channel", {
    FrontDesk = "front_desk", "前台", "Front desk";
    Hotline = "hotline", "热线", "Hotline";
    Portal = "portal", "业主端", "Owner portal";
    Wechat = "wechat", "微信/App", "WeChat / app";
    Patrol = "patrol", "巡查发现", "Staff patrol";
    Internal = "internal", "内部", "Internal";
});

code_enum!(Urgency, "unknown_urgency", {
    Normal = "normal", "一般", "Normal";
    Urgent = "urgent", "紧急", "Urgent";
});

code_enum!(RequestState, "unknown_request_state", {
    Registered = "registered", "待派工", "Registered";
    Pooled = "pooled", "待抢单", "In the pool";
    Dispatched = "dispatched", "已派工", "Dispatched";
    Accepted = "accepted", "已接单", "Accepted";
    OnSite = "on_site", "已到场", "On site";
    OnHold = "on_hold", "挂起", "On hold";
    Done = "done", "待回访", "Done";
    Closed = "closed", "已关闭", "Closed";
    Cancelled = "cancelled", "已作废", "Cancelled";
});

impl RequestState {
    /// Still needs work or a return visit.
    pub fn is_open(self) -> bool {
        !matches!(self, RequestState::Closed | RequestState::Cancelled)
    }
    /// The states "done" may be reached from, and that hold may leave for.
    fn is_in_work(self) -> bool {
        matches!(
            self,
            RequestState::Registered
                | RequestState::Pooled
                | RequestState::Dispatched
                | RequestState::Accepted
                | RequestState::OnSite
        )
    }
}

code_enum!(ClockKind, "unknown_clock", {
    Feedback = "feedback", "反馈客户", "Feedback to customer";
    OnSite = "on_site", "到场", "On site";
    Resolve = "resolve", "处理完成", "Resolved";
    Reply = "reply", "答复", "Reply";
    Solution = "solution", "解决方案", "Solution";
    Hotline = "hotline", "热线办结", "Hotline answered";
});

code_enum!(DispatchMode, "unknown_dispatch_mode", {
    Manual = "manual", "人工派工", "By hand";
    RoundRobin = "round_robin", "轮流派工", "Round-robin";
    Pool = "pool", "抢单", "Pool (grab)";
});

code_enum!(VisitPolicy, "unknown_visit_policy", {
    Always = "always", "每单回访", "Always visit";
    Unrated = "unrated", "业主未评价时回访", "Visit when the owner did not rate";
});

code_enum!(VisitChannel, "unknown_visit_channel", {
    Phone = "phone", "电话回访", "Phone";
    Portal = "portal", "业主评价", "Owner's rating";
    Visit = "visit", "上门回访", "In person";
});

/// The categories a new company starts with (code, 中文, English, dispatch mode, visit policy).
pub const DEFAULT_CATEGORIES: &[(&str, &str, &str, DispatchMode, VisitPolicy)] = &[
    (
        "water",
        "给排水",
        "Water",
        DispatchMode::Manual,
        VisitPolicy::Unrated,
    ),
    (
        "power",
        "供电",
        "Power",
        DispatchMode::Manual,
        VisitPolicy::Unrated,
    ),
    (
        "elevator",
        "电梯",
        "Elevator",
        DispatchMode::Manual,
        VisitPolicy::Always,
    ),
    (
        "lighting",
        "公共照明",
        "Lighting",
        DispatchMode::Pool,
        VisitPolicy::Unrated,
    ),
    (
        "doors_locks",
        "门窗门锁",
        "Doors and locks",
        DispatchMode::Pool,
        VisitPolicy::Unrated,
    ),
    (
        "noise",
        "噪音",
        "Noise",
        DispatchMode::Manual,
        VisitPolicy::Always,
    ),
    (
        "sanitation",
        "环境卫生",
        "Sanitation",
        DispatchMode::RoundRobin,
        VisitPolicy::Unrated,
    ),
    (
        "greening",
        "绿化",
        "Greening",
        DispatchMode::RoundRobin,
        VisitPolicy::Unrated,
    ),
    (
        "parking",
        "停车",
        "Parking",
        DispatchMode::Manual,
        VisitPolicy::Unrated,
    ),
    (
        "fees",
        "收费",
        "Fees",
        DispatchMode::Manual,
        VisitPolicy::Always,
    ),
    (
        "other",
        "其他",
        "Other",
        DispatchMode::Manual,
        VisitPolicy::Unrated,
    ),
];

/// How long a clock runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Span {
    /// Wall-clock minutes, day and night, weekends included.
    Minutes(i64),
    /// Working days of the company calendar.
    WorkingDays(u32),
}

/// One clock a request must meet.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClockRule {
    pub clock: ClockKind,
    pub span: Span,
    /// The clock stops while the request is on hold, and its deadline moves by the time held.
    pub pauses_on_hold: bool,
}

const fn rule(clock: ClockKind, span: Span) -> ClockRule {
    ClockRule {
        clock,
        span,
        pauses_on_hold: false,
    }
}

/// What the default clocks depend on.
#[derive(Debug, Clone, Copy)]
pub struct ClockInput<'a> {
    pub kind: RequestKind,
    pub category: &'a str,
    pub urgency: Urgency,
    pub channel: Channel,
    /// A complex fault (public lighting: 48 h instead of 8 h).
    pub complex: bool,
}

/// The clocks of SPEC §3 (物业服务标准, 客服部管理规章制度, 热线管理制度) for a request:
///
/// | request | clock |
/// |---|---|
/// | any | feedback to the customer 4 h |
/// | urgent repair; elevator, power, water fault | on site 30 min |
/// | public lighting | resolved 8 h simple, 48 h complex |
/// | complaint | on site 1 h (feedback 4 h as any) |
/// | general complaint | resolved 8 h |
/// | serious complaint | resolved 5 working days |
/// | inquiry, suggestion, help (customer service) | reply 24 h, solution 3 working days |
/// | came in on the hotline | answered 48 h |
pub fn default_clocks(i: ClockInput<'_>) -> Vec<ClockRule> {
    use ClockKind::*;
    let mut v = vec![rule(Feedback, Span::Minutes(4 * 60))];
    if i.kind.is_repair()
        && (i.urgency == Urgency::Urgent || matches!(i.category, "elevator" | "power" | "water"))
    {
        v.push(rule(OnSite, Span::Minutes(30)));
    }
    if i.kind.is_repair() && i.category == "lighting" {
        v.push(rule(
            Resolve,
            Span::Minutes(if i.complex { 48 * 60 } else { 8 * 60 }),
        ));
    }
    match i.kind {
        RequestKind::ComplaintGeneral => {
            v.push(rule(OnSite, Span::Minutes(60)));
            v.push(rule(Resolve, Span::Minutes(8 * 60)));
        }
        RequestKind::ComplaintSerious => {
            v.push(rule(OnSite, Span::Minutes(60)));
            v.push(rule(Resolve, Span::WorkingDays(5)));
        }
        RequestKind::Inquiry | RequestKind::Suggestion | RequestKind::Help => {
            v.push(rule(Reply, Span::Minutes(24 * 60)));
            v.push(rule(Solution, Span::WorkingDays(3)));
        }
        _ => {}
    }
    if i.channel == Channel::Hotline {
        v.push(rule(Hotline, Span::Minutes(48 * 60)));
    }
    v
}

/// A community's setting for one clock of one category (`*` = every category).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema, sqlx::FromRow)]
pub struct SlaOverride {
    pub id: i64,
    pub community_id: CommunityId,
    pub category: String,
    #[schema(value_type = String)]
    pub clock: String,
    /// `false` removes the clock from requests it would otherwise apply to.
    pub enabled: bool,
    pub minutes: Option<i64>,
    pub working_days: Option<i64>,
    pub pauses_on_hold: bool,
}

impl SlaOverride {
    fn span(&self) -> Option<Span> {
        match (self.minutes, self.working_days) {
            (Some(m), _) if m > 0 => Some(Span::Minutes(m)),
            (_, Some(d)) if d > 0 => u32::try_from(d).ok().map(Span::WorkingDays),
            _ => None,
        }
    }
}

/// The default clocks with a community's overrides applied: a category's own setting wins over
/// its `*` setting; an enabled override sets the clock's span (adding the clock when the
/// defaults lack it), a disabled one removes it.
pub fn effective_clocks(i: ClockInput<'_>, overrides: &[SlaOverride]) -> Vec<ClockRule> {
    let mut v = default_clocks(i);
    for (clock, ..) in ClockKind::ALL {
        let pick = overrides
            .iter()
            .filter(|o| o.clock == clock.code())
            .find(|o| o.category == i.category)
            .or_else(|| {
                overrides
                    .iter()
                    .find(|o| o.clock == clock.code() && o.category == "*")
            });
        let Some(o) = pick else { continue };
        let pos = v.iter().position(|r| r.clock == *clock);
        match (o.enabled, o.span(), pos) {
            (false, _, Some(p)) => {
                v.remove(p);
            }
            (true, span, Some(p)) => {
                if let Some(s) = span {
                    v[p].span = s;
                }
                v[p].pauses_on_hold = o.pauses_on_hold;
            }
            (true, Some(span), None) => v.push(ClockRule {
                clock: *clock,
                span,
                pauses_on_hold: o.pauses_on_hold,
            }),
            _ => {}
        }
    }
    v
}

/// When a clock started at `start` is due.
pub fn due_at(start: DateTime<Utc>, span: Span, cal: &Calendar, tz: Tz) -> DateTime<Utc> {
    match span {
        Span::Minutes(m) => start + Duration::minutes(m),
        Span::WorkingDays(n) => cal.add_working_days(start, n, tz),
    }
}

/// When the request's owner is warned that a clock is about to break: a fifth of the clock's
/// length before it is due, at least 5 minutes and at most 4 hours before.
pub fn warn_at(start: DateTime<Utc>, due: DateTime<Utc>) -> DateTime<Utc> {
    let lead = ((due - start) / 5).clamp(Duration::minutes(5), Duration::hours(4));
    (due - lead).max(start)
}

/// The state of one clock as shown to people.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ClockStatus {
    /// Running, not yet at the warning time.
    Running,
    /// Running, past the warning time.
    AtRisk,
    /// Stopped while the request is on hold.
    Paused,
    Met,
    /// Met late, or still running past its deadline.
    Breached,
}

/// A clock paused since `paused_since` is judged at that moment: its deadline moves when it
/// resumes, so time on hold counts neither toward a breach nor toward the warning.
pub fn clock_status(
    now: DateTime<Utc>,
    due: DateTime<Utc>,
    warn: DateTime<Utc>,
    met: Option<DateTime<Utc>>,
    paused_since: Option<DateTime<Utc>>,
) -> ClockStatus {
    let at = paused_since.unwrap_or(now);
    match met {
        Some(m) if m <= due => ClockStatus::Met,
        Some(_) => ClockStatus::Breached,
        None if at > due => ClockStatus::Breached,
        None if paused_since.is_some() => ClockStatus::Paused,
        None if at >= warn => ClockStatus::AtRisk,
        None => ClockStatus::Running,
    }
}

/// The clocks an event stops: reaching the site meets `on_site`; feedback to the customer meets
/// `feedback` and `reply`; finishing the work meets them all.
pub fn clocks_met_by(action: EventAction) -> &'static [ClockKind] {
    use ClockKind::*;
    match action {
        EventAction::OnSite => &[OnSite],
        EventAction::Feedback => &[Feedback, Reply],
        EventAction::Done => &[Feedback, OnSite, Resolve, Reply, Solution, Hotline],
        _ => &[],
    }
}

code_enum!(EventAction, "unknown_action", {
    Register = "register", "登记", "Registered";
    Dispatch = "dispatch", "派工", "Dispatched";
    Transfer = "transfer", "转派", "Transferred";
    ToPool = "to_pool", "退回抢单池", "Returned to the pool";
    Grab = "grab", "抢单", "Grabbed";
    Accept = "accept", "接单", "Accepted";
    OnSite = "on_site", "到场", "On site";
    Done = "done", "完成", "Done";
    Hold = "hold", "挂起", "Put on hold";
    Resume = "resume", "恢复", "Resumed";
    Escalate = "escalate", "升级", "Escalated";
    Feedback = "feedback", "反馈客户", "Feedback given";
    Postpone = "postpone", "延期承诺", "Promise postponed";
    Rate = "rate", "业主评价", "Rated by the owner";
    Visit = "visit", "回访", "Return visit";
    Reopen = "reopen", "重新打开", "Reopened";
    Close = "close", "关闭", "Closed";
    Cancel = "cancel", "作废", "Cancelled";
    ClockWarning = "clock_warning", "时限预警", "Clock warning";
    ClockBreach = "clock_breach", "超时升级", "Clock breached";
});

/// The state after `action` in `state`, or the error code of an illegal transition. (Who may
/// act is checked by the service; this is only the order of the work.)
pub fn transition(state: RequestState, action: EventAction) -> Result<RequestState, &'static str> {
    use EventAction as A;
    use RequestState as S;
    let next = match (action, state) {
        (A::Dispatch, S::Registered | S::Pooled) => S::Dispatched,
        (A::Transfer, S::Dispatched | S::Accepted | S::OnSite) => S::Dispatched,
        (A::Dispatch, S::Dispatched | S::Accepted | S::OnSite) => return Err("use_transfer"),
        (A::ToPool, S::Registered | S::Dispatched | S::Accepted) => S::Pooled,
        (A::Grab, S::Pooled) => S::Accepted,
        (A::Accept, S::Dispatched) => S::Accepted,
        (A::OnSite, S::Accepted) => S::OnSite,
        (A::Done, s) if s.is_in_work() && s != S::Pooled => S::Done,
        (A::Hold, s) if s.is_in_work() => S::OnHold,
        (A::Escalate | A::Feedback | A::Postpone, s) if s.is_open() => s,
        (A::Rate | A::Visit, S::Done) => S::Done,
        (A::Reopen, S::Done | S::Closed) => S::Registered,
        (A::Close, S::Done) => S::Closed,
        (A::Cancel, S::Registered | S::Pooled | S::Dispatched | S::OnHold) => S::Cancelled,
        (A::Accept | A::OnSite | A::Grab, _) => return Err("request_not_assignable"),
        (A::Close | A::Visit | A::Rate, _) => return Err("request_not_done"),
        // Resuming returns to the state the request was held in, which the caller knows.
        (A::Resume, _) => return Err("request_not_on_hold"),
        _ => return Err("illegal_transition"),
    };
    Ok(next)
}

/// The default promise to the customer: two days after registration.
pub const DEFAULT_PROMISE: Duration = Duration::days(2);
/// A promise never reaches beyond a week after registration.
pub const MAX_PROMISE: Duration = Duration::days(7);

/// Checks a promise (first or postponed) against the week limit; the error code, if any.
pub fn check_promise(
    created: DateTime<Utc>,
    promise: DateTime<Utc>,
    now: DateTime<Utc>,
) -> Result<(), &'static str> {
    if promise > created + MAX_PROMISE {
        return Err("promise_beyond_7_days");
    }
    if promise <= now {
        return Err("promise_in_past");
    }
    Ok(())
}

/// A satisfaction score below this reopens the request (1 very unsatisfied … 5 very satisfied).
pub const SATISFIED_FROM: i64 = 3;

// ---------------------------------------------------------------------------------------------
// Records and inputs

/// A category as configured for a company.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, sqlx::FromRow)]
pub struct Category {
    pub id: CategoryId,
    pub code: String,
    pub name_zh: String,
    pub name_en: String,
    /// `manual`, `round_robin` or `pool`.
    pub dispatch_mode: String,
    /// `always` or `unrated`.
    pub visit_policy: String,
    pub active: bool,
    pub sort: i64,
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct CategoryForSave {
    pub code: String,
    pub name_zh: String,
    pub name_en: Option<String>,
    pub dispatch_mode: String,
    pub visit_policy: String,
    pub active: Option<bool>,
}

/// A request as the API and the pages show it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Request {
    pub id: RequestId,
    pub community_id: CommunityId,
    /// Unique in its community, e.g. `BX-000123`.
    pub number: String,
    pub kind: RequestKind,
    pub category: String,
    pub channel: Channel,
    pub urgency: Urgency,
    pub complex: bool,
    pub unit_id: Option<UnitId>,
    /// "1栋-1801".
    pub unit_label: Option<String>,
    pub person_id: Option<PersonId>,
    pub location: Option<String>,
    pub contact_name: Option<String>,
    /// Masked (`138****5678`).
    pub contact_phone: Option<String>,
    pub description: String,
    pub state: RequestState,
    pub hold_reason: Option<String>,
    pub first_responder_id: UserId,
    pub first_responder_name: String,
    pub assignee_id: Option<UserId>,
    pub assignee_name: Option<String>,
    /// The team the request is routed to (its pool, its round-robin).
    pub team_id: Option<i64>,
    pub team_name: Option<String>,
    pub promise_at: DateTime<Utc>,
    pub promise_postponed: bool,
    /// Escalations by hand plus clocks escalated by the scanner.
    pub escalations: i64,
    pub reopen_count: i64,
    pub materials: Option<String>,
    pub labour_minutes: Option<i64>,
    /// Charge for a paid service, in fen.
    pub charge_fen: Option<i64>,
    pub satisfaction: Option<i64>,
    pub rating_comment: Option<String>,
    pub rated_via: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub accepted_at: Option<DateTime<Utc>>,
    pub on_site_at: Option<DateTime<Utc>>,
    pub done_at: Option<DateTime<Utc>>,
    pub closed_at: Option<DateTime<Utc>>,
    /// The request's clocks, worst first.
    pub clocks: Vec<Clock>,
}

/// One clock of a request: due time, remaining, met or breached.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Clock {
    pub clock: ClockKind,
    pub started_at: DateTime<Utc>,
    pub due_at: DateTime<Utc>,
    pub warn_at: DateTime<Utc>,
    pub met_at: Option<DateTime<Utc>>,
    pub paused: bool,
    /// The scanner escalated it to the managers when it broke.
    pub escalated: bool,
    pub status: ClockStatus,
    /// Seconds until due (negative: overdue); `None` once met.
    pub remaining_seconds: Option<i64>,
}

/// One line of a request's timeline.
#[derive(Debug, Clone, Serialize, ToSchema, sqlx::FromRow)]
pub struct Event {
    pub id: i64,
    pub at: DateTime<Utc>,
    pub actor_id: Option<i64>,
    pub actor_name: String,
    pub action: String,
    pub from_state: Option<String>,
    pub to_state: Option<String>,
    pub note: Option<String>,
    pub assignee_id: Option<i64>,
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct RequestForCreate {
    pub community_id: CommunityId,
    /// `repair_unit`, `repair_common`, `complaint_general`, `complaint_serious`, `inquiry`,
    /// `suggestion`, `help` (or the Chinese label).
    pub kind: String,
    /// A category code of the company (`water`, `power`, `elevator`, …).
    pub category: String,
    /// `front_desk`, `hotline`, `portal`, `wechat`, `patrol`, `internal`.
    pub channel: String,
    /// `normal` (default) or `urgent`.
    pub urgency: Option<String>,
    pub complex: Option<bool>,
    /// Required for in-unit repairs.
    pub unit_id: Option<UnitId>,
    pub person_id: Option<PersonId>,
    /// Where, for common areas ("3栋电梯厅").
    pub location: Option<String>,
    pub contact_name: Option<String>,
    pub contact_phone: Option<String>,
    pub description: String,
    /// The promise to the customer; default two days from now, at most seven.
    pub promise_at: Option<DateTime<Utc>>,
    /// Dispatch at once to this user (else the category's mode decides).
    pub assignee_id: Option<UserId>,
}

/// An action on a request.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
pub struct RequestAction {
    /// `dispatch`, `transfer`, `to_pool`, `grab`, `accept`, `on_site`, `done`, `hold`, `resume`,
    /// `escalate`, `feedback`, `postpone`, `visit`, `close`, `cancel`.
    pub action: String,
    /// Reason or note (required for to_pool, hold, postpone, cancel).
    pub note: Option<String>,
    /// For dispatch and transfer: a person …
    pub assignee_id: Option<UserId>,
    /// … or a team (the request goes to the team's pool).
    pub team_id: Option<i64>,
    /// For postpone.
    pub promise_at: Option<DateTime<Utc>>,
    /// For done.
    pub materials: Option<String>,
    pub labour_minutes: Option<i64>,
    /// For done: the paid services performed, priced from the community's list.
    #[serde(default)]
    pub services: Vec<ServiceLineInput>,
    /// For visit: 1–5.
    pub satisfaction: Option<i64>,
    /// For visit: `phone` (default) or `visit`.
    pub visit_channel: Option<String>,
}

/// A team of a community: its members and the categories it handles.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Team {
    pub id: i64,
    pub community_id: CommunityId,
    pub name: String,
    pub members: Vec<TeamMember>,
    pub categories: Vec<String>,
}

#[derive(Debug, Clone, Serialize, ToSchema, sqlx::FromRow)]
pub struct TeamMember {
    pub user_id: UserId,
    pub name: String,
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct TeamForSave {
    pub community_id: CommunityId,
    pub name: String,
    /// Staff of the community who work orders.
    #[serde(default)]
    pub member_ids: Vec<UserId>,
    /// Category codes this team handles in its community (a category has one team).
    #[serde(default)]
    pub categories: Vec<String>,
}

/// One paid service done: an item of the price list and how many.
#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct ServiceLineInput {
    pub service_id: i64,
    pub quantity: i64,
}

#[derive(Debug, Clone, Default, Deserialize, ToSchema, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct RequestFilter {
    pub community_id: Option<CommunityId>,
    /// `mine` (registered by me), `assigned` (assigned to me), `pool`, or empty for all.
    pub view: Option<String>,
    pub state: Option<String>,
    /// `open` (default for the board), `all`.
    pub open: Option<bool>,
    pub kind: Option<String>,
    pub category: Option<String>,
    pub assignee_id: Option<UserId>,
    pub unit_id: Option<UnitId>,
    /// Requests with an id below this (paging backwards).
    pub before_id: Option<i64>,
    pub limit: Option<i64>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::shared::calendar::local_to_utc;

    fn sh(s: &str) -> DateTime<Utc> {
        let n = chrono::NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M").expect("time");
        local_to_utc(chrono_tz::Asia::Shanghai, n.date(), n.time())
    }
    const SH: Tz = chrono_tz::Asia::Shanghai;

    fn input(kind: RequestKind, category: &str) -> ClockInput<'_> {
        ClockInput {
            kind,
            category,
            urgency: Urgency::Normal,
            channel: Channel::FrontDesk,
            complex: false,
        }
    }

    fn spans(v: &[ClockRule]) -> Vec<(ClockKind, Span)> {
        v.iter().map(|r| (r.clock, r.span)).collect()
    }

    #[test]
    fn default_clocks_follow_the_manuals() {
        use ClockKind::*;
        assert_eq!(
            spans(&default_clocks(input(
                RequestKind::RepairUnit,
                "doors_locks"
            ))),
            vec![(Feedback, Span::Minutes(240))]
        );
        assert_eq!(
            spans(&default_clocks(input(
                RequestKind::RepairCommon,
                "elevator"
            ))),
            vec![(Feedback, Span::Minutes(240)), (OnSite, Span::Minutes(30))]
        );
        let mut urgent = input(RequestKind::RepairUnit, "other");
        urgent.urgency = Urgency::Urgent;
        assert_eq!(
            spans(&default_clocks(urgent)),
            vec![(Feedback, Span::Minutes(240)), (OnSite, Span::Minutes(30))]
        );
        let mut lighting = input(RequestKind::RepairCommon, "lighting");
        assert_eq!(default_clocks(lighting)[1].span, Span::Minutes(8 * 60));
        lighting.complex = true;
        assert_eq!(default_clocks(lighting)[1].span, Span::Minutes(48 * 60));
        assert_eq!(
            spans(&default_clocks(input(
                RequestKind::ComplaintGeneral,
                "noise"
            ))),
            vec![
                (Feedback, Span::Minutes(240)),
                (OnSite, Span::Minutes(60)),
                (Resolve, Span::Minutes(480))
            ]
        );
        assert_eq!(
            default_clocks(input(RequestKind::ComplaintSerious, "noise"))[2].span,
            Span::WorkingDays(5)
        );
        let mut hotline = input(RequestKind::Inquiry, "fees");
        hotline.channel = Channel::Hotline;
        assert_eq!(
            spans(&default_clocks(hotline)),
            vec![
                (Feedback, Span::Minutes(240)),
                (Reply, Span::Minutes(1440)),
                (Solution, Span::WorkingDays(3)),
                (Hotline, Span::Minutes(2880))
            ]
        );
    }

    fn ov(category: &str, clock: &str, enabled: bool, minutes: Option<i64>) -> SlaOverride {
        SlaOverride {
            id: 0,
            community_id: CommunityId(1),
            category: category.into(),
            clock: clock.into(),
            enabled,
            minutes,
            working_days: None,
            pauses_on_hold: true,
        }
    }

    #[test]
    fn overrides_per_category_win_over_every_category() {
        use ClockKind::*;
        let i = input(RequestKind::RepairCommon, "elevator");
        let o = vec![
            ov("*", "on_site", true, Some(45)),
            ov("elevator", "on_site", true, Some(15)),
            ov("*", "feedback", false, None),
            ov("*", "resolve", true, Some(120)),
            ov("water", "resolve", true, Some(60)),
        ];
        let v = effective_clocks(i, &o);
        assert_eq!(
            spans(&v),
            vec![(OnSite, Span::Minutes(15)), (Resolve, Span::Minutes(120))]
        );
        assert!(v.iter().all(|r| r.pauses_on_hold));
    }

    #[test]
    fn hour_clocks_run_across_midnight_and_weekends() {
        let cal = Calendar::default();
        // Feedback 4 h from Friday 22:30 is Saturday 02:30.
        assert_eq!(
            due_at(sh("2026-12-04 22:30"), Span::Minutes(240), &cal, SH),
            sh("2026-12-05 02:30")
        );
        // Hotline 48 h from Friday 20:00 is Sunday 20:00: hour clocks do not skip weekends.
        assert_eq!(
            due_at(sh("2026-12-04 20:00"), Span::Minutes(2880), &cal, SH),
            sh("2026-12-06 20:00")
        );
        // On site 30 min from 23:50 is 00:20 the next day.
        assert_eq!(
            due_at(sh("2026-12-31 23:50"), Span::Minutes(30), &cal, SH),
            sh("2027-01-01 00:20")
        );
        // Solution 3 working days from Friday 16:00 is Wednesday 16:00.
        assert_eq!(
            due_at(sh("2026-12-04 16:00"), Span::WorkingDays(3), &cal, SH),
            sh("2026-12-09 16:00")
        );
    }

    #[test]
    fn warnings_come_a_fifth_before_within_bounds() {
        let s = sh("2026-12-01 08:00");
        // 30 min clock: a fifth is 6 min.
        assert_eq!(
            warn_at(s, s + Duration::minutes(30)),
            s + Duration::minutes(24)
        );
        // 10 min clock: at least 5 minutes before.
        assert_eq!(
            warn_at(s, s + Duration::minutes(10)),
            s + Duration::minutes(5)
        );
        // 48 h clock: at most 4 h before.
        assert_eq!(warn_at(s, s + Duration::hours(48)), s + Duration::hours(44));
    }

    #[test]
    fn clock_status() {
        let due = sh("2026-12-01 12:00");
        let warn = sh("2026-12-01 11:00");
        let st = |now: &str, met: Option<&str>, paused: Option<&str>| {
            super::clock_status(sh(now), due, warn, met.map(sh), paused.map(sh))
        };
        assert_eq!(st("2026-12-01 10:00", None, None), ClockStatus::Running);
        assert_eq!(st("2026-12-01 11:30", None, None), ClockStatus::AtRisk);
        assert_eq!(
            st("2026-12-01 11:30", None, Some("2026-12-01 10:30")),
            ClockStatus::Paused
        );
        // Paused before its deadline: still paused long after the deadline has passed.
        assert_eq!(
            st("2026-12-03 09:00", None, Some("2026-12-01 10:30")),
            ClockStatus::Paused
        );
        // Paused after it broke: breached.
        assert_eq!(
            st("2026-12-03 09:00", None, Some("2026-12-01 12:30")),
            ClockStatus::Breached
        );
        assert_eq!(st("2026-12-01 12:01", None, None), ClockStatus::Breached);
        assert_eq!(
            st("2026-12-02 00:00", Some("2026-12-01 12:00"), None),
            ClockStatus::Met
        );
        assert_eq!(
            st("2026-12-02 00:00", Some("2026-12-01 12:01"), None),
            ClockStatus::Breached
        );
    }

    #[test]
    fn transitions() {
        use EventAction as A;
        use RequestState as S;
        assert_eq!(transition(S::Registered, A::Dispatch), Ok(S::Dispatched));
        assert_eq!(transition(S::Dispatched, A::Accept), Ok(S::Accepted));
        assert_eq!(transition(S::Accepted, A::OnSite), Ok(S::OnSite));
        assert_eq!(transition(S::OnSite, A::Done), Ok(S::Done));
        assert_eq!(transition(S::Done, A::Close), Ok(S::Closed));
        assert_eq!(transition(S::Pooled, A::Grab), Ok(S::Accepted));
        assert_eq!(transition(S::Accepted, A::ToPool), Ok(S::Pooled));
        assert_eq!(transition(S::Done, A::Reopen), Ok(S::Registered));
        assert_eq!(transition(S::Registered, A::Hold), Ok(S::OnHold));
        // Illegal ones.
        assert_eq!(transition(S::Dispatched, A::Close), Err("request_not_done"));
        assert_eq!(transition(S::Registered, A::Visit), Err("request_not_done"));
        assert_eq!(
            transition(S::Accepted, A::Grab),
            Err("request_not_assignable")
        );
        assert_eq!(transition(S::Closed, A::Done), Err("illegal_transition"));
        assert_eq!(transition(S::Pooled, A::Done), Err("illegal_transition"));
        assert_eq!(transition(S::Done, A::Hold), Err("illegal_transition"));
        assert_eq!(
            transition(S::Closed, A::Escalate),
            Err("illegal_transition")
        );
    }

    #[test]
    fn promises_stay_within_a_week() {
        let c = sh("2026-12-01 09:00");
        assert_eq!(check_promise(c, c + DEFAULT_PROMISE, c), Ok(()));
        assert_eq!(check_promise(c, c + Duration::days(7), c), Ok(()));
        assert_eq!(
            check_promise(c, c + Duration::days(7) + Duration::minutes(1), c),
            Err("promise_beyond_7_days")
        );
        assert_eq!(
            check_promise(c, c - Duration::hours(1), c),
            Err("promise_in_past")
        );
    }
}
