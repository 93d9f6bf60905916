//! Billing types and the pure rules of money: prices, periods, proration, rounding, late fees,
//! the allocation of a payment over open charges, and amounts in Chinese capitals (大写).
//! No SQL and no I/O here; every rule is unit-tested with hand-computed values.

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::shared::code_enum;
use crate::shared::error::{CommonCode, FieldError};

use super::error::BillingCode;

code_enum!(FeeKind, BillingCode::UnknownFeeKind, {
    Property = "property", "物业费", "Property fee";
    Parking = "parking", "停车费", "Parking";
    Water = "water", "水费", "Water";
    Electricity = "electricity", "电费", "Electricity";
    Gas = "gas", "燃气费", "Gas";
    Shared = "shared", "公摊费", "Shared utilities";
    Decoration = "decoration", "装修费用", "Decoration";
    Service = "service", "有偿服务", "Paid services";
    Agency = "agency", "代收代缴", "Agency collection";
    Fund = "fund", "共有资金", "Common maintenance fund";
    OneOff = "one_off", "一次性收费", "One-off";
    Other = "other", "其他", "Other";
});

code_enum!(Method, BillingCode::UnknownChargeMethod, {
    Fixed = "fixed", "按户定额", "Fixed per unit";
    BuildingArea = "building_area", "建筑面积×单价", "Building area × price";
    InnerArea = "inner_area", "套内面积×单价", "Inner area × price";
    Meter = "meter", "抄表用量×单价", "Meter usage × price";
    PerSpace = "per_space", "按车位", "Per parking space";
    OneOff = "one_off", "一次性", "One-off";
});

code_enum!(Cycle, BillingCode::UnknownCycle, {
    Monthly = "monthly", "按月", "Monthly";
    Quarterly = "quarterly", "按季", "Quarterly";
    Yearly = "yearly", "按年", "Yearly";
    Once = "once", "一次性", "Once";
});

code_enum!(Rounding, BillingCode::UnknownRounding, {
    HalfUp = "half_up", "四舍五入到分", "Half up, to the fen";
    Down = "down", "舍去到分", "Down, to the fen";
    Up = "up", "进位到分", "Up, to the fen";
});

code_enum!(PayMethod, BillingCode::UnknownPayMethod, {
    Cash = "cash", "现金", "Cash";
    Wechat = "wechat", "微信支付", "WeChat Pay";
    Alipay = "alipay", "支付宝", "Alipay";
    Bank = "bank", "银行转账", "Bank transfer";
    Pos = "pos", "POS 刷卡", "POS";
});

code_enum!(ChargeKind, BillingCode::UnknownChargeKind, {
    Bill = "bill", "账单", "Bill";
    Manual = "manual", "手工应收", "Manual charge";
    Service = "service", "有偿服务", "Paid service";
    LateFee = "late_fee", "滞纳金", "Late fee";
    Reversal = "reversal", "红冲", "Reversal";
    Opening = "opening", "期初欠费", "Opening arrears";
});

code_enum!(PaymentKind, BillingCode::UnknownPaymentKind, {
    Payment = "payment", "收款", "Payment";
    Reversal = "reversal", "红冲", "Reversal";
    Refund = "refund", "退款", "Refund";
});

impl Cycle {
    /// Months in one period; `None` for one-off standards, which bill runs skip.
    pub fn months(self) -> Option<u32> {
        match self {
            Cycle::Monthly => Some(1),
            Cycle::Quarterly => Some(3),
            Cycle::Yearly => Some(12),
            Cycle::Once => None,
        }
    }
}

impl Rounding {
    /// `num / den` rounded to a whole fen. `den` is positive.
    pub fn div(self, num: i128, den: i128) -> i64 {
        debug_assert!(den > 0);
        let q = num.div_euclid(den);
        let r = num.rem_euclid(den);
        let v = match self {
            Rounding::Down => q,
            Rounding::Up => q + i128::from(r > 0),
            Rounding::HalfUp => q + i128::from(2 * r >= den),
        };
        i64::try_from(v).unwrap_or(i64::MAX)
    }
}

