//! The board's use cases: staff read and edit it (and may give it a new address); anyone reads
//! the public page by its slug.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::model::{self, BoardItem};
use crate::Core;
use crate::audit::{self, Action, Entry};
use crate::community::announcements::model::{NoticeCategory, NoticeScope};
use crate::community::store::{announcements as notices, board as store};
use crate::shared::crypto::random_bytes;
use crate::shared::ctx::Ctx;
use crate::shared::error::{CommonCode, CoreError, CoreResult, FieldError};
use crate::shared::ids::*;

/// What the centre keeps on the board itself.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Board {
    pub community_id: CommunityId,
    /// The public page is `/board/{slug}`.
    pub slug: String,
    /// Services and their standards (服务内容与标准).
    pub services: Vec<BoardItem>,
    /// Who to call (服务电话).
    pub contacts: Vec<BoardItem>,
    /// The complaint phone (投诉电话).
    pub complaint_phone: String,
    /// Who is on duty now (值班人员): typed by hand; the public page shows the roster's people
    /// on duty instead when the community keeps a roster and someone is on a shift.
    pub on_duty: Vec<BoardItem>,
    /// A line under the title (office hours, say).
    pub note: String,
    pub updated_at: DateTime<Utc>,
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct BoardForUpdate {
    #[serde(default)]
    pub services: Vec<BoardItem>,
    #[serde(default)]
    pub contacts: Vec<BoardItem>,
    #[serde(default)]
    pub complaint_phone: String,
    #[serde(default)]
    pub on_duty: Vec<BoardItem>,
    #[serde(default)]
    pub note: String,
}

/// A fee standard as the board shows it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct BoardFee {
    pub name: String,
    /// How it is charged: fixed, building_area, inner_area, meter, per_space, one_off.
    pub method: String,
    /// Yuan (per month but for one-off and meter standards).
    pub price: String,
    /// Meter standards' tiers, "10:3.45;20:4.83;*:5.83".
    pub tiers: String,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct BoardPrice {
    pub name: String,
    pub unit: String,
    /// Yuan.
    pub price: String,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct BoardNotice {
    pub id: AnnouncementId,
    pub category: NoticeCategory,
    pub title: String,
    pub body: String,
    pub pinned: bool,
    pub publish_at: Option<DateTime<Utc>>,
}

/// The public page: the board with what its modules publish.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PublicBoard {
    pub community: String,
    pub timezone: String,
    pub board: Board,
    pub fees: Vec<BoardFee>,
    pub prices: Vec<BoardPrice>,
    /// The latest notices for the whole community (pinned first).
    pub notices: Vec<BoardNotice>,
}

fn new_slug() -> String {
    hex::encode(random_bytes::<12>())
}

fn decode(r: store::BoardRow) -> CoreResult<Board> {
    let list = |s: &str| -> CoreResult<Vec<BoardItem>> {
        serde_json::from_str(s).map_err(CoreError::internal)
    };
    Ok(Board {
        community_id: r.community_id,
        services: list(&r.services)?,
        contacts: list(&r.contacts)?,
        on_duty: list(&r.on_duty)?,
        slug: r.slug,
        complaint_phone: r.complaint_phone,
        note: r.note,
        updated_at: r.updated_at,
    })
}

async fn managed(tx: &mut crate::db::Tx, ctx: &Ctx, c: CommunityId) -> CoreResult<()> {
    crate::community::community_of(tx, ctx, c).await.map(|_| ())
}

/// The community's board (an empty one the first time).
pub async fn get_board(core: &Core, ctx: &Ctx, c: CommunityId) -> CoreResult<Board> {
    let mut tx = core.db.begin().await?;
    managed(&mut tx, ctx, c).await?;
    store::create_empty(&mut tx, c, &new_slug(), Utc::now()).await?;
    let row = store::of_community(&mut tx, c)
        .await?
        .ok_or(CoreError::NotFound("board"))?;
    tx.commit().await?;
    decode(row)
}

