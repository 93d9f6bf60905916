//! Handovers (交接班): the outgoing person starts one for his team's post, naming the incoming
//! person; it is filled in from the system ([`super::sources`]) and with every item still open
//! on the team's previous handover (carried over by itself), plus lines typed by hand. Items
//! are closed while it is open; the incoming person (or a manager) signs it off, once.

use std::collections::BTreeSet;

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::super::error::DutyCode;
use super::super::model::{HandoverState, ItemKind, ItemState};
use super::super::store;
use super::super::store::handovers::{HandoverRow, ItemRow, NewHandover, NewItem};
use super::{require_staff_in, staff_rows, today_in, tz_of};
use crate::audit::{self, Action, Entry};
use crate::db::Queries;
use crate::shared::error::{CommonCode, CoreError, CoreResult, FieldError};
use crate::shared::ids::*;
use crate::{Core, Ctx, Perm};

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct HandoverItem {
    pub id: HandoverItemId,
    pub kind: ItemKind,
    /// The record it is about (`request:12`, `cash:5:2026-12-06`, `incident:3`).
    pub source_ref: Option<String>,
    pub text: String,
    pub state: ItemState,
    /// Carried over from an earlier handover (the id of the first item of its chain).
    pub carried_from: Option<i64>,
    pub created_at: DateTime<Utc>,
    pub closed_at: Option<DateTime<Utc>>,
    pub closed_by: Option<UserId>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Handover {
    pub id: HandoverId,
    pub community_id: CommunityId,
    pub team: String,
    pub shift_code: Option<String>,
    #[schema(value_type = String, format = Date)]
    pub day: NaiveDate,
    pub outgoing_id: UserId,
    pub outgoing_name: String,
    pub incoming_id: UserId,
    pub incoming_name: String,
    pub note: Option<String>,
    pub state: HandoverState,
    pub created_at: DateTime<Utc>,
    pub signed_at: Option<DateTime<Utc>>,
    pub signed_by: Option<UserId>,
    pub open_items: i64,
    /// In order (empty in lists).
    pub items: Vec<HandoverItem>,
}

#[derive(Debug, Clone, Default, Deserialize, Serialize, ToSchema)]
pub struct HandoverForCreate {
    /// The team's post handed over (秩序维护部, 客服前台 …).
    pub team: String,
    #[serde(default)]
    pub shift_code: Option<String>,
    pub incoming_id: UserId,
    #[serde(default)]
    pub note: Option<String>,
    /// Lines typed by hand (one item each; empty ones are dropped).
    #[serde(default)]
    pub lines: Vec<String>,
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct HandoverLine {
    pub text: String,
}

#[derive(Debug, Clone, Default, Deserialize, ToSchema, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct HandoverFilter {
    pub team: Option<String>,
}

const MAX_LINE: usize = 300;

fn item_of(r: ItemRow) -> CoreResult<HandoverItem> {
    Ok(HandoverItem {
        id: r.id,
        kind: ItemKind::from_stored(&r.kind)?,
        source_ref: r.source_ref,
        text: r.text,
        state: ItemState::from_stored(&r.state)?,
        carried_from: r.origin_id,
        created_at: r.created_at,
        closed_at: r.closed_at,
        closed_by: r.closed_by,
    })
}

async fn view(
    q: &mut impl Queries,
    ctx: &Ctx,
    r: HandoverRow,
    with_items: bool,
) -> CoreResult<Handover> {
    let items: Vec<HandoverItem> = store::handovers::items(q, r.community_id, r.id)
        .await?
        .into_iter()
        .map(item_of)
        .collect::<CoreResult<_>>()?;
    let staff = staff_rows(q, ctx, r.community_id).await?;
    let name = |u: UserId| {
        staff
            .iter()
            .find(|s| s.user_id == u)
            .map(|s| s.name.clone())
            .unwrap_or_else(|| format!("#{u}"))
    };
    Ok(Handover {
        id: r.id,
        community_id: r.community_id,
        outgoing_name: name(r.outgoing_id),
        incoming_name: name(r.incoming_id),
        team: r.team,
        shift_code: r.shift_code,
        day: r.day,
        outgoing_id: r.outgoing_id,
        incoming_id: r.incoming_id,
        note: r.note,
        state: HandoverState::from_stored(&r.state)?,
        created_at: r.created_at,
        signed_at: r.signed_at,
        signed_by: r.signed_by,
        open_items: items.iter().filter(|i| i.state == ItemState::Open).count() as i64,
        items: if with_items { items } else { Vec::new() },
    })
}

fn lines_of(lines: &[String]) -> CoreResult<Vec<String>> {
    let mut errs = Vec::new();
    let mut out = Vec::new();
    for (i, l) in lines.iter().enumerate() {
        let t = l.trim();
        if t.is_empty() {
            continue;
        }
        if t.chars().count() > MAX_LINE {
            errs.push(
                FieldError::new(format!("lines[{i}]"), CommonCode::TooLong).with("max", MAX_LINE),
            );
        }
        out.push(t.to_string());
    }
    if errs.is_empty() {
        Ok(out)
    } else {
        Err(CoreError::Invalid(errs))
    }
}

/// Starts a handover from the actor (the outgoing person) to the incoming one: the team's
/// previous handover's open items carried over, the system's items (open requests, the cash he
/// holds, open incidents) not already carried, then the typed lines — in one transaction.
pub async fn start_handover(
    core: &Core,
    ctx: &Ctx,
    c: CommunityId,
    input: HandoverForCreate,
) -> CoreResult<Handover> {
    require_staff_in(ctx, c)?;
    let outgoing = ctx.actor().ok_or(CoreError::Forbidden)?;
    let mut errs = Vec::new();
    let team = input.team.trim().to_string();
    if team.is_empty() {
        errs.push(FieldError::new("team", CommonCode::Required));
    } else if team.chars().count() > 30 {
        errs.push(FieldError::new("team", CommonCode::TooLong).with("max", 30));
    }
    if input.incoming_id == outgoing {
        errs.push(FieldError::new("incoming_id", DutyCode::HandoverToSelf));
    }
    let note = input
        .note
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty());
    if note.is_some_and(|n| n.chars().count() > 1000) {
        errs.push(FieldError::new("note", CommonCode::TooLong).with("max", 1000));
    }
    let lines = match lines_of(&input.lines) {
        Ok(l) => l,
        Err(CoreError::Invalid(e)) => {
            errs.extend(e);
            Vec::new()
        }
        Err(e) => return Err(e),
    };
    let mut tx = core.db.begin().await?;
    let tz = tz_of(&mut tx, ctx, c).await?;
    let staff = staff_rows(&mut tx, ctx, c).await?;
    if input.incoming_id != outgoing && !staff.iter().any(|s| s.user_id == input.incoming_id) {
        errs.push(FieldError::new("incoming_id", DutyCode::NotStaff));
    }
    let shift_code = input
        .shift_code
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty());
    if let Some(code) = shift_code
        && !super::shifts_of(&mut tx, c)
            .await?
            .iter()
            .any(|s| s.code == code)
    {
        errs.push(FieldError::new("shift_code", DutyCode::UnknownShift));
    }
    if !errs.is_empty() {
        return Err(CoreError::Invalid(errs));
    }
    let now = Utc::now();
    let previous = store::handovers::latest_of_team(&mut tx, c, &team).await?;
    let h = NewHandover {
        team: &team,
        shift_code,
        day: today_in(tz),
        outgoing,
        incoming: input.incoming_id,
        note,
    };
    let id = store::handovers::insert(&mut tx, c, &h, now).await?;
    let mut items: Vec<NewItem> = Vec::new();
    let mut sources = BTreeSet::new();
    if let Some(p) = &previous {
        for it in store::handovers::items(&mut tx, c, p.id).await? {
            if it.state != ItemState::Open.code() {
                continue;
            }
            if let Some(s) = &it.source_ref {
                sources.insert(s.clone());
            }
            items.push(NewItem {
                kind: ItemKind::from_stored(&it.kind)?.code(),
                source_ref: it.source_ref,
                text: it.text,
                origin: Some(it.origin_id.unwrap_or(it.id.0)),
            });
        }
    }
    for it in super::sources::collect(core, &mut tx, c, outgoing).await? {
        if it
            .source_ref
            .as_ref()
            .is_none_or(|s| sources.insert(s.clone()))
        {
            items.push(it);
        }
    }
    items.extend(lines.into_iter().map(|text| NewItem {
        kind: ItemKind::Note.code(),
        source_ref: None,
        text,
        origin: None,
    }));
    store::handovers::add_items(&mut tx, c, id, &items, now).await?;
    audit::record(
        &mut tx,
        ctx,
        Entry::new(Action::Create, "handover", id.0)
            .community(c)
            .after(&serde_json::json!({ "team": team, "incoming": input.incoming_id,
                "items": items.len(), "carried": items.iter().filter(|i| i.origin.is_some()).count() })),
    )
    .await?;
    let row = store::handovers::get(&mut tx, id)
        .await?
        .ok_or(CoreError::NotFound("handover"))?;
    let v = view(&mut tx, ctx, row, true).await?;
    tx.commit().await?;
    Ok(v)
}

