//! Notification pages (消息通知): where each user is reached and on which channels per event
//! (`/me/notifications`, staff and owners alike), the company's wording of each event
//! (`/admin/notify/templates`), and the delivery log of a community's outbox (`/outbox`). Every
//! rule is `wuye_core::notify`'s; these handlers turn form fields into its inputs and render.

use std::collections::HashMap;

use askama::Template;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::response::IntoResponse;
use axum::routing::{get, post};
use serde::Deserialize;
use wuye_core::notify::model::{Audience, Channel, Event};
use wuye_core::notify::{self, *};
use wuye_core::registry;
use wuye_core::shared::ids::OutboxId;
use wuye_core::{CoreError, Perm};

use super::flash::done;
use super::forms::{chosen_community, local_time, tz_of};
use super::{OrPage, PageError, PageResult, Shell, page};
use crate::AppState;
use crate::error::describe;
use crate::extract::{ConsoleUser, CsrfForm};
use crate::locale::Locale;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/me/notifications", get(settings_page))
        .route("/me/contact", post(save_contact))
        .route("/me/notification-preferences", post(save_preferences))
        .route("/admin/notify/templates", get(templates_page))
        .route(
            "/admin/notify/templates/{event}/{locale}",
            get(template_page).post(save_template),
        )
        .route(
            "/admin/notify/templates/{event}/{locale}/reset",
            post(reset_template),
        )
        .route("/outbox", get(outbox_page))
        .route("/outbox/{id}", get(message_page))
        .route("/outbox/{id}/resend", post(resend))
}

fn event_label(l: Locale, code: &str) -> String {
    l.get(&format!("nt.event.{code}"))
        .map_or_else(|| code.to_string(), str::to_string)
}

fn channel_label(l: Locale, code: &str) -> String {
    l.get(&format!("nt.channel.{code}"))
        .map_or_else(|| code.to_string(), str::to_string)
}

// ---------------------------------------------------------------------------------------------
// A user's own settings

pub struct ChannelBox {
    pub code: &'static str,
    pub label: String,
    pub checked: bool,
    pub offered: bool,
}

pub struct PrefRow {
    pub event: &'static str,
    pub label: String,
    pub default: bool,
    pub emergency: bool,
    pub channels: Vec<ChannelBox>,
}

