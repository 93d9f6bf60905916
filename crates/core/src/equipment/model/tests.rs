//! Due dates, overdue and warranty flags, readings and room-log lines, with hand-computed values.

use super::*;

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).unwrap()
}

fn sched(frequency: Frequency, every: u32, anchor: Anchor, start: NaiveDate) -> Schedule {
    Schedule {
        frequency,
        every,
        months: Vec::new(),
        day: 1,
        anchor,
        start_on: start,
    }
}

fn last(due: NaiveDate, done: Option<NaiveDate>) -> Option<LastOrder> {
    Some(LastOrder {
        due_on: due,
        done_on: done,
    })
}

#[test]
fn the_first_order_is_due_on_the_start() {
    let s = sched(Frequency::Days, 10, Anchor::Schedule, d(2026, 3, 5));
    assert_eq!(next_due(&s, None), Some(d(2026, 3, 5)));
}

#[test]
fn every_n_days_from_the_schedule() {
    let s = sched(Frequency::Days, 10, Anchor::Schedule, d(2026, 3, 5));
    // 5 Mar + 10 = 15 Mar, whenever it was done.
    assert_eq!(
        next_due(&s, last(d(2026, 3, 5), Some(d(2026, 3, 9)))),
        Some(d(2026, 3, 15))
    );
    // 25 Mar + 10 = 4 Apr (March has 31 days).
    assert_eq!(
        next_due(&s, last(d(2026, 3, 25), None)),
        Some(d(2026, 4, 4))
    );
}

#[test]
fn every_n_weeks_from_the_schedule() {
    let s = sched(Frequency::Weeks, 2, Anchor::Schedule, d(2026, 12, 21));
    // 21 Dec 2026 + 14 days = 4 Jan 2027.
    assert_eq!(
        next_due(&s, last(d(2026, 12, 21), None)),
        Some(d(2027, 1, 4))
    );
}

#[test]
fn every_n_days_from_the_last_completion() {
    let s = sched(Frequency::Days, 10, Anchor::Completion, d(2026, 3, 5));
    // Done late on 12 Mar: next 22 Mar, not 15 Mar.
    assert_eq!(
        next_due(&s, last(d(2026, 3, 5), Some(d(2026, 3, 12)))),
        Some(d(2026, 3, 22))
    );
    // Not done yet: no next order.
    assert_eq!(next_due(&s, last(d(2026, 3, 5), None)), None);
}

#[test]
fn every_n_weeks_from_the_last_completion() {
    let s = sched(Frequency::Weeks, 1, Anchor::Completion, d(2026, 2, 2));
    // Done on 26 Feb 2026 (Thursday) + 7 = 5 Mar.
    assert_eq!(
        next_due(&s, last(d(2026, 2, 23), Some(d(2026, 2, 26)))),
        Some(d(2026, 3, 5))
    );
}

#[test]
fn monthly_from_jan_31_keeps_the_month_end() {
    let s = sched(Frequency::Months, 1, Anchor::Schedule, d(2026, 1, 31));
    // Jan 31 + 1 month = Feb 28 (2026 is not a leap year), then back to Mar 31, Apr 30.
    assert_eq!(
        next_due(&s, last(d(2026, 1, 31), None)),
        Some(d(2026, 2, 28))
    );
    assert_eq!(
        next_due(&s, last(d(2026, 2, 28), None)),
        Some(d(2026, 3, 31))
    );
    assert_eq!(
        next_due(&s, last(d(2026, 3, 31), None)),
        Some(d(2026, 4, 30))
    );
    // In a leap year: Feb 29.
    let leap = sched(Frequency::Months, 1, Anchor::Schedule, d(2028, 1, 31));
    assert_eq!(
        next_due(&leap, last(d(2028, 1, 31), None)),
        Some(d(2028, 2, 29))
    );
}

#[test]
fn every_three_months_from_the_schedule() {
    let s = sched(Frequency::Months, 3, Anchor::Schedule, d(2026, 11, 30));
    // 30 Nov + 3 = 28 Feb 2027 (clamped), then 30 May 2027 (from the start: +6 months).
    assert_eq!(
        next_due(&s, last(d(2026, 11, 30), None)),
        Some(d(2027, 2, 28))
    );
    assert_eq!(
        next_due(&s, last(d(2027, 2, 28), None)),
        Some(d(2027, 5, 30))
    );
}

#[test]
fn monthly_from_the_last_completion_on_a_month_end() {
    let s = sched(Frequency::Months, 1, Anchor::Completion, d(2026, 1, 10));
    // Done on 31 Jan: + 1 month = 28 Feb; done on 28 Feb: + 1 month = 28 Mar.
    assert_eq!(
        next_due(&s, last(d(2026, 1, 10), Some(d(2026, 1, 31)))),
        Some(d(2026, 2, 28))
    );
    assert_eq!(
        next_due(&s, last(d(2026, 2, 28), Some(d(2026, 2, 28)))),
        Some(d(2026, 3, 28))
    );
}

