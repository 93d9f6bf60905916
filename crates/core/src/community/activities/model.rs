//! The rules of activities, with no I/O: their states, what a plan must hold, and whether sign-up
//! is open at a moment.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::community::error::CommunityCode;
use crate::shared::error::{CommonCode, FieldError};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ActivityState {
    /// Being planned: edited freely, seen by staff only.
    Planned,
    /// Open for sign-up (until `signup_until` or the start).
    Open,
    /// Held and summed up.
    Done,
    Cancelled,
}

impl ActivityState {
    pub const ALL: [ActivityState; 4] = [
        ActivityState::Planned,
        ActivityState::Open,
        ActivityState::Done,
        ActivityState::Cancelled,
    ];
    pub fn code(self) -> &'static str {
        match self {
            ActivityState::Planned => "planned",
            ActivityState::Open => "open",
            ActivityState::Done => "done",
            ActivityState::Cancelled => "cancelled",
        }
    }
    pub fn decode(s: &str) -> Option<ActivityState> {
        ActivityState::ALL.into_iter().find(|v| v.code() == s)
    }
}

/// A sign-up: a seat, a place on the waiting list, or given up.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum SignupState {
    Confirmed,
    Waiting,
    Cancelled,
}

impl SignupState {
    pub fn code(self) -> &'static str {
        match self {
            SignupState::Confirmed => "confirmed",
            SignupState::Waiting => "waiting",
            SignupState::Cancelled => "cancelled",
        }
    }
    pub fn decode(s: &str) -> Option<SignupState> {
        [
            SignupState::Confirmed,
            SignupState::Waiting,
            SignupState::Cancelled,
        ]
        .into_iter()
        .find(|v| v.code() == s)
    }
}

pub const MAX_CAPACITY: i64 = 10_000;

/// What a plan is checked on.
pub struct Plan<'a> {
    pub title: &'a str,
    pub aim: &'a str,
    pub plan: &'a str,
    pub place: &'a str,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    pub signup_until: Option<DateTime<Utc>>,
    pub capacity: Option<i64>,
}

/// Checks a plan: its texts, a start still to come, an end after it, a sign-up deadline before
/// the start, a capacity of 1 to [`MAX_CAPACITY`].
pub fn check(p: &Plan<'_>, now: DateTime<Utc>) -> Vec<FieldError> {
    let mut errs = Vec::new();
    let mut text = |field: &str, v: &str, max: usize, required: bool| {
        if required && v.trim().is_empty() {
            errs.push(FieldError::new(field, CommonCode::Required));
        } else if v.chars().count() > max {
            errs.push(FieldError::new(field, CommonCode::TooLong).with("max", max));
        }
    };
    text("title", p.title, 100, true);
    text("aim", p.aim, 500, true);
    text("plan", p.plan, 10_000, false);
    text("place", p.place, 100, true);
    if p.starts_at <= now {
        errs.push(FieldError::new("starts_at", CommunityCode::StartsInPast));
    }
    if p.ends_at <= p.starts_at {
        errs.push(FieldError::new("ends_at", CommunityCode::EndsBeforeStart));
    }
    if p.signup_until.is_some_and(|s| s > p.starts_at) {
        errs.push(FieldError::new(
            "signup_until",
            CommunityCode::SignupAfterStart,
        ));
    }
    if p.capacity.is_some_and(|c| !(1..=MAX_CAPACITY).contains(&c)) {
        errs.push(
            FieldError::new("capacity", CommunityCode::InvalidCapacity).with("max", MAX_CAPACITY),
        );
    }
    errs
}

/// Whether people may still sign up at `now`.
pub fn signup_open(
    state: ActivityState,
    starts_at: DateTime<Utc>,
    signup_until: Option<DateTime<Utc>>,
    now: DateTime<Utc>,
) -> bool {
    state == ActivityState::Open && now < signup_until.unwrap_or(starts_at).min(starts_at)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn t(d: u32, h: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 12, d, h, 0, 0).unwrap()
    }

    fn plan(starts: DateTime<Utc>, ends: DateTime<Utc>) -> Plan<'static> {
        Plan {
            title: "元旦游园会",
            aim: "邻里联谊",
            plan: "",
            place: "中心广场",
            starts_at: starts,
            ends_at: ends,
            signup_until: None,
            capacity: Some(50),
        }
    }

    #[test]
    fn a_plan_starts_later_ends_after_it_and_holds_its_people() {
        assert!(check(&plan(t(20, 9), t(20, 12)), t(5, 9)).is_empty());
        let codes = |p: &Plan<'_>| {
            check(p, t(5, 9))
                .into_iter()
                .map(|e| format!("{}:{}", e.field, e.code))
                .collect::<Vec<_>>()
        };
        assert_eq!(
            codes(&plan(t(4, 9), t(4, 8))),
            ["starts_at:starts_in_past", "ends_at:ends_before_start"]
        );
        let mut p = plan(t(20, 9), t(20, 12));
        p.capacity = Some(0);
        p.signup_until = Some(t(21, 0));
        p.title = " ";
        assert_eq!(
            codes(&p),
            [
                "title:required",
                "signup_until:signup_after_start",
                "capacity:invalid_capacity"
            ]
        );
    }

    #[test]
    fn sign_up_closes_at_the_deadline_or_the_start() {
        let open = ActivityState::Open;
        assert!(signup_open(open, t(20, 9), None, t(20, 8)));
        assert!(!signup_open(open, t(20, 9), None, t(20, 9)));
        assert!(!signup_open(open, t(20, 9), Some(t(18, 0)), t(18, 0)));
        assert!(signup_open(open, t(20, 9), Some(t(18, 0)), t(17, 23)));
        assert!(!signup_open(
            ActivityState::Planned,
            t(20, 9),
            None,
            t(5, 0)
        ));
    }
}
