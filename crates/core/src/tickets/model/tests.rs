//! The model's rules with hand-computed values.

use chrono::{DateTime, Duration, Utc};
use chrono_tz::Tz;

use super::*;
use crate::shared::calendar::{Calendar, local_to_utc};
use crate::shared::ids::CommunityId;

fn sh(s: &str) -> DateTime<Utc> {
    let n = chrono::NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M").expect("time");
    local_to_utc(chrono_tz::Asia::Shanghai, n.date(), n.time())
}
const SH: Tz = chrono_tz::Asia::Shanghai;

fn input(kind: RequestKind, category: &str) -> ClockInput<'_> {
    ClockInput {
        kind,
        category,
        urgency: Urgency::Normal,
        channel: Channel::FrontDesk,
        complex: false,
    }
}

fn spans(v: &[ClockRule]) -> Vec<(ClockKind, Span)> {
    v.iter().map(|r| (r.clock, r.span)).collect()
}

#[test]
fn default_clocks_follow_the_manuals() {
    use ClockKind::*;
    assert_eq!(
        spans(&default_clocks(input(
            RequestKind::RepairUnit,
            "doors_locks"
        ))),
        vec![(Feedback, Span::Minutes(240))]
    );
    assert_eq!(
        spans(&default_clocks(input(
            RequestKind::RepairCommon,
            "elevator"
        ))),
        vec![(Feedback, Span::Minutes(240)), (OnSite, Span::Minutes(30))]
    );
    let mut urgent = input(RequestKind::RepairUnit, "other");
    urgent.urgency = Urgency::Urgent;
    assert_eq!(
        spans(&default_clocks(urgent)),
        vec![(Feedback, Span::Minutes(240)), (OnSite, Span::Minutes(30))]
    );
    let mut lighting = input(RequestKind::RepairCommon, "lighting");
    assert_eq!(default_clocks(lighting)[1].span, Span::Minutes(8 * 60));
    lighting.complex = true;
    assert_eq!(default_clocks(lighting)[1].span, Span::Minutes(48 * 60));
    assert_eq!(
        spans(&default_clocks(input(
            RequestKind::ComplaintGeneral,
            "noise"
        ))),
        vec![
            (Feedback, Span::Minutes(240)),
            (OnSite, Span::Minutes(60)),
            (Resolve, Span::Minutes(480))
        ]
    );
    assert_eq!(
        default_clocks(input(RequestKind::ComplaintSerious, "noise"))[2].span,
        Span::WorkingDays(5)
    );
    let mut hotline = input(RequestKind::Inquiry, "fees");
    hotline.channel = Channel::Hotline;
    assert_eq!(
        spans(&default_clocks(hotline)),
        vec![
            (Feedback, Span::Minutes(240)),
            (Reply, Span::Minutes(1440)),
            (Solution, Span::WorkingDays(3)),
            (Hotline, Span::Minutes(2880))
        ]
    );
}

fn ov(category: &str, clock: &str, enabled: bool, minutes: Option<i64>) -> SlaOverride {
    SlaOverride {
        id: 0,
        community_id: CommunityId(1),
        category: category.into(),
        clock: clock.into(),
        enabled,
        minutes,
        working_days: None,
        pauses_on_hold: true,
    }
}

#[test]
fn overrides_per_category_win_over_every_category() {
    use ClockKind::*;
    let i = input(RequestKind::RepairCommon, "elevator");
    let o = vec![
        ov("*", "on_site", true, Some(45)),
        ov("elevator", "on_site", true, Some(15)),
        ov("*", "feedback", false, None),
        ov("*", "resolve", true, Some(120)),
        ov("water", "resolve", true, Some(60)),
    ];
    let v = effective_clocks(i, &o);
    assert_eq!(
        spans(&v),
        vec![(OnSite, Span::Minutes(15)), (Resolve, Span::Minutes(120))]
    );
    assert!(v.iter().all(|r| r.pauses_on_hold));
}

#[test]
fn hour_clocks_run_across_midnight_and_weekends() {
    let cal = Calendar::default();
    // Feedback 4 h from Friday 22:30 is Saturday 02:30.
    assert_eq!(
        due_at(sh("2026-12-04 22:30"), Span::Minutes(240), &cal, SH),
        sh("2026-12-05 02:30")
    );
    // Hotline 48 h from Friday 20:00 is Sunday 20:00: hour clocks do not skip weekends.
    assert_eq!(
        due_at(sh("2026-12-04 20:00"), Span::Minutes(2880), &cal, SH),
        sh("2026-12-06 20:00")
    );
    // On site 30 min from 23:50 is 00:20 the next day.
    assert_eq!(
        due_at(sh("2026-12-31 23:50"), Span::Minutes(30), &cal, SH),
        sh("2027-01-01 00:20")
    );
    // Solution 3 working days from Friday 16:00 is Wednesday 16:00.
    assert_eq!(
        due_at(sh("2026-12-04 16:00"), Span::WorkingDays(3), &cal, SH),
        sh("2026-12-09 16:00")
    );
}

#[test]
fn warnings_come_a_fifth_before_within_bounds() {
    let s = sh("2026-12-01 08:00");
    // 30 min clock: a fifth is 6 min.
    assert_eq!(
        warn_at(s, s + Duration::minutes(30)),
        s + Duration::minutes(24)
    );
    // 10 min clock: at least 5 minutes before.
    assert_eq!(
        warn_at(s, s + Duration::minutes(10)),
        s + Duration::minutes(5)
    );
    // 48 h clock: at most 4 h before.
    assert_eq!(warn_at(s, s + Duration::hours(48)), s + Duration::hours(44));
}

