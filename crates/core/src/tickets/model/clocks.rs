//! The SLA clocks of SPEC §3: which clocks a request gets (the defaults and a community's
//! overrides), when each is due over the company calendar, when its owner is warned, how it
//! shows, and which actions meet it.

use chrono::{DateTime, Duration, Utc};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::shared::calendar::Calendar;
use crate::shared::ids::*;

use super::{Channel, ClockKind, EventAction, RequestKind, Urgency};

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

crate::row! {
    /// A community's setting for one clock of one category (`*` = every category).
    #[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
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
