//! The error codes of the company dashboard (经营看板): stable snake_case strings, each with zh-CN
//! and en text in the web crate's locale files (a test checks).

crate::error_codes! {
    /// Codes of the dashboard.
    pub enum DashboardCode {
        /// A view covers 1 to `{max}` months.
        MonthsRange = "dashboard_months_range",
        /// The last month shown is one of the last `{max}` months, up to the current one.
        PeriodRange = "dashboard_period_range",
    }
}
