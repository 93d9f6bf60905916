//! Decoration pages (二次装修): the desk's list with its filter, the form that records an owner's
//! application and, for a manager, the community's defaults ([`self`]); a decoration's page with
//! every step of it ([`one`]); the owner's applications in the portal ([`portal`]).

use askama::Template;
use axum::Router;
use axum::extract::{Query, State};
use axum::routing::{get, post};
use chrono::NaiveDate;
use serde::Deserialize;
use wuye_core::decoration::model::DecorationState;
use wuye_core::decoration::{
    self as dec, Decoration, DecorationFilter, DecorationForCreate, DecorationSettingsForSave,
    DecorationWorks, WorkerForCreate,
};
use wuye_core::shared::ids::*;
use wuye_core::shared::money::Money;
use wuye_core::{CoreError, FieldError, Perm};

use super::duty::community_of;
use super::flash::done;
use super::forms::{Opt, label, opts};
use super::{PageResult, Shell, form_outcome, page};
use crate::AppState;
use crate::extract::{ConsoleUser, CsrfForm};

mod one;
mod portal;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/decorations", get(list).post(apply))
        .route("/decoration-settings", post(save_settings))
        .merge(one::router())
        .merge(portal::router())
}

/// A decoration as the lists show it.
pub struct Row {
    pub id: i64,
    pub number: String,
    pub unit: String,
    pub applicant: String,
    pub contractor: String,
    pub period: String,
    pub state: &'static str,
    pub state_code: &'static str,
    pub open_violations: usize,
}

pub fn row(d: &Decoration, l: crate::locale::Locale) -> Row {
    Row {
        id: d.id.0,
        number: d.number.clone(),
        unit: d.unit_label.clone(),
        applicant: d.applicant_name.clone(),
        contractor: d.contractor.clone(),
        period: format!("{} – {}", d.starts_on, d.ends_on),
        state: label(DecorationState::ALL, &d.state, l),
        state_code: d.state.code(),
        open_violations: d
            .violations
            .iter()
            .filter(|v| v.rectified_at.is_none())
            .count(),
    }
}

pub fn yuan(fen: i64) -> String {
    Money(fen).to_string()
}

/// The works as both application forms take them; workers one per line: 姓名 [工种] [电话].
#[derive(Deserialize, Default, Clone)]
#[serde(default)]
pub struct WorksForm {
    pub contractor: String,
    pub contractor_licence: String,
    pub foreman: String,
    pub foreman_phone: String,
    pub scope: String,
    pub starts_on: String,
    pub ends_on: String,
    pub workers: String,
    pub fire_letter_signed: String,
}

fn some(s: &str) -> Option<String> {
    Some(s.trim().to_string()).filter(|s| !s.is_empty())
}

impl WorksForm {
    /// The works, or the fields the form could not read (dates), named.
    pub fn works(&self) -> Result<DecorationWorks, CoreError> {
        let mut errs = Vec::new();
        let mut day =
            |field: &str, raw: &str| match NaiveDate::parse_from_str(raw.trim(), "%Y-%m-%d") {
                Ok(d) => d,
                Err(_) => {
                    errs.push(FieldError::new(
                        field,
                        wuye_core::shared::error::CommonCode::InvalidDate,
                    ));
                    NaiveDate::MIN
                }
            };
        let starts_on = day("starts_on", &self.starts_on);
        let ends_on = day("ends_on", &self.ends_on);
        if !errs.is_empty() {
            return Err(CoreError::Invalid(errs));
        }
        let workers = self
            .workers
            .lines()
            .filter(|l| !l.trim().is_empty())
            .map(|l| {
                let mut w = WorkerForCreate::default();
                for (i, part) in l.split_whitespace().enumerate() {
                    if i == 0 {
                        w.name = part.into();
                    } else if part
                        .chars()
                        .all(|c| c.is_ascii_digit() || c == '-' || c == '+')
                    {
                        w.phone = Some(part.into());
                    } else {
                        w.trade = Some(part.into());
                    }
                }
                w
            })
            .collect();
        Ok(DecorationWorks {
            contractor: self.contractor.clone(),
            contractor_licence: some(&self.contractor_licence),
            foreman: self.foreman.clone(),
            foreman_phone: some(&self.foreman_phone),
            scope: self.scope.clone(),
            starts_on,
            ends_on,
            workers,
            fire_letter_signed: !self.fire_letter_signed.is_empty(),
        })
    }
}

#[derive(Template)]
#[template(path = "decoration/decorations.html")]
struct ListPage {
    s: Shell,
    communities: Vec<(i64, String)>,
    community: i64,
    q: ListQ,
    states: Vec<Opt>,
    rows: Vec<Row>,
    f: ApplyForm,
    w: WorksForm,
    can_manage: bool,
    set: SettingsForm,
}