/// A non-negative decimal typed by a person ("2.35", "0.4883", "120") as an integer scaled by
/// 10^`places` (at most `places` decimals), refused above `max`.
fn scaled(field: &str, raw: &str, places: usize, max: i64) -> Result<i64, FieldError> {
    let s = raw.trim();
    if s.is_empty() {
        return Err(FieldError::new(field, CommonCode::Required));
    }
    if s.starts_with('-') {
        return Err(FieldError::new(field, BillingCode::MustNotBeNegative));
    }
    let (int, frac) = s.split_once('.').unwrap_or((s, ""));
    if int.is_empty()
        || !int.bytes().all(|b| b.is_ascii_digit())
        || !frac.bytes().all(|b| b.is_ascii_digit())
    {
        return Err(FieldError::new(field, CommonCode::NotANumber));
    }
    if frac.len() > places {
        return Err(FieldError::new(field, CommonCode::TooManyDecimals).with("max", places));
    }
    let i: i64 = int
        .parse()
        .map_err(|_| FieldError::new(field, CommonCode::TooLarge))?;
    let f: i64 = format!("{frac:0<places$}").parse().unwrap_or(0);
    i.checked_mul(10_i64.pow(places as u32))
        .and_then(|v| v.checked_add(f))
        .filter(|v| *v <= max)
        .ok_or_else(|| FieldError::new(field, CommonCode::TooLarge))
}

/// A price in yuan × 10 000: ¥2.35 is `Price(23500)`, ¥0.4883 (a kWh) is `Price(4883)`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Default)]
pub struct Price(pub i64);

impl Price {
    /// The largest price typed: ¥100,000.0000.
    pub const MAX: i64 = 1_000_000_000;

    /// Parses yuan with at most four decimals ("2.35", "0.4883", "120").
    pub fn parse(field: &str, raw: &str) -> Result<Price, FieldError> {
        scaled(field, raw, 4, Price::MAX).map(Price)
    }
}

/// "2.35", "0.4883", "120": no trailing zeros beyond the fen.
impl std::fmt::Display for Price {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let int = self.0 / 10_000;
        let frac = self.0 % 10_000;
        let mut s = format!("{frac:04}");
        while s.len() > 2 && s.ends_with('0') {
            s.pop();
        }
        write!(f, "{int}.{s}")
    }
}

/// A billing period: its first month and its length.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Period {
    pub year: i32,
    pub month: u32,
    pub months: u32,
}

impl Period {
    /// Parses "2026-07" (the period's first month).
    pub fn parse_month(field: &str, raw: &str) -> Result<(i32, u32), FieldError> {
        let s = raw.trim();
        let bad = || FieldError::new(field, BillingCode::InvalidPeriod);
        let (y, m) = s.split_once('-').ok_or_else(bad)?;
        if y.len() != 4 || m.len() != 2 {
            return Err(bad());
        }
        let y: i32 = y.parse().map_err(|_| bad())?;
        let m: u32 = m.parse().map_err(|_| bad())?;
        if !(2000..=2099).contains(&y) || !(1..=12).contains(&m) {
            return Err(bad());
        }
        Ok((y, m))
    }

    pub fn first_day(&self) -> NaiveDate {
        NaiveDate::from_ymd_opt(self.year, self.month, 1).unwrap_or_default()
    }

    pub fn last_day(&self) -> NaiveDate {
        let (y, m) = add_months(self.year, self.month, self.months);
        NaiveDate::from_ymd_opt(y, m, 1)
            .and_then(|d| d.pred_opt())
            .unwrap_or_default()
    }

    pub fn days(&self) -> i64 {
        (self.last_day() - self.first_day()).num_days() + 1
    }

    /// "2026-07".
    pub fn key(&self) -> String {
        format!("{:04}-{:02}", self.year, self.month)
    }
}

/// (year, month) plus `n` months.
pub fn add_months(year: i32, month: u32, n: u32) -> (i32, u32) {
    let m0 = (month - 1) + n;
    (year + (m0 / 12) as i32, m0 % 12 + 1)
}

