//! The rules of the front desk, with no I/O: what a key may open, its states, how an owner's
//! authorisation was given, when a loan may be due back and when it is overdue.

use chrono::{DateTime, Duration, NaiveDate, Utc};

use super::error::FrontdeskCode;
use crate::shared::code_enum;
use crate::shared::error::FieldError;

code_enum!(KeyKind, FrontdeskCode::UnknownKeyKind, {
    Unit = "unit", "房屋钥匙", "Unit";
    MachineRoom = "machine_room", "机房钥匙", "Machine room";
    CommonDoor = "common_door", "公共门锁", "Common door";
    Other = "other", "其他", "Other";
});

code_enum!(KeyState, FrontdeskCode::UnknownKeyState, {
    In = "in", "在柜", "In the cabinet";
    Out = "out", "已借出", "Out";
    Retired = "retired", "已停用", "Retired";
});

code_enum!(AuthorisationHow, FrontdeskCode::UnknownAuthorisationHow, {
    Written = "written", "书面授权", "In writing";
    PhoneCall = "phone_call", "电话确认", "By phone";
    InPerson = "in_person", "本人到场", "In person";
});

code_enum!(ItemLoanState, FrontdeskCode::UnknownItemLoanState, {
    Out = "out", "借出中", "Out";
    Returned = "returned", "已归还", "Returned";
});

code_enum!(ReleaseState, FrontdeskCode::UnknownReleaseState, {
    Pending = "pending", "待审核", "Awaiting the desk";
    Approved = "approved", "已批准", "Approved";
    Refused = "refused", "不予放行", "Refused";
    Passed = "passed", "已放行", "Passed";
});

code_enum!(BookingState, FrontdeskCode::UnknownBookingState, {
    Booked = "booked", "已预约", "Booked";
    Cancelled = "cancelled", "已取消", "Cancelled";
});

code_enum!(MoveOutState, FrontdeskCode::UnknownMoveOutState, {
    Open = "open", "核验中", "Being checked";
    Completed = "completed", "已迁出", "Moved out";
    Cancelled = "cancelled", "已取消", "Cancelled";
});

code_enum!(LockKind, FrontdeskCode::UnknownLockKind, {
    Change = "change", "换锁", "Lock changed";
    Break = "break", "破锁开门", "Lock broken open";
});

code_enum!(ParcelKind, FrontdeskCode::UnknownParcelKind, {
    Parcel = "parcel", "快递包裹", "Parcel";
    Letter = "letter", "信件", "Letter";
    Registered = "registered", "挂号信/EMS", "Registered mail";
    Periodical = "periodical", "报刊", "Newspaper or magazine";
});

code_enum!(ParcelState, FrontdeskCode::UnknownParcelState, {
    Held = "held", "待取", "Held";
    Picked = "picked", "已取", "Picked up";
    Returned = "returned", "已退回", "Returned";
});

code_enum!(PickupMethod, FrontdeskCode::UnknownPickupMethod, {
    Code = "code", "取件码", "Pick-up code";
    IdCard = "id_card", "证件", "ID";
});

code_enum!(PassKind, FrontdeskCode::UnknownPassKind, {
    Guest = "guest", "访客通行码", "Guest pass";
    Temporary = "temporary", "临时出入证", "Temporary pass";
    Worker = "worker", "施工人员出入证", "Construction worker's pass";
});

code_enum!(IdType, FrontdeskCode::UnknownIdType, {
    ResidentId = "resident_id", "居民身份证", "Resident ID card";
    Passport = "passport", "护照", "Passport";
    HkMacao = "hk_macao", "港澳居民来往内地通行证", "Mainland travel permit (HK/Macao)";
    Taiwan = "taiwan", "台湾居民来往大陆通行证", "Mainland travel permit (Taiwan)";
    Other = "other", "其他证件", "Other ID";
});

code_enum!(VisitAnswer, FrontdeskCode::UnknownVisitAnswer, {
    Confirmed = "confirmed", "已确认", "Confirmed";
    Refused = "refused", "拒绝来访", "Refused";
});

