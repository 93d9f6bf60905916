//! Hand-computed schedules in Asia/Shanghai (UTC+8, no DST): windows across midnight, a week
//! across a month end, month dates past the month's end.

use super::*;

fn sh() -> Tz {
    chrono_tz::Asia::Shanghai
}

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).expect("date")
}

fn t(s: &str) -> NaiveTime {
    parse_time(s).expect("time")
}

fn utc(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s)
        .expect("instant")
        .with_timezone(&Utc)
}

fn schedule(frequency: PatrolFrequency, start: &str, end: &str, minutes: i64) -> Schedule {
    Schedule {
        frequency,
        every_hours: 2,
        weekdays: BTreeSet::new(),
        month_days: BTreeSet::new(),
        window_start: t(start),
        window_end: t(end),
        duration: Duration::minutes(minutes),
        starts_on: d(2026, 1, 1),
        ends_on: None,
    }
}

#[test]
fn a_night_window_runs_into_the_next_day_and_the_next_month() {
    let s = schedule(PatrolFrequency::Hourly, "22:00", "06:00", 90);
    let o = s.occurrences(sh(), d(2026, 1, 31));
    let starts: Vec<_> = o.iter().map(|x| x.starts_at).collect();
    assert_eq!(
        starts,
        vec![
            utc("2026-01-31T14:00:00Z"),
            utc("2026-01-31T16:00:00Z"),
            utc("2026-01-31T18:00:00Z"),
            utc("2026-01-31T20:00:00Z"),
        ]
    );
    // Every task belongs to the day its window opened, even the ones after midnight.
    assert!(o.iter().all(|x| x.day == d(2026, 1, 31)));
    assert_eq!(o[3].ends_at, utc("2026-01-31T21:30:00Z"));
}

#[test]
fn every_three_hours_stops_before_the_window_ends() {
    let mut s = schedule(PatrolFrequency::Hourly, "08:00", "17:00", 60);
    s.every_hours = 3;
    let local: Vec<_> = s
        .occurrences(sh(), d(2026, 3, 2))
        .iter()
        .map(|x| x.starts_at.with_timezone(&sh()).format("%H:%M").to_string())
        .collect();
    assert_eq!(local, vec!["08:00", "11:00", "14:00"]);
}

#[test]
fn a_week_of_monday_wednesday_friday_across_the_month_end() {
    let mut s = schedule(PatrolFrequency::Weekly, "08:00", "10:00", 120);
    s.weekdays = [1, 3, 5].into_iter().collect();
    // 2026-01-28 is a Wednesday.
    let week: Vec<_> = (0..7)
        .map(|i| d(2026, 1, 28) + Duration::days(i))
        .flat_map(|day| s.occurrences(sh(), day))
        .map(|o| (o.day, o.starts_at, o.ends_at))
        .collect();
    assert_eq!(
        week,
        vec![
            (
                d(2026, 1, 28),
                utc("2026-01-28T00:00:00Z"),
                utc("2026-01-28T02:00:00Z")
            ),
            (
                d(2026, 1, 30),
                utc("2026-01-30T00:00:00Z"),
                utc("2026-01-30T02:00:00Z")
            ),
            (
                d(2026, 2, 2),
                utc("2026-02-02T00:00:00Z"),
                utc("2026-02-02T02:00:00Z")
            ),
        ]
    );
}

#[test]
fn the_thirty_first_falls_on_the_last_day_of_a_short_month_once() {
    let mut s = schedule(PatrolFrequency::Monthly, "09:00", "11:00", 120);
    s.month_days = [30, 31].into_iter().collect();
    let days: Vec<_> = (0..65)
        .map(|i| d(2026, 1, 28) + Duration::days(i))
        .filter(|day| !s.occurrences(sh(), *day).is_empty())
        .collect();
    assert_eq!(
        days,
        vec![
            d(2026, 1, 30),
            d(2026, 1, 31),
            d(2026, 2, 28),
            d(2026, 3, 30),
            d(2026, 3, 31)
        ]
    );
}

#[test]
fn a_plan_runs_only_within_its_first_and_last_day() {
    let mut s = schedule(PatrolFrequency::Daily, "07:00", "08:00", 60);
    s.starts_on = d(2026, 2, 1);
    s.ends_on = Some(d(2026, 2, 3));
    let n: usize = (0..10)
        .map(|i| {
            s.occurrences(sh(), d(2026, 1, 30) + Duration::days(i))
                .len()
        })
        .sum();
    assert_eq!(n, 3);
}

#[test]
fn label_codes_round_trip_and_typing_is_forgiven() {
    let code = label_code(42, "K7Q2XMAB");
    assert_eq!(code, "WYP:42:K7Q2XMAB");
    assert_eq!(
        parse_label_code(" wyp:42:k7q2xmab "),
        Some((42, "K7Q2XMAB".into()))
    );
    assert_eq!(parse_label_code("WYP:x:K7"), None);
    assert_eq!(parse_label_code("https://example.com"), None);
    let s = new_secret();
    assert_eq!(s.len(), 8);
    assert!(
        s.chars()
            .all(|c| c.is_ascii_alphanumeric() && c != '0' && c != 'O')
    );
}

#[test]
fn distances_are_metres_on_the_ground() {
    // One thousandth of a degree of latitude is about 111 m.
    assert_eq!(
        distance_m((31_230_000, 121_470_000), (31_231_000, 121_470_000)),
        111
    );
    assert_eq!(
        distance_m((31_230_000, 121_470_000), (31_230_000, 121_470_000)),
        0
    );
}

#[test]
fn readings_are_thousandths() {
    assert_eq!(parse_milli("0.35"), Some(350));
    assert_eq!(parse_milli("-2"), Some(-2000));
    assert_eq!(parse_milli("1234.5"), Some(1_234_500));
    assert_eq!(parse_milli("1.2345"), None);
    assert_eq!(parse_milli("abc"), None);
    assert_eq!(parse_milli(""), None);
    assert_eq!(milli_text(350), "0.35");
    assert_eq!(milli_text(-2000), "-2");
    assert!(out_of_limits(650, Some(300), Some(600)));
    assert!(!out_of_limits(600, Some(300), Some(600)));
    assert!(out_of_limits(299, Some(300), None));
}

#[test]
fn the_next_start_is_the_first_task_after_now() {
    // Hourly every 2 h from 22:00 to 06:00: at 2026-03-10 01:30 local (17:30 UTC the day
    // before) the next task is the 02:00 one of the window opened on the 9th.
    let s = schedule(PatrolFrequency::Hourly, "22:00", "06:00", 90);
    assert_eq!(
        s.next_start(sh(), utc("2026-03-09T17:30:00Z")),
        Some(utc("2026-03-09T18:00:00Z"))
    );
    // Monthly on the 31st, asked on 1 April: 30 April (its last day) at 09:00 local.
    let mut m = schedule(PatrolFrequency::Monthly, "09:00", "10:00", 60);
    m.month_days = BTreeSet::from([31]);
    assert_eq!(
        m.next_start(sh(), utc("2026-04-01T02:00:00Z")),
        Some(utc("2026-04-30T01:00:00Z"))
    );
    // A plan that ended yesterday has none.
    m.ends_on = Some(d(2026, 3, 31));
    assert_eq!(m.next_start(sh(), utc("2026-04-01T02:00:00Z")), None);
}
