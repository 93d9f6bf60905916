//! The error codes of move-in (入伙): stable snake_case strings, each with zh-CN and en text in
//! the web crate's locale files (a test checks).

crate::error_codes! {
    /// Codes of move-ins, their checklist and their warranty items.
    pub enum MoveInCode {
        UnknownState = "unknown_move_in_state",
        UnknownWarrantyState = "unknown_warranty_state",
        /// The person is not an owner of the unit.
        NotOwner = "move_in_not_owner",
        /// The notice day is from `{min}` days ago to `{max}` days ahead.
        NoticeRange = "move_in_notice_range",
        /// The unit has a move-in open (`{number}`).
        UnitBusy = "move_in_unit_busy",
        /// Completed or cancelled already.
        NotOpen = "move_in_not_open",
        /// A check of the 入伙流转表 is not done.
        CheckNotDone = "move_in_check_not_done",
        /// The unit owes `{owed}`: paid first, or a manager's waiver recorded.
        Arrears = "move_in_arrears",
        /// Only a manager waives arrears on a move-in.
        WaiverManager = "move_in_waiver_manager",
        /// The hand-over day is from `{min}` days ago up to today.
        HandoverRange = "move_in_handover_range",
        /// A unit moved into is occupied, rented or vacant.
        UnitStateAfter = "move_in_unit_state_after",
        /// A defect's due day is from today up to `{max}` days ahead.
        DueRange = "warranty_due_range",
        /// The item is not in a state that allows this (`{state}`).
        WarrantyState = "warranty_state",
        /// Scores are five, each 1 to 5.
        SurveyScores = "move_in_survey_scores",
        /// Only a completed move-in is rated.
        SurveyNotCompleted = "move_in_survey_not_completed",
        /// Rated already.
        SurveyDone = "move_in_survey_done",
    }
}
