//! The owner's notices in the portal: those showing for him, unread ones marked; opening one
//! marks it read.

use askama::Template;
use axum::extract::State;

use super::notices::{NoticeView, view};
use crate::AppState;
use crate::console::forms::default_zone;
use crate::console::{Id, OrPage, PageResult, Shell, page};
use crate::extract::ConsoleUser;
use wuye_core::community::announcements as notices;
use wuye_core::shared::ids::AnnouncementId;

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
