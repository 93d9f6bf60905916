//! UI text in Simplified Chinese (default) and English, from `locale/*.txt` compiled into the
//! binary (one general file per language plus one per console area). A file is `key = value` lines; `{name}` in a value is replaced by a parameter.
//! Error codes are looked up as `err.<code>`, field names as `field.<name>`.

use std::collections::HashMap;
use std::sync::OnceLock;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Locale {
    #[default]
    Zh,
    En,
}

fn parse(src: &'static str) -> HashMap<&'static str, &'static str> {
    src.lines()
        .filter(|l| !l.trim_start().starts_with('#'))
        .filter_map(|l| l.split_once(" = "))
        .map(|(k, v)| (k.trim(), v.trim()))
        .collect()
}

/// The files of each language: the general one, then one per console area. A key lives in
/// one file only (a test checks): one that two areas gave different texts showed whichever
/// file came last.
const ZH_FILES: [&str; 17] = [
    include_str!("../locale/zh-CN.txt"),
    include_str!("../locale/zh-CN.registry.txt"),
    include_str!("../locale/zh-CN.tickets.txt"),
    include_str!("../locale/zh-CN.billing.txt"),
    include_str!("../locale/zh-CN.switch.txt"),
    include_str!("../locale/zh-CN.notify.txt"),
    include_str!("../locale/zh-CN.community.txt"),
    include_str!("../locale/zh-CN.surveys.txt"),
    include_str!("../locale/zh-CN.patrols.txt"),
    include_str!("../locale/zh-CN.duty.txt"),
    include_str!("../locale/zh-CN.incidents.txt"),
    include_str!("../locale/zh-CN.equipment.txt"),
    include_str!("../locale/zh-CN.frontdesk.txt"),
    include_str!("../locale/zh-CN.decoration.txt"),
    include_str!("../locale/zh-CN.movein.txt"),
    include_str!("../locale/zh-CN.periodicals.txt"),
    include_str!("../locale/zh-CN.quality.txt"),
];
const EN_FILES: [&str; 17] = [
    include_str!("../locale/en.txt"),
    include_str!("../locale/en.registry.txt"),
    include_str!("../locale/en.tickets.txt"),
    include_str!("../locale/en.billing.txt"),
    include_str!("../locale/en.switch.txt"),
    include_str!("../locale/en.notify.txt"),
    include_str!("../locale/en.community.txt"),
    include_str!("../locale/en.surveys.txt"),
    include_str!("../locale/en.patrols.txt"),
    include_str!("../locale/en.duty.txt"),
    include_str!("../locale/en.incidents.txt"),
    include_str!("../locale/en.equipment.txt"),
    include_str!("../locale/en.frontdesk.txt"),
    include_str!("../locale/en.decoration.txt"),
    include_str!("../locale/en.movein.txt"),
    include_str!("../locale/en.periodicals.txt"),
    include_str!("../locale/en.quality.txt"),
];

fn table(l: Locale) -> &'static HashMap<&'static str, &'static str> {
    static ZH: OnceLock<HashMap<&str, &str>> = OnceLock::new();
    static EN: OnceLock<HashMap<&str, &str>> = OnceLock::new();
    let (cell, files) = match l {
        Locale::Zh => (&ZH, &ZH_FILES),
        Locale::En => (&EN, &EN_FILES),
    };
    cell.get_or_init(|| files.iter().flat_map(|f| parse(f)).collect())
}

impl Locale {
    /// From a `lang` cookie or an `Accept-Language` header: English only when asked for.
    pub fn detect(cookie: Option<&str>, accept: Option<&str>) -> Locale {
        match cookie {
            Some("en") => return Locale::En,
            Some("zh-CN") => return Locale::Zh,
            _ => {}
        }
        match accept {
            Some(a) if a.trim_start().starts_with("en") => Locale::En,
            _ => Locale::Zh,
        }
    }

