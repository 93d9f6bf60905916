//! A record's change history in words: which fields a page shows, how a stored value reads,
//! and the names behind ids. Shared by the unit, vehicle and parking-space pages.

use super::*;

/// One change of a record: when (in the community's time zone), who, what, and what it changed
/// in words.
pub struct HistoryRow {
    pub at: String,
    pub actor: String,
    pub action: &'static str,
    pub lines: Vec<String>,
}

/// How a recorded value reads.
#[derive(Clone, Copy, PartialEq)]
pub(super) enum Shown {
    Plain,
    UnitUse,
    UnitState,
    SpaceState,
    /// A record id, shown as "#12".
    Id,
}

/// A field of a record as its history shows it: its key in the recorded JSON, the locale key of
/// its label, how its value reads, and whether it is one of the key facts of a created record.
pub(super) struct Field {
    pub(super) key: &'static str,
    pub(super) label: &'static str,
    pub(super) shown: Shown,
    pub(super) fact: bool,
}

pub(super) const fn field(
    key: &'static str,
    label: &'static str,
    shown: Shown,
    fact: bool,
) -> Field {
    Field {
        key,
        label,
        shown,
        fact,
    }
}

/// The fields a unit's history shows. The keeper is shown by name (the id says nothing to a
/// reader); ids, times and the community are left out.
pub(super) const UNIT_FIELDS: &[Field] = &[
    field("building_name", "field.building", Shown::Plain, true),
    field("unit_no", "field.unit_no", Shown::Plain, true),
    field("floor", "field.floor", Shown::Plain, true),
    field("building_area", "field.building_area", Shown::Plain, true),
    field("inner_area", "field.inner_area", Shown::Plain, false),
    field("use_kind", "field.use_kind", Shown::UnitUse, true),
    field("state", "field.state", Shown::UnitState, true),
    field("keeper_name", "field.keeper_user_id", Shown::Plain, false),
    field("note", "field.note", Shown::Plain, false),
];

pub(super) const VEHICLE_FIELDS: &[Field] = &[
    field("plate", "field.plate", Shown::Plain, true),
    field("brand", "field.brand", Shown::Plain, true),
    field("color", "field.color", Shown::Plain, true),
    field("person_name", "reg.vehicle_owner", Shown::Plain, true),
    field("unit_id", "field.unit_id", Shown::Id, true),
    field("space_code", "field.space_id", Shown::Plain, true),
];

pub(super) const SPACE_FIELDS: &[Field] = &[
    field("code", "field.code", Shown::Plain, true),
    field("state", "field.state", Shown::SpaceState, true),
    field("unit_id", "field.unit_id", Shown::Id, true),
    field("holder_name", "reg.space_holder", Shown::Plain, true),
    field("note", "field.note", Shown::Plain, true),
];

/// A recorded value in words: codes as their labels, nothing as "—".
pub(super) fn shown(how: Shown, v: &Value, l: Locale) -> String {
    let keyed = |prefix: &str, code: &str| {
        l.get(&format!("{prefix}.{code}"))
            .map_or_else(|| code.to_string(), str::to_string)
    };
    match v {
        Value::Null => "—".to_string(),
        Value::String(t) if t.is_empty() => "—".to_string(),
        Value::String(t) => match how {
            Shown::UnitUse => keyed("unit_use", t),
            Shown::UnitState => keyed("unit_state", t),
            Shown::SpaceState => label_code(SpaceState::ALL, t, l),
            Shown::Plain | Shown::Id => t.clone(),
        },
        Value::Number(n) if how == Shown::Id => format!("#{n}"),
        Value::Number(n) => n.to_string(),
        other => other.to_string(),
    }
}

/// "建筑面积：89.50" / "Building area: 89.50".
pub(super) fn labelled(l: Locale, label: &str, value: &str) -> String {
    match l {
        Locale::Zh => format!("{label}：{value}"),
        Locale::En => format!("{label}: {value}"),
    }
}

