//! Who is on duty now: the shifts running at an instant (yesterday's night shift included) and
//! their people not on leave — for the desk, the staff home page and the public board.

use chrono::{DateTime, Duration, NaiveDate, Utc};
use chrono_tz::Tz;
use serde::Serialize;
use utoipa::ToSchema;

use super::super::store;
use super::{Shift, require_staff_in, shifts_of, staff_rows, tz_of};
use crate::db::Queries;
use crate::shared::error::CoreResult;
use crate::shared::ids::*;
use crate::{Core, Ctx};

/// A person on duty.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct OnDutyPerson {
    pub user_id: UserId,
    pub name: String,
}

/// A shift running now with its people.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct OnDutyShift {
    pub code: String,
    pub name: String,
    pub team: String,
    pub starts: String,
    pub ends: String,
    /// The day the shift belongs to (the day it started).
    #[schema(value_type = String, format = Date)]
    pub day: NaiveDate,
    pub people: Vec<OnDutyPerson>,
}

/// Who is on duty now.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct OnDuty {
    pub community_id: CommunityId,
    pub at: DateTime<Utc>,
    /// Whether the community keeps a roster at all (no pattern: the board keeps its typed text).
    pub has_roster: bool,
    pub shifts: Vec<OnDutyShift>,
}

/// The shifts running at `at` and their people not on leave (a shift of yesterday that crosses
/// midnight counts). Reads with no actor: the public board calls it too.
pub(crate) async fn on_duty_at(
    q: &mut impl Queries,
    ctx: &Ctx,
    c: CommunityId,
    tz: Tz,
    at: DateTime<Utc>,
) -> CoreResult<OnDuty> {
    let today = at.with_timezone(&tz).date_naive();
    let shifts: Vec<Shift> = shifts_of(q, c)
        .await?
        .into_iter()
        .filter(|s| s.active)
        .collect();
    let rows = store::roster::between(q, c, today - Duration::days(1), today, None).await?;
    let leaves =
        store::roster::leaves_between(q, c, today - Duration::days(1), today, None).await?;
    let names: std::collections::BTreeMap<UserId, String> = staff_rows(q, ctx, c)
        .await?
        .into_iter()
        .map(|s| (s.user_id, s.name))
        .collect();
    let mut out = Vec::new();
    for day in [today - Duration::days(1), today] {
        for s in &shifts {
            let t = s.times()?;
            let (from, to) = t.window(tz, day);
            if !(from <= at && at < to) {
                continue;
            }
            let people: Vec<OnDutyPerson> = rows
                .iter()
                .filter(|a| a.day == day && a.shift_code == s.code)
                .filter(|a| {
                    !leaves
                        .iter()
                        .any(|l| l.user_id == a.user_id && l.starts_on <= day && day <= l.ends_on)
                })
                .map(|a| OnDutyPerson {
                    user_id: a.user_id,
                    name: names.get(&a.user_id).cloned().unwrap_or_default(),
                })
                .collect();
            if !people.is_empty() {
                out.push(OnDutyShift {
                    code: s.code.clone(),
                    name: s.name.clone(),
                    team: s.team.clone(),
                    starts: s.starts.clone(),
                    ends: s.ends.clone(),
                    day,
                    people,
                });
            }
        }
    }
    Ok(OnDuty {
        community_id: c,
        at,
        has_roster: !shifts.is_empty(),
        shifts: out,
    })
}

/// Who is on duty now (the desk, the staff home page).
pub async fn on_duty_now(core: &Core, ctx: &Ctx, c: CommunityId) -> CoreResult<OnDuty> {
    require_staff_in(ctx, c)?;
    let mut q = core.db.read();
    let tz = tz_of(&mut q, ctx, c).await?;
    on_duty_at(&mut q, ctx, c, tz, Utc::now()).await
}
