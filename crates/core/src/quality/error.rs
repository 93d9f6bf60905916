//! The error codes of quality audits (品质核查): stable snake_case strings, each with zh-CN and en
//! text in the web crate's locale files (a test checks).

crate::error_codes! {
    /// Codes of audit sheets and audits.
    pub enum QualityCode {
        UnknownMethod = "unknown_audit_method",
        UnknownState = "unknown_audit_state",
        UnknownGrade = "unknown_audit_grade",
        UnknownEvidence = "unknown_audit_evidence",
        /// A score in points with at most two decimals.
        InvalidPoints = "invalid_points",
        /// The company has a sheet of this code already.
        SheetCodeTaken = "audit_sheet_code_taken",
        /// A sheet has 1 to `{max}` items.
        ItemsRange = "audit_sheet_items_range",
        /// An item checks 1 to `{max}` elements.
        ElementsRange = "audit_item_elements_range",
        /// An item's maximum is more than 0 and at most 100 points.
        ItemMaxRange = "audit_item_max_range",
        /// The deduction per missing element runs from more than 0 up to the item's maximum.
        DeductRange = "audit_item_deduct_range",
        /// Someone else saved the sheet meanwhile: read it again.
        SheetEdited = "audit_sheet_edited",
        /// A sheet's items sum to at most 100 points (now `{total}`).
        SheetOver = "audit_sheet_over_100",
        /// A sheet's default weight is 1 to 100 %.
        WeightRange = "audit_weight_range",
        /// The weights of an audit's sheets sum to 100 % (now `{total}`).
        WeightsSum = "audit_weights_sum",
        /// Not a sheet of the company in use.
        UnknownSheet = "unknown_audit_sheet",
        /// A sheet is used once in an audit.
        SheetTwice = "audit_sheet_twice",
        /// Not an item of this audit's sheets.
        UnknownItem = "unknown_audit_item",
        /// The item checks `{count}` elements: one answer each.
        ElementsCount = "audit_elements_count",
        /// A missing element's deduction is from `{min}` to `{max}` points; a present one's is 0.
        DeductionRange = "audit_deduction_range",
        /// The item is scored already: clear it first to score it again.
        ItemScored = "audit_item_scored",
        /// The audit is signed off: it no longer changes.
        Signed = "audit_signed",
        /// `{missing}` items are not scored yet.
        Incomplete = "audit_incomplete",
        UnknownRectState = "unknown_rectification_state",
        UnknownOutcome = "unknown_recheck_outcome",
        /// The owner is a staff member of the community.
        UnknownOwner = "unknown_rectification_owner",
        /// A deadline is 1 to `{max}` working days away.
        DaysRange = "rectification_days_range",
        /// Only the task's owner records what was done.
        NotOwner = "rectification_not_owner",
        /// What was done is recorded while the task is being rectified.
        NotOpen = "rectification_not_open",
        /// A recheck passes or repeats a task only after its owner recorded what was done.
        NotSubmitted = "rectification_not_submitted",
        /// The task is closed: it no longer changes.
        Closed = "rectification_closed",
        /// A second rectification is the last: pass the task or close it with the deduction kept.
        RoundsMax = "rectification_rounds_max",
        /// At most `{max}` photos per round.
        TooManyPhotos = "rectification_too_many_photos",
        /// At most `{max}` photos of an audit item.
        ItemTooManyPhotos = "audit_item_too_many_photos",
        /// A photo is a JPEG, PNG or WebP image.
        NotAnImage = "quality_photo_not_an_image",
        UnknownPhase = "unknown_campaign_phase",
        UnknownCampaignState = "unknown_campaign_state",
        /// A campaign takes part with 1 to `{max}` communities.
        CampaignCommunities = "campaign_communities_range",
        /// The five phases in their order, each ending on or after it starts and before the next
        /// begins.
        PhaseDates = "campaign_phase_dates",
        /// A date within the campaign (`{from}` to `{to}`).
        CampaignDate = "campaign_date_range",
        /// The community does not take part in the campaign.
        NotInCampaign = "campaign_community_unknown",
        /// The campaign is closed: it no longer changes.
        CampaignClosed = "campaign_closed",
        /// The final audit is opened from the acceptance phase (`{from}`) on.
        BeforeAcceptance = "campaign_before_acceptance",
        /// The community's final audit is opened already.
        FinalAuditOpened = "campaign_audit_opened",
        /// The task is done already.
        TaskDone = "campaign_task_done",
        /// Only the task's owner or the plan's keeper marks it done.
        NotTaskOwner = "campaign_task_not_owner",
        /// The reward table names 1 to `{max}` positions.
        PositionsRange = "reward_positions_range",
        /// A position is named once in the reward table.
        PositionTwice = "reward_position_twice",
    }
}