#[derive(Deserialize, Default, Clone)]
#[serde(default)]
struct ListQ {
    community: Option<String>,
    /// A state, `live` (default) or `all`.
    state: String,
}

#[derive(Deserialize, Default, Clone)]
#[serde(default)]
struct ApplyForm {
    community: i64,
    unit_label: String,
    applicant_name: String,
    #[serde(flatten)]
    w: WorksForm,
}

#[derive(Deserialize, Default, Clone)]
#[serde(default)]
struct SettingsForm {
    community: i64,
    deposit: String,
    management_fee_per_m2: String,
    rubbish_fee: String,
    work_hours: String,
    max_days: String,
}

async fn render_list(
    st: &AppState,
    u: &ConsoleUser,
    s: Shell,
    q: ListQ,
    f: Option<ApplyForm>,
    set: Option<SettingsForm>,
) -> PageResult {
    let (communities, c) = community_of(st, u, q.community.as_deref()).await?;
    let state = match q.state.as_str() {
        "" => Some("live".to_string()),
        "all" => None,
        x => Some(x.to_string()),
    };
    let rows =
        match dec::list_decorations(&st.core, &u.ctx, CommunityId(c), DecorationFilter { state })
            .await
        {
            Ok(v) => v.iter().map(|d| row(d, u.locale)).collect(),
            Err(CoreError::Invalid(_)) => Vec::new(),
            Err(e) => return Err(super::PageError::new(u, e)),
        };
    let cur = dec::decoration_settings(&st.core, &u.ctx, CommunityId(c))
        .await
        .map_err(|e| super::PageError::new(u, e))?;
    let set = set.unwrap_or_else(|| SettingsForm {
        community: c,
        deposit: yuan(cur.deposit_fen),
        management_fee_per_m2: yuan(cur.management_fee_per_m2_fen),
        rubbish_fee: yuan(cur.rubbish_fee_fen),
        work_hours: cur.work_hours.clone(),
        max_days: cur.max_days.to_string(),
    });
    let f = f.unwrap_or(ApplyForm {
        community: c,
        ..Default::default()
    });
    Ok(page(&ListPage {
        s,
        communities,
        community: c,
        q,
        states: opts(DecorationState::ALL, u.locale),
        rows,
        w: f.w.clone(),
        f,
        can_manage: u
            .ctx
            .require_in(Perm::FrontdeskManage, CommunityId(c))
            .is_ok(),
        set,
    }))
}

async fn list(State(st): State<AppState>, u: ConsoleUser, Query(q): Query<ListQ>) -> PageResult {
    render_list(&st, &u, Shell::of(&u), q, None, None).await
}

fn back_to(c: i64) -> ListQ {
    ListQ {
        community: Some(c.to_string()),
        state: String::new(),
    }
}

async fn apply(
    State(st): State<AppState>,
    u: ConsoleUser,
    CsrfForm(f): CsrfForm<ApplyForm>,
) -> PageResult {
    let c = f.community;
    let r = match f.w.works() {
        Ok(works) => {
            let input = DecorationForCreate {
                unit_id: None,
                unit_label: some(&f.unit_label),
                applicant_id: None,
                applicant_name: some(&f.applicant_name),
                works,
            };
            dec::apply_decoration(&st.core, &u.ctx, CommunityId(c), input).await
        }
        Err(e) => Err(e),
    };
    form_outcome(
        &u,
        r,
        |d| {
            let msg = u.locale.t("dec.applied").replace("{number}", &d.number);
            done(&st, &u, &format!("/decorations/{}", d.id), msg)
        },
        |s| render_list(&st, &u, s, back_to(c), Some(f.clone()), None),
    )
    .await
}

async fn save_settings(
    State(st): State<AppState>,
    u: ConsoleUser,
    CsrfForm(f): CsrfForm<SettingsForm>,
) -> PageResult {
    let c = f.community;
    let input = DecorationSettingsForSave {
        deposit: f.deposit.clone(),
        management_fee_per_m2: f.management_fee_per_m2.clone(),
        rubbish_fee: f.rubbish_fee.clone(),
        work_hours: f.work_hours.clone(),
        max_days: f.max_days.trim().parse().unwrap_or(0),
    };
    let r = dec::save_decoration_settings(&st.core, &u.ctx, CommunityId(c), input).await;
    form_outcome(
        &u,
        r,
        |_| {
            done(
                &st,
                &u,
                &format!("/decorations?community={c}"),
                u.locale.t("dec.settings_saved"),
            )
        },
        |s| render_list(&st, &u, s, back_to(c), None, Some(f.clone())),
    )
    .await
}
