//! Values parsed once at the edge and valid from then on.

use crate::shared::error::CommonCode;
use chrono::{Datelike, NaiveDate};

use super::error::FieldError;

/// Trimmed one-line text of 1..=max characters (counting characters, not bytes: 张三 is 2).
pub fn required_text(field: &str, raw: &str, max: usize) -> Result<String, FieldError> {
    text(field, raw, max, false)
}

/// Like [`required_text`], but line breaks and tabs are kept (notes, findings, addresses: what
/// people type with Enter, or Alt+Enter in a spreadsheet cell).
pub fn required_multiline(field: &str, raw: &str, max: usize) -> Result<String, FieldError> {
    text(field, raw, max, true)
}

/// Like [`required_multiline`], but empty is `None`.
pub fn optional_multiline(
    field: &str,
    raw: Option<&str>,
    max: usize,
) -> Result<Option<String>, FieldError> {
    match raw.map(str::trim) {
        None | Some("") => Ok(None),
        Some(s) => text(field, s, max, true).map(Some),
    }
}

fn text(field: &str, raw: &str, max: usize, multiline: bool) -> Result<String, FieldError> {
    let s = raw.trim();
    if s.is_empty() {
        return Err(FieldError::new(field, CommonCode::Required));
    }
    let n = s.chars().count();
    if n > max {
        return Err(FieldError::new(field, CommonCode::TooLong).with("max", max));
    }
    let allowed = |c: char| multiline && matches!(c, '\n' | '\r' | '\t');
    if s.chars().any(|c| c.is_control() && !allowed(c)) {
        return Err(FieldError::new(field, CommonCode::InvalidCharacters));
    }
    Ok(s.to_string())
}

/// Text typed into a search or filter box: at most `max` characters, no control characters
/// (PostgreSQL refuses a NUL byte in text, which would otherwise surface as a server error).
pub fn query_text<'a>(field: &str, raw: &'a str, max: usize) -> Result<&'a str, FieldError> {
    let s = raw.trim();
    if s.chars().count() > max {
        return Err(FieldError::new(field, CommonCode::TooLong).with("max", max));
    }
    if s.chars().any(char::is_control) {
        return Err(FieldError::new(field, CommonCode::InvalidCharacters));
    }
    Ok(s)
}

/// Like [`required_text`], but empty is `None`.
pub fn optional_text(
    field: &str,
    raw: Option<&str>,
    max: usize,
) -> Result<Option<String>, FieldError> {
    match raw.map(str::trim) {
        None | Some("") => Ok(None),
        Some(s) => required_text(field, s, max).map(Some),
    }
}

/// An area in hundredths of a square metre (89.50 m² = 8950), so sums are exact.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Area(pub i64);

/// Serialised as the decimal string ("89.50"), exact in every JSON reader.
impl serde::Serialize for Area {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.to_string())
    }
}

impl Area {
    /// No single unit in a residential community is larger than this (100,000 m²).
    pub const MAX: Area = Area(10_000_000);

    /// Parses "89.5" / "89.50" / "90": positive, at most two decimals, at most [`Area::MAX`].
    pub fn parse(field: &str, raw: &str) -> Result<Area, FieldError> {
        let s = raw.trim();
        if s.is_empty() {
            return Err(FieldError::new(field, CommonCode::Required));
        }
        if s.starts_with('-') {
            return Err(FieldError::new(field, CommonCode::MustBePositive));
        }
        let (int, frac) = match s.split_once('.') {
            Some((i, f)) => (i, f),
            None => (s, ""),
        };
        if int.is_empty()
            || !int.bytes().all(|b| b.is_ascii_digit())
            || !frac.bytes().all(|b| b.is_ascii_digit())
        {
            return Err(FieldError::new(field, CommonCode::NotANumber));
        }
        if frac.len() > 2 {
            return Err(FieldError::new(field, CommonCode::TooManyDecimals).with("max", 2));
        }
        if int.len() > 9 {
            return Err(FieldError::new(field, CommonCode::TooLarge).with("max", Area::MAX));
        }
        let i: i64 = int
            .parse()
            .map_err(|_| FieldError::new(field, CommonCode::NotANumber))?;
        let f: i64 = if frac.is_empty() {
            0
        } else {
            format!("{frac:0<2}")
                .parse()
                .map_err(|_| FieldError::new(field, CommonCode::NotANumber))?
        };
        let v = Area(i * 100 + f);
        if v.0 <= 0 {
            return Err(FieldError::new(field, CommonCode::MustBePositive));
        }
        if v > Area::MAX {
            return Err(FieldError::new(field, CommonCode::TooLarge).with("max", Area::MAX));
        }
        Ok(v)
    }

    /// From a float read from a spreadsheet cell: rounded to the hundredth.
    pub fn from_f64(field: &str, v: f64) -> Result<Area, FieldError> {
        if !v.is_finite() {
            return Err(FieldError::new(field, CommonCode::NotANumber));
        }
        let hundredths = (v * 100.0).round();
        if (v * 100.0 - hundredths).abs() > 1e-6 {
            return Err(FieldError::new(field, CommonCode::TooManyDecimals).with("max", 2));
        }
        Self::parse(field, &format!("{:.2}", hundredths / 100.0))
    }
}

