//! The error codes of duty rosters and handovers: stable snake_case strings, each with zh-CN and
//! en text in the web crate's locale files (a test checks).

crate::error_codes! {
    /// Codes of rosters, leave, swaps and handovers.
    pub enum DutyCode {
        UnknownSeason = "unknown_duty_season",
        UnknownLeaveKind = "unknown_leave_kind",
        UnknownItemKind = "unknown_handover_item_kind",
        UnknownItemState = "unknown_handover_item_state",
        UnknownHandoverState = "unknown_handover_state",
        /// Not `HH:MM`.
        InvalidTime = "duty_invalid_time",
        /// A shift that starts and ends at the same minute.
        EmptyShift = "duty_empty_shift",
        /// Weekdays not among 1–7.
        InvalidWeekdays = "duty_invalid_weekdays",
        /// Not `YYYY-MM`.
        InvalidMonth = "duty_invalid_month",
        /// A day outside the roster's month.
        DayOutsideMonth = "duty_day_outside_month",
        /// A shift code the community does not have.
        UnknownShift = "duty_unknown_shift",
        /// Two patterns with one code.
        DuplicateShift = "duty_duplicate_shift",
        /// A person not among the community's staff.
        NotStaff = "duty_not_staff",
        /// A shift on a day the person is on leave.
        OnLeave = "duty_on_leave",
        /// Two shifts of one person that overlap (`{other}` names the other, `{day}` its day).
        Overlap = "duty_overlap",
        /// The same person twice on one shift of a day.
        DuplicateAssignment = "duty_duplicate_assignment",
        /// Copying into a month that already has a roster for the team.
        MonthNotEmpty = "duty_month_not_empty",
        /// Nothing to copy: last month has no roster for the team.
        NothingToCopy = "duty_nothing_to_copy",
        /// The last day of leave is before its first.
        EndsBeforeStarts = "duty_ends_before_starts",
        /// A swap of a person with himself.
        SwapSamePerson = "duty_swap_same_person",
        /// A swap where neither has a shift that day.
        NothingToSwap = "duty_nothing_to_swap",
        /// The community has adopted the default patterns before (some codes exist).
        AlreadyAdopted = "duty_already_adopted",
        /// A handover to oneself.
        HandoverToSelf = "handover_to_self",
        /// Only the named incoming person or a manager signs, once.
        NotIncoming = "handover_not_incoming",
        AlreadySigned = "handover_already_signed",
        /// Items change only while the handover is open, by its outgoing person or a manager.
        NotOutgoing = "handover_not_outgoing",
        ItemClosed = "handover_item_closed",
    }
}
