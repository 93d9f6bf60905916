//! The kinds, frequencies and states of newspapers and magazines, and the pure rules of a
//! subscription's months and price.

use chrono::NaiveDate;

use super::error::PeriodicalCode;
use crate::billing::model::{Period, add_months};
use crate::shared::code_enum;

code_enum!(PeriodicalKind, PeriodicalCode::UnknownKind, {
    Newspaper = "newspaper", "报纸", "Newspaper";
    Magazine = "magazine", "杂志", "Magazine";
});

code_enum!(PeriodicalFrequency, PeriodicalCode::UnknownFrequency, {
    Daily = "daily", "日报", "Daily";
    Weekly = "weekly", "周刊", "Weekly";
    Fortnightly = "fortnightly", "半月刊", "Fortnightly";
    Monthly = "monthly", "月刊", "Monthly";
    Bimonthly = "bimonthly", "双月刊", "Every two months";
    Quarterly = "quarterly", "季刊", "Quarterly";
});

code_enum!(SubscriptionState, PeriodicalCode::UnknownSubscriptionState, {
    Active = "active", "订阅中", "Active";
    Cancelled = "cancelled", "已退订", "Cancelled";
});

code_enum!(DeliveryState, PeriodicalCode::UnknownDeliveryState, {
    Pending = "pending", "待分发", "To hand out";
    Delivered = "delivered", "已分发", "Handed out";
});

/// Longest subscription, and how far ahead one may start (months).
pub const MAX_MONTHS: u32 = 12;
pub const MAX_MONTHS_AHEAD: u32 = 12;
pub const MAX_COPIES: i64 = 20;
/// The highest monthly price a title may have (fen): ¥10,000.
pub const MAX_PRICE_MONTH_FEN: i64 = 1_000_000;

/// The months a subscription covers: the first day of its first and of its last month.
pub fn span(first: (i32, u32), months: u32) -> (NaiveDate, NaiveDate) {
    let p = Period {
        year: first.0,
        month: first.1,
        months,
    };
    let (y, m) = add_months(first.0, first.1, months.saturating_sub(1));
    (
        p.first_day(),
        NaiveDate::from_ymd_opt(y, m, 1).unwrap_or_default(),
    )
}

/// Months from one month's first day to another's (0 when the same month).
pub fn months_between(from: NaiveDate, to: NaiveDate) -> i64 {
    use chrono::Datelike;
    (to.year() as i64 - from.year() as i64) * 12 + to.month() as i64 - from.month() as i64
}

/// What a subscription costs: the monthly price × months × copies, exact in fen.
pub fn amount_fen(price_month_fen: i64, months: u32, copies: i64) -> i64 {
    price_month_fen * months as i64 * copies
}

/// "2027-01" of a month's first day.
pub fn month_key(d: NaiveDate) -> String {
    d.format("%Y-%m").to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, 1).unwrap()
    }

    #[test]
    fn a_span_runs_over_the_year_end() {
        assert_eq!(span((2027, 1), 12), (d(2027, 1), d(2027, 12)));
        assert_eq!(span((2026, 11), 3), (d(2026, 11), d(2027, 1)));
        assert_eq!(span((2026, 12), 1), (d(2026, 12), d(2026, 12)));
        assert_eq!(months_between(d(2026, 12), d(2027, 1)), 1);
        assert_eq!(months_between(d(2026, 12), d(2027, 12)), 12);
        assert_eq!(months_between(d(2027, 3), d(2027, 3)), 0);
    }

    #[test]
    fn the_price_is_exact_in_fen() {
        // 人民日报 at ¥40.00 a month, a year, two copies: ¥960.00.
        assert_eq!(amount_fen(4_000, 12, 2), 96_000);
        // A magazine at ¥12.50 a month for a quarter: ¥37.50.
        assert_eq!(amount_fen(1_250, 3, 1), 3_750);
        assert_eq!(month_key(d(2027, 1)), "2027-01");
    }
}
