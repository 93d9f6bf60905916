//! Money: CNY as integer fen (分), never floating point.

use crate::shared::error::CommonCode;
use std::fmt;

use super::error::FieldError;

/// An amount in fen. `Money(3550)` is ¥35.50.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Money(pub i64);

/// The largest amount typed anywhere: ¥1,000,000.00.
pub const MAX_TYPED: i64 = 100_000_000;

impl Money {
    /// Parses yuan as typed ("120", "0.5", "35.05", or as the pages show it, "1,234.56"):
    /// digits (thousands separators only where they belong), at most two decimals, not
    /// negative, at most ¥1,000,000.
    pub fn from_yuan_str(field: &str, raw: &str) -> Result<Money, FieldError> {
        let s = raw.trim();
        let (grouped, fen) = s.split_once('.').unwrap_or((s, ""));
        let yuan =
            ungroup(grouped).ok_or_else(|| FieldError::new(field, CommonCode::NotANumber))?;
        let yuan = yuan.as_str();
        if yuan.is_empty()
            || !yuan.chars().all(|c| c.is_ascii_digit())
            || !fen.chars().all(|c| c.is_ascii_digit())
        {
            return Err(FieldError::new(field, CommonCode::NotANumber));
        }
        if fen.len() > 2 {
            return Err(FieldError::new(field, CommonCode::TooManyDecimals).with("max", 2));
        }
        let y: i64 = yuan
            .parse()
            .map_err(|_| FieldError::new(field, CommonCode::TooLarge))?;
        let f: i64 = format!("{fen:0<2}").parse().unwrap_or(0);
        y.checked_mul(100)
            .and_then(|v| v.checked_add(f))
            .filter(|v| *v <= MAX_TYPED)
            .map(Money)
            .ok_or_else(|| FieldError::new(field, CommonCode::TooLarge))
    }
}

/// "1,234,567" from "1234567"; `None` for commas out of place ("1,23", ",123").
fn ungroup(s: &str) -> Option<String> {
    if !s.contains(',') {
        return Some(s.to_string());
    }
    let parts: Vec<&str> = s.split(',').collect();
    let ok = (1..=3).contains(&parts[0].len())
        && parts[1..].iter().all(|p| p.len() == 3)
        && parts.iter().all(|p| p.chars().all(|c| c.is_ascii_digit()));
    ok.then(|| parts.concat())
}

impl Money {
    /// "1,234,567.89": yuan with thousands separators, as pages show amounts.
    pub fn grouped(self) -> String {
        let sign = if self.0 < 0 { "-" } else { "" };
        let a = self.0.unsigned_abs();
        let digits = (a / 100).to_string();
        let mut out = String::with_capacity(digits.len() + digits.len() / 3 + 4);
        for (i, d) in digits.chars().enumerate() {
            if i > 0 && (digits.len() - i).is_multiple_of(3) {
                out.push(',');
            }
            out.push(d);
        }
        format!("{sign}{out}.{:02}", a % 100)
    }
}

/// "35.50" (a minus sign for negative amounts).
impl fmt::Display for Money {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let sign = if self.0 < 0 { "-" } else { "" };
        let a = self.0.unsigned_abs();
        write!(f, "{sign}{}.{:02}", a / 100, a % 100)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grouped_amounts_show_and_parse() {
        assert_eq!(Money(123_456_789).grouped(), "1,234,567.89");
        assert_eq!(Money(100_000).grouped(), "1,000.00");
        assert_eq!(Money(99_999).grouped(), "999.99");
        assert_eq!(Money(-105).grouped(), "-1.05");
        assert_eq!(Money(0).grouped(), "0.00");
        assert_eq!(Money::from_yuan_str("a", "1,234.56"), Ok(Money(123_456)));
        assert_eq!(Money::from_yuan_str("a", "12,345"), Ok(Money(1_234_500)));
        for bad in ["1,23", ",123", "1,2345", "1,,234", "12,34.5"] {
            assert!(Money::from_yuan_str("a", bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn yuan_to_fen_exactly() {
        let p = |s| Money::from_yuan_str("price", s).map_err(|e| e.code);
        assert_eq!(p("120"), Ok(Money(12000)));
        assert_eq!(p("0.5"), Ok(Money(50)));
        assert_eq!(p("35.05"), Ok(Money(3505)));
        assert_eq!(p(" 80.00 "), Ok(Money(8000)));
        assert_eq!(p("1000000"), Ok(Money(100_000_000)));
        assert_eq!(p("1000000.01"), Err("too_large"));
        assert_eq!(p("1.234"), Err("too_many_decimals"));
        assert_eq!(p("-3"), Err("not_a_number"));
        assert_eq!(p("abc"), Err("not_a_number"));
        assert_eq!(p(""), Err("not_a_number"));
        assert_eq!(p("99999999999999999999"), Err("too_large"));
        assert_eq!(Money(3550).to_string(), "35.50");
        assert_eq!(Money(-5).to_string(), "-0.05");
    }
}
