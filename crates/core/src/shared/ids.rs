//! Typed ids: a unit id cannot be passed where a person id is wanted.

macro_rules! id_type {
    ($($name:ident),+ $(,)?) => {$(
        #[derive(
            Debug, Clone, Copy, Default, PartialEq, Eq, Hash, PartialOrd, Ord,
            serde::Serialize, serde::Deserialize, sqlx::Type, utoipa::ToSchema,
        )]
        #[serde(transparent)]
        #[sqlx(transparent)]
        pub struct $name(pub i64);

        impl From<$name> for crate::db::Value {
            fn from(v: $name) -> Self {
                crate::db::Value::I64(Some(v.0))
            }
        }
        impl From<Option<$name>> for crate::db::Value {
            fn from(v: Option<$name>) -> Self {
                crate::db::Value::I64(v.map(|x| x.0))
            }
        }
        impl rusqlite::types::FromSql for $name {
            fn column_result(v: rusqlite::types::ValueRef<'_>) -> rusqlite::types::FromSqlResult<Self> {
                i64::column_result(v).map($name)
            }
        }
        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                self.0.fmt(f)
            }
        }
        impl std::str::FromStr for $name {
            type Err = std::num::ParseIntError;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                s.parse().map($name)
            }
        }
    )+};
}

id_type!(
    CompanyId,
    CommunityId,
    BuildingId,
    UnitId,
    PersonId,
    VehicleId,
    ParkingSpaceId,
    UserId,
    ApiTokenId,
    InspectionId,
    RequestId,
    CategoryId,
    NotificationId,
    OutboxId,
    AnnouncementId,
    ActivityId,
    // Billing's: taken by its store functions, so a charge id cannot be passed where a payment
    // id is wanted. Its API types keep plain integers, which leaves the OpenAPI document as it is.
    ChargeId,
    PaymentId,
    FeeItemId,
    StandardId,
    BillRunId,
    MeterId,
    ReadingId,
    ReminderId,
    ExpenseId,
    // Surveys and the opinion library.
    SurveyId,
    QuestionId,
    ResponseId,
    OpinionId,
    // Patrols.
    CheckpointId,
    PatrolItemId,
    RouteId,
    PatrolPlanId,
    PatrolTaskId,
    ScanId,
    PatrolResultId,
    // Duty rosters, handovers, emergency plans and incidents.
    ShiftId,
    LeaveId,
    SwapId,
    HandoverId,
    HandoverItemId,
    PlanId,
    IncidentId,
    DrillId,
    // Equipment, maintenance and machine rooms.
    EquipmentId,
    MaintenancePlanId,
    MaintenanceOrderId,
    MachineRoomId,
    CctvId,
    // The front desk: keys.
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
