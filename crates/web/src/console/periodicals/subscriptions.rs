//! The subscriptions (报刊征订): the list by month and state with the form that takes one for a
//! unit and a cancel on each still unpaid; and the catalogue of titles a manager keeps.

use askama::Template;
use axum::Router;
use axum::extract::{Query, State};
use axum::routing::{get, post};
use serde::Deserialize;
use wuye_core::CoreError;
use wuye_core::periodicals::model::{PeriodicalFrequency, PeriodicalKind, SubscriptionState};
use wuye_core::periodicals::{
    self, CatalogueFilter, Periodical, PeriodicalInput, Subscription, SubscriptionCancel,
    SubscriptionFilter, SubscriptionForCreate,
};
use wuye_core::shared::ids::*;
use wuye_core::shared::money::Money;

use super::super::duty::community_of;
use super::super::flash::done;
use super::super::forms::{CommonCode, Opt, label, opts};
use super::super::movein::some;
use super::super::{Id, OrPage, PageResult, Shell, form_outcome, page};
use super::{form_int, title_options};
use crate::AppState;
use crate::extract::{ConsoleUser, CsrfForm};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/periodical-subscriptions", get(list).post(subscribe))
        .route("/periodical-subscriptions/{id}/cancel", post(cancel))
        .route("/periodicals/catalogue", get(catalogue).post(add))
        .route("/periodicals/{id}", post(update))
}

#[derive(Template)]
#[template(path = "periodicals/subscriptions.html")]
struct ListPage {
    s: Shell,
    communities: Vec<(i64, String)>,
    community: i64,
    q: ListQ,
    titles: Vec<(i64, String)>,
    rows: Vec<Subscription>,
    f: SubscribeForm,
}

impl ListPage {
    fn yuan(&self, fen: &i64) -> String {
        Money(*fen).to_string()
    }
    fn state(&self, v: &SubscriptionState) -> &'static str {
        label(SubscriptionState::ALL, v, self.s.l)
    }
}

#[derive(Deserialize, Default, Clone)]
#[serde(default)]
struct ListQ {
    community: Option<String>,
    /// "2027-01": those running that month.
    month: String,
    /// `active` (default), `cancelled`, `all`.
    show: String,
}

#[derive(Deserialize, Default, Clone)]
#[serde(default)]
struct SubscribeForm {
    community: i64,
    periodical_id: i64,
    unit_label: String,
    recipient_name: String,
    first_month: String,
    months: String,
    copies: String,
    note: String,
}

async fn render_list(
    st: &AppState,
    u: &ConsoleUser,
    s: Shell,
    q: ListQ,
    f: Option<SubscribeForm>,
) -> PageResult {
    let (communities, c) = community_of(st, u, q.community.as_deref()).await?;
    let filter = SubscriptionFilter {
        state: match q.show.as_str() {
            "all" => None,
            "" => Some("active".into()),
            x => Some(x.into()),
        },
        month: some(&q.month),
        ..Default::default()
    };
    let rows = match periodicals::list_subscriptions(&st.core, &u.ctx, CommunityId(c), filter).await
    {
        Ok(v) => v,
        Err(CoreError::Invalid(_)) => Vec::new(),
        Err(e) => return Err(super::super::PageError::new(u, e)),
    };
    let titles = periodicals::list_periodicals(
        &st.core,
        &u.ctx,
        CommunityId(c),
        CatalogueFilter { active: Some(true) },
    )
    .await
    .or_page(u)?;
    Ok(page(&ListPage {
        s,
        communities,
        community: c,
        q,
        titles: title_options(&titles),
        rows,
        f: f.unwrap_or(SubscribeForm {
            community: c,
            months: "12".into(),
            copies: "1".into(),
            ..Default::default()
        }),
    }))
}

async fn list(State(st): State<AppState>, u: ConsoleUser, Query(q): Query<ListQ>) -> PageResult {
    render_list(&st, &u, Shell::of(&u), q, None).await
}

fn back_to(c: i64) -> ListQ {
    ListQ {
        community: Some(c.to_string()),
        ..Default::default()
    }
}

async fn subscribe(
    State(st): State<AppState>,
    u: ConsoleUser,
    CsrfForm(f): CsrfForm<SubscribeForm>,
) -> PageResult {
    let c = f.community;
    let r = if f.periodical_id <= 0 {
        Err(CoreError::Invalid(vec![wuye_core::FieldError::new(
            "periodical_id",
            CommonCode::Choose,
        )]))
    } else {
        let input = SubscriptionForCreate {
            periodical_id: PeriodicalId(f.periodical_id),
            unit_id: None,
            unit_label: some(&f.unit_label),
            person_id: None,
            recipient_name: some(&f.recipient_name),
            first_month: f.first_month.clone(),
            months: form_int(&f.months),
            copies: Some(form_int(&f.copies)),
            note: some(&f.note),
        };
        periodicals::subscribe(&st.core, &u.ctx, CommunityId(c), input).await
    };
    form_outcome(
        &u,
        r,
        |v| {
            let msg = u
                .locale
                .t("bk.subscribed")
                .replace("{number}", &v.number)
                .replace("{amount}", &Money(v.amount_fen).to_string());
            done(
                &st,
                &u,
                &format!("/periodical-subscriptions?community={c}"),
                msg,
            )
        },
        |s| render_list(&st, &u, s, back_to(c), Some(f.clone())),
    )
    .await
}

