//! Pieces every console page group shares: the one option type of a select, labels of stored
//! codes in the user's language, and a community's wall-clock time. Kept in one place so the
//! page groups cannot drift apart in how they show the same value.

use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use wuye_core::registry::Community;

use crate::locale::Locale;

pub use wuye_core::shared::error::CommonCode;

/// A table of stored codes with their Chinese and English labels (the core's `ALL` constants).
pub type CodeTable<T> = [(T, &'static str, &'static str, &'static str)];

/// One option of a select.
pub struct Opt {
    pub code: String,
    pub label: String,
}

/// The Chinese or the English text, by the user's language.
pub fn pick(l: Locale, zh: &'static str, en: &'static str) -> &'static str {
    if l == Locale::En { en } else { zh }
}

/// The label of a code value in the user's language.
pub fn label<T: PartialEq>(all: &'static CodeTable<T>, v: &T, l: Locale) -> &'static str {
    all.iter()
        .find(|(x, ..)| x == v)
        .map(|(_, _, zh, en)| pick(l, zh, en))
        .unwrap_or("")
}

/// The label of a code stored as text; an unknown code is shown as it is.
pub fn label_of<T>(all: &'static CodeTable<T>, code: &str, l: Locale) -> String {
    all.iter()
        .find(|(_, c, ..)| *c == code)
        .map(|(_, _, zh, en)| pick(l, zh, en).to_string())
        .unwrap_or_else(|| code.to_string())
}

/// Every code of a table as the options of a select.
pub fn opts<T>(all: &'static CodeTable<T>, l: Locale) -> Vec<Opt> {
    all.iter()
        .map(|(_, code, zh, en)| Opt {
            code: code.to_string(),
            label: pick(l, zh, en).to_string(),
        })
        .collect()
}

/// Who did something, as a reader says it: a user's name, or the system's work by its name
/// ("system:demo" → 演示数据, "system:import" → 导入, "system:job" → 定时任务, "system" → 系统).
pub fn actor_words(name: &str, l: Locale) -> String {
    match name.strip_prefix("system") {
        Some("") => l.t("actor.system").to_string(),
        Some(work) => work
            .strip_prefix(':')
            .and_then(|w| l.get(&format!("actor.{w}")))
            .unwrap_or_else(|| l.t("actor.system"))
            .to_string(),
        None => name.to_string(),
    }
}

/// A community's time zone: the core's one reading of the stored name.
pub fn tz_of(c: &Community) -> Tz {
    wuye_core::shared::calendar::zone(&c.timezone)
}

/// A time as a community's wall clock shows it.
pub fn local_time(t: DateTime<Utc>, tz: Tz) -> String {
    t.with_timezone(&tz).format("%Y-%m-%d %H:%M").to_string()
}

/// A form's optional `datetime-local` field (`2026-12-04T09:30`, the community's wall clock)
/// as a moment; a malformed one is named in `errs`. The rules on the time itself (the
/// backdating window, the permission) are the core's.
pub fn form_time(
    field: &str,
    raw: &str,
    tz: Tz,
    errs: &mut Vec<wuye_core::FieldError>,
) -> Option<DateTime<Utc>> {
    let raw = raw.trim();
    if raw.is_empty() {
        return None;
    }
    let parsed = chrono::NaiveDateTime::parse_from_str(raw, "%Y-%m-%dT%H:%M")
        .or_else(|_| chrono::NaiveDateTime::parse_from_str(raw, "%Y-%m-%dT%H:%M:%S"));
    match parsed {
        Ok(n) => Some(wuye_core::shared::calendar::local_to_utc(
            tz,
            n.date(),
            n.time(),
        )),
        Err(_) => {
            errs.push(wuye_core::FieldError::new(
                field,
                wuye_core::shared::error::CommonCode::InvalidDate,
            ));
            None
        }
    }
}

/// The zone of a time that belongs to no one community (company-level entries, a user's own
/// pages, "this year"): the core's default, what a community with an unknown zone gets too.
pub fn default_zone() -> Tz {
    wuye_core::shared::calendar::zone("")
}

/// The community a page opens on among those listed (id, name): the one asked for, else the one
/// the user last chose (`ConsoleUser::community`), else the first; only one still listed.
pub fn chosen_community(
    list: &[(i64, String)],
    want: Option<i64>,
    remembered: Option<i64>,
) -> Option<i64> {
    let listed = |w: &i64| list.iter().any(|(i, _)| i == w);
    want.filter(listed)
        .or(remembered.filter(listed))
        .or_else(|| list.first().map(|c| c.0))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_systems_work_is_named() {
        let l = Locale::Zh;
        assert_eq!(actor_words("system:demo", l), "演示数据");
        assert_eq!(actor_words("system:import", l), "导入");
        assert_eq!(actor_words("system:job", l), "定时任务");
        assert_eq!(actor_words("system", l), "系统");
        assert_eq!(actor_words("system:unknown", l), "系统");
        assert_eq!(actor_words("王经理", l), "王经理");
    }
}
