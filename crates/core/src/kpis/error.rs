//! The error codes of staff KPIs: stable snake_case strings, each with zh-CN and en text in the
//! web crate's locale files (a test checks).

crate::error_codes! {
    /// Codes of staff KPIs and scorecards.
    pub enum KpiCode {
        UnknownIndicator = "unknown_kpi_indicator",
        /// An indicator is on a card once.
        IndicatorTwice = "kpi_indicator_twice",
        /// A card has 1 to `{max}` indicators.
        LinesRange = "kpi_lines_range",
        /// A weight is 1 to 100.
        WeightRange = "kpi_weight_range",
        /// The weights of a card sum to 100 (now `{total}`).
        WeightsSum = "kpi_weights_sum",
        /// A target is a number above 0 (a rate at most 100).
        TargetRange = "kpi_target_range",
        /// Not a staff role of the company.
        UnknownRole = "unknown_kpi_role",
    }
}