pub async fn save_board(
    core: &Core,
    ctx: &Ctx,
    c: CommunityId,
    input: BoardForUpdate,
) -> CoreResult<Board> {
    let mut errs = Vec::new();
    let services = model::check_items("services", &input.services, &mut errs);
    let contacts = model::check_items("contacts", &input.contacts, &mut errs);
    let on_duty = model::check_items("on_duty", &input.on_duty, &mut errs);
    let phone = input.complaint_phone.trim();
    if phone.chars().count() > 50 {
        errs.push(FieldError::new("complaint_phone", CommonCode::TooLong).with("max", 50));
    }
    let note = input.note.trim();
    if note.chars().count() > 300 {
        errs.push(FieldError::new("note", CommonCode::TooLong).with("max", 300));
    }
    if !errs.is_empty() {
        return Err(CoreError::Invalid(errs));
    }
    let json = |v: &Vec<BoardItem>| serde_json::to_string(v).map_err(CoreError::internal);
    let mut tx = core.db.begin().await?;
    managed(&mut tx, ctx, c).await?;
    let now = Utc::now();
    store::create_empty(&mut tx, c, &new_slug(), now).await?;
    let before = store::of_community(&mut tx, c)
        .await?
        .map(decode)
        .transpose()?;
    store::save(
        &mut tx,
        c,
        &store::BoardText {
            services: &json(&services)?,
            contacts: &json(&contacts)?,
            complaint_phone: phone,
            on_duty: &json(&on_duty)?,
            note,
        },
        ctx.actor(),
        now,
    )
    .await?;
    let after = store::of_community(&mut tx, c)
        .await?
        .ok_or(CoreError::NotFound("board"))
        .and_then(decode)?;
    audit::record(
        &mut tx,
        ctx,
        Entry::new(Action::Update, "community_board", c.0)
            .community(c)
            .before(&before)
            .after(&after),
    )
    .await?;
    tx.commit().await?;
    Ok(after)
}

/// Gives the board a new public address: the old one (a QR code printed by mistake) stops
/// working.
pub async fn renew_board_address(core: &Core, ctx: &Ctx, c: CommunityId) -> CoreResult<Board> {
    let mut tx = core.db.begin().await?;
    managed(&mut tx, ctx, c).await?;
    let now = Utc::now();
    store::create_empty(&mut tx, c, &new_slug(), now).await?;
    store::set_slug(&mut tx, c, &new_slug(), now).await?;
    let after = store::of_community(&mut tx, c)
        .await?
        .ok_or(CoreError::NotFound("board"))
        .and_then(decode)?;
    audit::record(
        &mut tx,
        ctx,
        Entry::new(Action::Update, "community_board", c.0)
            .community(c)
            .after(&serde_json::json!({"slug": "renewed"})),
    )
    .await?;
    tx.commit().await?;
    Ok(after)
}

/// The public page of a board, for anyone who has its address.
pub async fn public_board(core: &Core, slug: &str) -> CoreResult<PublicBoard> {
    let mut q = core.db.read();
    let row = store::by_slug(&mut q, slug)
        .await?
        .ok_or(CoreError::NotFound("board"))?;
    let c = row.community_id;
    let board = decode(row)?;
    let (company, name, timezone) = {
        let mut tx = core.db.read();
        crate::registry::store::for_community::company_of(&mut tx, c)
            .await?
            .ok_or(CoreError::NotFound("board"))?
    };
    // The board is public by design: what it shows of billing and the price list is read with
    // the company's own reach, for this one community.
    let sys = Ctx::system(company);
    // Who is on duty now comes from the roster when the community keeps one and somebody is
    // on a shift (names and shift only: no phone numbers); the typed text otherwise.
    let mut board = board;
    let tz = crate::shared::calendar::zone(&timezone);
    let duty = crate::duty::on_duty_at(&mut core.db.read(), &sys, c, tz, Utc::now()).await?;
    if !duty.shifts.is_empty() {
        board.on_duty = duty
            .shifts
            .iter()
            .flat_map(|s| {
                s.people.iter().map(move |p| BoardItem {
                    name: p.name.clone(),
                    detail: format!("{} {}–{}", s.name, s.starts, s.ends),
                })
            })
            .collect();
    }
    let fees = crate::billing::list_standards(core, &sys, c)
        .await?
        .into_iter()
        .filter(|s| s.active)
        .map(|s| BoardFee {
            name: s.name,
            method: s.method,
            price: model::yuan_e4(s.price_e4),
            tiers: s.tiers,
        })
        .collect();
    let prices = crate::tickets::list_services(core, &sys, c, true)
        .await?
        .into_iter()
        .map(|p| BoardPrice {
            name: p.name,
            unit: p.unit,
            price: crate::shared::money::Money(p.price_fen).to_string(),
        })
        .collect();
    let now = Utc::now();
    let notices = notices::live(&mut q, c, now, 30)
        .await?
        .into_iter()
        .filter(|n| n.scope != NoticeScope::Buildings.code())
        .take(8)
        .filter_map(|n| {
            Some(BoardNotice {
                id: n.id,
                category: NoticeCategory::parse(&n.category).ok()?,
                title: n.title,
                body: n.body,
                pinned: n.pinned,
                publish_at: n.publish_at,
            })
        })
        .collect();
    Ok(PublicBoard {
        community: name,
        timezone,
        board,
        fees,
        prices,
        notices,
    })
}