#[derive(Deserialize, Default, Clone)]
#[serde(default)]
struct CancelForm {
    community: i64,
    reason: String,
}

async fn cancel(
    State(st): State<AppState>,
    u: ConsoleUser,
    Id(id): Id,
    CsrfForm(f): CsrfForm<CancelForm>,
) -> PageResult {
    let c = f.community;
    let input = SubscriptionCancel {
        reason: f.reason.clone(),
    };
    let r = periodicals::cancel_subscription(&st.core, &u.ctx, PeriodicalSubscriptionId(id), input)
        .await;
    form_outcome(
        &u,
        r,
        |v| {
            let msg = u.locale.t("bk.cancelled").replace("{number}", &v.number);
            done(
                &st,
                &u,
                &format!("/periodical-subscriptions?community={c}"),
                msg,
            )
        },
        |s| render_list(&st, &u, s, back_to(c), None),
    )
    .await
}

#[derive(Template)]
#[template(path = "periodicals/catalogue.html")]
struct CataloguePage {
    s: Shell,
    communities: Vec<(i64, String)>,
    community: i64,
    kinds: Vec<Opt>,
    frequencies: Vec<Opt>,
    rows: Vec<Periodical>,
    f: TitleForm,
}

impl CataloguePage {
    fn yuan(&self, fen: &i64) -> String {
        Money(*fen).to_string()
    }
    fn kind(&self, v: &PeriodicalKind) -> &'static str {
        label(PeriodicalKind::ALL, v, self.s.l)
    }
    fn frequency(&self, v: &PeriodicalFrequency) -> &'static str {
        label(PeriodicalFrequency::ALL, v, self.s.l)
    }
}

#[derive(Deserialize, Default, Clone)]
#[serde(default)]
struct CatalogueQ {
    community: Option<String>,
}

#[derive(Deserialize, Default, Clone)]
#[serde(default)]
struct TitleForm {
    community: i64,
    title: String,
    kind: String,
    post_code: String,
    frequency: String,
    price_month: String,
    /// "1" while taken for subscription (a checkbox).
    active: String,
}

impl TitleForm {
    fn input(&self) -> PeriodicalInput {
        PeriodicalInput {
            title: self.title.clone(),
            kind: self.kind.clone(),
            post_code: some(&self.post_code),
            frequency: self.frequency.clone(),
            price_month: self.price_month.clone(),
            active: Some(!self.active.is_empty()),
        }
    }
}

async fn render_catalogue(
    st: &AppState,
    u: &ConsoleUser,
    s: Shell,
    want: Option<&str>,
    f: Option<TitleForm>,
) -> PageResult {
    let (communities, c) = community_of(st, u, want).await?;
    let rows =
        periodicals::list_periodicals(&st.core, &u.ctx, CommunityId(c), CatalogueFilter::default())
            .await
            .or_page(u)?;
    Ok(page(&CataloguePage {
        s,
        communities,
        community: c,
        kinds: opts(PeriodicalKind::ALL, u.locale),
        frequencies: opts(PeriodicalFrequency::ALL, u.locale),
        rows,
        f: f.unwrap_or(TitleForm {
            community: c,
            kind: "newspaper".into(),
            frequency: "daily".into(),
            active: "1".into(),
            ..Default::default()
        }),
    }))
}

async fn catalogue(
    State(st): State<AppState>,
    u: ConsoleUser,
    Query(q): Query<CatalogueQ>,
) -> PageResult {
    render_catalogue(&st, &u, Shell::of(&u), q.community.as_deref(), None).await
}

async fn add(
    State(st): State<AppState>,
    u: ConsoleUser,
    CsrfForm(f): CsrfForm<TitleForm>,
) -> PageResult {
    let r =
        periodicals::add_periodical(&st.core, &u.ctx, CommunityId(f.community), f.input()).await;
    title_saved(&st, &u, r, f, true).await
}

async fn update(
    State(st): State<AppState>,
    u: ConsoleUser,
    Id(id): Id,
    CsrfForm(f): CsrfForm<TitleForm>,
) -> PageResult {
    let r = periodicals::update_periodical(&st.core, &u.ctx, PeriodicalId(id), f.input()).await;
    title_saved(&st, &u, r, f, false).await
}

/// A title added or changed: back to the catalogue, or its page again with the errors (a new
/// title's form kept; a row's edit shown on the list as saved).
async fn title_saved(
    st: &AppState,
    u: &ConsoleUser,
    r: Result<Periodical, wuye_core::CoreError>,
    f: TitleForm,
    keep_form: bool,
) -> PageResult {
    let c = f.community;
    let want = c.to_string();
    form_outcome(
        u,
        r,
        |p| {
            let msg = u.locale.t("bk.title_saved").replace("{title}", &p.title);
            done(st, u, &format!("/periodicals/catalogue?community={c}"), msg)
        },
        |s| render_catalogue(st, u, s, Some(&want), keep_form.then_some(f)),
    )
    .await
}