#[test]
fn clock_status() {
    let due = sh("2026-12-01 12:00");
    let warn = sh("2026-12-01 11:00");
    let st = |now: &str, met: Option<&str>, paused: Option<&str>| {
        super::clock_status(sh(now), due, warn, met.map(sh), paused.map(sh))
    };
    assert_eq!(st("2026-12-01 10:00", None, None), ClockStatus::Running);
    assert_eq!(st("2026-12-01 11:30", None, None), ClockStatus::AtRisk);
    assert_eq!(
        st("2026-12-01 11:30", None, Some("2026-12-01 10:30")),
        ClockStatus::Paused
    );
    // Paused before its deadline: still paused long after the deadline has passed.
    assert_eq!(
        st("2026-12-03 09:00", None, Some("2026-12-01 10:30")),
        ClockStatus::Paused
    );
    // Paused after it broke: breached.
    assert_eq!(
        st("2026-12-03 09:00", None, Some("2026-12-01 12:30")),
        ClockStatus::Breached
    );
    assert_eq!(st("2026-12-01 12:01", None, None), ClockStatus::Breached);
    assert_eq!(
        st("2026-12-02 00:00", Some("2026-12-01 12:00"), None),
        ClockStatus::Met
    );
    assert_eq!(
        st("2026-12-02 00:00", Some("2026-12-01 12:01"), None),
        ClockStatus::Breached
    );
}

#[test]
fn transitions() {
    use EventAction as A;
    use RequestState as S;
    assert_eq!(transition(S::Registered, A::Dispatch), Ok(S::Dispatched));
    assert_eq!(transition(S::Dispatched, A::Accept), Ok(S::Accepted));
    assert_eq!(transition(S::Accepted, A::OnSite), Ok(S::OnSite));
    assert_eq!(transition(S::OnSite, A::Done), Ok(S::Done));
    assert_eq!(transition(S::Done, A::Close), Ok(S::Closed));
    assert_eq!(transition(S::Pooled, A::Grab), Ok(S::Accepted));
    assert_eq!(transition(S::Accepted, A::ToPool), Ok(S::Pooled));
    assert_eq!(transition(S::Done, A::Reopen), Ok(S::Registered));
    assert_eq!(transition(S::Registered, A::Hold), Ok(S::OnHold));
    // Illegal ones.
    assert_eq!(
        transition(S::Dispatched, A::Close),
        Err(TicketCode::RequestNotDone)
    );
    assert_eq!(
        transition(S::Registered, A::Visit),
        Err(TicketCode::RequestNotDone)
    );
    assert_eq!(
        transition(S::Accepted, A::Grab),
        Err(TicketCode::RequestNotAssignable)
    );
    assert_eq!(
        transition(S::Closed, A::Done),
        Err(TicketCode::IllegalTransition)
    );
    assert_eq!(
        transition(S::Pooled, A::Done),
        Err(TicketCode::IllegalTransition)
    );
    assert_eq!(
        transition(S::Done, A::Hold),
        Err(TicketCode::IllegalTransition)
    );
    assert_eq!(
        transition(S::Closed, A::Escalate),
        Err(TicketCode::IllegalTransition)
    );
}

#[test]
fn promises_stay_within_a_week() {
    let c = sh("2026-12-01 09:00");
    assert_eq!(check_promise(c, c + DEFAULT_PROMISE, c), Ok(()));
    assert_eq!(check_promise(c, c + Duration::days(7), c), Ok(()));
    assert_eq!(
        check_promise(c, c + Duration::days(7) + Duration::minutes(1), c),
        Err(TicketCode::PromiseBeyond7Days)
    );
    assert_eq!(
        check_promise(c, c - Duration::hours(1), c),
        Err(TicketCode::PromiseInPast)
    );
}

#[test]
fn the_permission_matrix() {
    use EventAction as A;
    use RequestState as S;
    let desk = Actor {
        dispatcher: true,
        ..Default::default()
    };
    let tech = Actor {
        worker: true,
        assignee: true,
        ..Default::default()
    };
    let other_tech = Actor {
        worker: true,
        ..Default::default()
    };
    let clerk = Actor {
        first_responder: true,
        ..Default::default()
    };
    assert!(may_act(A::Dispatch, S::Registered, desk));
    assert!(!may_act(A::Dispatch, S::Registered, tech));
    assert!(may_act(A::Hold, S::Accepted, tech));
    // Reopened at the desk: no longer the last assignee's to hold.
    assert!(!may_act(A::Hold, S::Registered, tech));
    assert!(may_act(A::Resume, S::OnHold, tech));
    assert!(may_act(A::Escalate, S::Dispatched, clerk));
    assert!(!may_act(A::Escalate, S::Dispatched, other_tech));
    assert!(may_act(A::Grab, S::Pooled, other_tech));
    assert!(!may_act(A::Grab, S::Pooled, clerk));
    assert!(may_act(A::Done, S::OnSite, tech));
    assert!(!may_act(A::Done, S::OnSite, desk));
    assert!(may_act(A::Done, S::Registered, desk));
    assert!(!may_act(A::Done, S::Registered, tech));
    assert!(!may_act(A::Register, S::Registered, desk));
    assert!(!may_act(A::ClockBreach, S::Dispatched, desk));
}
