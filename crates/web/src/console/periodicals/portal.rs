//! The resident's newspapers and magazines in the portal (我的报刊): the titles the centre takes
//! orders for, the form that subscribes one of his units, and his subscriptions with what is
//! still to pay and the issues handed out.

use askama::Template;
use axum::Router;
use axum::extract::State;
use axum::routing::get;
use serde::Deserialize;
use wuye_core::periodicals::model::{DeliveryState, PeriodicalFrequency};
use wuye_core::periodicals::{self, MyPeriodicals, MySubscriptionForCreate};
use wuye_core::shared::ids::*;
use wuye_core::shared::money::Money;

use super::super::flash::done;
use super::super::forms::label;
use super::super::{OrPage, PageResult, Shell, form_outcome, page};
use super::form_int;
use crate::AppState;
use crate::extract::{ConsoleUser, CsrfForm};

pub fn router() -> Router<AppState> {
    Router::new().route("/portal/periodicals", get(mine).post(subscribe))
}

#[derive(Template)]
#[template(path = "portal/periodicals.html")]
struct MinePage {
    s: Shell,
    units: Vec<(i64, String)>,
    p: MyPeriodicals,
    f: SubscribeForm,
}

impl MinePage {
    fn yuan(&self, fen: &i64) -> String {
        Money(*fen).to_string()
    }
    fn frequency(&self, v: &PeriodicalFrequency) -> &'static str {
        label(PeriodicalFrequency::ALL, v, self.s.l)
    }
    fn delivery(&self, v: &DeliveryState) -> &'static str {
        label(DeliveryState::ALL, v, self.s.l)
    }
}

#[derive(Deserialize, Default, Clone)]
#[serde(default)]
struct SubscribeForm {
    periodical_id: i64,
    unit_id: i64,
    first_month: String,
    months: String,
    copies: String,
}

async fn render(st: &AppState, u: &ConsoleUser, s: Shell, f: Option<SubscribeForm>) -> PageResult {
    let me = wuye_core::portal::profile(&st.core, &u.ctx)
        .await
        .or_page(u)?;
    let p = periodicals::my_periodicals(&st.core, &u.ctx)
        .await
        .or_page(u)?;
    let f = f.unwrap_or(SubscribeForm {
        first_month: p.this_month.clone(),
        months: "12".into(),
        copies: "1".into(),
        ..Default::default()
    });
    Ok(page(&MinePage {
        s,
        units: me
            .units
            .iter()
            .map(|x| (x.unit_id.0, x.label.clone()))
            .collect(),
        p,
        f,
    }))
}

async fn mine(State(st): State<AppState>, u: ConsoleUser) -> PageResult {
    render(&st, &u, Shell::of(&u), None).await
}

async fn subscribe(
    State(st): State<AppState>,
    u: ConsoleUser,
    CsrfForm(f): CsrfForm<SubscribeForm>,
) -> PageResult {
    let input = MySubscriptionForCreate {
        periodical_id: PeriodicalId(f.periodical_id),
        unit_id: UnitId(f.unit_id),
        first_month: f.first_month.clone(),
        months: form_int(&f.months),
        copies: Some(form_int(&f.copies)),
    };
    let r = periodicals::subscribe_mine(&st.core, &u.ctx, input).await;
    form_outcome(
        &u,
        r,
        |v| {
            let msg = u
                .locale
                .t("bk.subscribed")
                .replace("{number}", &v.number)
                .replace("{amount}", &Money(v.amount_fen).to_string());
            done(&st, &u, "/portal/periodicals", msg)
        },
        |s| render(&st, &u, s, Some(f.clone())),
    )
    .await
}