/// The relation of a link entry ("owner", or the Chinese label a spreadsheet gave) in words.
pub(super) fn relation_words(v: Option<&Value>, l: Locale) -> &'static str {
    v.and_then(Value::as_str)
        .and_then(|r| Relation::parse("relation", r).ok())
        .map_or_else(|| l.t("reg.people"), |r| label(Relation::ALL, &r, l))
}

/// Keys that change with every write and say nothing to a reader.
pub(super) const NOISE: [&str; 2] = ["created_at", "updated_at"];

/// What one audit entry did, in lines a reader understands: of an update only the fields that
/// changed ("建筑面积：89.50 → 90.25", codes as labels), of a created or deleted record its key
/// facts, of a person linked to or removed from a unit "添加业主 张三" / "移除租户 李四".
/// `names` names the people an entry knows only by id. An entry of another shape is shown as
/// its JSON, so nothing recorded is hidden.
pub(super) fn change_lines(
    fields: &[Field],
    before: Option<&Value>,
    after: Option<&Value>,
    l: Locale,
    names: &HashMap<i64, String>,
) -> Vec<String> {
    if let Some(a) = after {
        if let Some(name) = a.get("person_added") {
            let who = name.as_str().unwrap_or_default();
            return vec![l.tf(
                "reg.history_person_added",
                &[
                    ("relation", relation_words(a.get("relation"), l)),
                    ("name", who),
                ],
            )];
        }
        if let (Some(_), Some(day)) = (a.get("inspection_id"), a.get("inspected_on")) {
            return vec![l.tf(
                "reg.history_inspection",
                &[("date", shown(Shown::Plain, day, l))],
            )];
        }
    }
    if let Some(id) = before.and_then(|b| b.get("person_removed")) {
        let who = id
            .as_i64()
            .and_then(|i| names.get(&i).cloned())
            .unwrap_or_else(|| shown(Shown::Id, id, l));
        let relation = relation_words(before.and_then(|b| b.get("relation")), l);
        return vec![l.tf(
            "reg.history_person_removed",
            &[("relation", relation), ("name", who.as_str())],
        )];
    }
    let lines: Vec<String> = match (before, after) {
        (Some(Value::Object(b)), Some(Value::Object(a))) => fields
            .iter()
            .filter_map(|f| {
                let (x, y) = (
                    b.get(f.key).unwrap_or(&Value::Null),
                    a.get(f.key).unwrap_or(&Value::Null),
                );
                (shown(f.shown, x, l) != shown(f.shown, y, l)).then(|| {
                    let change = format!("{} → {}", shown(f.shown, x, l), shown(f.shown, y, l));
                    labelled(l, l.t(f.label), &change)
                })
            })
            .collect(),
        (None, Some(Value::Object(m))) | (Some(Value::Object(m)), None) => fields
            .iter()
            .filter(|f| f.fact)
            .filter_map(|f| {
                let v = m.get(f.key).filter(|v| !v.is_null())?;
                Some(labelled(l, l.t(f.label), &shown(f.shown, v, l)))
            })
            .collect(),
        _ => Vec::new(),
    };
    if !lines.is_empty() {
        return lines;
    }
    // Nothing the field list knows: the raw record, without the timestamps.
    let raw = |v: Option<&Value>| match v {
        Some(Value::Object(m)) => {
            let quiet: Map<String, Value> = m
                .iter()
                .filter(|(k, _)| !NOISE.contains(&k.as_str()))
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect();
            (!quiet.is_empty()).then(|| Value::Object(quiet).to_string())
        }
        Some(Value::Null) | None => None,
        Some(v) => Some(v.to_string()),
    };
    match (before, after) {
        // An update that changed nothing shown (e.g. a keeper replaced by a namesake).
        (Some(Value::Object(_)), Some(Value::Object(_))) => Vec::new(),
        (b, a) => raw(b).into_iter().chain(raw(a)).collect(),
    }
}