/// The period of a standard that starts in (year, month), if it starts one there: monthly
/// standards every month, quarterly and yearly ones every 3 or 12 months from their start month.
pub fn period_starting(cycle: Cycle, start_month: u32, year: i32, month: u32) -> Option<Period> {
    let months = cycle.months()?;
    let offset = (month + 12 - start_month) % 12;
    offset.is_multiple_of(months).then_some(Period {
        year,
        month,
        months,
    })
}

/// The due date: the due day of the period's first month (the 31st is the month's last day).
pub fn due_date(p: &Period, due_day: u32) -> NaiveDate {
    let first = p.first_day();
    let last = Period { months: 1, ..*p }.last_day();
    first
        .with_day(due_day.clamp(1, 31).min(last.day()))
        .unwrap_or(first)
}

/// Days of the period a unit is charged for, between its billing start (交房/入伙) and end (迁出).
pub fn covered_days(p: &Period, from: Option<NaiveDate>, until: Option<NaiveDate>) -> i64 {
    let start = from.map_or(p.first_day(), |d| d.max(p.first_day()));
    let end = until.map_or(p.last_day(), |d| d.min(p.last_day()));
    ((end - start).num_days() + 1).max(0)
}

/// Everything that decides one charge of a bill run.
#[derive(Debug, Clone, Copy)]
pub struct LineInput {
    pub method: Method,
    pub price: Price,
    /// Hundredths of a square metre (for area methods).
    pub area: i64,
    pub months: u32,
    pub covered_days: i64,
    pub period_days: i64,
    /// Percent of the amount charged (a vacant unit's discount); 100 otherwise.
    pub pct: i64,
    pub rounding: Rounding,
}

/// The amount of one line in fen, rounded once: price × quantity × months × covered/period
/// days × percent. Area methods multiply by the area (hundredths of m²).
pub fn line_amount(l: &LineInput) -> i64 {
    let qty: i128 = match l.method {
        Method::BuildingArea | Method::InnerArea => i128::from(l.area),
        _ => 100,
    };
    // price (yuan×10⁴) × qty (×100) → fen × 10⁴; the rest are fractions.
    let num = i128::from(l.price.0)
        * qty
        * i128::from(l.months)
        * i128::from(l.covered_days)
        * i128::from(l.pct);
    let den = 10_000i128 * i128::from(l.period_days.max(1)) * 100;
    l.rounding.div(num, den)
}

/// How a line was computed, as printed on the bill: "89.50 ㎡ × ¥2.35 × 3 月 × 61/92 天 × 70%".
pub fn line_basis(l: &LineInput) -> String {
    let mut s = match l.method {
        Method::BuildingArea | Method::InnerArea => {
            format!("{}.{:02} ㎡ × ¥{}", l.area / 100, l.area % 100, l.price)
        }
        _ => format!("¥{}", l.price),
    };
    s.push_str(&format!(" × {} 月", l.months));
    if l.covered_days != l.period_days {
        s.push_str(&format!(" × {}/{} 天", l.covered_days, l.period_days));
    }
    if l.pct != 100 {
        s.push_str(&format!(" × {}%", l.pct));
    }
    s
}

/// A fee item's late-fee rule (滞纳金).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct LateFeeRule {
    /// Parts per million of the principal per day: 0.05 % a day is 500.
    pub ppm_per_day: i64,
    pub grace_days: i64,
    /// At most this percent of the principal (100 = never above it); none = no cap.
    pub cap_pct: Option<i64>,
}

impl LateFeeRule {
    /// principal × rate × (days overdue − grace), half-up to the fen, capped.
    pub fn fee(&self, principal: i64, days_overdue: i64) -> i64 {
        let days = (days_overdue - self.grace_days).max(0);
        if principal <= 0 || days == 0 || self.ppm_per_day <= 0 {
            return 0;
        }
        let fee = Rounding::HalfUp.div(
            i128::from(principal) * i128::from(self.ppm_per_day) * i128::from(days),
            1_000_000,
        );
        match self.cap_pct {
            Some(pct) => fee.min(Rounding::Down.div(i128::from(principal) * i128::from(pct), 100)),
            None => fee,
        }
    }