/// A pass code: eight digits (the QR carries it; a guard can type it), from a random number
/// (another is drawn when the community has it already).
pub fn pass_code(random: u64) -> String {
    format!("{:08}", random % 100_000_000)
}

/// Whether a typed or scanned code is a pass code's shape.
pub fn is_pass_code(s: &str) -> bool {
    s.len() == 8 && s.bytes().all(|b| b.is_ascii_digit())
}

/// Whether an ID number other than a resident ID card's has a plausible shape: 5 to 30 letters,
/// digits, or hyphens (passports and permits differ by country and year).
pub fn is_other_id(s: &str) -> bool {
    (5..=30).contains(&s.len()) && s.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
}

/// A pick-up code: six digits, from a random number (the store retries another when one is
/// held already).
pub fn pickup_code(random: u64) -> String {
    format!("{:06}", random % 1_000_000)
}

/// Whether a typed code is a pick-up code's shape.
pub fn is_pickup_code(s: &str) -> bool {
    s.len() == 6 && s.bytes().all(|b| b.is_ascii_digit())
}

/// A signature as the screen's canvas gives it (`data:image/png;base64,…`) or bare base64:
/// the PNG's bytes, at most `max` of them.
pub fn signature_png(raw: &str, max: usize) -> Option<Vec<u8>> {
    use base64::Engine;
    let b64 = raw
        .trim()
        .strip_prefix("data:image/png;base64,")
        .unwrap_or(raw.trim());
    let bytes = base64::engine::general_purpose::STANDARD.decode(b64).ok()?;
    (bytes.len() <= max && bytes.starts_with(b"\x89PNG\r\n\x1a\n")).then_some(bytes)
}

/// How many whole days a parcel has waited at `now`.
pub fn days_held(received_at: DateTime<Utc>, now: DateTime<Utc>) -> i64 {
    (now - received_at).num_days().max(0)
}

/// The longest a key is lent for.
pub const MAX_LOAN_DAYS: i64 = 30;

/// A loan is due back after it is lent and within [`MAX_LOAN_DAYS`].
pub fn check_due(
    field: &str,
    lent_at: DateTime<Utc>,
    due_at: DateTime<Utc>,
) -> Result<(), FieldError> {
    if due_at <= lent_at || due_at > lent_at + Duration::days(MAX_LOAN_DAYS) {
        return Err(FieldError::new(field, FrontdeskCode::DueRange).with("max", MAX_LOAN_DAYS));
    }
    Ok(())
}

/// Out and past its due time.
pub fn overdue(
    due_at: DateTime<Utc>,
    returned_at: Option<DateTime<Utc>>,
    now: DateTime<Utc>,
) -> bool {
    returned_at.is_none() && due_at < now
}

/// An authorisation is in force: not revoked, and its last day (local) not past.
pub fn authorisation_in_force(
    revoked_at: Option<DateTime<Utc>>,
    valid_until: Option<NaiveDate>,
    today: NaiveDate,
) -> bool {
    revoked_at.is_none() && valid_until.is_none_or(|d| d >= today)
}

/// A time of day as typed (`HH:MM`, `24:00` the day's end) in minutes from midnight.
pub fn parse_hhmm(s: &str) -> Option<i64> {
    let (h, m) = s.trim().split_once(':')?;
    if h.is_empty() || h.len() > 2 || m.len() != 2 {
        return None;
    }
    let (h, m): (i64, i64) = (h.parse().ok()?, m.parse().ok()?);
    let min = h * 60 + m;
    (h >= 0 && (0..60).contains(&m) && min <= 24 * 60).then_some(min)
}

/// Minutes from midnight as `HH:MM`.
pub fn hhmm(min: i64) -> String {
    format!("{:02}:{:02}", min / 60, min % 60)
}

/// The lengths a venue's slot may have, in minutes.
pub const SLOT_MINUTES: [i64; 2] = [30, 60];

