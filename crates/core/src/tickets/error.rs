//! The error codes this module raises: stable snake_case strings, each with zh-CN and en text in
//! the web crate's locale files (a test checks). Raise them through `CoreError::invalid`,
//! `CoreError::conflict` or `FieldError::new`; the shared shapes of a value (required, too
//! long, a bad date) are `CommonCode`'s.

crate::error_codes! {
    /// Codes of service requests, work orders, teams, calls and paid services.
    pub enum TicketCode {
        // Registering.
        UnknownCategory = "unknown_category",
        UnknownUnit = "unknown_unit",
        UnitNotInCommunity = "unit_not_in_community",
        UnitRequiredForRepair = "unit_required_for_repair",
        UnknownPerson = "unknown_person",
        PersonNotOfUnit = "person_not_of_unit",
        NotAssignable = "not_assignable",
        PromiseBeyond7Days = "promise_beyond_7_days",
        PromiseInPast = "promise_in_past",
        InvalidIdempotencyKey = "invalid_idempotency_key",
        /// Shared with payments (one text): the key was used with another input.
        IdempotencyKeyReused = "idempotency_key_reused",
        // Reading.
        UnknownView = "unknown_view",
        // Acting on a request.
        UnknownAction = "unknown_action",
        ReasonRequired = "reason_required",
        AssignedToSomeoneElse = "assigned_to_someone_else",
        RequestNotOnHold = "request_not_on_hold",
        RequestNotAssignable = "request_not_assignable",
        RequestNotDone = "request_not_done",
        IllegalTransition = "illegal_transition",
        UseTransfer = "use_transfer",
        RequestAlreadyTaken = "request_already_taken",
        RequestChanged = "request_changed",
        RequestClosed = "request_closed",
        UnknownTeam = "unknown_team",
        NotInTeam = "not_in_team",
        AlreadyAssigned = "already_assigned",
        ChargeNeedsUnit = "charge_needs_unit",
        PromiseAlreadyPostponed = "promise_already_postponed",
        PromiseNotLater = "promise_not_later",
        SatisfactionOutOfRange = "satisfaction_out_of_range",
        OutOfRange = "out_of_range",
        TooMany = "too_many",
        // Settings.
        DuplicateCategory = "duplicate_category",
        MinutesOrWorkingDays = "minutes_or_working_days",
        DuplicateTeam = "duplicate_team",
        UnknownService = "unknown_service",
        CalendarFileEmpty = "calendar_file_empty",
        // Calls and photos.
        ReceivedAtOnlyForVisit = "received_at_only_for_visit",
        VisitBeforeDone = "visit_before_done",
        CallAlreadyConverted = "call_already_converted",
        UnknownPhotoStage = "unknown_photo_stage",
        NotAnImage = "not_an_image",
        TooManyPhotos = "too_many_photos",
        // Unknown values of the model's code enums: raised by their `parse` (`code_enum!`
        // names them there), listed here so the locale test covers them too.
        UnknownRequestKind = "unknown_request_kind",
        UnknownChannel = "unknown_channel",
        UnknownUrgency = "unknown_urgency",
        UnknownRequestState = "unknown_request_state",
        UnknownClock = "unknown_clock",
        UnknownDispatchMode = "unknown_dispatch_mode",
        UnknownVisitPolicy = "unknown_visit_policy",
        UnknownVisitChannel = "unknown_visit_channel",
        // Statistics.
        PeriodReversed = "period_reversed",
        PeriodTooLong = "period_too_long",
        UnknownGroupBy = "unknown_group_by",
        UnknownClockState = "unknown_clock_state",
        QuarterOutOfRange = "quarter_out_of_range",
    }
}
