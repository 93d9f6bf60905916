//! The error codes of newspapers and magazines (报刊): stable snake_case strings, each with zh-CN
//! and en text in the web crate's locale files (a test checks).

crate::error_codes! {
    /// Codes of the catalogue, subscriptions, issues and deliveries.
    pub enum PeriodicalCode {
        UnknownKind = "unknown_periodical_kind",
        UnknownFrequency = "unknown_periodical_frequency",
        UnknownSubscriptionState = "unknown_subscription_state",
        UnknownDeliveryState = "unknown_delivery_state",
        /// The community has a title of this name already.
        TitleTaken = "periodical_title_taken",
        /// The monthly price is at most `{max}`.
        PriceRange = "periodical_price_range",
        /// Not a title of the community's catalogue.
        UnknownPeriodical = "unknown_periodical",
        /// The title is no longer taken for subscription.
        Inactive = "periodical_inactive",
        /// A subscription starts this month or within `{max}` months.
        FirstMonthRange = "subscription_first_month_range",
        /// A subscription runs 1 to `{max}` months.
        MonthsRange = "subscription_months_range",
        /// Copies: 1 to `{max}`.
        CopiesRange = "subscription_copies_range",
        /// The unit takes this title in these months already (`{number}`).
        Overlap = "subscription_overlap",
        /// Only a unit the resident lives in or owns.
        NotOfUnit = "subscription_not_of_unit",
        /// Cancelled already.
        NotActive = "subscription_not_active",
        /// Money is paid on it: the cashier reverses the payment first.
        Paid = "subscription_paid",
        /// Copies were handed out on it already.
        Delivered = "subscription_delivered",
        /// The issue was recorded already.
        IssueTaken = "periodical_issue_taken",
        /// An issue is recorded from `{max}` days back up to today.
        ReceivedRange = "periodical_received_range",
        /// Copies received: 0 to `{max}`.
        ReceivedCopies = "periodical_received_copies",
        /// Handed out already.
        DeliveredAlready = "delivery_done",
        /// Not enough copies left of this issue (`{left}`).
        NoCopiesLeft = "delivery_no_copies_left",
    }
}
