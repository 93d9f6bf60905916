//! The owner's notices and activities in the portal: the notices showing for him, unread ones
//! marked (opening one marks it read); the open activities with his sign-up, a button to sign up
//! or to give a seat up.

use askama::Template;
use axum::extract::State;

use super::notices::{NoticeView, view};
use crate::AppState;
use crate::console::flash::{done, refused};
use crate::console::forms::default_zone;
use crate::console::{Id, OrPage, PageResult, Shell, page};
use crate::extract::{ConsoleUser, CsrfForm};
use wuye_core::community::announcements as notices;
use wuye_core::shared::ids::{ActivityId, AnnouncementId};

#[derive(Template)]
#[template(path = "community/portal_notices.html")]
struct ListPage {
    s: Shell,
    rows: Vec<NoticeView>,
}

/// The owner's community's zone: the notices are its wall clock.
async fn zone(st: &AppState, u: &ConsoleUser) -> chrono_tz::Tz {
    match wuye_core::portal::profile(&st.core, &u.ctx).await {
        Ok(me) => wuye_core::registry::get_community(&st.core, &u.ctx, me.community_id)
            .await
            .map(|c| crate::console::forms::tz_of(&c))
            .unwrap_or_else(|_| default_zone()),
        Err(_) => default_zone(),
    }
}

pub(super) async fn list_page(State(st): State<AppState>, u: ConsoleUser) -> PageResult {
    let list = notices::my_announcements(&st.core, &u.ctx)
        .await
        .or_page(&u)?;
    let tz = zone(&st, &u).await;
    Ok(page(&ListPage {
        s: Shell::of(&u),
        rows: list.iter().map(|a| view(a, tz, u.locale, &[])).collect(),
    }))
}

#[derive(Template)]
#[template(path = "community/portal_notice.html")]
struct DetailPage {
    s: Shell,
    n: NoticeView,
}

pub(super) async fn detail(State(st): State<AppState>, u: ConsoleUser, Id(id): Id) -> PageResult {
    let a = notices::my_announcement(&st.core, &u.ctx, AnnouncementId(id))
        .await
        .or_page(&u)?;
    let tz = zone(&st, &u).await;
    Ok(page(&DetailPage {
        s: Shell::of(&u),
        n: view(&a, tz, u.locale, &[]),
    }))
}

// ---------------------------------------------------------------------------------------------
// Activities

pub struct MyActivityView {
    pub a: super::activities::ActivityView,
    /// `confirmed`, `waiting`, or empty when not signed up.
    pub mine: &'static str,
    pub seats_left: Option<i64>,
}

#[derive(Template)]
#[template(path = "community/portal_activities.html")]
struct ActivitiesPage {
    s: Shell,
    rows: Vec<MyActivityView>,
}

pub(super) async fn activities_page(State(st): State<AppState>, u: ConsoleUser) -> PageResult {
    let list = wuye_core::community::activities::my_activities(&st.core, &u.ctx)
        .await
        .or_page(&u)?;
    let tz = zone(&st, &u).await;
    Ok(page(&ActivitiesPage {
        s: Shell::of(&u),
        rows: list
            .iter()
            .map(|m| MyActivityView {
                a: super::activities::view(&m.activity, tz, u.locale),
                mine: m.mine.map(|s| s.code()).unwrap_or(""),
                seats_left: m
                    .activity
                    .capacity
                    .map(|c| (c - m.activity.confirmed).max(0)),
            })
            .collect(),
    }))
}

pub(super) async fn sign_up(
    State(st): State<AppState>,
    u: ConsoleUser,
    Id(id): Id,
    _f: CsrfForm<Vec<(String, String)>>,
) -> PageResult {
    match wuye_core::community::activities::sign_up(&st.core, &u.ctx, ActivityId(id)).await {
        Ok(got) => {
            let msg = match got {
                wuye_core::community::activities::model::SignupState::Confirmed => "ac.signed_up",
                _ => "ac.waiting",
            };
            Ok(done(&st, &u, "/portal/activities", u.locale.t(msg)))
        }
        // Too late, or already signed up: said on the list, where he can see why.
        Err(e @ wuye_core::CoreError::Conflict(_)) => Ok(refused(
            &st,
            &u,
            "/portal/activities",
            crate::error::describe(&e, u.locale).3,
        )),
        Err(e) => Err(crate::console::PageError::new(&u, e)),
    }
}

pub(super) async fn give_up(
    State(st): State<AppState>,
    u: ConsoleUser,
    Id(id): Id,
    _f: CsrfForm<Vec<(String, String)>>,
) -> PageResult {
    match wuye_core::community::activities::give_up(&st.core, &u.ctx, ActivityId(id)).await {
        Ok(()) => Ok(done(
            &st,
            &u,
            "/portal/activities",
            u.locale.t("ac.given_up"),
        )),
        Err(e @ wuye_core::CoreError::Conflict(_)) => Ok(refused(
            &st,
            &u,
            "/portal/activities",
            crate::error::describe(&e, u.locale).3,
        )),
        Err(e) => Err(crate::console::PageError::new(&u, e)),
    }
}