    /// Parses a daily rate typed in percent ("0.05" = 0.05 % a day = 500 ppm); empty is none.
    pub fn parse_rate_pct(field: &str, raw: &str) -> Result<i64, FieldError> {
        if raw.trim().is_empty() {
            return Ok(0);
        }
        // More than 1 % a day is not a late fee any court would uphold.
        scaled(field, raw, 4, i64::MAX).and_then(|ppm| {
            if ppm > 10_000 {
                Err(FieldError::new(field, BillingCode::OutOfRange))
            } else {
                Ok(ppm)
            }
        })
    }
}

/// "0.05" for 500 ppm.
pub fn rate_pct(ppm: i64) -> String {
    Price(ppm).to_string()
}

/// Splits `amount` over open charges in the order given (oldest first): each takes what it
/// still owes until the money runs out. Returns the shares and what is left over.
pub fn allocate(open: &[(i64, i64)], amount: i64) -> (Vec<(i64, i64)>, i64) {
    let mut left = amount;
    let mut out = Vec::new();
    for &(id, owed) in open {
        if left <= 0 {
            break;
        }
        let take = owed.min(left);
        if take > 0 {
            out.push((id, take));
            left -= take;
        }
    }
    (out, left)
}

const DIGITS: [char; 10] = ['零', '壹', '贰', '叁', '肆', '伍', '陆', '柒', '捌', '玖'];

/// An amount in Chinese capitals as written on a receipt: 21033 fen is 贰佰壹拾元叁角叁分.
pub fn capitals(fen: i64) -> String {
    let mut s = String::new();
    if fen < 0 {
        s.push('负');
    }
    let v = fen.unsigned_abs();
    let yuan = v / 100;
    let jiao = ((v / 10) % 10) as usize;
    let f = (v % 10) as usize;
    if yuan > 0 {
        s.push_str(&integer_capitals(yuan));
        s.push('元');
    }
    if jiao == 0 && f == 0 {
        if yuan == 0 {
            s.push_str("零元");
        }
        s.push('整');
        return s;
    }
    if jiao > 0 {
        s.push(DIGITS[jiao]);
        s.push('角');
    } else if yuan > 0 {
        s.push('零');
    }
    if f > 0 {
        s.push(DIGITS[f]);
        s.push('分');
    }
    s
}

fn integer_capitals(n: u64) -> String {
    const SECTIONS: [&str; 4] = ["", "万", "亿", "万亿"];
    let mut groups = Vec::new();
    let mut m = n;
    while m > 0 {
        groups.push(m % 10_000);
        m /= 10_000;
    }
    let mut s = String::new();
    let mut zero_pending = false;
    for (i, g) in groups.iter().enumerate().rev() {
        if *g == 0 {
            zero_pending = !s.is_empty();
            continue;
        }
        if !s.is_empty() && (zero_pending || *g < 1000) {
            s.push('零');
        }
        zero_pending = false;
        s.push_str(&group_capitals(*g));
        s.push_str(SECTIONS[i.min(3)]);
    }
    s
}

fn group_capitals(g: u64) -> String {
    const UNITS: [&str; 4] = ["仟", "佰", "拾", ""];
    let mut s = String::new();
    let mut zero = false;
    for (k, pos) in [1000, 100, 10, 1].iter().enumerate() {
        let d = ((g / pos) % 10) as usize;
        if d == 0 {
            zero = !s.is_empty();
        } else {
            if zero {
                s.push('零');
                zero = false;
            }
            s.push(DIGITS[d]);
            s.push_str(UNITS[k]);
        }
    }
    s
}

/// A meter value or usage in hundredths ("1234.5" m³ = 123450): not negative, two decimals.
pub fn parse_reading(field: &str, raw: &str) -> Result<i64, FieldError> {
    scaled(field, raw, 2, 9_999_999_999)
}

/// "1234.50" for 123450 hundredths.
pub fn reading_text(v: i64) -> String {
    format!("{}.{:02}", v / 100, v % 100)
}