/// A venue's opening hours (minutes from local midnight), the slot its bookings are made of and
/// the longest booking.
#[derive(Debug, Clone, Copy)]
pub struct VenueHours {
    pub opens_min: i64,
    pub closes_min: i64,
    pub slot_minutes: i64,
    pub max_hours: i64,
}

impl VenueHours {
    /// Every slot of a day: their starts, from opening to the last that ends by closing.
    pub fn slots(&self) -> Vec<i64> {
        (self.opens_min..self.closes_min)
            .step_by(self.slot_minutes.max(1) as usize)
            .filter(|s| s + self.slot_minutes <= self.closes_min)
            .collect()
    }

    /// The slots a booking from `start` to `end` holds, or why it cannot be made: it ends
    /// before it starts, falls outside the opening hours, is not on the slots' edges, or is
    /// longer than the venue allows.
    pub fn booking_slots(&self, start: i64, end: i64) -> Result<Vec<i64>, FieldError> {
        if end <= start {
            return Err(FieldError::new("end", FrontdeskCode::VenueEndBeforeStart));
        }
        if start < self.opens_min || end > self.closes_min {
            return Err(FieldError::new("start", FrontdeskCode::VenueOutsideHours)
                .with("opens", hhmm(self.opens_min))
                .with("closes", hhmm(self.closes_min)));
        }
        let on_edge = |t: i64| (t - self.opens_min) % self.slot_minutes == 0;
        if !on_edge(start) || !on_edge(end) {
            return Err(FieldError::new("start", FrontdeskCode::VenueSlotEdge)
                .with("minutes", self.slot_minutes));
        }
        if end - start > self.max_hours * 60 {
            return Err(
                FieldError::new("end", FrontdeskCode::VenueTooLong).with("max", self.max_hours)
            );
        }
        Ok((start..end).step_by(self.slot_minutes as usize).collect())
    }
}

/// A booking's fee: the hourly fee for its minutes, half up to the fen.
pub fn booking_fee(hourly_fee_fen: i64, minutes: i64) -> i64 {
    (hourly_fee_fen * minutes + 30) / 60
}

