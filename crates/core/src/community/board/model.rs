//! The board's own lists (services, contacts, people on duty), checked with no I/O, and how a
//! fee standard's price reads on it.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::community::error::CommunityCode;
use crate::shared::error::{CommonCode, FieldError};

/// One line of a board list: a service and its standard, a post and its phone, a post and who
/// holds it now.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct BoardItem {
    pub name: String,
    #[serde(default)]
    pub detail: String,
}

pub const MAX_ITEMS: usize = 60;
const MAX_NAME: usize = 50;
const MAX_DETAIL: usize = 300;

/// Checks a list: each line has a name, parts within their lengths, at most [`MAX_ITEMS`];
/// blank lines are dropped.
pub fn check_items(field: &str, items: &[BoardItem], errs: &mut Vec<FieldError>) -> Vec<BoardItem> {
    let items: Vec<BoardItem> = items
        .iter()
        .map(|i| BoardItem {
            name: i.name.trim().to_string(),
            detail: i.detail.trim().to_string(),
        })
        .filter(|i| !(i.name.is_empty() && i.detail.is_empty()))
        .collect();
    if items.len() > MAX_ITEMS {
        errs.push(FieldError::new(field, CommunityCode::TooManyBoardItems).with("max", MAX_ITEMS));
    }
    for (n, i) in items.iter().enumerate() {
        if i.name.is_empty() {
            errs.push(
                FieldError::new(field, CommunityCode::BoardItemIncomplete).with("line", n + 1),
            );
        } else if i.name.chars().count() > MAX_NAME || i.detail.chars().count() > MAX_DETAIL {
            errs.push(FieldError::new(field, CommonCode::TooLong).with("max", MAX_DETAIL));
        }
    }
    items
}

/// Lines typed one per line, name and detail apart by `|` or `｜` (the console's text areas).
pub fn parse_lines(text: &str) -> Vec<BoardItem> {
    text.lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| match l.split_once(['|', '｜']) {
            Some((a, b)) => BoardItem {
                name: a.trim().into(),
                detail: b.trim().into(),
            },
            None => BoardItem {
                name: l.trim().into(),
                detail: String::new(),
            },
        })
        .collect()
}

/// The lines back as text, for the form.
pub fn to_lines(items: &[BoardItem]) -> String {
    items
        .iter()
        .map(|i| {
            if i.detail.is_empty() {
                i.name.clone()
            } else {
                format!("{}｜{}", i.name, i.detail)
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// A price of yuan × 10 000 as yuan, with no trailing zeros past the fen (23500 → "2.35",
/// 1234567 → "123.4567", 20000 → "2.00").
pub fn yuan_e4(v: i64) -> String {
    let sign = if v < 0 { "-" } else { "" };
    let v = v.unsigned_abs();
    let (whole, frac) = (v / 10_000, v % 10_000);
    let mut f = format!("{frac:04}");
    while f.len() > 2 && f.ends_with('0') {
        f.pop();
    }
    format!("{sign}{whole}.{f}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_split_on_either_bar_and_blank_ones_drop() {
        let items = parse_lines("保洁｜每日两次清扫\n\n 秩序维护 | 24小时门岗 \n绿化");
        assert_eq!(items.len(), 3);
        assert_eq!(items[1].name, "秩序维护");
        assert_eq!(items[1].detail, "24小时门岗");
        assert_eq!(items[2].detail, "");
        assert_eq!(to_lines(&items[..1]), "保洁｜每日两次清扫");
        let mut errs = Vec::new();
        let kept = check_items(
            "services",
            &[
                BoardItem {
                    name: " ".into(),
                    detail: "".into(),
                },
                BoardItem {
                    name: "".into(),
                    detail: "无名".into(),
                },
            ],
            &mut errs,
        );
        assert_eq!(kept.len(), 1);
        assert_eq!(errs[0].code, "board_item_incomplete");
        assert_eq!(errs[0].params, vec![("line", "1".to_string())]);
    }

    #[test]
    fn prices_read_in_yuan() {
        assert_eq!(yuan_e4(23_500), "2.35");
        assert_eq!(yuan_e4(1_234_567), "123.4567");
        assert_eq!(yuan_e4(20_000), "2.00");
        assert_eq!(yuan_e4(5), "0.0005");
        assert_eq!(yuan_e4(-15_000), "-1.50");
    }
}
