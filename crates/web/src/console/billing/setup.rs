//! The manager's fee setup (settings, fee items, charge standards), bill runs, and the
//! published fee schedule that shows the same standards to everyone.

use super::*;
use crate::console::forms::CommonCode;

// The manager's setup page

#[derive(Template)]
#[template(path = "billing/setup.html")]
pub(super) struct SetupPage {
    pub(super) s: Shell,
    pub(super) communities: Vec<(i64, String)>,
    pub(super) community: i64,
    pub(super) settings: BillingSettings,
    pub(super) items: Vec<FeeItem>,
    pub(super) standards: Vec<Standard>,
    pub(super) runs: Vec<BillRun>,
    pub(super) pending: usize,
    pub(super) preview: Option<RunPreview>,
    pub(super) period: String,
    pub(super) kinds: Vec<(&'static str, &'static str)>,
    pub(super) methods: Vec<(&'static str, &'static str)>,
    pub(super) cycles: Vec<(&'static str, &'static str)>,
    pub(super) roundings: Vec<(&'static str, &'static str)>,
    pub(super) tz: chrono_tz::Tz,
}

impl SetupPage {
    /// A moment as the community's wall clock shows it.
    fn at(&self, t: &chrono::DateTime<chrono::Utc>) -> String {
        crate::console::forms::local_time(*t, self.tz)
    }
    fn item_name(&self, id: &i64) -> String {
        self.items
            .iter()
            .find(|i| i.id == *id)
            .map(|i| i.name.clone())
            .unwrap_or_default()
    }
    fn label<'a>(list: &'a [(&'static str, &'static str)], code: &'a str) -> &'a str {
        list.iter().find(|(c, _)| *c == code).map_or(code, |x| x.1)
    }
    fn kind_label(&self, code: &str) -> String {
        Self::label(&self.kinds, code).to_string()
    }
    fn method_label(&self, code: &str) -> String {
        Self::label(&self.methods, code).to_string()
    }
    fn cycle_label(&self, code: &str) -> String {
        Self::label(&self.cycles, code).to_string()
    }
    fn rate(&self, ppm: &i64) -> String {
        rate_pct(*ppm)
    }
    fn price(&self, e4: &i64) -> String {
        Price(*e4).to_string()
    }
    /// A stored comma-separated restriction as its values.
    fn list<'a>(&self, csv: &'a str) -> Vec<&'a str> {
        csv.split(',')
            .map(str::trim)
            .filter(|x| !x.is_empty())
            .collect()
    }
}

