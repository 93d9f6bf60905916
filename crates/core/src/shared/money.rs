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
    /// Parses yuan as typed ("120", "0.5", "35.05"): digits, at most two decimals, not
    /// negative, at most ¥1,000,000.
    pub fn from_yuan_str(field: &str, raw: &str) -> Result<Money, FieldError> {
        let s = raw.trim();
        let (yuan, fen) = s.split_once('.').unwrap_or((s, ""));
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