async fn reached(q: &mut impl Queries, ctx: &Ctx, id: HandoverId) -> CoreResult<HandoverRow> {
    let r = store::handovers::get(q, id)
        .await?
        .filter(|r| ctx.reaches(r.community_id))
        .ok_or(CoreError::NotFound("handover"))?;
    require_staff_in(ctx, r.community_id).map_err(|_| CoreError::NotFound("handover"))?;
    Ok(r)
}

/// A handover with its items (any staff of the community).
pub async fn get_handover(core: &Core, ctx: &Ctx, id: HandoverId) -> CoreResult<Handover> {
    let mut q = core.db.read();
    let r = reached(&mut q, ctx, id).await?;
    view(&mut q, ctx, r, true).await
}

/// The community's handovers, newest first (one team's when asked).
pub async fn list_handovers(
    core: &Core,
    ctx: &Ctx,
    c: CommunityId,
    f: HandoverFilter,
) -> CoreResult<Vec<Handover>> {
    require_staff_in(ctx, c)?;
    let mut q = core.db.read();
    tz_of(&mut q, ctx, c).await?;
    let team = f.team.as_deref().map(str::trim).filter(|s| !s.is_empty());
    let mut out = Vec::new();
    for r in store::handovers::list(&mut q, c, team, 200).await? {
        out.push(view(&mut q, ctx, r, false).await?);
    }
    Ok(out)
}

