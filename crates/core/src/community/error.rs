//! The error codes of notices and the public board: stable snake_case strings, each with zh-CN
//! and en text in the web crate's locale files (a test checks).

crate::error_codes! {
    /// Codes of the community module.
    pub enum CommunityCode {
        UnknownNoticeCategory = "unknown_notice_category",
        UnknownNoticeScope = "unknown_notice_scope",
        UnknownNoticeStatus = "unknown_notice_status",
        /// A notice for buildings names none.
        BuildingsRequired = "buildings_required",
        /// A building that is not the community's.
        UnknownBuilding = "unknown_building",
        /// The end of a notice is already past.
        ExpiresInPast = "expires_in_past",
        /// The end of a notice is not after its start.
        ExpiresBeforePublish = "expires_before_publish",
        /// A scheduled publication lies in the past.
        PublishInPast = "publish_in_past",
        /// Only a draft is edited, published or deleted.
        NoticeNotDraft = "notice_not_draft",
        /// Only a published notice is withdrawn.
        NoticeNotPublished = "notice_not_published",
        /// A company-wide notice is written by someone who reaches every community.
        CompanyScopeNeedsAll = "company_scope_needs_all",
        /// An attachment is an image (JPEG, PNG, WebP) or a PDF.
        NotAnAttachment = "not_an_attachment",
        TooManyAttachments = "too_many_attachments",
        /// A line of the board misses a part (its name).
        BoardItemIncomplete = "board_item_incomplete",
        TooManyBoardItems = "too_many_board_items",
        /// Only a planned activity is edited or opened for sign-up.
        ActivityNotPlanned = "activity_not_planned",
        /// Sign-up, check-in and photos need an open activity (photos: or a finished one).
        ActivityNotOpen = "activity_not_open",
        /// The activity is finished or cancelled.
        ActivityClosed = "activity_closed",
        /// Past the sign-up deadline or the start.
        SignupClosed = "signup_closed",
        EndsBeforeStart = "ends_before_start",
        StartsInPast = "starts_in_past",
        /// The sign-up deadline is after the start.
        SignupAfterStart = "signup_after_start",
        /// A capacity is 1 to 10,000 people (or none: no limit).
        InvalidCapacity = "invalid_capacity",
        AlreadySignedUp = "already_signed_up",
        NotSignedUp = "not_signed_up",
        /// Only a confirmed sign-up is checked in.
        SignupNotConfirmed = "signup_not_confirmed",
        UnknownSignup = "unknown_signup",
        /// A photo is a JPEG, PNG or WebP image.
        NotAPhoto = "not_a_photo",
    }
}
