//! Every SQL text of billing: fee items, charge standards, bill runs, charges, payments and
//! receipts, meters, late fees, reminders, reports. Services call these functions; no other
//! module queries billing's tables except through them.
//!
//! Split by entity, one file a table or a close group of tables. Row types that a service
//! returns are declared beside their service (they are the API's shapes too); rows only the
//! services read internally are declared here.

pub mod accounts;
pub mod cashier_days;
pub mod charges;
pub mod deposits;
pub mod fee_items;
pub mod for_dashboard;
pub mod for_quality;
pub mod late_fees;
pub mod meters;
pub mod opening;
pub mod payments;
pub mod reminders;
pub mod reports;
pub mod runs;
pub mod settings;
pub mod standards;
pub mod switch;
pub mod switch_report;

use crate::db::Backend;
use crate::db::plans::{HotList, Sample};

/// Billing's hot lists with the SQL their stores run (checked by the plan test, on a database
/// without statistics): the cashier's day, arrears.
pub fn hot_lists(s: &Sample, b: Backend) -> Vec<HotList> {
    let c = s.community;
    vec![
        HotList::new("payments of a day", payments::of_day_sql(c, s.day, None)),
        HotList::new(
            "payments of a day, one cashier",
            payments::of_day_sql(c, s.day, Some(s.user.0)),
        ),
        HotList::new("arrears ageing", reminders::ageing_sql(b, c, s.day))
            .sorting("its buildings, by name, after grouping"),
        HotList::new(
            "arrears units",
            reminders::arrears_units_sql(b, c, s.day, None, 0),
        )
        .sorting("its units, by what they owe, after grouping"),
    ]
}
