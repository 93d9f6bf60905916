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
    }
}
