//! The quarter's quality results page (品质季报): per community the last audit's grade, what each
//! position of the reward table gains or loses, the team bonus and the rectifications, with the
//! .xlsx; and the company's reward table, edited in place.

use askama::Template;
use axum::Router;
use axum::extract::{Query, State};
use axum::routing::get;
use wuye_core::quality::model::Grade;
use wuye_core::quality::{
    self, QualityReport, QuarterQuery, RewardPositionInput, RewardTableInput,
};
use wuye_core::shared::money::Money;

use super::super::flash::done;
use super::super::forms::label;
use super::super::{OrPage, PageResult, Shell, form_outcome, page};
use super::pts;
use crate::AppState;
use crate::extract::{ConsoleUser, CsrfForm};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/quality-report", get(show).post(save_rewards))
        .route("/quality-report.xlsx", get(xlsx))
}

/// Blank rows offered below the table's positions, to add some.
const SPARE_ROWS: usize = 2;

#[derive(Template)]
#[template(path = "quality/report.html")]
struct ReportPage {
    s: Shell,
    r: QualityReport,
    spare: Vec<usize>,
}

impl ReportPage {
    fn pts(&self, cp: &i64) -> String {
        pts(cp)
    }
    fn yuan(&self, fen: &i64) -> String {
        Money(*fen).grouped()
    }
    fn grade(&self, v: &Grade) -> &'static str {
        label(Grade::ALL, v, self.s.l)
    }
    /// A field of the table's `k`-th position, named as the service names it.
    fn perr(&self, k: &usize, field: &str) -> String {
        self.s.ferr(&format!("positions[{k}].{field}"))
    }
}

async fn render(st: &AppState, u: &ConsoleUser, s: Shell, q: &QuarterQuery) -> PageResult {
    let r = quality::quality_report(&st.core, &u.ctx, q)
        .await
        .or_page(u)?;
    let n = r.table.positions.len();
    Ok(page(&ReportPage {
        s,
        spare: (n..n + SPARE_ROWS).collect(),
        r,
    }))
}

async fn show(
    State(st): State<AppState>,
    u: ConsoleUser,
    Query(q): Query<QuarterQuery>,
) -> PageResult {
    render(&st, &u, Shell::of(&u), &q).await
}

/// The table's form: `label_{k}`, `penalty_{k}`, `reward_{k}` per row (rows left wholly blank are
/// not sent on), `team_bonus`, and the `quarter` shown.
async fn save_rewards(
    State(st): State<AppState>,
    u: ConsoleUser,
    CsrfForm(f): CsrfForm<Vec<(String, String)>>,
) -> PageResult {
    let get = |k: &str| {
        f.iter()
            .find(|(n, _)| n == k)
            .map(|(_, v)| v.trim().to_string())
            .unwrap_or_default()
    };
    let rows = f.iter().filter(|(n, _)| n.starts_with("label_")).count();
    let positions = (0..rows)
        .map(|k| RewardPositionInput {
            label: get(&format!("label_{k}")),
            penalty: get(&format!("penalty_{k}")),
            reward: get(&format!("reward_{k}")),
        })
        .filter(|p| !(p.label.is_empty() && p.penalty.is_empty() && p.reward.is_empty()))
        .collect();
    let input = RewardTableInput {
        positions,
        team_bonus: get("team_bonus"),
    };
    let q = QuarterQuery {
        quarter: Some(get("quarter")).filter(|s| !s.is_empty()),
    };
    let r = quality::save_reward_table(&st.core, &u.ctx, input).await;
    let back = format!(
        "/quality-report?quarter={}",
        q.quarter.clone().unwrap_or_default()
    );
    form_outcome(
        &u,
        r,
        |_| done(&st, &u, &back, u.locale.t("qa.rewards_saved")),
        |s| render(&st, &u, s, &q),
    )
    .await
}

async fn xlsx(
    State(st): State<AppState>,
    u: ConsoleUser,
    Query(q): Query<QuarterQuery>,
) -> PageResult {
    let (name, bytes) = quality::quality_report_xlsx(&st.core, &u.ctx, &q)
        .await
        .or_page(&u)?;
    Ok(crate::api::import::xlsx(bytes, &name))
}
