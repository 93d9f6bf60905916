//! Row types declared once: [`row!`](crate::row) writes the struct, derives its sqlx decoder
//! and generates the inline rusqlite decoder from the same field list, so the two can never
//! disagree on a column (the hot reads go inline on SQLite and through sqlx elsewhere).
//!
//! The inline decoder reads the columns by position, in the order of the fields, through
//! [`Cols`]: release builds never compare names (a lookup by name was a third of a page's cost),
//! debug builds check each column's name against its field, so a SELECT whose order drifted
//! from the struct fails its tests loudly. Each field type says how its column decodes through
//! [`InlineColumn`]: 0/1 integers as `bool`, text timestamps as `DateTime<Utc>`, the rest as
//! rusqlite reads them.

use chrono::{DateTime, NaiveDate, Utc};

use super::inline::Cols;
use crate::shared::ids::*;

/// How one column of an inline row decodes into a field of this type.
pub trait InlineColumn: Sized {
    fn read(c: &mut Cols<'_, '_>, name: &str) -> rusqlite::Result<Self>;
}

impl InlineColumn for bool {
    fn read(c: &mut Cols<'_, '_>, name: &str) -> rusqlite::Result<Self> {
        c.flag(name)
    }
}

impl InlineColumn for Option<bool> {
    fn read(c: &mut Cols<'_, '_>, name: &str) -> rusqlite::Result<Self> {
        Ok(c.get::<Option<i64>>(name)?.map(|v| v != 0))
    }
}

impl InlineColumn for DateTime<Utc> {
    fn read(c: &mut Cols<'_, '_>, name: &str) -> rusqlite::Result<Self> {
        c.time(name)
    }
}

impl InlineColumn for Option<DateTime<Utc>> {
    fn read(c: &mut Cols<'_, '_>, name: &str) -> rusqlite::Result<Self> {
        c.opt_time(name)
    }
}

/// Dates are stored as `YYYY-MM-DD` text on SQLite.
fn parse_date(s: &str) -> rusqlite::Result<NaiveDate> {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").map_err(|e| {
        rusqlite::Error::FromSqlConversionFailure(0, rusqlite::types::Type::Text, Box::new(e))
    })
}

impl InlineColumn for NaiveDate {
    fn read(c: &mut Cols<'_, '_>, name: &str) -> rusqlite::Result<Self> {
        parse_date(&c.get::<String>(name)?)
    }
}

impl InlineColumn for Option<NaiveDate> {
    fn read(c: &mut Cols<'_, '_>, name: &str) -> rusqlite::Result<Self> {
        c.get::<Option<String>>(name)?
            .map(|s| parse_date(&s))
            .transpose()
    }
}

/// Types rusqlite reads as they are (and their `Option`s, for nullable columns).
macro_rules! plain_columns {
    ($($t:ty),+ $(,)?) => {$(
        impl InlineColumn for $t {
            fn read(c: &mut Cols<'_, '_>, name: &str) -> rusqlite::Result<Self> {
                c.get(name)
            }
        }
        impl InlineColumn for Option<$t> {
            fn read(c: &mut Cols<'_, '_>, name: &str) -> rusqlite::Result<Self> {
                c.get(name)
            }
        }
    )+};
}

plain_columns!(
    i64,
    String,
    Vec<u8>,
    CompanyId,
    CommunityId,
    UnitId,
    PersonId,
    UserId,
    RequestId,
    CategoryId,
    OutboxId,
    NotificationId,
    AnnouncementId,
    ActivityId,
    BuildingId,
    SurveyId,
    QuestionId,
    ResponseId,
    OpinionId,
    CheckpointId,
    PatrolItemId,
    RouteId,
    PatrolPlanId,
    PatrolTaskId,
    ScanId,
    PatrolResultId,
    ShiftId,
    LeaveId,
    SwapId,
    HandoverId,
    HandoverItemId,
    PlanId,
    IncidentId,
    DrillId,
    EquipmentId,
    MaintenancePlanId,
    MaintenanceOrderId,
    MachineRoomId,
    CctvId,
    KeyCabinetId,
    KeyId,
    KeyAuthorisationId,
    KeyLoanId,
    ParcelId,
    VisitorPassId,
    VisitId,
    LendItemId,
    ItemLoanId,
    ReleaseSlipId,
    VenueId,
    VenueBookingId,
    MoveOutId,
    DeskServiceId,
    DeskSaleId,
    LockChangeId,
    AfterHoursPermitId,
    DecorationId,
    MoveInId,
    PeriodicalId,
    PeriodicalSubscriptionId,
    PeriodicalIssueId,
    PeriodicalDeliveryId,
    AuditSheetId,
    AuditId,
    RectificationId,
    CampaignId,
    CampaignTaskId,
);

/// Declares a row type read by both decoders: the struct with `#[derive(sqlx::FromRow)]`, and
/// its [`FromInline`](crate::db::FromInline) reading the columns in field order (see the module
/// docs). The SELECT that feeds it lists its columns in the same order, named as the fields.
///
/// ```ignore
/// crate::row! {
///     /// A clock of a request.
///     pub(super) struct ClockRow {
///         pub request_id: RequestId,
///         pub due_at: DateTime<Utc>,
///         pub met_at: Option<DateTime<Utc>>,
///     }
/// }
/// ```
#[macro_export]
macro_rules! row {
    (
        $(#[$m:meta])*
        $vis:vis struct $name:ident {
            $($(#[$fm:meta])* $fvis:vis $field:ident : $ty:ty),* $(,)?
        }
    ) => {
        $(#[$m])*
        #[derive(sqlx::FromRow)]
        $vis struct $name {
            $($(#[$fm])* $fvis $field: $ty),*
        }
        impl $crate::db::FromInline for $name {
            fn from_inline(r: &rusqlite::Row<'_>) -> rusqlite::Result<Self> {
                let mut c = $crate::db::inline::Cols::new(r);
                Ok($name {
                    $($field: <$ty as $crate::db::row::InlineColumn>::read(
                        &mut c,
                        stringify!($field),
                    )?),*
                })
            }
        }
    };
}