pub(super) fn labels<T>(
    all: &[(T, &'static str, &'static str, &'static str)],
    l: crate::locale::Locale,
) -> Vec<(&'static str, &'static str)> {
    all.iter()
        .map(|(_, c, zh, en)| {
            (
                *c,
                if l == crate::locale::Locale::En {
                    *en
                } else {
                    *zh
                },
            )
        })
        .collect()
}

pub(super) async fn render_setup(
    st: &AppState,
    u: &ConsoleUser,
    want: Option<i64>,
    period: Option<String>,
    err: Option<CoreError>,
) -> PageResult {
    if !u.ctx.has(Perm::BillingManage) {
        return Err(PageError::new(u, CoreError::Forbidden));
    }
    let (communities, c) = pick(st, u, want).await.or_page(u)?;
    let tz = zone(st, u, c).await;
    let core = &st.core;
    let loaded = async {
        Ok::<_, CoreError>((
            billing::settings(core, &u.ctx, c).await?,
            billing::list_fee_items(core, &u.ctx, c).await?,
            billing::list_standards(core, &u.ctx, c).await?,
            billing::list_runs(core, &u.ctx, c).await?,
            wuye_core::tickets::pending_charges(core, &u.ctx, c)
                .await
                .map(|p| p.len())
                .unwrap_or(0),
        ))
    }
    .await;
    let (settings, items, standards, runs, pending) = loaded.or_page(u)?;
    let mut preview = None;
    let mut err = err;
    if let Some(p) = period.as_ref().filter(|p| !p.trim().is_empty()) {
        match billing::preview(
            core,
            &u.ctx,
            BillRunForCreate {
                community_id: c,
                period: p.clone(),
            },
        )
        .await
        {
            Ok(v) => preview = Some(v),
            Err(e) => err = Some(e),
        }
    }
    let (s, status) = match &err {
        Some(e) => (Shell::of(u).with_error(e), status_of(e, u.locale)),
        None => (Shell::of(u), axum::http::StatusCode::OK),
    };
    let l = u.locale;
    let mut r = page(&SetupPage {
        s,
        communities,
        community: c.0,
        settings,
        items,
        standards,
        runs,
        pending,
        preview,
        period: period.unwrap_or_default(),
        kinds: labels(FeeKind::ALL, l),
        methods: labels(Method::ALL, l),
        cycles: labels(Cycle::ALL, l),
        roundings: labels(Rounding::ALL, l),
        tz,
    });
    *r.status_mut() = status;
    Ok(r)
}

pub(super) async fn setup_page(
    State(st): State<AppState>,
    u: ConsoleUser,
    Query(q): Query<CommunityQuery>,
) -> PageResult {
    render_setup(&st, &u, q.community, q.period, None).await
}

/// Back to the community's billing setup, saying what was done; a form's error shows on it.
pub(super) async fn after(
    st: &AppState,
    u: &ConsoleUser,
    c: i64,
    r: Result<String, CoreError>,
) -> PageResult {
    match r {
        Ok(msg) => Ok(done(st, u, &format!("/billing?community={c}"), msg)),
        Err(e @ (CoreError::Invalid(_) | CoreError::Conflict(_))) => {
            render_setup(st, u, Some(c), None, Some(e)).await
        }
        Err(e) => Err(PageError::new(u, e)),
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub(super) struct SettingsForm {
    pub(super) community_id: i64,
    pub(super) prepaid_enabled: Option<String>,
    pub(super) meter_jump_factor: String,
    pub(super) release_blocks_arrears: Option<String>,
}

pub(super) async fn save_settings(
    State(st): State<AppState>,
    u: ConsoleUser,
    CsrfForm(f): CsrfForm<SettingsForm>,
) -> PageResult {
    let r = billing::save_settings(
        &st.core,
        &u.ctx,
        CommunityId(f.community_id),
        BillingSettings {
            prepaid_enabled: f.prepaid_enabled.is_some(),
            meter_jump_factor: f.meter_jump_factor.trim().parse().unwrap_or(0),
            release_blocks_arrears: f.release_blocks_arrears.is_some(),
        },
    )
    .await
    .map(|_| u.locale.t("flash.settings_saved").to_string());
    after(&st, &u, f.community_id, r).await
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub(super) struct ItemForm {
    pub(super) community_id: i64,
    pub(super) code: String,
    pub(super) name: String,
    pub(super) kind: String,
    pub(super) late_fee_rate: String,
    pub(super) late_fee_grace_days: String,
    pub(super) late_fee_cap_pct: String,
    pub(super) active: Option<String>,
}

pub(super) fn opt_int(field: &str, raw: &str, errs: &mut Vec<FieldError>) -> Option<i64> {
    let s = raw.trim();
    if s.is_empty() {
        return None;
    }
    match s.parse() {
        Ok(v) => Some(v),
        Err(_) => {
            errs.push(FieldError::new(field, CommonCode::NotANumber));
            None
        }
    }
}

pub(super) async fn save_item(
    State(st): State<AppState>,
    u: ConsoleUser,
    CsrfForm(f): CsrfForm<ItemForm>,
) -> PageResult {
    let mut errs = Vec::new();
    let grace = opt_int("late_fee_grace_days", &f.late_fee_grace_days, &mut errs);
    let cap = opt_int("late_fee_cap_pct", &f.late_fee_cap_pct, &mut errs);
    let r = if errs.is_empty() {
        billing::save_fee_item(
            &st.core,
            &u.ctx,
            FeeItemForSave {
                community_id: CommunityId(f.community_id),
                code: f.code,
                name: f.name,
                kind: f.kind,
                late_fee_rate: Some(f.late_fee_rate),
                late_fee_grace_days: grace,
                late_fee_cap_pct: cap,
                active: Some(f.active.is_some()),
            },
        )
        .await
        .map(|i| u.locale.tf("flash.fee_item_saved", &[("name", &i.name)]))
    } else {
        Err(CoreError::Invalid(errs))
    };
    after(&st, &u, f.community_id, r).await
}

pub(super) async fn save_standard(
    State(st): State<AppState>,
    u: ConsoleUser,
    CsrfBody(body): CsrfBody,
) -> PageResult {
    let pairs: Vec<(String, String)> = serde_urlencoded::from_str(&body).unwrap_or_default();
    let get = |k: &str| field(&pairs, k);
    let all = |k: &str| -> Vec<String> {
        pairs
            .iter()
            .filter(|(n, v)| n == k && !v.is_empty())
            .map(|(_, v)| v.clone())
            .collect()
    };
    let c: i64 = get("community_id").parse().unwrap_or(0);
    let mut errs = Vec::new();
    let fee_item_id = opt_int("fee_item_id", &get("fee_item_id"), &mut errs).unwrap_or(0);
    let due_day = opt_int("due_day", &get("due_day"), &mut errs);
    let start = opt_int("cycle_start_month", &get("cycle_start_month"), &mut errs);
    let vacant = opt_int("vacant_pct", &get("vacant_pct"), &mut errs);
    let id = get("id").parse::<i64>().ok();
    let r = if errs.is_empty() {
        billing::save_standard(
            &st.core,
            &u.ctx,
            id,
            StandardForSave {
                community_id: CommunityId(c),
                fee_item_id,
                name: get("name"),
                method: get("method"),
                price: get("price"),
                tiers: Some(get("tiers")),
                cycle: Some(get("cycle")),
                cycle_start_month: start,
                due_day,
                rounding: Some(get("rounding")),
                // An edit sends the restrictions it keeps (hidden fields): none = every one.
                building_ids: all("building_ids")
                    .iter()
                    .filter_map(|b| b.trim().parse().ok())
                    .collect(),
                use_kinds: all("use_kinds"),
                unit_states: all("unit_states"),
                space_states: all("space_states"),
                vacant_pct: vacant,
                active: Some(pairs.iter().any(|(k, _)| k == "active")),
            },
        )
        .await
        .map(|x| u.locale.tf("flash.standard_saved", &[("name", &x.name)]))
    } else {
        Err(CoreError::Invalid(errs))
    };
    after(&st, &u, c, r).await
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub(super) struct RunForm {
    pub(super) community_id: i64,
    pub(super) period: String,
}

pub(super) async fn post_run(
    State(st): State<AppState>,
    u: ConsoleUser,
    CsrfForm(f): CsrfForm<RunForm>,
) -> PageResult {
    let r = billing::post(
        &st.core,
        &u.ctx,
        BillRunForCreate {
            community_id: CommunityId(f.community_id),
            period: f.period,
        },
    )
    .await
    .map(|r| {
        u.locale.tf(
            "flash.run_posted",
            &[
                ("period", r.period),
                ("charges", r.charges.to_string()),
                ("total", Money(r.total_fen).grouped()),
            ],
        )
    });
    after(&st, &u, f.community_id, r).await
}

pub(super) async fn post_pending(
    State(st): State<AppState>,
    u: ConsoleUser,
    CsrfForm(f): CsrfForm<RunForm>,
) -> PageResult {
    let r = billing::post_pending(&st.core, &u.ctx, CommunityId(f.community_id))
        .await
        .map(|n| u.locale.tf("flash.pending_posted", &[("n", n.to_string())]));
    after(&st, &u, f.community_id, r).await
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub(super) struct AccrueForm {
    pub(super) community_id: i64,
    /// `YYYY-MM-DD`; empty for today.
    pub(super) as_of: String,
}

/// A manager's run of the late-fee accrual as of a date (the same core service as the API's).
pub(super) async fn accrue_late_fees(
    State(st): State<AppState>,
    u: ConsoleUser,
    CsrfForm(f): CsrfForm<AccrueForm>,
) -> PageResult {
    let as_of = match f.as_of.trim() {
        "" => Ok(None),
        d => chrono::NaiveDate::parse_from_str(d, "%Y-%m-%d")
            .map(Some)
            .map_err(|_| CoreError::invalid("as_of", CommonCode::InvalidDate)),
    };
    let r = match as_of {
        Ok(d) => billing::accrue_as_of(&st.core, &u.ctx, CommunityId(f.community_id), d)
            .await
            .map(|n| {
                u.locale
                    .tf("flash.late_fees_accrued", &[("n", n.to_string())])
            }),
        Err(e) => Err(e),
    };
    after(&st, &u, f.community_id, r).await
}

// ---------------------------------------------------------------------------------------------
// The published schedule

#[derive(Template)]
#[template(path = "billing/schedule.html")]
pub(super) struct SchedulePage {
    pub(super) s: Shell,
    pub(super) community: String,
    pub(super) lines: Vec<ScheduleLine>,
}

pub(super) async fn schedule_page(
    State(st): State<AppState>,
    u: ConsoleUser,
    Query(q): Query<CommunityQuery>,
) -> PageResult {
    let (list, c) = pick(&st, &u, q.community).await.or_page(&u)?;
    let lines = billing::schedule(&st.core, &u.ctx, c).await.or_page(&u)?;
    Ok(page(&SchedulePage {
        s: Shell::of(&u),
        community: list
            .into_iter()
            .find(|x| x.0 == c.0)
            .map(|x| x.1)
            .unwrap_or_default(),
        lines,
    }))
}
