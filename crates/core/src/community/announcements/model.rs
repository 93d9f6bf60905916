//! The rules of notices, with no I/O: categories, scopes and states, which of them an owner sees
//! at a given moment, and how a notice's input is checked.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::community::error::CommunityCode;
use crate::shared::error::{CommonCode, FieldError};

macro_rules! code_enum {
    ($(#[$m:meta])* $name:ident, $field:literal, $err:ident { $($(#[$vm:meta])* $v:ident = $code:literal),* $(,)? }) => {
        $(#[$m])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
        #[serde(rename_all = "snake_case")]
        pub enum $name { $($(#[$vm])* $v),* }
        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$v),*];
            pub fn code(self) -> &'static str { match self { $($name::$v => $code),* } }
            pub fn parse(s: &str) -> Result<$name, FieldError> {
                $name::ALL
                    .iter()
                    .copied()
                    .find(|v| v.code() == s)
                    .ok_or_else(|| FieldError::new($field, CommunityCode::$err))
            }
        }
    };
}

code_enum! {
    /// What a notice is about (the manual's kinds of 公告).
    NoticeCategory, "category", UnknownNoticeCategory {
        /// 通知
        Notice = "notice",
        /// 停水停电: an emergency, sent at once whatever the hour.
        Outage = "outage",
        /// 活动
        Activity = "activity",
        /// 收费
        Fees = "fees",
        /// 温馨提示
        Tip = "tip",
    }
}

code_enum! {
    /// Whom a notice is for.
    NoticeScope, "scope", UnknownNoticeScope {
        /// Every community of the company (one copy in each).
        Company = "company",
        Community = "community",
        /// Owners and residents of the chosen buildings.
        Buildings = "buildings",
    }
}

impl NoticeCategory {
    pub fn emergency(self) -> bool {
        self == NoticeCategory::Outage
    }
}

/// What is stored: a draft, a published notice (shown from `publish_at` to `expires_at`), or one
/// taken back.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StoredState {
    Draft,
    Published,
    Withdrawn,
}

impl StoredState {
    pub fn code(self) -> &'static str {
        match self {
            StoredState::Draft => "draft",
            StoredState::Published => "published",
            StoredState::Withdrawn => "withdrawn",
        }
    }
    /// Stored values decode strictly: an unknown one is a broken row, not a default.
    pub fn decode(s: &str) -> Option<StoredState> {
        [
            StoredState::Draft,
            StoredState::Published,
            StoredState::Withdrawn,
        ]
        .into_iter()
        .find(|v| v.code() == s)
    }
}

/// Where a notice stands at a moment, as people see it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum NoticeStatus {
    Draft,
    /// Published to show later.
    Scheduled,
    /// Showing now.
    Live,
    /// Its end passed.
    Expired,
    Withdrawn,
}

impl NoticeStatus {
    pub const ALL: [NoticeStatus; 5] = [
        NoticeStatus::Draft,
        NoticeStatus::Scheduled,
        NoticeStatus::Live,
        NoticeStatus::Expired,
        NoticeStatus::Withdrawn,
    ];
    pub fn code(self) -> &'static str {
        match self {
            NoticeStatus::Draft => "draft",
            NoticeStatus::Scheduled => "scheduled",
            NoticeStatus::Live => "live",
            NoticeStatus::Expired => "expired",
            NoticeStatus::Withdrawn => "withdrawn",
        }
    }
    pub fn parse(s: &str) -> Option<NoticeStatus> {
        NoticeStatus::ALL.into_iter().find(|v| v.code() == s)
    }
}

/// The status of a notice at `now`.
pub fn status_at(
    state: StoredState,
    publish_at: Option<DateTime<Utc>>,
    expires_at: Option<DateTime<Utc>>,
    now: DateTime<Utc>,
) -> NoticeStatus {
    match state {
        StoredState::Draft => NoticeStatus::Draft,
        StoredState::Withdrawn => NoticeStatus::Withdrawn,
        StoredState::Published => match (publish_at, expires_at) {
            (Some(p), _) if p > now => NoticeStatus::Scheduled,
            (_, Some(e)) if e <= now => NoticeStatus::Expired,
            _ => NoticeStatus::Live,
        },
    }
}

