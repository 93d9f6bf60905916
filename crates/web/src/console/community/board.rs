//! The public board's pages: the centre's editor (its lists as text, one line per item, name
//! and detail apart by ｜), and the page anyone reads by the board's address — printable on A3,
//! refreshing itself on a lobby TV (`?tv=1`), with a QR code to it.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use wuye_core::community::board::{self, Board, BoardForUpdate, PublicBoard, model};
use wuye_core::registry;
use wuye_core::{CoreError, Perm};

use super::label;
use crate::AppState;
use crate::console::flash::done;
use crate::console::forms::{chosen_community, local_time};
use crate::console::{OrPage, PageError, PageResult, Shell, page};
use crate::error::describe;
use crate::extract::{ConsoleUser, CsrfForm, locale_of};
use crate::locale::Locale;

/// The board's public address, absolute: the configured public URL, else this request's host.
fn public_url(st: &AppState, headers: &HeaderMap, slug: &str) -> String {
    let base = match &st.cfg.public_url {
        Some(u) => u.trim_end_matches('/').to_string(),
        None => {
            let host = headers
                .get(header::HOST)
                .and_then(|h| h.to_str().ok())
                .unwrap_or("localhost");
            let scheme = if st.cfg.secure_cookies {
                "https"
            } else {
                "http"
            };
            format!("{scheme}://{host}")
        }
    };
    format!("{base}/board/{slug}")
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct EditQuery {
    community_id: String,
}

#[derive(Template)]
#[template(path = "community/board_edit.html")]
struct EditPage {
    s: Shell,
    communities: Vec<(i64, String)>,
    community: i64,
    url: String,
    slug: String,
    services: String,
    contacts: String,
    complaint_phone: String,
    on_duty: String,
    note: String,
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct BoardForm {
    community_id: String,
    services: String,
    contacts: String,
    complaint_phone: String,
    on_duty: String,
    note: String,
}

async fn render_edit(
    st: &AppState,
    u: &ConsoleUser,
    headers: &HeaderMap,
    want: Option<i64>,
    typed: Option<BoardForm>,
    err: Option<CoreError>,
) -> PageResult {
    u.ctx.require(Perm::AnnouncementsManage).or_page(u)?;
    let all = registry::list_communities(&st.core, &u.ctx)
        .await
        .or_page(u)?;
    let listed: Vec<(i64, String)> = all.iter().map(|c| (c.id.0, c.name.clone())).collect();
    let Some(c) = chosen_community(&listed, want, u.community) else {
        return Err(PageError::new(u, CoreError::NotFound("community")));
    };
    let b: Board = board::get_board(&st.core, &u.ctx, wuye_core::shared::ids::CommunityId(c))
        .await
        .or_page(u)?;
    let f = typed.unwrap_or_else(|| BoardForm {
        community_id: c.to_string(),
        services: model::to_lines(&b.services),
        contacts: model::to_lines(&b.contacts),
        complaint_phone: b.complaint_phone.clone(),
        on_duty: model::to_lines(&b.on_duty),
        note: b.note.clone(),
    });
    let (s, status) = match &err {
        Some(e) => (Shell::of(u).with_error(e), describe(e, u.locale).0),
        None => (Shell::of(u), StatusCode::OK),
    };
    let mut r = page(&EditPage {
        s,
        communities: listed,
        community: c,
        url: public_url(st, headers, &b.slug),
        slug: b.slug,
        services: f.services,
        contacts: f.contacts,
        complaint_phone: f.complaint_phone,
        on_duty: f.on_duty,
        note: f.note,
    });
    *r.status_mut() = status;
    Ok(r)
}

pub(super) async fn edit_page(
    State(st): State<AppState>,
    u: ConsoleUser,
    headers: HeaderMap,
    Query(q): Query<EditQuery>,
) -> PageResult {
    render_edit(
        &st,
        &u,
        &headers,
        q.community_id.trim().parse().ok(),
        None,
        None,
    )
    .await
}

pub(super) async fn save(
    State(st): State<AppState>,
    u: ConsoleUser,
    headers: HeaderMap,
    CsrfForm(f): CsrfForm<BoardForm>,
) -> PageResult {
    let Ok(c) = f.community_id.trim().parse::<i64>() else {
        return Err(PageError::new(&u, CoreError::NotFound("community")));
    };
    let input = BoardForUpdate {
        services: model::parse_lines(&f.services),
        contacts: model::parse_lines(&f.contacts),
        complaint_phone: f.complaint_phone.clone(),
        on_duty: model::parse_lines(&f.on_duty),
        note: f.note.clone(),
    };
    match board::save_board(
        &st.core,
        &u.ctx,
        wuye_core::shared::ids::CommunityId(c),
        input,
    )
    .await
    {
        Ok(_) => Ok(done(
            &st,
            &u,
            &format!("/board?community_id={c}"),
            u.locale.t("an.board_saved"),
        )),
        Err(e @ CoreError::Invalid(_)) => {
            render_edit(&st, &u, &headers, Some(c), Some(f), Some(e)).await
        }
        Err(e) => Err(PageError::new(&u, e)),
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct RenewForm {
    community_id: String,
}

pub(super) async fn renew(
    State(st): State<AppState>,
    u: ConsoleUser,
    CsrfForm(f): CsrfForm<RenewForm>,
) -> PageResult {
    let Ok(c) = f.community_id.trim().parse::<i64>() else {
        return Err(PageError::new(&u, CoreError::NotFound("community")));
    };
    board::renew_board_address(&st.core, &u.ctx, wuye_core::shared::ids::CommunityId(c))
        .await
        .or_page(&u)?;
    Ok(done(
        &st,
        &u,
        &format!("/board?community_id={c}"),
        u.locale.t("an.board_renewed"),
    ))
}

// ---------------------------------------------------------------------------------------------
// The public page

pub struct FeeLine {
    pub name: String,
    pub price: String,
    pub per: String,
    pub tiers: String,
}

pub struct NoticeLine {
    pub title: String,
    pub category: &'static str,
    pub category_label: String,
    pub body: String,
    pub pinned: bool,
    pub at: String,
}

#[derive(Template)]
#[template(path = "community/board_public.html")]
struct PublicPage {
    l: Locale,
    b: PublicBoard,
    fees: Vec<FeeLine>,
    notices: Vec<NoticeLine>,
    tv: bool,
    slug: String,
    url: String,
    now: String,
}

impl PublicPage {
    fn t(&self, key: &str) -> &'static str {
        self.l.t(key)
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct PublicQuery {
    tv: String,
}

/// A notice's opening on the board: what fits a glance.
fn excerpt(body: &str, max: usize) -> String {
    let mut s: String = body.chars().take(max).collect();
    if body.chars().count() > max {
        s.push('…');
    }
    s
}

pub(super) async fn public_page(
    State(st): State<AppState>,
    headers: HeaderMap,
    Path(slug): Path<String>,
    Query(q): Query<PublicQuery>,
) -> Response {
    let l = locale_of(&headers);
    let b = match board::public_board(&st.core, &slug).await {
        Ok(b) => b,
        Err(e) => {
            let (status, _, _, msg) = describe(&e, l);
            let mut r = crate::console::render_message(l, &msg);
            *r.status_mut() = status;
            return r;
        }
    };
    let tz = wuye_core::shared::calendar::zone(&b.timezone);
    let fees = b
        .fees
        .iter()
        .map(|f| FeeLine {
            name: f.name.clone(),
            price: f.price.clone(),
            per: label(l, "per", &f.method),
            tiers: f.tiers.clone(),
        })
        .collect();
    let tv = !q.tv.is_empty() && q.tv != "0";
    let notices = b
        .notices
        .iter()
        .map(|n| NoticeLine {
            title: n.title.clone(),
            category: n.category.code(),
            category_label: label(l, "category", n.category.code()),
            body: excerpt(&n.body, if tv { 120 } else { 300 }),
            pinned: n.pinned,
            at: n.publish_at.map(|t| local_time(t, tz)).unwrap_or_default(),
        })
        .collect();
    let url = public_url(&st, &headers, &slug);
    let now = local_time(chrono::Utc::now(), tz);
    let mut r = page(&PublicPage {
        l,
        b,
        fees,
        notices,
        tv,
        slug,
        url,
        now,
    });
    // A board changes when the centre edits it: a TV or a phone must not keep an old copy.
    r.headers_mut().insert(
        header::CACHE_CONTROL,
        header::HeaderValue::from_static("no-cache"),
    );
    r
}

/// The QR code of a board's public address, as SVG (for the printed board and the desk).
pub(super) async fn qr(
    State(st): State<AppState>,
    headers: HeaderMap,
    Path(slug): Path<String>,
) -> Response {
    // Only an existing board has a code: a mistyped address answers 404, not a code to nowhere.
    if let Err(e) = board::public_board(&st.core, &slug).await {
        let l = locale_of(&headers);
        let (status, _, _, msg) = describe(&e, l);
        let mut r = crate::console::render_message(l, &msg);
        *r.status_mut() = status;
        return r;
    }
    let url = public_url(&st, &headers, &slug);
    match qrcode::QrCode::new(url.as_bytes()) {
        Ok(code) => {
            let svg = code
                .render::<qrcode::render::svg::Color<'_>>()
                .min_dimensions(240, 240)
                .quiet_zone(true)
                .build();
            ([(header::CONTENT_TYPE, "image/svg+xml")], svg).into_response()
        }
        Err(e) => {
            tracing::error!(error = %e, "board QR code");
            StatusCode::INTERNAL_SERVER_ERROR.into_response()
        }
    }
}