/// The fields of any record for the audit log: the known lists of the registry's pages, else
/// every key of the entry (labelled from the locale's `field.*` where it has one).
pub(in crate::console) fn audit_lines(
    entity: &str,
    before: Option<&Value>,
    after: Option<&Value>,
    l: Locale,
) -> Vec<String> {
    let known = match entity {
        "unit" => Some(UNIT_FIELDS),
        "vehicle" => Some(VEHICLE_FIELDS),
        "parking_space" => Some(SPACE_FIELDS),
        _ => None,
    };
    if let Some(fields) = known {
        return change_lines(fields, before, after, l, &HashMap::new());
    }
    let label = |k: &str| {
        l.get(&format!("field.{k}"))
            .map_or_else(|| k.to_string(), str::to_string)
    };
    let plain = |v: &Value| shown(Shown::Plain, v, l);
    match (before, after) {
        (Some(Value::Object(b)), Some(Value::Object(a))) => {
            let mut keys: Vec<&String> = b.keys().chain(a.keys()).collect();
            keys.sort();
            keys.dedup();
            keys.into_iter()
                .filter(|k| !NOISE.contains(&k.as_str()))
                .filter_map(|k| {
                    let (x, y) = (
                        b.get(k).unwrap_or(&Value::Null),
                        a.get(k).unwrap_or(&Value::Null),
                    );
                    (x != y)
                        .then(|| labelled(l, &label(k), &format!("{} → {}", plain(x), plain(y))))
                })
                .collect()
        }
        (None, Some(Value::Object(m))) | (Some(Value::Object(m)), None) => m
            .iter()
            .filter(|(k, v)| {
                !NOISE.contains(&k.as_str()) && !v.is_null() && !v.is_object() && !v.is_array()
            })
            .take(12)
            .map(|(k, v)| labelled(l, &label(k), &plain(v)))
            .collect(),
        (b, a) => b.into_iter().chain(a).map(Value::to_string).collect(),
    }
}

pub(super) fn parse_json(s: &Option<String>) -> Option<Value> {
    s.as_deref()
        .and_then(|t| serde_json::from_str::<Value>(t).ok())
}

pub(super) fn history_rows(
    h: &[AuditRecord],
    fields: &[Field],
    tz: Tz,
    l: Locale,
    names: &HashMap<i64, String>,
) -> Vec<HistoryRow> {
    h.iter()
        .map(|r| {
            let (before, after) = (parse_json(&r.before_json), parse_json(&r.after_json));
            HistoryRow {
                at: local_time(r.at, tz),
                actor: crate::console::forms::actor_words(&r.actor_name, l),
                action: l.t(&format!("history.{}", r.action)),
                lines: change_lines(fields, before.as_ref(), after.as_ref(), l, names),
            }
        })
        .collect()
}

/// Names of the people a unit's history mentions: those linked now, those it added, and, for
/// anyone removed since, their record if it still exists ("#id" otherwise).
pub(super) async fn history_names(
    st: &AppState,
    u: &ConsoleUser,
    h: &[AuditRecord],
    linked: &[registry::UnitPerson],
) -> HashMap<i64, String> {
    let mut names: HashMap<i64, String> = linked
        .iter()
        .map(|p| (p.person.id.0, p.person.name.clone()))
        .collect();
    let mut removed = Vec::new();
    for r in h {
        if let Some(a) = parse_json(&r.after_json)
            && let (Some(id), Some(name)) = (
                a.get("person_id").and_then(Value::as_i64),
                a.get("person_added").and_then(Value::as_str),
            )
        {
            names.entry(id).or_insert_with(|| name.to_string());
        }
        if let Some(id) =
            parse_json(&r.before_json).and_then(|b| b.get("person_removed").and_then(Value::as_i64))
        {
            removed.push(id);
        }
    }
    // A history holds at most 200 entries; look up only the few names still missing.
    for id in removed.into_iter().take(50) {
        if names.contains_key(&id) {
            continue;
        }
        if let Ok(p) = registry::get_person(&st.core, &u.ctx, PersonId(id)).await {
            names.insert(id, p.name);
        }
    }
    names
}