    pub fn code(self) -> &'static str {
        match self {
            Locale::Zh => "zh-CN",
            Locale::En => "en",
        }
    }

    /// The text of a key, if either locale has it (this one first, then Chinese).
    pub fn get(self, key: &str) -> Option<&'static str> {
        table(self)
            .get(key)
            .or_else(|| table(Locale::Zh).get(key))
            .copied()
    }

    /// The text of a key. A missing key is a bug (the locale test checks the files agree, not
    /// that every code has a text): it is logged and shown as a neutral mark, never as memory
    /// leaked per request for keys an input could invent.
    pub fn t(self, key: &str) -> &'static str {
        self.get(key).unwrap_or_else(|| {
            tracing::warn!(key, "missing locale key");
            "…"
        })
    }

    /// A text with `{param}` placeholders filled in.
    pub fn tf(self, key: &str, params: &[(impl AsRef<str>, impl AsRef<str>)]) -> String {
        let mut s = self.t(key).to_string();
        for (k, v) in params {
            s = s.replace(&format!("{{{}}}", k.as_ref()), v.as_ref());
        }
        s
    }

    /// The message of an error code for a field: "房号：格式不正确".
    /// The label of a field inside a list (`elements[2].deduction`): its own label and the
    /// row's place, counted from 1 as a reader counts (扣分（第3条）).
    fn listed_label(self, field: &str) -> Option<String> {
        let (list, rest) = field.split_once('[')?;
        let (n, tail) = rest.split_once(']')?;
        let n: usize = n.parse().ok()?;
        let name = tail
            .strip_prefix('.')
            .filter(|t| !t.is_empty())
            .unwrap_or(list);
        let label = self
            .get(&format!("field.{name}"))
            .unwrap_or(name)
            .to_string();
        Some(match self {
            Locale::Zh => format!("{label}（第{}条）", n + 1),
            Locale::En => format!("{label} (#{})", n + 1),
        })
    }

    pub fn field_error(
        self,
        field: &str,
        code: &str,
        params: &[(impl AsRef<str>, impl AsRef<str>)],
    ) -> String {
        let msg = self.tf(&format!("err.{code}"), params);
        // The record's own id is no input the user typed: its message needs no label.
        if field.is_empty() || field == "id" {
            return msg;
        }
        // A field error may name its label (a person's `name` is 姓名, a building's 名称); an
        // unknown field name (from a client's own JSON) is shown as it came.
        let label_key = params
            .iter()
            .find(|(k, _)| k.as_ref() == "label")
            .map(|(_, v)| v.as_ref())
            .unwrap_or(field);
        let label = self
            .get(&format!("field.{label_key}"))
            .map(str::to_string)
            .or_else(|| self.listed_label(label_key))
            .unwrap_or_else(|| field.to_string());
        if code == "choose" {
            return self.tf("err.choose", &[("field", label)]);
        }
        match self {
            Locale::Zh => format!("{label}：{msg}"),
            Locale::En => format!("{label}: {msg}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_key_is_written_once() {
        for files in [&ZH_FILES, &EN_FILES] {
            let mut seen = std::collections::HashSet::new();
            let twice: Vec<&str> = files
                .iter()
                .flat_map(|f| f.lines())
                .filter(|l| !l.trim_start().starts_with('#'))
                .filter_map(|l| l.split_once(" = "))
                .map(|(k, _)| k.trim())
                .filter(|k| !seen.insert(*k))
                .collect();
            assert!(twice.is_empty(), "keys written twice: {twice:?}");
        }
    }

    #[test]
    fn both_locales_have_the_same_keys() {
        let zh = table(Locale::Zh);
        let en = table(Locale::En);
        let mut missing: Vec<_> = zh.keys().filter(|k| !en.contains_key(*k)).collect();
        missing.extend(en.keys().filter(|k| !zh.contains_key(*k)));
        assert!(missing.is_empty(), "keys in one locale only: {missing:?}");
    }

    #[test]
    fn every_error_code_has_text_in_both_locales() {
        let mut missing = Vec::new();
        let sets = wuye_core::ERROR_CODES
            .iter()
            .chain(crate::error::EDGE_CODES.iter());
        for code in sets.flat_map(|set| set.iter()) {
            for l in [Locale::Zh, Locale::En] {
                if l.get(&format!("err.{code}")).is_none() {
                    missing.push(format!("{}: err.{code}", l.code()));
                }
            }
        }
        assert!(missing.is_empty(), "error codes without text: {missing:?}");
    }

    #[test]
    fn messages_interpolate() {
        let p = [("max", "20")];
        assert_eq!(
            Locale::Zh.field_error("unit_no", "too_long", &p),
            "房号：不能超过 20 个字符"
        );
        assert_eq!(
            Locale::En.field_error("unit_no", "too_long", &p),
            "Unit number: at most 20 characters"
        );
    }
}
