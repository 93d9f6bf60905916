//! The staff KPIs page (员工绩效): a month's figures and score per person, per team, with the
//! .xlsx; and the scorecards per role (考评表), each edited in place.

use askama::Template;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::routing::{get, post};
use serde::Deserialize;
use wuye_core::kpis::{
    self, CardLineInput, Indicator, KpiQuery, MonthKpis, Scorecard, ScorecardInput, Unit,
};

use super::flash::done;
use super::forms::{Opt, label};
use super::{OrPage, PageResult, Shell, form_outcome, page};
use crate::AppState;
use crate::extract::{ConsoleUser, CsrfForm};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/kpis", get(show))
        .route("/kpis.xlsx", get(xlsx))
        .route("/kpis/cards/{role}", post(save_card))
}

/// A card's row as the form holds it: indicator code, weight, target, as typed.
type Row = (String, String, String);

/// Blank rows offered below a card's lines.
const SPARE: usize = 2;

#[derive(Deserialize, Default)]
#[serde(default)]
struct KpiQ {
    month: String,
    community: String,
}

impl KpiQ {
    fn query(&self) -> KpiQuery {
        KpiQuery {
            month: Some(self.month.trim().to_string()).filter(|s| !s.is_empty()),
            community_id: self
                .community
                .trim()
                .parse()
                .ok()
                .map(wuye_core::shared::ids::CommunityId),
        }
    }
}

#[derive(Template)]
#[template(path = "kpis.html")]
struct KpiPage {
    s: Shell,
    k: MonthKpis,
    cards: Vec<Scorecard>,
    communities: Vec<Opt>,
    community: String,
    indicators: Vec<Opt>,
    /// The role whose card a failed save shows as typed, with what was typed.
    typed: Option<(String, Vec<Row>)>,
    can_edit: bool,
}

impl KpiPage {
    fn pct(&self, r: &Option<f64>) -> String {
        r.map(|x| format!("{:.1}%", x * 100.0))
            .unwrap_or_else(|| "—".into())
    }
    fn num(&self, r: &Option<f64>) -> String {
        r.map(|x| format!("{x:.2}")).unwrap_or_else(|| "—".into())
    }
    fn indicator(&self, i: &Indicator) -> &'static str {
        label(Indicator::ALL, i, self.s.l)
    }
    /// A card's rows as the form shows them: (indicator code, weight, target as typed).
    fn rows(&self, c: &Scorecard) -> Vec<Row> {
        if let Some((role, rows)) = &self.typed
            && *role == c.role
        {
            return rows.clone();
        }
        let mut v: Vec<Row> = c
            .lines
            .iter()
            .map(|l| {
                let t = match l.indicator.unit() {
                    Unit::Rate => format!("{}", (l.target * 1000.0).round() / 10.0),
                    _ => format!("{}", l.target),
                };
                (l.indicator.code().to_string(), l.weight_pct.to_string(), t)
            })
            .collect();
        v.extend((0..SPARE).map(|_| Default::default()));
        v
    }
    fn lerr(&self, k: &usize, f: &str) -> String {
        self.s.ferr(&format!("lines[{k}].{f}"))
    }
}

async fn render(
    st: &AppState,
    u: &ConsoleUser,
    s: Shell,
    q: &KpiQ,
    typed: Option<(String, Vec<Row>)>,
) -> PageResult {
    let query = q.query();
    let (k, cards) = tokio::try_join!(
        kpis::month_kpis(&st.core, &u.ctx, &query),
        kpis::scorecards(&st.core, &u.ctx),
    )
    .or_page(u)?;
    let l = s.l;
    Ok(page(&KpiPage {
        can_edit: u.ctx.has(wuye_core::Perm::UsersManage),
        s,
        k,
        cards,
        communities: super::reports::community_opts(st, u).await,
        community: q.community.trim().to_string(),
        indicators: Indicator::ALL
            .iter()
            .map(|(i, code, ..)| Opt {
                code: code.to_string(),
                label: label(Indicator::ALL, i, l).to_string(),
            })
            .collect(),
        typed,
    }))
}

async fn show(State(st): State<AppState>, u: ConsoleUser, Query(q): Query<KpiQ>) -> PageResult {
    render(&st, &u, Shell::of(&u), &q, None).await
}

async fn xlsx(State(st): State<AppState>, u: ConsoleUser, Query(q): Query<KpiQ>) -> PageResult {
    let (name, bytes) = kpis::month_kpis_xlsx(&st.core, &u.ctx, &q.query())
        .await
        .or_page(&u)?;
    Ok(crate::api::import::xlsx(bytes, &name))
}

/// A card's form: `indicator_{k}`, `weight_{k}`, `target_{k}` per row (rows left wholly blank
/// are dropped), and the `month` shown.
async fn save_card(
    State(st): State<AppState>,
    u: ConsoleUser,
    Path(role): Path<String>,
    CsrfForm(f): CsrfForm<Vec<(String, String)>>,
) -> PageResult {
    let get = |k: &str| {
        f.iter()
            .find(|(n, _)| n == k)
            .map(|(_, v)| v.trim().to_string())
            .unwrap_or_default()
    };
    let n = f
        .iter()
        .filter(|(n, _)| n.starts_with("indicator_"))
        .count();
    let rows: Vec<Row> = (0..n)
        .map(|k| {
            (
                get(&format!("indicator_{k}")),
                get(&format!("weight_{k}")),
                get(&format!("target_{k}")),
            )
        })
        .filter(|(i, w, t)| !(i.is_empty() && w.is_empty() && t.is_empty()))
        .collect();
    let input = ScorecardInput {
        lines: rows
            .iter()
            .map(|(i, w, t)| CardLineInput {
                indicator: i.clone(),
                weight_pct: w.parse().unwrap_or(0),
                target: t.clone(),
            })
            .collect(),
    };
    let q = KpiQ {
        month: get("month"),
        community: String::new(),
    };
    let r = kpis::save_scorecard(&st.core, &u.ctx, &role, input).await;
    let back = format!("/kpis?month={}#card-{role}", q.month);
    form_outcome(
        &u,
        r,
        |_| done(&st, &u, &back, u.locale.t("kp.card_saved")),
        |s| render(&st, &u, s, &q, Some((role.clone(), rows))),
    )
    .await
}
