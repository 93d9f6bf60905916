//! Entering what happened earlier (补录): a desk types up a paper form or a call after the
//! fact, a cashier enters a payment taken away from the desk. The record carries the time it
//! really happened and every clock runs from it (SLA deadlines, late fees); the entry time is
//! kept in the audit log next to it.
//!
//! One rule for every such field (`received_at`, `paid_at`): never in the future (beyond a
//! minute of clock skew), never further back than the window (`Settings::backdate_window`,
//! `WUYE_BACKDATE_DAYS`), and — for anything more than a few minutes back — only with
//! `records.backdate`. A time within those few minutes is the present (the call that just
//! ended), needs no permission and is not reported as late.

use chrono::{DateTime, Duration, SubsecRound, Utc};
use serde::Serialize;

use super::ctx::{Ctx, Perm};
use super::error::{CommonCode, CoreError, CoreResult, FieldError};

/// A desk PC's clock may run this much ahead of the server's.
pub const SKEW: Duration = Duration::minutes(1);
/// Up to this far back a time is the present: no permission, not logged as late.
pub const PRESENT: Duration = Duration::minutes(5);

/// A time a record says it happened, checked.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Happened {
    /// When it happened (never later than `entered_at`), to the microsecond.
    pub happened_at: DateTime<Utc>,
    /// When it was entered.
    pub entered_at: DateTime<Utc>,
    /// Entered late (more than [`PRESENT`] after it happened): needs the permission and is
    /// logged as such.
    pub late: bool,
}

impl Happened {
    /// What the audit log keeps of a late entry (`None` for one entered at the time).
    pub fn audit(&self, field: &str) -> Option<serde_json::Value> {
        self.late.then(|| {
            serde_json::json!({
                "field": field,
                "happened_at": self.happened_at,
                "entered_at": self.entered_at,
                "entered_late_seconds": (self.entered_at - self.happened_at).num_seconds(),
            })
        })
    }
}

/// The rule without the permission: `Err` names `field`.
pub fn check_time(
    field: &str,
    at: DateTime<Utc>,
    now: DateTime<Utc>,
    window: Duration,
) -> Result<Happened, FieldError> {
    if at > now + SKEW {
        return Err(FieldError::new(field, CommonCode::TimeInFuture));
    }
    if at < now - window {
        return Err(FieldError::new(field, CommonCode::TooFarBack).with("days", window.num_days()));
    }
    let happened_at = at.min(now).trunc_subsecs(6);
    Ok(Happened {
        happened_at,
        entered_at: now,
        late: happened_at < now - PRESENT,
    })
}

/// Checks an optional time a record says it happened: `None` when not given; a late one needs
/// `records.backdate` (403 otherwise).
pub fn happened(
    ctx: &Ctx,
    field: &str,
    at: Option<DateTime<Utc>>,
    now: DateTime<Utc>,
    window: Duration,
) -> CoreResult<Option<Happened>> {
    let Some(at) = at else { return Ok(None) };
    let h = check_time(field, at, now, window).map_err(|e| CoreError::Invalid(vec![e]))?;
    if h.late && !ctx.has(Perm::RecordsBackdate) {
        return Err(CoreError::Forbidden);
    }
    Ok(Some(h))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    #[test]
    fn the_window_the_future_and_the_present() {
        let now = t("2026-12-05T10:00:00+08:00");
        let w = Duration::days(7);
        // Exactly seven days back is inside; a second more is not.
        let h = check_time("received_at", t("2026-11-28T10:00:00+08:00"), now, w).unwrap();
        assert!(h.late);
        assert_eq!(h.happened_at, t("2026-11-28T10:00:00+08:00"));
        let e = check_time("received_at", t("2026-11-28T09:59:59+08:00"), now, w).unwrap_err();
        assert_eq!((e.field.as_str(), e.code), ("received_at", "too_far_back"));
        // A minute ahead is clock skew (taken as now); more is the future.
        let h = check_time("paid_at", t("2026-12-05T10:01:00+08:00"), now, w).unwrap();
        assert_eq!((h.happened_at, h.late), (now, false));
        let e = check_time("paid_at", t("2026-12-05T10:01:01+08:00"), now, w).unwrap_err();
        assert_eq!((e.field.as_str(), e.code), ("paid_at", "time_in_future"));
        // Five minutes back is the present; a second more is late.
        assert!(
            !check_time("x", t("2026-12-05T09:55:00+08:00"), now, w)
                .unwrap()
                .late
        );
        assert!(
            check_time("x", t("2026-12-05T09:54:59+08:00"), now, w)
                .unwrap()
                .late
        );
    }
}
