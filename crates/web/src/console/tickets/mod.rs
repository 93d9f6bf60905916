//! Request pages (报事报修) of the console: the lists (my requests, my work orders, the pool, the
//! board), registering at the desk or the hotline, a request's page with its clocks, actions and
//! timeline, the technician's phone page, messages, and the company calendar.
//!
//! Every rule lives in `wuye_core::tickets`; these handlers turn form text into the service's
//! inputs (a unit typed as "1栋-1801", a local date-time in the community's time zone) and render.
//!
//! One file per page group (lists, registering, one request, photos, messages, the calendar);
//! this file holds the router and what they share (how a request and its clocks read).

use std::collections::HashMap;

use askama::Template;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use chrono::{NaiveDateTime, Utc};
use chrono_tz::Tz;
use serde::Deserialize;
use wuye_core::registry::{self, Community};
use wuye_core::shared::calendar::{CalendarDay, local_to_utc};
use wuye_core::shared::ids::*;
use wuye_core::shared::resolve::{self, CallerInput};
use wuye_core::tickets::{self, *};
use wuye_core::{CoreError, FieldError, Perm};

use super::flash::done;
use super::forms::{Opt, default_zone, label_of, local_time as local, opts, tz_of};
use super::{Id, Ids, OrPage, PageError, PageResult, Shell, page};
use crate::AppState;
use crate::error::describe;
use crate::extract::{ConsoleUser, CsrfForm};
use crate::locale::Locale;

mod calendar;
mod detail;
mod home;
mod lists;
mod notes;
mod photos;
mod register;

use calendar::*;
use detail::*;
pub(super) use home::{DeskPanel, RequestCharts, desk_panel, open_clocks_chart, request_charts};
use lists::*;
use notes::*;
use photos::*;
pub(super) use photos::{PhotoUpload, Refused, read_photos, save_photos};
use register::*;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/requests", get(list_page))
        .route("/requests/export.xlsx", get(lists::export))
        .route("/requests/new", get(new_page).post(create))
        .route("/requests/{id}", get(detail_page))
        .route("/requests/{id}/act", post(detail::act))
        .route("/requests/{id}/photos", post(upload_photos))
        .route("/requests/{id}/contact", post(contact_page))
        .route("/requests/{id}/photos/{photo}", get(photo))
        .route("/m/orders", get(orders_page))
        .route("/notifications", get(notifications_page))
        .route("/notifications/read", post(notifications_read))
        .route("/calendar", get(calendar_page))
        .route("/calendar/import", post(calendar_import))
        .route("/calendar/{day}/delete", post(calendar_delete))
}

/// "2 小时 5 分" / "2 h 5 min"; negative spans are "overdue".
fn span_text(secs: i64, l: Locale) -> String {
    let m = secs.abs() / 60;
    let (d, h, mi) = (m / 1440, (m % 1440) / 60, m % 60);
    let mut s = String::new();
    let en = l == Locale::En;
    if d > 0 {
        s.push_str(&format!("{d}{}", if en { " d " } else { " 天 " }));
    }
    if h > 0 || d > 0 {
        s.push_str(&format!("{h}{}", if en { " h " } else { " 小时 " }));
    }
    s.push_str(&format!("{mi}{}", if en { " min" } else { " 分" }));
    if secs < 0 {
        if en {
            format!("overdue {s}")
        } else {
            format!("超时 {s}")
        }
    } else {
        s
    }
}

/// A clock as a page shows it.
pub struct ClockView {
    pub name: String,
    pub due: String,
    pub remaining: String,
    pub status: &'static str,
    pub status_label: &'static str,
}

fn clock_view(c: &Clock, tz: Tz, l: Locale) -> ClockView {
    let status = match c.status {
        ClockStatus::Running => "running",
        ClockStatus::AtRisk => "at_risk",
        ClockStatus::Paused => "paused",
        ClockStatus::Met => "met",
        ClockStatus::Breached => "breached",
    };
    ClockView {
        name: label_of(ClockKind::ALL, c.clock.code(), l),
        due: local(c.due_at, tz),
        remaining: match (c.met_at, c.remaining_seconds) {
            (Some(m), _) => local(m, tz),
            (None, Some(s)) => span_text(s, l),
            _ => String::new(),
        },
        status,
        status_label: l.t(&format!("tk.clock.{status}")),
    }
}

/// A request as a list row or a page shows it.
pub struct RequestView {
    pub r: Request,
    pub community: String,
    pub kind: String,
    pub category: String,
    pub channel: String,
    pub state: String,
    pub urgent: bool,
    pub created: String,
    pub promise: String,
    pub clocks: Vec<ClockView>,
    pub place: String,
}

struct Lookup {
    communities: HashMap<CommunityId, Community>,
    categories: Vec<Category>,
}

impl Lookup {
    async fn load(st: &AppState, u: &ConsoleUser) -> Result<Lookup, CoreError> {
        let cs = registry::list_communities(&st.core, &u.ctx)
            .await
            .unwrap_or_default();
        let categories = tickets::list_categories(&st.core, &u.ctx).await?;
        Ok(Lookup {
            communities: cs.into_iter().map(|c| (c.id, c)).collect(),
            categories,
        })
    }
    fn tz(&self, c: CommunityId) -> Tz {
        self.communities
            .get(&c)
            .map(tz_of)
            .unwrap_or_else(default_zone)
    }
    fn category(&self, code: &str, l: Locale) -> String {
        self.categories
            .iter()
            .find(|c| c.code == code)
            .map(|c| {
                if l == Locale::En {
                    c.name_en.clone()
                } else {
                    c.name_zh.clone()
                }
            })
            .unwrap_or_else(|| code.to_string())
    }
    fn view(&self, r: Request, l: Locale) -> RequestView {
        let tz = self.tz(r.community_id);
        RequestView {
            community: self
                .communities
                .get(&r.community_id)
                .map(|c| c.name.clone())
                .unwrap_or_default(),
            kind: label_of(RequestKind::ALL, r.kind.code(), l),
            category: self.category(&r.category, l),
            channel: label_of(Channel::ALL, r.channel.code(), l),
            state: label_of(RequestState::ALL, r.state.code(), l),
            urgent: r.urgency == Urgency::Urgent,
            created: local(r.created_at, tz),
            promise: local(r.promise_at, tz),
            clocks: r.clocks.iter().map(|c| clock_view(c, tz, l)).collect(),
            place: r
                .unit_label
                .clone()
                .or_else(|| r.location.clone())
                .unwrap_or_default(),
            r,
        }
    }
}
