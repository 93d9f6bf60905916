//! The owners' committee's pages (业主委员会): the service's published income and expenses of a
//! quarter and the common maintenance fund's account, for each community it oversees. What
//! it reads is what `wuye_core::billing` publishes to anyone who reaches the community; it
//! changes nothing.

use askama::Template;
use axum::Router;
use axum::extract::{Query, State};
use axum::routing::get;
use chrono::{Datelike, NaiveDate, Utc};
use serde::Deserialize;
use wuye_core::billing::{self, FundStatement, Publication};
use wuye_core::registry;
use wuye_core::shared::ids::CommunityId;
use wuye_core::shared::money::Money;
use wuye_core::{CoreError, auth};

use super::{OrPage, PageError, PageResult, Shell, page};
use crate::AppState;
use crate::extract::ConsoleUser;

pub fn router() -> Router<AppState> {
    Router::new().route("/committee", get(accounts_page))
}

#[derive(Template)]
#[template(path = "committee/accounts.html")]
struct AccountsPage {
    s: Shell,
    communities: Vec<(i64, String)>,
    community: i64,
    quarter: String,
    /// The quarters to choose from, newest first: this one and the seven before.
    quarters: Vec<String>,
    publication: Publication,
    fund: FundStatement,
}

impl AccountsPage {
    fn yuan(&self, fen: &i64) -> String {
        Money(*fen).grouped()
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct AccountsQuery {
    community: String,
    quarter: Option<String>,
}

/// `2026-Q4` of a day, and the quarters before it.
fn quarters_to(today: NaiveDate, n: usize) -> Vec<String> {
    let mut q = (today.year() * 4 + (today.month0() / 3) as i32) as i64;
    (0..n)
        .map(|_| {
            let s = format!("{}-Q{}", q.div_euclid(4), q.rem_euclid(4) + 1);
            q -= 1;
            s
        })
        .collect()
}

async fn accounts_page(
    State(st): State<AppState>,
    u: ConsoleUser,
    Query(q): Query<AccountsQuery>,
) -> PageResult {
    // Staff read these in 收费报表; this page is the committee's.
    if u.ctx.role != auth::COMMITTEE_ROLE {
        return Err(PageError::new(&u, CoreError::Forbidden));
    }
    // The communities it oversees, by name (the committee reads no registry).
    let mut communities: Vec<(i64, String)> = Vec::new();
    for id in registry::reachable_communities(&st.core, &u.ctx)
        .await
        .or_page(&u)?
    {
        let c = registry::get_community(&st.core, &u.ctx, id)
            .await
            .or_page(&u)?;
        communities.push((c.id.0, c.name));
    }
    let want = q.community.trim().parse::<i64>().ok();
    let Some(c) = super::forms::chosen_community(&communities, want, u.community) else {
        return Err(PageError::new(&u, CoreError::NotFound("community")));
    };
    let today = Utc::now()
        .with_timezone(&super::forms::default_zone())
        .date_naive();
    let quarters = quarters_to(today, 8);
    let quarter = q
        .quarter
        .filter(|x| !x.trim().is_empty())
        .unwrap_or_else(|| quarters[0].clone());
    let publication = billing::publication(&st.core, &u.ctx, CommunityId(c), &quarter)
        .await
        .or_page(&u)?;
    // The fund's account over the year to the quarter's end.
    let year_start =
        NaiveDate::from_ymd_opt(publication.to.year(), 1, 1).unwrap_or(publication.from);
    let fund =
        billing::fund_statement(&st.core, &u.ctx, CommunityId(c), year_start, publication.to)
            .await
            .or_page(&u)?;
    Ok(page(&AccountsPage {
        s: Shell::of(&u),
        communities,
        community: c,
        quarter,
        quarters,
        publication,
        fund,
    }))
}

#[cfg(test)]
mod tests {
    use super::quarters_to;
    use chrono::NaiveDate;

    #[test]
    fn quarters_count_back_across_years() {
        let d = NaiveDate::from_ymd_opt(2026, 2, 3).unwrap();
        assert_eq!(quarters_to(d, 3), ["2026-Q1", "2025-Q4", "2025-Q3"]);
    }
}