pub const MAX_TITLE: usize = 100;
pub const MAX_BODY: usize = 20_000;

/// Checks the text and times of a notice; `publish_at` is when it would show (now for a draft).
pub fn check(
    title: &str,
    body: &str,
    publish_at: DateTime<Utc>,
    expires_at: Option<DateTime<Utc>>,
    now: DateTime<Utc>,
) -> Vec<FieldError> {
    let mut errs = Vec::new();
    let mut text = |field: &str, v: &str, max: usize| {
        if v.trim().is_empty() {
            errs.push(FieldError::new(field, CommonCode::Required));
        } else if v.chars().count() > max {
            errs.push(FieldError::new(field, CommonCode::TooLong).with("max", max));
        }
    };
    text("title", title, MAX_TITLE);
    text("body", body, MAX_BODY);
    if let Some(e) = expires_at {
        if e <= now {
            errs.push(FieldError::new("expires_at", CommunityCode::ExpiresInPast));
        } else if e <= publish_at {
            errs.push(FieldError::new(
                "expires_at",
                CommunityCode::ExpiresBeforePublish,
            ));
        }
    }
    errs
}

/// Whether a person living in `his` buildings is among a notice's readers.
pub fn reaches(scope: NoticeScope, buildings: &[i64], his: &[i64]) -> bool {
    match scope {
        NoticeScope::Company | NoticeScope::Community => true,
        NoticeScope::Buildings => buildings.iter().any(|b| his.contains(b)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn t(h: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 12, 5, h, 0, 0).unwrap()
    }

    #[test]
    fn a_published_notice_is_scheduled_then_live_then_expired() {
        let p = StoredState::Published;
        assert_eq!(
            status_at(p, Some(t(10)), Some(t(12)), t(9)),
            NoticeStatus::Scheduled
        );
        assert_eq!(
            status_at(p, Some(t(10)), Some(t(12)), t(10)),
            NoticeStatus::Live
        );
        assert_eq!(
            status_at(p, Some(t(10)), Some(t(12)), t(12)),
            NoticeStatus::Expired
        );
        assert_eq!(status_at(p, Some(t(10)), None, t(23)), NoticeStatus::Live);
        assert_eq!(
            status_at(StoredState::Draft, None, None, t(9)),
            NoticeStatus::Draft
        );
        assert_eq!(
            status_at(StoredState::Withdrawn, Some(t(1)), None, t(9)),
            NoticeStatus::Withdrawn
        );
    }

    #[test]
    fn a_notice_needs_a_title_a_body_and_an_end_after_its_start() {
        let codes = |e: Vec<FieldError>| {
            e.into_iter()
                .map(|f| format!("{}:{}", f.field, f.code))
                .collect::<Vec<_>>()
        };
        assert_eq!(
            codes(check(" ", "x", t(10), None, t(10))),
            ["title:required"]
        );
        assert_eq!(
            codes(check("停水通知", "x", t(10), Some(t(9)), t(10))),
            ["expires_at:expires_in_past"]
        );
        assert_eq!(
            codes(check("停水通知", "x", t(14), Some(t(12)), t(10))),
            ["expires_at:expires_before_publish"]
        );
        assert!(check("停水通知", "明日停水", t(10), Some(t(12)), t(10)).is_empty());
        let long = "字".repeat(MAX_TITLE + 1);
        assert_eq!(
            codes(check(&long, "x", t(10), None, t(10))),
            ["title:too_long"]
        );
    }

    #[test]
    fn a_buildings_notice_reaches_only_their_people() {
        assert!(reaches(NoticeScope::Buildings, &[1, 2], &[2, 5]));
        assert!(!reaches(NoticeScope::Buildings, &[1, 2], &[3]));
        assert!(reaches(NoticeScope::Community, &[], &[3]));
        assert!(NoticeCategory::Outage.emergency());
        assert!(NoticeCategory::parse("outage").is_ok());
        assert_eq!(NoticeScope::parse("x").unwrap_err().field, "scope");
    }
}
