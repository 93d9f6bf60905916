//! Roles, users and the pure rules of accounts: the password policy. Login throttling's rules
//! are in `throttle.rs`.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::shared::ctx::Perm;
use std::collections::BTreeSet;

use crate::shared::error::{CommonCode, CoreError, CoreResult, FieldError};
use crate::shared::ids::{CommunityId, UserId};

use super::error::AuthCode;

/// A built-in role of SPEC §1: (code, 中文, English, permissions, reaches every community).
pub struct BuiltinRole {
    pub code: &'static str,
    pub name_zh: &'static str,
    pub name_en: &'static str,
    pub perms: &'static [Perm],
    pub all_communities: bool,
}

/// The role of an owner's portal account. An owner reaches the community where his account's
/// person lives in a unit, whatever any assignment says: what he owns decides, not a staff list.
pub const OWNER_ROLE: &str = "owner";
/// The role of an owners' committee member (业主委员会). A committee sits for one community
/// (one 物业管理区域), so the user has exactly one assignment, and it is his whole reach.
pub const COMMITTEE_ROLE: &str = "committee";

use Perm::*;
pub const BUILTIN_ROLES: &[BuiltinRole] = &[
    BuiltinRole {
        code: "company_admin",
        name_zh: "公司管理员",
        name_en: "Company admin",
        perms: &[
            CommunityManage,
            RegistryRead,
            RegistryWrite,
            PiiReveal,
            UsersManage,
            AuditRead,
            TicketsRegister,
            TicketsDispatch,
            TicketsManage,
            BillingCollect,
            BillingManage,
            RecordsBackdate,
            NotifyManage,
            AnnouncementsManage,
            SurveysManage,
            PatrolsManage,
            PatrolsWalk,
            DutyManage,
            IncidentsManage,
            EquipmentManage,
            EquipmentWork,
            FrontdeskManage,
            FrontdeskWork,
            QualityManage,
        ],
        all_communities: true,
    },
    BuiltinRole {
        code: "project_manager",
        name_zh: "项目经理",
        name_en: "Project manager",
        perms: &[
            RegistryRead,
            RegistryWrite,
            PiiReveal,
            AuditRead,
            TicketsRegister,
            TicketsDispatch,
            TicketsManage,
            BillingCollect,
            BillingManage,
            RecordsBackdate,
            NotifyManage,
            AnnouncementsManage,
            SurveysManage,
            PatrolsManage,
            PatrolsWalk,
            DutyManage,
            IncidentsManage,
            EquipmentManage,
            EquipmentWork,
            FrontdeskManage,
            FrontdeskWork,
        ],
        all_communities: false,
    },
    BuiltinRole {
        code: "service_agent",
        name_zh: "客服",
        name_en: "Service agent",
        perms: &[
            RegistryRead,
            RegistryWrite,
            PiiReveal,
            TicketsRegister,
            TicketsDispatch,
            RecordsBackdate,
            AnnouncementsManage,
            IncidentsManage,
            FrontdeskWork,
        ],
        all_communities: false,
    },
    BuiltinRole {
        code: "technician",
        name_zh: "维修工程师",
        name_en: "Technician",
        perms: &[RegistryRead, TicketsWork, PatrolsWalk, EquipmentWork],
        all_communities: false,
    },
    BuiltinRole {
        code: "security",
        name_zh: "秩序维护",
        name_en: "Security",
        perms: &[RegistryRead, TicketsRegister, PatrolsWalk, FrontdeskWork],
        all_communities: false,
    },
    BuiltinRole {
        code: "cleaning",
        name_zh: "保洁绿化",
        name_en: "Cleaning and greening",
        perms: &[RegistryRead, TicketsWork, PatrolsWalk],
        all_communities: false,
    },
    BuiltinRole {
        code: "cashier",
        name_zh: "收费员",
        name_en: "Cashier",
        perms: &[RegistryRead, BillingCollect, RecordsBackdate],
        all_communities: false,
    },
    BuiltinRole {
        code: "quality_auditor",
        name_zh: "品质督导",
        name_en: "Quality auditor",
        perms: &[RegistryRead, AuditRead, QualityManage],
        all_communities: false,
    },
    BuiltinRole {
        code: OWNER_ROLE,
        name_zh: "业主",
        name_en: "Owner",
        perms: &[],
        all_communities: false,
    },
    BuiltinRole {
        code: COMMITTEE_ROLE,
        name_zh: "业主委员会",
        name_en: "Owners' committee",
        perms: &[],
        all_communities: false,
    },
];