/// Cancelled free of charge: up to `cancel_hours` before the start.
pub fn cancels_free(starts_at: DateTime<Utc>, cancel_hours: i64, now: DateTime<Utc>) -> bool {
    now <= starts_at - Duration::hours(cancel_hours)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn t(h: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 12, 6, h, 0, 0).unwrap()
    }

    #[test]
    fn a_loan_is_due_after_it_starts_and_within_thirty_days() {
        assert!(check_due("due_at", t(8), t(9)).is_ok());
        assert_eq!(
            check_due("due_at", t(8), t(8)).unwrap_err().code,
            "key_due_range"
        );
        assert_eq!(
            check_due("due_at", t(8), t(7)).unwrap_err().code,
            "key_due_range"
        );
        assert!(check_due("due_at", t(8), t(8) + Duration::days(30)).is_ok());
        assert!(
            check_due(
                "due_at",
                t(8),
                t(8) + Duration::days(30) + Duration::seconds(1)
            )
            .is_err()
        );
    }

    #[test]
    fn times_of_day_are_read_as_typed() {
        assert_eq!(parse_hhmm("08:00"), Some(480));
        assert_eq!(parse_hhmm(" 9:30"), Some(570));
        assert_eq!(parse_hhmm("24:00"), Some(1440));
        assert_eq!(parse_hhmm("24:30"), None);
        assert_eq!(parse_hhmm("12:60"), None);
        assert_eq!(parse_hhmm("1230"), None);
        assert_eq!(parse_hhmm("-1:00"), None);
        assert_eq!(parse_hhmm("12:5"), None);
        assert_eq!(hhmm(1290), "21:30");
    }

    #[test]
    fn a_booking_holds_whole_slots_inside_the_opening_hours() {
        let h = VenueHours {
            opens_min: 8 * 60,
            closes_min: 21 * 60 + 30,
            slot_minutes: 30,
            max_hours: 4,
        };
        assert_eq!(h.slots().len(), 27);
        assert_eq!(h.booking_slots(14 * 60, 15 * 60).unwrap(), vec![840, 870]);
        let code = |s, e| h.booking_slots(s, e).unwrap_err().code;
        assert_eq!(code(15 * 60, 15 * 60), "venue_end_before_start");
        assert_eq!(code(7 * 60 + 30, 9 * 60), "venue_outside_hours");
        assert_eq!(code(21 * 60, 22 * 60), "venue_outside_hours");
        assert_eq!(code(14 * 60 + 15, 15 * 60), "venue_slot_edge");
        assert_eq!(code(9 * 60, 13 * 60 + 30), "venue_too_long");
        assert_eq!(h.booking_slots(9 * 60, 13 * 60).unwrap().len(), 8);
        let hourly = VenueHours {
            opens_min: 8 * 60 + 30,
            closes_min: 20 * 60,
            slot_minutes: 60,
            max_hours: 3,
        };
        // An hour's slots run from the opening: 08:30, 09:30 …; the last ends at 19:30.
        assert_eq!(hourly.slots().last(), Some(&(18 * 60 + 30)));
        assert_eq!(
            hourly.booking_slots(9 * 60, 10 * 60).unwrap_err().code,
            "venue_slot_edge"
        );
    }

    #[test]
    fn a_fee_is_the_hourly_fee_for_the_minutes_half_up() {
        assert_eq!(booking_fee(5_000, 120), 10_000);
        assert_eq!(booking_fee(5_000, 90), 7_500);
        assert_eq!(booking_fee(3_333, 30), 1_667);
        assert_eq!(booking_fee(0, 240), 0);
    }

    #[test]
    fn a_booking_cancels_free_until_the_notice_before_its_start() {
        assert!(cancels_free(t(20), 24, t(20) - Duration::hours(24)));
        assert!(!cancels_free(t(20), 24, t(20) - Duration::hours(23)));
        assert!(cancels_free(t(20), 0, t(20)));
    }

    #[test]
    fn pickup_codes_are_six_digits() {
        assert_eq!(pickup_code(42), "000042");
        assert_eq!(pickup_code(123_456_789), "456789");
        assert!(is_pickup_code("000042"));
        assert!(!is_pickup_code("42"));
        assert!(!is_pickup_code("12345a"));
    }

    #[test]
    fn a_signature_is_a_png_of_bounded_size() {
        let png = b"\x89PNG\r\n\x1a\nrest";
        use base64::Engine;
        let b64 = base64::engine::general_purpose::STANDARD.encode(png);
        assert_eq!(
            signature_png(&format!("data:image/png;base64,{b64}"), 100).as_deref(),
            Some(&png[..])
        );
        assert_eq!(signature_png(&b64, 100).as_deref(), Some(&png[..]));
        assert!(signature_png(&b64, 5).is_none());
        assert!(signature_png("bm90IGEgcG5n", 100).is_none());
        assert!(signature_png("***", 100).is_none());
    }

    #[test]
    fn days_held_are_whole_days() {
        assert_eq!(days_held(t(8), t(20)), 0);
        assert_eq!(days_held(t(8), t(8) + Duration::days(3)), 3);
        assert_eq!(days_held(t(9), t(8)), 0);
    }

    #[test]
    fn overdue_is_out_past_due() {
        assert!(overdue(t(9), None, t(10)));
        assert!(!overdue(t(9), None, t(9)));
        assert!(!overdue(t(9), Some(t(11)), t(12)));
    }

    #[test]
    fn an_authorisation_holds_through_its_last_day_until_revoked() {
        let d = NaiveDate::from_ymd_opt(2026, 12, 6).unwrap();
        assert!(authorisation_in_force(None, None, d));
        assert!(authorisation_in_force(None, Some(d), d));
        assert!(!authorisation_in_force(None, d.pred_opt(), d));
        assert!(!authorisation_in_force(Some(t(8)), None, d));
    }
}