#[test]
fn yearly_from_the_schedule_skips_missed_years() {
    let s = sched(Frequency::Months, 12, Anchor::Schedule, d(2024, 2, 29));
    // 29 Feb 2024 + 12 months = 28 Feb 2025; + 24 = 28 Feb 2026; + 48 = 29 Feb 2028.
    assert_eq!(
        next_due(&s, last(d(2024, 2, 29), None)),
        Some(d(2025, 2, 28))
    );
    assert_eq!(
        next_due(&s, last(d(2027, 2, 28), None)),
        Some(d(2028, 2, 29))
    );
}

#[test]
fn on_given_months() {
    let mut s = sched(Frequency::OnMonths, 1, Anchor::Schedule, d(2026, 5, 1));
    s.months = vec![3, 9];
    s.day = 31;
    // First: 30 Sep 2026 (September has 30 days), then 31 Mar 2027, then 30 Sep 2027.
    assert_eq!(next_due(&s, None), Some(d(2026, 9, 30)));
    assert_eq!(
        next_due(&s, last(d(2026, 9, 30), None)),
        Some(d(2027, 3, 31))
    );
    assert_eq!(
        next_due(&s, last(d(2027, 3, 31), None)),
        Some(d(2027, 9, 30))
    );
    // From the last completion: the first given date after the day it was done.
    s.anchor = Anchor::Completion;
    assert_eq!(
        next_due(&s, last(d(2027, 3, 31), Some(d(2027, 10, 2)))),
        Some(d(2028, 3, 31))
    );
    assert_eq!(
        next_due(&s, last(d(2027, 3, 31), Some(d(2027, 4, 1)))),
        Some(d(2027, 9, 30))
    );
    // A start on the given day itself is the first order.
    let mut t = sched(Frequency::OnMonths, 1, Anchor::Schedule, d(2026, 3, 15));
    t.months = vec![3, 9];
    t.day = 15;
    assert_eq!(next_due(&t, None), Some(d(2026, 3, 15)));
}

#[test]
fn meter_plans_have_no_calendar() {
    let s = sched(Frequency::Meter, 1, Anchor::Schedule, d(2026, 1, 1));
    assert_eq!(next_due(&s, None), None);
}

#[test]
fn overdue_from_the_day_after_the_due_date() {
    assert!(!is_overdue(OrderState::Open, d(2026, 3, 5), d(2026, 3, 5)));
    assert!(is_overdue(OrderState::Open, d(2026, 3, 5), d(2026, 3, 6)));
    assert!(!is_overdue(OrderState::Done, d(2026, 3, 5), d(2026, 3, 6)));
}

#[test]
fn warranty_ending_soon() {
    let today = d(2026, 3, 1);
    assert!(warranty_soon(Some(d(2026, 3, 31)), today));
    assert!(!warranty_soon(Some(d(2026, 4, 1)), today));
    assert!(!warranty_soon(Some(d(2026, 2, 28)), today));
    assert!(!warranty_soon(None, today));
}

#[test]
fn retention_below_seven_days_is_flagged() {
    assert!(retention_too_short(6));
    assert!(!retention_too_short(7));
}

#[test]
fn readings_are_exact_thousandths() {
    assert_eq!(parse_value("v", "1234.5"), Ok(1_234_500));
    assert_eq!(parse_value("v", "0.015"), Ok(15));
    assert_eq!(parse_value("v", "-2"), Ok(-2000));
    assert!(parse_value("v", "1.2345").is_err());
    assert!(parse_value("v", "abc").is_err());
    assert!(parse_value("v", "1.").is_err());
    assert_eq!(parse_value("v", " ").unwrap_err().code, "required");
    assert_eq!(show_value(1_234_500), "1234.5");
    assert_eq!(show_value(12_000), "12");
    assert_eq!(milli_of(0.1 + 0.2), Some(300));
}

#[test]
fn room_log_lines() {
    let r = parse_log_readings("电压=380[360,400]\n水压：0.12[0.15,]\n\n温度=25").unwrap();
    assert_eq!(r.len(), 3);
    assert!(!r[0].out_of_range());
    assert!(r[1].out_of_range());
    assert_eq!(r[1].min_milli, Some(150));
    assert_eq!(r[2].show(), "温度=25");
    assert_eq!(r[0].show(), "电压=380[360,400]");
    let e = parse_log_readings("电压=380\n坏行").unwrap_err();
    assert_eq!(e[0].field, "readings");
    assert_eq!(e[0].params, vec![("line", "2".to_string())]);
}

#[test]
fn months_parse() {
    assert_eq!(parse_months("9, 3"), Ok(vec![3, 9]));
    assert_eq!(parse_months("3、9"), Ok(vec![3, 9]));
    assert!(parse_months("13").is_err());
    assert!(parse_months("").is_err());
}

#[test]
fn defaults_cover_the_manual() {
    let keys: Vec<&str> = DEFAULT_PLANS.iter().map(|p| p.key).collect();
    assert_eq!(keys.len(), 7);
    let tank = DEFAULT_PLANS
        .iter()
        .find(|p| p.key == "water_tank_cleaning")
        .unwrap();
    assert_eq!(tank.months, &[4, 10]);
    assert_eq!(tank.required_attachments, &["水质检测报告"]);
}