/// Tiered prices (阶梯价) of a meter standard: "10:3.45;20:4.83;*:5.83" is ¥3.45 up to 10 units
/// a period, ¥4.83 above 10 up to 20, ¥5.83 above 20. Empty = the standard's one price.
pub fn parse_tiers(field: &str, raw: &str) -> Result<Vec<(Option<i64>, Price)>, FieldError> {
    let mut out = Vec::new();
    let s = raw.trim();
    if s.is_empty() {
        return Ok(out);
    }
    let mut last = 0;
    let parts: Vec<&str> = s
        .split(';')
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .collect();
    for (i, part) in parts.iter().enumerate() {
        let (upto, price) = part
            .split_once(':')
            .ok_or_else(|| FieldError::new(field, BillingCode::InvalidTiers))?;
        let price = Price::parse(field, price)
            .map_err(|_| FieldError::new(field, BillingCode::InvalidTiers))?;
        let upto = if upto.trim() == "*" {
            if i + 1 != parts.len() {
                return Err(FieldError::new(field, BillingCode::InvalidTiers));
            }
            None
        } else {
            let u = parse_reading(field, upto)
                .map_err(|_| FieldError::new(field, BillingCode::InvalidTiers))?;
            if u <= last {
                return Err(FieldError::new(field, BillingCode::InvalidTiers));
            }
            last = u;
            Some(u)
        };
        out.push((upto, price));
    }
    if out.last().is_some_and(|t| t.0.is_some()) {
        return Err(FieldError::new(field, BillingCode::InvalidTiers));
    }
    Ok(out)
}

/// The amount of a usage (hundredths) at the tiers (or the flat price), rounded once, and how
/// it was computed ("10.00 × ¥3.45 + 5.50 × ¥4.83").
pub fn usage_amount(
    usage: i64,
    tiers: &[(Option<i64>, Price)],
    flat: Price,
    rounding: Rounding,
) -> (i64, String) {
    let mut parts = Vec::new();
    let mut exact: i128 = 0;
    if tiers.is_empty() {
        exact = i128::from(usage) * i128::from(flat.0);
        parts.push(format!("{} × ¥{flat}", reading_text(usage)));
    } else {
        let mut from = 0;
        for (upto, price) in tiers {
            if usage <= from {
                break;
            }
            let top = upto.map_or(usage, |u| u.min(usage));
            let q = top - from;
            if q > 0 {
                exact += i128::from(q) * i128::from(price.0);
                parts.push(format!("{} × ¥{price}", reading_text(q)));
            }
            from = top;
        }
    }
    // hundredths × yuan×10⁴ = fen × 10⁴.
    (rounding.div(exact, 10_000), parts.join(" + "))
}

