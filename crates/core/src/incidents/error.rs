//! The error codes of plans, incidents and drills: stable snake_case strings, each with zh-CN and
//! en text in the web crate's locale files (a test checks).

crate::error_codes! {
    /// Codes of the plan library, incidents and drills.
    pub enum IncidentCode {
        UnknownKind = "unknown_incident_kind",
        UnknownSeverity = "unknown_incident_severity",
        UnknownState = "unknown_incident_state",
        UnknownEvent = "unknown_incident_event",
        /// A plan with no step.
        NoSteps = "plan_no_steps",
        /// A plan with no escalation level.
        NoLadder = "plan_no_ladder",
        /// A level's minutes not after the level before (the first is 0 or more).
        LadderOrder = "plan_ladder_order",
        /// A level that tells nobody.
        LevelEmpty = "plan_level_empty",
        /// A role that does not exist.
        UnknownRole = "plan_unknown_role",
        /// Two plans of the company with one name.
        DuplicateName = "plan_duplicate_name",
        /// A plan not of the company, inactive, or of another kind.
        UnknownPlan = "incident_unknown_plan",
        /// No active plan of this kind in the library.
        NoPlan = "incident_no_plan",
        UnknownBuilding = "incident_unknown_building",
        UnknownUnit = "incident_unknown_unit",
        /// A start later than now.
        StartsInFuture = "incident_starts_in_future",
        NotOpen = "incident_not_open",
        AlreadyAcknowledged = "incident_already_acknowledged",
        /// The last level of the ladder was told already.
        LadderDone = "incident_ladder_done",
        StepDone = "incident_step_done",
        UnknownStep = "incident_unknown_step",
        /// The affected units were told already.
        UnitsNotified = "incident_units_notified",
        /// Closing needs the analysis and the conclusion.
        AnalysisRequired = "incident_analysis_required",
        ConclusionRequired = "incident_conclusion_required",
        /// A drill dated later than today.
        DrillInFuture = "drill_in_future",
    }
}
