//! The records and inputs the request services exchange with the API and the pages: a
//! request with its clocks, a timeline line, categories, teams, filters.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::shared::ids::*;

use super::{Channel, ClockKind, ClockStatus, RequestKind, RequestState, Urgency};

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
    #[schema(value_type = crate::tickets::DispatchMode)]
    pub dispatch_mode: String,
    #[schema(value_type = crate::tickets::VisitPolicy)]
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

/// Serialized only for the digest that tells a retry (the same input) from a reused key.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct RequestForCreate {
    pub community_id: CommunityId,
    /// `repair_unit`, `repair_common`, `complaint_general`, `complaint_serious`, `inquiry`,
    /// `suggestion`, `help` (or the Chinese label).
    #[schema(value_type = crate::tickets::RequestKind)]
    pub kind: String,
    /// A category code of the company (`water`, `power`, `elevator`, …).
    pub category: String,
    /// `front_desk`, `hotline`, `portal`, `wechat`, `patrol`, `internal`.
    #[schema(value_type = crate::tickets::Channel)]
    pub channel: String,
    /// `normal` (default) or `urgent`.
    #[schema(value_type = Option<crate::tickets::Urgency>)]
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
    /// When the request really came in (RFC 3339), for a paper form or a call entered late
    /// (补录): at most the backdating window back (`WUYE_BACKDATE_DAYS`, default 7 days), never
    /// in the future; more than five minutes back needs `records.backdate`. The request is
    /// registered at that time and its SLA clocks run from it. Default: now.
    #[serde(default)]
    pub received_at: Option<DateTime<Utc>>,
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
    #[schema(value_type = Option<crate::tickets::VisitChannel>)]
    pub visit_channel: Option<String>,
    /// For visit: when the return visit really took place (RFC 3339), for one entered late
    /// (补录): not before the work was done, at most the backdating window back, never in the
    /// future; more than five minutes back needs `records.backdate`. Default: now.
    #[serde(default)]
    pub received_at: Option<DateTime<Utc>>,
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
    /// Routed to this team (its pool and round-robin).
    pub team_id: Option<i64>,
    /// Where the request's most urgent unmet clock stands now: `breached`, `at_risk`,
    /// `running`, `paused`.
    pub clock: Option<String>,
    /// Requests with an id below this (paging backwards).
    pub before_id: Option<i64>,
    pub limit: Option<i64>,
}