/// A comma-separated filter list ("" = all) contains `v`.
pub fn list_allows(list: &str, v: &str) -> bool {
    list.trim().is_empty() || list.split(',').any(|x| x.trim() == v)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).expect("date")
    }

    #[test]
    fn prices_parse_to_four_decimals() {
        let p = |s| Price::parse("price", s).map_err(|e| e.code);
        assert_eq!(p("2.35"), Ok(Price(23500)));
        assert_eq!(p("0.4883"), Ok(Price(4883)));
        assert_eq!(p("120"), Ok(Price(1_200_000)));
        assert_eq!(p("0.12345"), Err("too_many_decimals"));
        assert_eq!(p("-1"), Err("must_not_be_negative"));
        assert_eq!(p("100000.0001"), Err("too_large"));
        assert_eq!(Price(23500).to_string(), "2.35");
        assert_eq!(Price(4883).to_string(), "0.4883");
        assert_eq!(Price(1_200_000).to_string(), "120.00");
    }

    #[test]
    fn rounding_modes() {
        assert_eq!(Rounding::HalfUp.div(210_325, 10), 21033);
        assert_eq!(Rounding::HalfUp.div(210_324, 10), 21032);
        assert_eq!(Rounding::Down.div(210_329, 10), 21032);
        assert_eq!(Rounding::Up.div(210_321, 10), 21033);
        assert_eq!(Rounding::Up.div(210_320, 10), 21032);
    }

    #[test]
    fn periods_and_due_dates() {
        let (y, m) = Period::parse_month("period", "2026-07").expect("ok");
        assert_eq!((y, m), (2026, 7));
        assert!(Period::parse_month("period", "2026-13").is_err());
        assert!(Period::parse_month("period", "26-07").is_err());
        let q = period_starting(Cycle::Quarterly, 1, 2026, 7).expect("quarter");
        assert_eq!(q.first_day(), d(2026, 7, 1));
        assert_eq!(q.last_day(), d(2026, 9, 30));
        assert_eq!(q.days(), 92);
        assert_eq!(period_starting(Cycle::Quarterly, 1, 2026, 8), None);
        assert!(period_starting(Cycle::Monthly, 1, 2026, 8).is_some());
        // A yearly standard starting in March bills in March only.
        assert!(period_starting(Cycle::Yearly, 3, 2027, 3).is_some());
        assert_eq!(period_starting(Cycle::Yearly, 3, 2027, 1), None);
        assert_eq!(period_starting(Cycle::Once, 1, 2027, 1), None);
        let y = period_starting(Cycle::Yearly, 11, 2026, 11).expect("year");
        assert_eq!(y.last_day(), d(2027, 10, 31));
        let feb = Period {
            year: 2026,
            month: 2,
            months: 1,
        };
        assert_eq!(feb.days(), 28);
        assert_eq!(due_date(&feb, 31), d(2026, 2, 28));
        assert_eq!(due_date(&q, 15), d(2026, 7, 15));
    }

    #[test]
    fn proration_by_days() {
        let q = Period {
            year: 2026,
            month: 7,
            months: 3,
        };
        assert_eq!(covered_days(&q, None, None), 92);
        // Moves in on 1 August: August and September, 31 + 30 days.
        assert_eq!(covered_days(&q, Some(d(2026, 8, 1)), None), 61);
        // Moves out on 15 July (the last day charged).
        assert_eq!(covered_days(&q, None, Some(d(2026, 7, 15))), 15);
        assert_eq!(covered_days(&q, Some(d(2026, 10, 1)), None), 0);
        assert_eq!(covered_days(&q, None, Some(d(2026, 6, 30))), 0);
    }

    #[test]
    fn line_amounts_by_hand() {
        let base = LineInput {
            method: Method::BuildingArea,
            price: Price(23500),
            area: 8950,
            months: 1,
            covered_days: 31,
            period_days: 31,
            pct: 100,
            rounding: Rounding::HalfUp,
        };
        // 89.50 × 2.35 = 210.325 → ¥210.33.
        assert_eq!(line_amount(&base), 21033);
        assert_eq!(
            line_amount(&LineInput {
                rounding: Rounding::Down,
                ..base
            }),
            21032
        );
        // A quarter: 89.50 × 2.35 × 3 = 630.975 → ¥630.98.
        let q = LineInput {
            months: 3,
            covered_days: 92,
            period_days: 92,
            ..base
        };
        assert_eq!(line_amount(&q), 63098);
        // Moved in on 1 August: 630.975 × 61/92 = 418.3617… → ¥418.36.
        let pro = LineInput {
            covered_days: 61,
            ..q
        };
        assert_eq!(line_amount(&pro), 41836);
        assert_eq!(line_basis(&pro), "89.50 ㎡ × ¥2.35 × 3 月 × 61/92 天");
        // Vacant at 70 %: 630.975 × 0.7 = 441.6825 → ¥441.68.
        let vac = LineInput { pct: 70, ..q };
        assert_eq!(line_amount(&vac), 44168);
        // Fixed ¥150 a month for a parking space, a quarter: ¥450.
        let space = LineInput {
            method: Method::PerSpace,
            price: Price(1_500_000),
            ..q
        };
        assert_eq!(line_amount(&space), 45000);
        assert_eq!(line_basis(&space), "¥150.00 × 3 月");
    }

    #[test]
    fn late_fees_by_hand() {
        let r = LateFeeRule {
            ppm_per_day: 500,
            grace_days: 10,
            cap_pct: Some(100),
        };
        // ¥210.33 overdue 40 days, 10 of grace: 21033 × 0.0005 × 30 = 315.495 → ¥3.15.
        assert_eq!(r.fee(21033, 40), 315);
        assert_eq!(r.fee(21033, 10), 0);
        assert_eq!(r.fee(21033, 5), 0);
        // 3,000 days would be 150 % of the principal: capped at the principal.
        assert_eq!(r.fee(21033, 3010), 21033);
        let half = LateFeeRule {
            cap_pct: Some(50),
            ..r
        };
        assert_eq!(half.fee(21033, 3010), 10516);
        let uncapped = LateFeeRule { cap_pct: None, ..r };
        assert_eq!(uncapped.fee(10000, 3010), 15000);
        assert_eq!(LateFeeRule::parse_rate_pct("r", "0.05"), Ok(500));
        assert_eq!(LateFeeRule::parse_rate_pct("r", "1"), Ok(10_000));
        assert!(LateFeeRule::parse_rate_pct("r", "1.5").is_err());
        assert_eq!(rate_pct(500), "0.05");
    }

    #[test]
    fn allocation_oldest_first() {
        let open = [(1, 10000), (2, 5000), (3, 2000)];
        assert_eq!(allocate(&open, 12000), (vec![(1, 10000), (2, 2000)], 0));
        assert_eq!(
            allocate(&open, 20000),
            (vec![(1, 10000), (2, 5000), (3, 2000)], 3000)
        );
        assert_eq!(allocate(&open, 0), (vec![], 0));
        assert_eq!(allocate(&[], 500), (vec![], 500));
    }

    #[test]
    fn amounts_in_capitals() {
        assert_eq!(capitals(21033), "贰佰壹拾元叁角叁分");
        assert_eq!(capitals(100_500), "壹仟零伍元整");
        assert_eq!(capitals(1000), "壹拾元整");
        assert_eq!(capitals(1005), "壹拾元零伍分");
        assert_eq!(capitals(50), "伍角");
        assert_eq!(capitals(5), "伍分");
        assert_eq!(capitals(0), "零元整");
        assert_eq!(capitals(10_000_000_000), "壹亿元整");
        assert_eq!(capitals(100_010_000), "壹佰万零壹佰元整");
        assert_eq!(capitals(1_001_000), "壹万零壹拾元整");
        assert_eq!(capitals(110_000_000), "壹佰壹拾万元整");
        assert_eq!(capitals(12_000_000_000), "壹亿贰仟万元整");
        assert_eq!(capitals(10_000_000_100), "壹亿零壹元整");
        assert_eq!(capitals(630_975), "陆仟叁佰零玖元柒角伍分");
        assert_eq!(capitals(-5000), "负伍拾元整");
    }

    #[test]
    fn tiered_usage_by_hand() {
        let tiers = parse_tiers("tiers", "10:3.45;20:4.83;*:5.83").expect("tiers");
        // 15.50 m³: 10 × 3.45 + 5.50 × 4.83 = 34.50 + 26.565 = 61.065 → ¥61.07.
        assert_eq!(
            usage_amount(1550, &tiers, Price(0), Rounding::HalfUp),
            (6107, "10.00 × ¥3.45 + 5.50 × ¥4.83".to_string())
        );
        // 25 m³: 34.50 + 48.30 + 5 × 5.83 = 111.95.
        assert_eq!(
            usage_amount(2500, &tiers, Price(0), Rounding::HalfUp).0,
            11195
        );
        assert_eq!(usage_amount(0, &tiers, Price(0), Rounding::HalfUp).0, 0);
        // A flat ¥0.617 a kWh, 123.4 kWh = 76.1378 → ¥76.14.
        assert_eq!(
            usage_amount(12340, &[], Price(6170), Rounding::HalfUp).0,
            7614
        );
        for bad in [
            "10:3.45",
            "10:3.45;5:4.0;*:5",
            "*:1;10:2",
            "x:1;*:2",
            "10-3.45",
        ] {
            assert!(parse_tiers("tiers", bad).is_err(), "{bad}");
        }
        assert_eq!(parse_reading("v", "1234.5"), Ok(123_450));
        assert!(parse_reading("v", "-1").is_err());
        assert!(parse_reading("v", "1.234").is_err());
    }

    #[test]
    fn filter_lists() {
        assert!(list_allows("", "occupied"));
        assert!(list_allows("occupied,rented", "rented"));
        assert!(!list_allows("occupied,rented", "vacant"));
    }
}