#[derive(Debug, Clone, Serialize, Deserialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct Role {
    pub code: String,
    pub name_zh: String,
    pub name_en: String,
    /// Comma-separated permission codes.
    pub permissions: String,
    pub all_communities: bool,
    pub builtin: bool,
}

impl Role {
    /// The role's permissions, strictly: an unknown stored code is an internal error.
    pub fn perms(&self) -> CoreResult<BTreeSet<Perm>> {
        decode_perms(&self.permissions)
    }
}

#[derive(Debug, Clone, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct User {
    pub id: UserId,
    pub username: String,
    pub display_name: String,
    pub role: String,
    pub active: bool,
    pub must_change_password: bool,
    pub failed_logins: i64,
    pub locked_until: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
}

/// A user with the communities assigned.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct UserView {
    #[serde(flatten)]
    pub user: User,
    pub communities: Vec<CommunityId>,
}

#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
pub struct UserForCreate {
    pub username: String,
    pub display_name: String,
    pub role: String,
    pub password: String,
    #[serde(default)]
    pub communities: Vec<CommunityId>,
}

#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
pub struct UserForUpdate {
    pub display_name: Option<String>,
    pub role: Option<String>,
    pub active: Option<bool>,
    pub communities: Option<Vec<CommunityId>>,
    /// Sets a new password the user must change at next login.
    pub reset_password: Option<String>,
}

#[derive(Debug, Clone, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct ApiToken {
    pub id: crate::shared::ids::ApiTokenId,
    pub name: String,
    /// The first characters of the token, to recognise it in a list.
    pub prefix: String,
    pub created_at: DateTime<Utc>,
    pub last_used_at: Option<DateTime<Utc>>,
    pub revoked_at: Option<DateTime<Utc>>,
    /// Tokens obtained with a password expire; tokens created for an integration do not.
    pub expires_at: Option<DateTime<Utc>>,
}

/// How long a token obtained with a password (`POST /api/v1/auth/token`) lasts.
pub const PASSWORD_TOKEN_DAYS: i64 = 30;

/// Password policy: 8–128 characters with at least one letter and one digit.
pub fn check_password(field: &str, p: &str) -> Result<(), FieldError> {
    let n = p.chars().count();
    if n < 8 {
        return Err(FieldError::new(field, AuthCode::PasswordTooShort).with("min", 8));
    }
    if n > 128 {
        return Err(FieldError::new(field, CommonCode::TooLong).with("max", 128));
    }
    if !p.chars().any(|c| c.is_alphabetic()) || !p.chars().any(|c| c.is_ascii_digit()) {
        return Err(FieldError::new(field, AuthCode::PasswordTooWeak));
    }
    Ok(())
}

/// Usernames: 3–32 of a-z, 0-9, `.`, `_`, `-`; stored lower-case.
pub fn parse_username(field: &str, raw: &str) -> Result<String, FieldError> {
    let s = raw.trim().to_lowercase();
    if s.is_empty() {
        return Err(FieldError::new(field, CommonCode::Required));
    }
    if !(3..=32).contains(&s.len())
        || !s
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'))
    {
        return Err(FieldError::new(field, AuthCode::InvalidUsername));
    }
    Ok(s)
}

/// Decodes a role's stored permission codes. Empty items are skipped (a migration that appended
/// `,code` to an empty list leaves one); an unknown code is an internal error, never dropped: a
/// role silently losing a permission would be a wrong answer no one sees.
pub fn decode_perms(stored: &str) -> CoreResult<BTreeSet<Perm>> {
    stored
        .split(',')
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .map(|p| {
            Perm::parse(p)
                .ok_or_else(|| CoreError::internal(format!("unknown stored permission {p:?}")))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords() {
        assert_eq!(
            check_password("p", "abc12").unwrap_err().code,
            "password_too_short"
        );
        assert_eq!(
            check_password("p", "abcdefgh").unwrap_err().code,
            "password_too_weak"
        );
        assert!(check_password("p", "wuye2026ok").is_ok());
        assert_eq!(parse_username("u", " Admin ").unwrap(), "admin");
        assert_eq!(
            parse_username("u", "a b").unwrap_err().code,
            "invalid_username"
        );
    }

    #[test]
    fn stored_permissions_decode_strictly() {
        assert_eq!(
            decode_perms(",tickets.work, registry.read").unwrap(),
            BTreeSet::from([Perm::TicketsWork, Perm::RegistryRead])
        );
        assert!(decode_perms("").unwrap().is_empty());
        assert!(decode_perms("registry.read,no.such").is_err());
    }

    #[test]
    fn every_role_perm_code_parses() {
        for r in BUILTIN_ROLES {
            for p in r.perms {
                assert_eq!(Perm::parse(p.code()), Some(*p));
            }
        }
    }
}