impl std::fmt::Display for Area {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}.{:02}", self.0 / 100, self.0 % 100)
    }
}

/// A phone number, normalised (spaces and dashes inside a mobile number dropped): a mainland
/// mobile (1[3-9] + 9 digits) or a landline with area code (0xx-xxxxxxxx).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Phone(String);

impl Phone {
    pub fn parse(field: &str, raw: &str) -> Result<Phone, FieldError> {
        let s: String = raw.trim().chars().filter(|c| *c != ' ').collect();
        let s = s.strip_prefix("+86").unwrap_or(&s).to_string();
        if s.is_empty() {
            return Err(FieldError::new(field, CommonCode::Required));
        }
        let digits: String = s.chars().filter(|c| *c != '-').collect();
        if !digits.bytes().all(|b| b.is_ascii_digit()) {
            return Err(FieldError::new(field, CommonCode::InvalidPhone));
        }
        let b = digits.as_bytes();
        if b.len() == 11 && b[0] == b'1' && (b'3'..=b'9').contains(&b[1]) {
            return Ok(Phone(digits));
        }
        // Landline: 0 + 2–3 digit area code + 7–8 digit number.
        if b.first() == Some(&b'0') && (10..=12).contains(&b.len()) {
            let area_len = if matches!(b[1], b'1' | b'2') { 3 } else { 4 };
            let (area, num) = digits.split_at(area_len);
            if (7..=8).contains(&num.len()) {
                return Ok(Phone(format!("{area}-{num}")));
            }
        }
        Err(FieldError::new(field, CommonCode::InvalidPhone))
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A mainland resident identity card number (GB 11643-1999): 17 digits and a check character,
/// with a real birth date.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IdNumber(String);

impl IdNumber {
    const WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
    const CHECK: &'static [u8; 11] = b"10X98765432";

    pub fn parse(field: &str, raw: &str) -> Result<IdNumber, FieldError> {
        let s = raw.trim().to_ascii_uppercase();
        if s.is_empty() {
            return Err(FieldError::new(field, CommonCode::Required));
        }
        let b = s.as_bytes();
        if b.len() != 18 || !b[..17].iter().all(u8::is_ascii_digit) {
            return Err(FieldError::new(field, CommonCode::InvalidIdNumber));
        }
        let sum: u32 = b[..17]
            .iter()
            .zip(Self::WEIGHTS)
            .map(|(d, w)| u32::from(d - b'0') * w)
            .sum();
        if b[17] != Self::CHECK[(sum % 11) as usize] {
            return Err(FieldError::new(field, CommonCode::IdNumberCheckDigit));
        }
        // Region codes start with 1–8 (GB/T 2260); the birth date is a real day between 1900
        // and today.
        if !(b'1'..=b'8').contains(&b[0]) {
            return Err(FieldError::new(field, CommonCode::InvalidIdNumber));
        }
        let born = NaiveDate::parse_from_str(&s[6..14], "%Y%m%d")
            .map_err(|_| FieldError::new(field, CommonCode::InvalidIdNumber))?;
        let today = chrono::Utc::now().date_naive();
        if born.year() < 1900 || born > today {
            return Err(FieldError::new(field, CommonCode::InvalidIdNumber));
        }
        Ok(IdNumber(s))
    }

    /// Appends the check character to 17 digits (used by the demo data generator).
    pub fn with_check_digit(first17: &str) -> String {
        let sum: u32 = first17
            .bytes()
            .zip(Self::WEIGHTS)
            .map(|(d, w)| u32::from(d - b'0') * w)
            .sum();
        format!("{first17}{}", Self::CHECK[(sum % 11) as usize] as char)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A Chinese licence plate: province character, a letter, then 5 (fuel) or 6 (new energy)
/// letters/digits. Stored upper-case without separators.
pub fn parse_plate(field: &str, raw: &str) -> Result<String, FieldError> {
    let s: String = raw
        .trim()
        .chars()
        .filter(|c| !matches!(c, ' ' | '-' | '·' | '.'))
        .collect::<String>()
        .to_uppercase();
    if s.is_empty() {
        return Err(FieldError::new(field, CommonCode::Required));
    }
    const PROVINCES: &str = "京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼使领";
    let mut chars = s.chars();
    let ok = matches!(chars.next(), Some(p) if PROVINCES.contains(p))
        && matches!(chars.next(), Some(c) if c.is_ascii_uppercase())
        && {
            let rest: Vec<char> = chars.collect();
            (5..=6).contains(&rest.len())
                && rest.iter().enumerate().all(|(i, c)| {
                    c.is_ascii_uppercase()
                        || c.is_ascii_digit()
                        || (i == rest.len() - 1 && matches!(c, '学' | '警' | '港' | '澳' | '挂'))
                })
        };
    if ok {
        Ok(s)
    } else {
        Err(FieldError::new(field, CommonCode::InvalidPlate))
    }
}

/// A unit or building code: letters, digits and dashes, 1..=max, stored upper-case.
pub fn parse_code(field: &str, raw: &str, max: usize) -> Result<String, FieldError> {
    let s = required_text(field, raw, max)?.to_uppercase();
    if !s.chars().all(|c| c.is_ascii_alphanumeric() || c == '-') {
        return Err(FieldError::new(field, CommonCode::InvalidCode));
    }
    Ok(s)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn areas() {
        assert_eq!(Area::parse("a", "89.5").unwrap(), Area(8950));
        assert_eq!(Area::parse("a", "89.50").unwrap().to_string(), "89.50");
        assert_eq!(Area::parse("a", " 120 ").unwrap(), Area(12000));
        assert_eq!(Area::parse("a", "0.01").unwrap(), Area(1));
        assert_eq!(Area::parse("a", "-3").unwrap_err().code, "must_be_positive");
        assert_eq!(Area::parse("a", "0").unwrap_err().code, "must_be_positive");
        assert_eq!(
            Area::parse("a", "1.234").unwrap_err().code,
            "too_many_decimals"
        );
        assert_eq!(Area::parse("a", "abc").unwrap_err().code, "not_a_number");
        assert_eq!(Area::parse("a", "100000.01").unwrap_err().code, "too_large");
        assert_eq!(
            Area::parse("a", "99999999999").unwrap_err().code,
            "too_large"
        );
        assert_eq!(Area::from_f64("a", 89.5).unwrap(), Area(8950));
        assert_eq!(
            Area::from_f64("a", 89.125).unwrap_err().code,
            "too_many_decimals"
        );
    }

    #[test]
    fn phones() {
        assert_eq!(
            Phone::parse("p", "138 1234 5678").unwrap().as_str(),
            "13812345678"
        );
        assert_eq!(
            Phone::parse("p", "+8613812345678").unwrap().as_str(),
            "13812345678"
        );
        assert_eq!(
            Phone::parse("p", "021-62345678").unwrap().as_str(),
            "021-62345678"
        );
        assert_eq!(
            Phone::parse("p", "075512345678").unwrap().as_str(),
            "0755-12345678"
        );
        for bad in ["12812345678", "1381234567", "13812345678a", "12345", "abc"] {
            assert_eq!(
                Phone::parse("p", bad).unwrap_err().code,
                "invalid_phone",
                "{bad}"
            );
        }
    }

    #[test]
    fn id_numbers() {
        // 11010519491231002X is the standard's worked example.
        assert!(IdNumber::parse("i", "11010519491231002X").is_ok());
        assert!(IdNumber::parse("i", "11010519491231002x").is_ok());
        assert_eq!(
            IdNumber::parse("i", "110105194912310021").unwrap_err().code,
            "id_number_check_digit"
        );
        assert_eq!(
            IdNumber::with_check_digit("11010519491231002"),
            "11010519491231002X"
        );
        // Valid check digit, impossible date (Feb 30).
        let bad_date = IdNumber::with_check_digit("11010519900230002");
        assert_eq!(
            IdNumber::parse("i", &bad_date).unwrap_err().code,
            "invalid_id_number"
        );
        assert_eq!(
            IdNumber::parse("i", "1234").unwrap_err().code,
            "invalid_id_number"
        );
        // Born in 2199 or 1800, or region code 9xxxxx: impossible even with a right check digit.
        for first17 in [
            "11010521991231002",
            "11010518001231002",
            "91010519491231002",
        ] {
            let n = IdNumber::with_check_digit(first17);
            assert_eq!(
                IdNumber::parse("i", &n).unwrap_err().code,
                "invalid_id_number",
                "{n}"
            );
        }
    }

    #[test]
    fn plates() {
        assert_eq!(parse_plate("v", "沪A·12345").unwrap(), "沪A12345");
        assert_eq!(parse_plate("v", "粤b d12345").unwrap(), "粤BD12345");
        assert_eq!(
            parse_plate("v", "A12345").unwrap_err().code,
            "invalid_plate"
        );
        assert_eq!(
            parse_plate("v", "沪A123").unwrap_err().code,
            "invalid_plate"
        );
    }

    #[test]
    fn text() {
        assert_eq!(required_text("n", "  张三 ", 2).unwrap(), "张三");
        assert_eq!(
            required_text("n", "张三丰", 2).unwrap_err().code,
            "too_long"
        );
        assert_eq!(required_text("n", "  ", 2).unwrap_err().code, "required");
        assert_eq!(optional_text("n", Some(" "), 2).unwrap(), None);
        assert_eq!(
            required_text("n", "a\nb", 9).unwrap_err().code,
            "invalid_characters"
        );
        assert_eq!(
            required_multiline("n", "门窗完好\n水电正常", 20).unwrap(),
            "门窗完好\n水电正常"
        );
        assert_eq!(
            required_multiline("n", "a\u{0}b", 9).unwrap_err().code,
            "invalid_characters"
        );
    }
}