#[derive(Template)]
#[template(path = "notify/settings.html")]
struct SettingsPage {
    s: Shell,
    email: String,
    phone: String,
    wechat: String,
    locale: String,
    offered: Vec<String>,
    rows: Vec<PrefRow>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct ContactForm {
    email: String,
    phone: String,
    wechat_openid: String,
    locale: String,
}

async fn settings_page(State(st): State<AppState>, u: ConsoleUser) -> PageResult {
    render_settings(&st, &u, None, None).await
}

async fn render_settings(
    st: &AppState,
    u: &ConsoleUser,
    typed: Option<ContactForm>,
    err: Option<CoreError>,
) -> PageResult {
    let l = u.locale;
    let c = notify::contact(&st.core, &u.ctx).await.or_page(u)?;
    let prefs = notify::preferences(&st.core, &u.ctx).await.or_page(u)?;
    let rows = prefs
        .iter()
        .map(|p| PrefRow {
            event: p.event.code(),
            label: event_label(l, p.event.code()),
            default: p.default,
            emergency: p.emergency,
            channels: Channel::ALL
                .into_iter()
                .map(|ch| ChannelBox {
                    code: ch.code(),
                    label: channel_label(l, ch.code()),
                    // A channel this server does not offer has no column: nothing goes by it.
                    checked: p.channels.contains(&ch) && c.offered.contains(&ch),
                    offered: c.offered.contains(&ch),
                })
                .collect(),
        })
        .collect();
    let typed = typed.unwrap_or(ContactForm {
        email: c.email.clone().unwrap_or_default(),
        phone: c.phone.clone().unwrap_or_default(),
        wechat_openid: c.wechat_openid.clone().unwrap_or_default(),
        locale: c.locale.code().to_string(),
    });
    let (s, status) = match &err {
        Some(e) => (Shell::of(u).with_error(e), describe(e, l).0),
        None => (Shell::of(u), axum::http::StatusCode::OK),
    };
    let mut r = page(&SettingsPage {
        s,
        email: typed.email,
        phone: typed.phone,
        wechat: typed.wechat_openid,
        locale: typed.locale,
        offered: c
            .offered
            .iter()
            .map(|ch| channel_label(l, ch.code()))
            .collect(),
        rows,
    });
    *r.status_mut() = status;
    Ok(r)
}

async fn save_contact(
    State(st): State<AppState>,
    u: ConsoleUser,
    CsrfForm(f): CsrfForm<ContactForm>,
) -> PageResult {
    let input = NotifyContactForUpdate {
        email: Some(f.email.clone()),
        phone: Some(f.phone.clone()),
        wechat_openid: Some(f.wechat_openid.clone()),
        locale: Some(f.locale.clone()),
    };
    match notify::set_contact(&st.core, &u.ctx, input).await {
        Ok(_) => Ok(done(&st, &u, "/me/notifications", u.locale.t("nt.saved"))),
        Err(e @ CoreError::Invalid(_)) => render_settings(&st, &u, Some(f), Some(e)).await,
        Err(e) => Err(PageError::new(&u, e)),
    }
}

/// Checkboxes named `ch.<event>.<channel>`; `events` lists the events the form showed, so an
/// event with every box cleared is saved as in-app only.
async fn save_preferences(
    State(st): State<AppState>,
    u: ConsoleUser,
    CsrfForm(f): CsrfForm<HashMap<String, String>>,
) -> PageResult {
    let shown: Vec<&str> = f
        .get("events")
        .map(|e| e.split(',').collect())
        .unwrap_or_default();
    // A channel the server does not offer has no box to tick: the choice kept for it stays.
    let offered = notify::contact(&st.core, &u.ctx).await.or_page(&u)?.offered;
    let current = notify::preferences(&st.core, &u.ctx).await.or_page(&u)?;
    let input: Vec<NotifyPreferenceForUpdate> = shown
        .iter()
        .map(|e| NotifyPreferenceForUpdate {
            event: e.to_string(),
            channels: Channel::ALL
                .into_iter()
                .filter(|ch| {
                    if offered.contains(ch) {
                        f.contains_key(&format!("ch.{e}.{}", ch.code()))
                    } else {
                        current
                            .iter()
                            .any(|p| p.event.code() == *e && p.channels.contains(ch))
                    }
                })
                .map(|ch| ch.code().to_string())
                .collect(),
        })
        .collect();
    match notify::set_preferences(&st.core, &u.ctx, input).await {
        Ok(_) => Ok(done(&st, &u, "/me/notifications", u.locale.t("nt.saved"))),
        Err(e @ CoreError::Invalid(_)) => render_settings(&st, &u, None, Some(e)).await,
        Err(e) => Err(PageError::new(&u, e)),
    }
}

// ---------------------------------------------------------------------------------------------
// The company's wording

pub struct TemplateRow {
    pub event: &'static str,
    pub label: String,
    pub audience: String,
    pub locale: &'static str,
    pub subject: String,
    pub body: String,
    pub builtin: bool,
}

#[derive(Template)]
#[template(path = "notify/templates.html")]
struct TemplatesPage {
    s: Shell,
    rows: Vec<TemplateRow>,
}

async fn templates_page(State(st): State<AppState>, u: ConsoleUser) -> PageResult {
    let l = u.locale;
    let list = notify::templates(&st.core, &u.ctx).await.or_page(&u)?;
    let rows = list
        .into_iter()
        .map(|t| TemplateRow {
            event: t.event.code(),
            label: event_label(l, t.event.code()),
            audience: l
                .t(match t.audience {
                    Audience::Owner => "nt.audience.owner",
                    Audience::Staff => "nt.audience.staff",
                })
                .to_string(),
            locale: t.locale.code(),
            subject: t.subject,
            body: t.body,
            builtin: t.builtin,
        })
        .collect();
    Ok(page(&TemplatesPage {
        s: Shell::of(&u),
        rows,
    }))
}

#[derive(Template)]
#[template(path = "notify/template.html")]
struct TemplatePage {
    s: Shell,
    event: String,
    label: String,
    locale: String,
    subject: String,
    body: String,
    builtin: bool,
    placeholders: Vec<String>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct TemplateForm {
    subject: String,
    body: String,
}

async fn template_page(
    State(st): State<AppState>,
    u: ConsoleUser,
    Path((event, locale)): Path<(String, String)>,
) -> PageResult {
    render_template(&st, &u, &event, &locale, None, None).await
}

async fn render_template(
    st: &AppState,
    u: &ConsoleUser,
    event: &str,
    locale: &str,
    typed: Option<TemplateForm>,
    err: Option<CoreError>,
) -> PageResult {
    let list = notify::templates(&st.core, &u.ctx).await.or_page(u)?;
    let Some(t) = list
        .into_iter()
        .find(|t| t.event.code() == event && t.locale.code() == locale)
    else {
        return Err(PageError::new(u, CoreError::NotFound("template")));
    };
    let typed = typed.unwrap_or(TemplateForm {
        subject: t.subject.clone(),
        body: t.body.clone(),
    });
    let (s, status) = match &err {
        Some(e) => (Shell::of(u).with_error(e), describe(e, u.locale).0),
        None => (Shell::of(u), axum::http::StatusCode::OK),
    };
    let mut r = page(&TemplatePage {
        s,
        event: event.to_string(),
        label: event_label(u.locale, event),
        locale: locale.to_string(),
        subject: typed.subject,
        body: typed.body,
        builtin: t.builtin,
        placeholders: t.placeholders,
    });
    *r.status_mut() = status;
    Ok(r)
}

async fn save_template(
    State(st): State<AppState>,
    u: ConsoleUser,
    Path((event, locale)): Path<(String, String)>,
    CsrfForm(f): CsrfForm<TemplateForm>,
) -> PageResult {
    let input = NotifyTemplateForUpdate {
        subject: f.subject.clone(),
        body: f.body.clone(),
    };
    match notify::set_template(&st.core, &u.ctx, &event, &locale, input).await {
        Ok(_) => Ok(done(
            &st,
            &u,
            "/admin/notify/templates",
            u.locale.t("nt.saved"),
        )),
        Err(e @ CoreError::Invalid(_)) => {
            render_template(&st, &u, &event, &locale, Some(f), Some(e)).await
        }
        Err(e) => Err(PageError::new(&u, e)),
    }
}

#[derive(Deserialize, Default)]
struct Empty {}

async fn reset_template(
    State(st): State<AppState>,
    u: ConsoleUser,
    Path((event, locale)): Path<(String, String)>,
    CsrfForm(_): CsrfForm<Empty>,
) -> PageResult {
    notify::reset_template(&st.core, &u.ctx, &event, &locale)
        .await
        .or_page(&u)?;
    Ok(done(
        &st,
        &u,
        "/admin/notify/templates",
        u.locale.t("nt.reset_done"),
    ))
}

// ---------------------------------------------------------------------------------------------
// The delivery log

pub struct LogRow {
    pub id: i64,
    pub at: String,
    pub event: String,
    pub channel: String,
    pub to: String,
    pub subject: String,
    pub state: &'static str,
    pub state_label: String,
    pub attempts: i64,
    pub error: String,
}

#[derive(Template)]
#[template(path = "notify/outbox.html")]
struct OutboxPage {
    s: Shell,
    communities: Vec<(i64, String)>,
    community: i64,
    state: String,
    channel: String,
    event: String,
    states: Vec<(&'static str, String)>,
    channels: Vec<(&'static str, String)>,
    events: Vec<(&'static str, String)>,
    counts: OutboxCounts,
    rows: Vec<LogRow>,
    /// The id the next page starts below (none: this is the last).
    more: Option<i64>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct LogQuery {
    community_id: String,
    state: String,
    channel: String,
    event: String,
    before: String,
}

const PAGE: i64 = 50;

fn state_label(l: Locale, s: &str) -> String {
    l.get(&format!("nt.state.{s}"))
        .map_or_else(|| s.to_string(), str::to_string)
}

async fn outbox_page(
    State(st): State<AppState>,
    u: ConsoleUser,
    Query(q): Query<LogQuery>,
) -> PageResult {
    let l = u.locale;
    u.ctx.require(Perm::NotifyManage).or_page(&u)?;
    let all = registry::list_communities(&st.core, &u.ctx)
        .await
        .or_page(&u)?;
    let listed: Vec<(i64, String)> = all.iter().map(|c| (c.id.0, c.name.clone())).collect();
    let want = q.community_id.trim().parse::<i64>().ok();
    let Some(c) = chosen_community(&listed, want, u.community)
        .and_then(|id| all.iter().find(|c| c.id.0 == id))
    else {
        return Err(PageError::new(&u, CoreError::NotFound("community")));
    };
    let tz = tz_of(c);
    let cid = c.id;
    let before = q.before.trim().parse::<i64>().ok();
    let list = notify::outbox(
        &st.core,
        &u.ctx,
        OutboxFilter {
            community_id: Some(cid.0),
            state: Some(q.state.clone()),
            channel: Some(q.channel.clone()),
            event: Some(q.event.clone()),
            user_id: None,
            before,
            limit: Some(PAGE),
        },
    )
    .await
    .or_page(&u)?;
    let counts = notify::outbox_counts(&st.core, &u.ctx, cid)
        .await
        .or_page(&u)?;
    let more = (list.len() as i64 == PAGE)
        .then(|| list.last().map(|m| m.id.0))
        .flatten();
    let rows = list
        .into_iter()
        .map(|m| LogRow {
            id: m.id.0,
            at: local_time(m.created_at, tz),
            event: event_label(l, &m.event),
            channel: channel_label(l, &m.channel),
            to: m.to,
            subject: m.subject,
            state: match m.state.as_str() {
                "sent" => "sent",
                "failed" => "failed",
                _ => "pending",
            },
            state_label: state_label(l, &m.state),
            attempts: m.attempts,
            error: m.last_error.unwrap_or_default(),
        })
        .collect();
    Ok(page(&OutboxPage {
        s: Shell::of(&u),
        communities: listed,
        community: cid.0,
        state: q.state,
        channel: q.channel,
        event: q.event,
        states: ["pending", "sent", "failed"]
            .into_iter()
            .map(|s| (s, state_label(l, s)))
            .collect(),
        channels: Channel::ALL
            .into_iter()
            .map(|c| (c.code(), channel_label(l, c.code())))
            .collect(),
        events: Event::ALL
            .iter()
            .map(|e| (e.code(), event_label(l, e.code())))
            .collect(),
        counts,
        rows,
        more,
    }))
}

pub struct AttemptRow {
    pub at: String,
    pub node: String,
    pub outcome: String,
    pub detail: String,
}

#[derive(Template)]
#[template(path = "notify/message.html")]
struct MessagePage {
    s: Shell,
    m: OutboxMessage,
    at: String,
    sent_at: String,
    due_at: String,
    event: String,
    channel: String,
    state: String,
    attempts: Vec<AttemptRow>,
}

async fn message_page(
    State(st): State<AppState>,
    u: ConsoleUser,
    Path(id): Path<i64>,
) -> PageResult {
    let l = u.locale;
    let d = notify::outbox_message(&st.core, &u.ctx, OutboxId(id))
        .await
        .or_page(&u)?;
    let tz = registry::get_community(&st.core, &u.ctx, d.message.community_id)
        .await
        .map(|c| tz_of(&c))
        .or_page(&u)?;
    let m = d.message;
    Ok(page(&MessagePage {
        s: Shell::of(&u),
        at: local_time(m.created_at, tz),
        sent_at: m.sent_at.map(|t| local_time(t, tz)).unwrap_or_default(),
        due_at: local_time(m.due_at, tz),
        event: event_label(l, &m.event),
        channel: channel_label(l, &m.channel),
        state: state_label(l, &m.state),
        attempts: d
            .attempts
            .into_iter()
            .map(|a| AttemptRow {
                at: local_time(a.at, tz),
                node: a.node,
                outcome: l
                    .get(&format!("nt.outcome.{}", a.outcome))
                    .map_or_else(|| a.outcome.clone(), str::to_string),
                detail: a.detail.unwrap_or_default(),
            })
            .collect(),
        m,
    }))
}

async fn resend(
    State(st): State<AppState>,
    u: ConsoleUser,
    Path(id): Path<i64>,
    CsrfForm(_): CsrfForm<Empty>,
) -> PageResult {
    let to = format!("/outbox/{id}");
    match notify::resend(&st.core, &u.ctx, OutboxId(id)).await {
        Ok(_) => Ok(done(&st, &u, &to, u.locale.t("nt.resent"))),
        Err(e @ CoreError::Invalid(_)) => {
            Ok(super::flash::refused(&st, &u, &to, describe(&e, u.locale).3).into_response())
        }
        Err(e) => Err(PageError::new(&u, e)),
    }
}
