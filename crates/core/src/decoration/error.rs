//! The error codes of decoration (二次装修): stable snake_case strings, each with zh-CN and en
//! text in the web crate's locale files (a test checks).

crate::error_codes! {
    /// Codes of decoration applications, their money, inspections and acceptance.
    pub enum DecorationCode {
        UnknownState = "unknown_decoration_state",
        UnknownViolationKind = "unknown_violation_kind",
        UnknownFileLabel = "unknown_decoration_file_label",
        UnknownInspectionKind = "unknown_inspection_kind",
        /// Only an owner of the unit applies (a tenant asks his owner).
        NotOwner = "decoration_not_owner",
        /// The works start from today up to `{max}` days ahead.
        StartRange = "decoration_start_range",
        /// The works end after they start, within `{max}` days.
        PeriodRange = "decoration_period_range",
        /// The unit has a decoration applied for or under way (`{number}`).
        UnitBusy = "decoration_unit_busy",
        /// Workers at once: 1 to `{max}`.
        WorkersRange = "decoration_workers_range",
        /// The fire-safety responsibility letter (防火责任书) is signed before approval.
        FireLetter = "decoration_fire_letter",
        /// Decided already: approved or refused once.
        NotApplied = "decoration_not_applied",
        /// Only before the permit, and while no money is taken.
        NotCancellable = "decoration_not_cancellable",
        /// The fees are paid or the deposit taken: the cashier pays it back first.
        MoneyTaken = "decoration_money_taken",
        /// Not approved (or past that): no deposit, no permit.
        NotApproved = "decoration_not_approved",
        /// The deposit is taken already.
        DepositTaken = "decoration_deposit_taken",
        /// `{what}` is still to pay before the permit.
        Unpaid = "decoration_unpaid",
        /// The works are not under way.
        NotWorking = "decoration_not_working",
        /// A violation's rectification deadline is from today up to `{max}` days ahead.
        DeadlineRange = "decoration_deadline_range",
        /// A deduction exceeds what the deposit holds (`{max}`).
        DeductionTooLarge = "decoration_deduction_too_large",
        /// A violation of another decoration, or unknown.
        UnknownViolation = "decoration_unknown_violation",
        /// Rectified already.
        Rectified = "decoration_rectified",
        /// An extension ends after the current end (`{ends_on}`), within `{max}` days of the start.
        ExtensionRange = "decoration_extension_range",
        /// Violations are not rectified (`{count}`): no acceptance.
        ViolationsOpen = "decoration_violations_open",
        /// The works are not accepted: the deposit is refunded after acceptance.
        NotAccepted = "decoration_not_accepted",
        /// No such decoration in the community.
        UnknownDecoration = "decoration_unknown",
        /// A worker's pass for a decoration whose works are not under way.
        PassNotWorking = "decoration_pass_not_working",
        /// A worker's pass outside the works' period (`{starts_on}` to `{ends_on}`).
        PassOutsidePeriod = "decoration_pass_outside_period",
        /// At most `{max}` files on a decoration.
        TooManyFiles = "decoration_too_many_files",
        /// A PDF, JPEG, PNG or WebP.
        NotADocument = "decoration_not_a_document",
        /// A setting out of its range (`{min}`–`{max}`).
        SettingRange = "decoration_setting_range",
    }
}
