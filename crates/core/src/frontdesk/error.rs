//! The error codes of the front desk: stable snake_case strings, each with zh-CN and en text in
//! the web crate's locale files (a test checks).

crate::error_codes! {
    /// Codes of key cabinets, keys, authorisations and loans.
    pub enum FrontdeskCode {
        UnknownKeyKind = "unknown_key_kind",
        UnknownKeyState = "unknown_key_state",
        UnknownAuthorisationHow = "unknown_authorisation_how",
        /// A cabinet name the community has already.
        DuplicateCabinet = "key_duplicate_cabinet",
        /// A keeper who is not staff of the community.
        KeeperNotStaff = "key_keeper_not_staff",
        /// Copies of a key: 1 to `{max}`.
        CopiesRange = "key_copies_range",
        /// A cabinet not of the key's community.
        UnknownCabinet = "key_unknown_cabinet",
        /// A key code the community has already.
        DuplicateKey = "key_duplicate_code",
        /// Another key hangs at that position of the cabinet.
        PositionTaken = "key_position_taken",
        /// A unit's key without its unit, or a unit not of the community.
        UnitRequired = "key_unit_required",
        /// The depositing owner is not an owner of the unit (or the unit has none).
        UnknownDepositor = "key_unknown_depositor",
        /// The unit has several owners: the depositor must be chosen.
        DepositorAmbiguous = "key_depositor_ambiguous",
        /// The key is out already (`{borrower}` has it).
        KeyOut = "key_already_out",
        /// The key is not out: nothing to return.
        KeyNotOut = "key_not_out",
        /// A retired key is not lent.
        KeyRetired = "key_retired",
        /// Due back before it is lent, or more than 30 days ahead.
        DueRange = "key_due_range",
        /// Neither a member of staff nor a named borrower.
        BorrowerRequired = "key_borrower_required",
        /// A borrower who is not staff of the community.
        BorrowerNotStaff = "key_borrower_not_staff",
        /// An owner's deposited key lent without one of his authorisations in force.
        AuthorisationRequired = "key_authorisation_required",
        /// The authorisation is of another key, revoked or past its date.
        AuthorisationInvalid = "key_authorisation_invalid",
        /// Authorisations are for owners' deposited keys only.
        NotDeposited = "key_not_deposited",
        /// Revoked already.
        AuthorisationRevoked = "key_authorisation_revoked",
        /// The last day of an authorisation is in the past.
        AuthorisationPast = "key_authorisation_past",
        UnknownParcelKind = "unknown_parcel_kind",
        UnknownParcelState = "unknown_parcel_state",
        UnknownPickupMethod = "unknown_pickup_method",
        /// Neither a person of the unit nor a typed name.
        RecipientRequired = "parcel_recipient_required",
        /// The recipient is not a person of the unit.
        RecipientNotOfUnit = "parcel_recipient_not_of_unit",
        /// A parcel with this carrier and tracking number is held already (scanned twice).
        DuplicateTracking = "parcel_duplicate_tracking",
        /// No parcel held under this code.
        UnknownCode = "parcel_unknown_code",
        /// The code typed is not the parcel's.
        WrongCode = "parcel_wrong_code",
        /// The ID typed is not the recipient's.
        WrongId = "parcel_wrong_id",
        /// Picked up or returned already.
        NotHeld = "parcel_not_held",
        /// The signature is missing, not a PNG, or larger than `{max}` KB.
        BadSignature = "parcel_bad_signature",
        /// Days waited: 1 to 365.
        DaysRange = "parcel_days_range",
        UnknownPassKind = "unknown_pass_kind",
        UnknownIdType = "unknown_id_type",
        UnknownVisitAnswer = "unknown_visit_answer",
        /// A pass's window: it ends after it starts, and within `{max}` days.
        PassWindow = "pass_window",
        /// Party size: 1 to `{max}`.
        PartySize = "visit_party_size",
        /// An ID number without its type, or not of the type's shape.
        BadIdNumber = "visit_bad_id_number",
        /// No pass under this code in the community.
        UnknownPass = "pass_unknown",
        /// The pass's window has not begun.
        PassNotYet = "pass_not_yet",
        /// The pass's window is over.
        PassExpired = "pass_expired",
        /// A guest's pass is used once.
        PassUsed = "pass_used",
        /// The pass was revoked.
        PassRevoked = "pass_revoked",
        /// A guest's pass is for a unit the owner lives in.
        NotYourUnit = "pass_not_your_unit",
        /// A temporary or worker's pass number the community has already.
        DuplicatePassNumber = "pass_duplicate_number",
        /// The visitor has left already.
        VisitOver = "visit_over",
        /// The host has answered already.
        VisitAnswered = "visit_answered",
        /// Only a visit to a unit with a host awaits his answer.
        VisitNoHost = "visit_no_host",
        /// The host named is not a person of the unit visited (or no unit is given).
        HostNotOfUnit = "visit_host_not_of_unit",
        UnknownItemLoanState = "unknown_item_loan_state",
        /// An item name the community lends already.
        DuplicateItem = "lend_duplicate_item",
        /// Stock: 0 to `{max}`.
        StockRange = "lend_stock_range",
        /// The stock would be below the pieces out (`{out}`).
        StockBelowOut = "lend_stock_below_out",
        /// Days a loan runs: 1 to `{max}`.
        LoanDaysRange = "lend_days_range",
        /// Pieces lent at once: 1 to `{max}`.
        QuantityRange = "lend_quantity_range",
        /// Fewer pieces in than asked (`{available}` in).
        OutOfStock = "lend_out_of_stock",
        /// A retired item is not lent.
        ItemRetired = "lend_item_retired",
        /// An item with a deposit is lent to a unit's resident (the deposit is the unit's).
        DepositNeedsUnit = "lend_deposit_needs_unit",
        /// How the deposit was paid.
        DepositMethodRequired = "lend_deposit_method_required",
        /// Returned already.
        LoanReturned = "lend_loan_returned",
        UnknownReleaseState = "unknown_release_state",
        /// The applicant is not a person of the unit.
        ReleaseNotOfUnit = "release_not_of_unit",
        /// A tenant's release needs the owner's consent, recorded (how it was given).
        ReleaseConsentRequired = "release_consent_required",
        /// The unit owes `{owed}` past due and the community releases nothing then.
        ReleaseArrears = "release_arrears",
        /// Only a manager lets a release through despite arrears.
        ReleaseOverrideManager = "release_override_manager",
        /// The planned day is past, or more than `{max}` days ahead.
        ReleasePlannedRange = "release_planned_range",
        /// Checked already (approved or refused).
        ReleaseNotPending = "release_not_pending",
        /// Not approved: the gate lets nothing out on it.
        ReleaseNotApproved = "release_not_approved",
        /// Passed at the gate already.
        ReleasePassed = "release_passed",
        /// The slip is for another day (`{day}`).
        ReleaseWrongDay = "release_wrong_day",
        UnknownBookingState = "unknown_booking_state",
        /// A venue name the community has already.
        VenueDuplicate = "venue_duplicate",
        /// A time of day as `HH:MM`.
        VenueTime = "venue_time",
        /// The closing time is not after the opening time.
        VenueHoursOrder = "venue_hours_order",
        /// A slot of 30 or 60 minutes, and the opening hours a whole number of them.
        VenueSlotLength = "venue_slot_length",
        /// A number out of its range (`{min}` to `{max}`).
        VenueRange = "venue_range",
        /// A booking ends after it starts.
        VenueEndBeforeStart = "venue_end_before_start",
        /// Outside the opening hours (`{opens}`–`{closes}`).
        VenueOutsideHours = "venue_outside_hours",
        /// Not on the slots' edges (every `{minutes}` minutes from opening).
        VenueSlotEdge = "venue_slot_edge",
        /// Longer than `{max}` hours.
        VenueTooLong = "venue_too_long",
        /// The day is past or more than `{max}` days ahead.
        VenueDayRange = "venue_day_range",
        /// The booking would have ended already.
        VenueInPast = "venue_in_past",
        /// More people than the venue holds (`{capacity}`).
        VenueOverCapacity = "venue_over_capacity",
        /// Another booking holds part of that time.
        VenueSlotTaken = "venue_slot_taken",
        /// A retired venue is not booked.
        VenueRetired = "venue_retired",
        /// Owners do not book this venue in the portal (the desk does).
        VenueNotInPortal = "venue_not_in_portal",
        /// Who the booking is for: a person of the unit or a name.
        VenueBookerRequired = "venue_booker_required",
        /// A venue with a fee is booked for a unit (the fee is the unit's charge).
        VenueFeeNeedsUnit = "venue_fee_needs_unit",
        /// The unit is not one of the booker's.
        VenueNotYourUnit = "venue_not_your_unit",
        /// Cancelled already.
        BookingCancelled = "venue_booking_cancelled",
        /// Past the free cancellation (`{hours}` hours before the start): only the desk cancels now.
        BookingCancelLate = "venue_booking_cancel_late",
        /// Only a manager waives the fee of a late cancellation.
        BookingWaiveManager = "venue_booking_waive_manager",
        /// The fee is paid: the cashier reverses the payment before the fee is withdrawn.
        BookingFeePaid = "venue_booking_fee_paid",
        /// The booking has begun or ended.
        BookingStarted = "venue_booking_started",
        UnknownMoveOutState = "unknown_move_out_state",
        /// The moving day is past or more than `{max}` days ahead.
        MoveOutDayRange = "move_out_day_range",
        /// Someone named is not a person of the unit (or the unit has nobody on it).
        MoveOutNotOfUnit = "move_out_not_of_unit",
        /// The unit owes `{owed}`: paid first, or a manager's waiver recorded.
        MoveOutArrears = "move_out_arrears",
        /// Only a manager waives arrears or keeps deposits on a move-out.
        MoveOutWaiverManager = "move_out_waiver_manager",
        /// The unit's keys `{keys}` are out or deposited by one who leaves.
        MoveOutKeys = "move_out_keys",
        /// Items lent to the unit are not back (`{items}`).
        MoveOutItemsOut = "move_out_items_out",
        /// The unit holds deposits of `{held}`: refunded first, or a manager's reason for keeping them.
        MoveOutDeposits = "move_out_deposits",
        /// Completed or cancelled already.
        MoveOutNotOpen = "move_out_not_open",
        /// A service of that name is on the price list already.
        ServiceDuplicate = "desk_service_duplicate",
        /// A retired service is not sold.
        ServiceRetired = "desk_service_retired",
        /// Units sold at once: 1 to `{max}`.
        ServiceQuantityRange = "desk_service_quantity_range",
        /// Who buys: a person of the unit or a name.
        BuyerRequired = "desk_service_buyer_required",
        UnknownLockKind = "unknown_lock_kind",
        /// Only an owner of the unit has its lock changed.
        LockNotOwner = "lock_not_owner",
        /// The owner has no ID on file: his record is completed first.
        LockNoIdOnFile = "lock_no_id_on_file",
        /// The ID shown is not the owner's on file.
        LockWrongId = "lock_wrong_id",
        /// A permit starts from yesterday up to `{max}` days ahead.
        PermitStartRange = "permit_start_range",
        /// A permit ends after it starts, within `{max}` hours.
        PermitSpan = "permit_span",
        /// Who applies: a person of the unit.
        PermitApplicantRequired = "permit_applicant_required",
        /// The applicant is not a person of the unit.
        PermitNotOfUnit = "permit_not_of_unit",
        /// Revoked already.
        PermitRevoked = "permit_revoked",
        /// A pass's photo is a JPEG, PNG or WebP.
        PassPhotoNotImage = "pass_photo_not_image",
    }
}