/// The outgoing person or a manager changes an open handover.
fn may_edit(ctx: &Ctx, r: &HandoverRow) -> CoreResult<()> {
    if r.state != HandoverState::Open.code() {
        return Err(CoreError::conflict("state", DutyCode::AlreadySigned));
    }
    if ctx.actor() != Some(r.outgoing_id) && !ctx.has(Perm::DutyManage) {
        return Err(CoreError::conflict("state", DutyCode::NotOutgoing));
    }
    Ok(())
}

/// Adds a line typed by hand to an open handover.
pub async fn add_handover_line(
    core: &Core,
    ctx: &Ctx,
    id: HandoverId,
    input: HandoverLine,
) -> CoreResult<Handover> {
    let mut tx = core.db.begin().await?;
    let r = reached(&mut tx, ctx, id).await?;
    may_edit(ctx, &r)?;
    let text = input.text.trim();
    if text.is_empty() {
        return Err(CoreError::invalid("text", CommonCode::Required));
    }
    if text.chars().count() > MAX_LINE {
        return Err(CoreError::Invalid(vec![
            FieldError::new("text", CommonCode::TooLong).with("max", MAX_LINE),
        ]));
    }
    let it = NewItem {
        kind: ItemKind::Note.code(),
        source_ref: None,
        text: text.to_string(),
        origin: None,
    };
    store::handovers::add_items(&mut tx, r.community_id, id, &[it], Utc::now()).await?;
    audit::record(
        &mut tx,
        ctx,
        Entry::new(Action::Update, "handover", id.0)
            .community(r.community_id)
            .after(&serde_json::json!({ "line": text })),
    )
    .await?;
    let v = view(&mut tx, ctx, r, true).await?;
    tx.commit().await?;
    Ok(v)
}

/// Closes an item of an open handover (dealt with: it will not carry over).
pub async fn close_handover_item(
    core: &Core,
    ctx: &Ctx,
    item: HandoverItemId,
) -> CoreResult<Handover> {
    let mut tx = core.db.begin().await?;
    let it = store::handovers::item(&mut tx, item)
        .await?
        .ok_or(CoreError::NotFound("handover_item"))?;
    let r = reached(&mut tx, ctx, it.handover_id).await?;
    may_edit(ctx, &r)?;
    if store::handovers::close_item(&mut tx, r.community_id, item, ctx.actor(), Utc::now()).await?
        == 0
    {
        return Err(CoreError::conflict("state", DutyCode::ItemClosed));
    }
    audit::record(
        &mut tx,
        ctx,
        Entry::new(Action::Update, "handover_item", item.0)
            .community(r.community_id)
            .before(&serde_json::json!({ "state": "open" }))
            .after(&serde_json::json!({ "state": "closed" })),
    )
    .await?;
    let v = view(&mut tx, ctx, r, true).await?;
    tx.commit().await?;
    Ok(v)
}

/// The incoming person (or a manager) signs the handover off, once.
pub async fn sign_handover(core: &Core, ctx: &Ctx, id: HandoverId) -> CoreResult<Handover> {
    let mut tx = core.db.begin().await?;
    let r = reached(&mut tx, ctx, id).await?;
    if ctx.actor() != Some(r.incoming_id) && !ctx.has(Perm::DutyManage) {
        return Err(CoreError::conflict("state", DutyCode::NotIncoming));
    }
    let now = Utc::now();
    if store::handovers::sign(&mut tx, r.community_id, id, ctx.actor(), now).await? == 0 {
        return Err(CoreError::conflict("state", DutyCode::AlreadySigned));
    }
    audit::record(
        &mut tx,
        ctx,
        Entry::new(Action::Update, "handover", id.0)
            .community(r.community_id)
            .before(&serde_json::json!({ "state": "open" }))
            .after(&serde_json::json!({ "state": "signed" })),
    )
    .await?;
    let row = store::handovers::get(&mut tx, id)
        .await?
        .ok_or(CoreError::NotFound("handover"))?;
    let v = view(&mut tx, ctx, row, true).await?;
    tx.commit().await?;
    Ok(v)
}
