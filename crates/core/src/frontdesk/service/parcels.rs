//! Parcels and mail held at the desk (代收快递 / 邮件 / 报刊): received in seconds for a unit's
//! person (or a name and phone from the label), put on a shelf with a six-digit pick-up code
//! that goes to the recipient through the outbox (his portal account's channels, or an SMS to
//! the label's phone); found by that code; picked up by the code or the recipient's ID with a
//! signature drawn on the screen; returned to the carrier; reminded when waiting long.

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::super::error::FrontdeskCode;
use super::super::model::{self, ParcelKind, ParcelState, PickupMethod};
use super::super::store::parcels::{self as store, ParcelRow, ParcelWhere, Pickup};
use super::intake::{Intake, tell};
use super::{Resident, desk_unit, optional_phone, require_desk, staff_names, unit_person};
use crate::audit::{self, Action, Entry, Who};
use crate::db::Queries;
use crate::notify;
use crate::notify::model::Event;
use crate::shared::crypto::{mask_id_number, mask_phone};
use crate::shared::error::{CoreError, CoreResult, FieldError};
use crate::shared::export::{ExportFile, PAGE, Sink};
use crate::shared::ids::*;
use crate::shared::values::{IdNumber, optional_text, query_text, required_text};
use crate::{Core, Ctx};

/// The largest signature image kept (a drawn signature is a few KB).
const MAX_SIGNATURE: usize = 200 * 1024;

/// A parcel or letter held at the desk, or handed over.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Parcel {
    pub id: ParcelId,
    pub community_id: CommunityId,
    pub kind: ParcelKind,
    pub carrier: String,
    pub tracking_no: Option<String>,
    pub unit_id: Option<UnitId>,
    pub recipient_id: Option<PersonId>,
    pub recipient_name: String,
    /// Masked.
    pub phone: Option<String>,
    pub shelf: Option<String>,
    /// The six-digit pick-up code.
    pub code: String,
    pub state: ParcelState,
    pub note: Option<String>,
    pub received_at: DateTime<Utc>,
    pub received_by_name: Option<String>,
    /// Whole days it has waited (held), or waited (handed over).
    pub days_held: i64,
    pub reminders: i64,
    pub reminded_at: Option<DateTime<Utc>>,
    pub picked_at: Option<DateTime<Utc>>,
    pub picked_by_name: Option<String>,
    pub pickup_method: Option<PickupMethod>,
    /// The ID shown at pick-up, masked.
    pub id_number: Option<String>,
    pub handed_by_name: Option<String>,
    pub returned_at: Option<DateTime<Utc>>,
    pub return_note: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize, Serialize, ToSchema)]
pub struct ParcelForCreate {
    /// `parcel` (default), `letter`, `registered` or `periodical`.
    #[serde(default)]
    pub kind: Option<String>,
    /// 顺丰, 京东, 中通, EMS …
    pub carrier: String,
    /// Scanned or typed (none for a plain letter); a number held already is refused.
    #[serde(default)]
    pub tracking_no: Option<String>,
    #[serde(default)]
    pub unit_id: Option<UnitId>,
    /// Or the unit as the desk types it (`1栋-1801`).
    #[serde(default)]
    pub unit_label: Option<String>,
    /// A person of the unit; or else `recipient_name` (and a phone) from the label.
    #[serde(default)]
    pub recipient_id: Option<PersonId>,
    #[serde(default)]
    pub recipient_name: Option<String>,
    /// The label's phone: the pick-up code goes there by SMS when the recipient has no
    /// account.
    #[serde(default)]
    pub phone: Option<String>,
    #[serde(default)]
    pub shelf: Option<String>,
    #[serde(default)]
    pub note: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize, Serialize, ToSchema)]
pub struct ParcelPickup {
    /// `code` or `id_card`.
    pub method: String,
    /// The code the recipient shows (method `code`).
    #[serde(default)]
    pub code: Option<String>,
    /// The ID shown (method `id_card`): checked against the recipient's when the registry has
    /// it; kept masked.
    #[serde(default)]
    pub id_number: Option<String>,
    /// Who takes it, when not the recipient himself.
    #[serde(default)]
    pub picked_by_name: Option<String>,
    /// The signature drawn on the screen: a PNG as `data:image/png;base64,…` or bare base64.
    pub signature: String,
}

#[derive(Debug, Clone, Default, Deserialize, Serialize, ToSchema)]
pub struct ParcelReturn {
    #[serde(default)]
    pub note: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize, ToSchema, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ParcelFilter {
    /// `held`, `picked` or `returned`.
    pub state: Option<String>,
    pub unit_id: Option<i64>,
    /// Held at least this many days (oldest first): for reminders or return.
    pub older_than_days: Option<i64>,
    /// The end of a tracking number, or a part of the recipient's name.
    pub q: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize, Serialize, ToSchema)]
pub struct ParcelReminders {
    /// Remind of the parcels held at least this many days (1–365), each at most once a day.
    pub older_than_days: i64,
}

/// How many parcels a reminder run told.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct RemindersSent {
    pub reminded: i64,
}

fn parcel_of(
    core: &Core,
    r: ParcelRow,
    names: &std::collections::HashMap<UserId, String>,
    now: DateTime<Utc>,
) -> CoreResult<Parcel> {
    let name =
        |u: Option<UserId>| u.map(|u| names.get(&u).cloned().unwrap_or_else(|| format!("#{u}")));
    let until = r.picked_at.or(r.returned_at).unwrap_or(now);
    Ok(Parcel {
        phone: r
            .phone_enc
            .as_ref()
            .map(|b| core.crypto.decrypt(b).map(|p| mask_phone(&p)))
            .transpose()?,
        kind: ParcelKind::from_stored(&r.kind)?,
        state: ParcelState::from_stored(&r.state)?,
        pickup_method: r
            .pickup_method
            .as_deref()
            .map(PickupMethod::from_stored)
            .transpose()?,
        received_by_name: name(r.received_by),
        handed_by_name: name(r.handed_by),
        days_held: model::days_held(r.received_at, until),
        id: r.id,
        community_id: r.community_id,
        carrier: r.carrier,
        tracking_no: r.tracking_no,
        unit_id: r.unit_id,
        recipient_id: r.recipient_id,
        recipient_name: r.recipient_name,
        shelf: r.shelf,
        code: r.code,
        note: r.note,
        received_at: r.received_at,
        reminders: r.reminders,
        reminded_at: r.reminded_at,
        picked_at: r.picked_at,
        picked_by_name: r.picked_by_name,
        id_number: r.id_number_masked,
        returned_at: r.returned_at,
        return_note: r.return_note,
    })
}

async fn view(core: &Core, q: &mut impl Queries, ctx: &Ctx, r: ParcelRow) -> CoreResult<Parcel> {
    let names = staff_names(q, ctx, r.community_id).await?;
    parcel_of(core, r, &names, Utc::now())
}

/// Receives a parcel for a unit's person or a named recipient, gives it a pick-up code unique
/// among the community's parcels held, and tells the recipient (`frontdesk.work`).
pub async fn receive_parcel(
    core: &Core,
    ctx: &Ctx,
    c: CommunityId,
    input: ParcelForCreate,
) -> CoreResult<Parcel> {
    require_desk(ctx, c)?;
    let mut errs = Vec::new();
    let kind = match input
        .kind
        .as_deref()
        .map(str::trim)
        .filter(|k| !k.is_empty())
    {
        Some(k) => ParcelKind::parse("kind", k).map_err(|e| errs.push(e)).ok(),
        None => Some(ParcelKind::Parcel),
    };
    let carrier = required_text("carrier", &input.carrier, 20)
        .map_err(|e| errs.push(e))
        .unwrap_or_default();
    let tracking_no = match input
        .tracking_no
        .as_deref()
        .map(str::trim)
        .filter(|t| !t.is_empty())
    {
        Some(t) if t.len() > 40 || !t.chars().all(|c| c.is_ascii_alphanumeric() || c == '-') => {
            errs.push(FieldError::new(
                "tracking_no",
                crate::shared::error::CommonCode::InvalidCode,
            ));
            None
        }
        Some(t) => Some(t.to_uppercase()),
        None => None,
    };
    let shelf = optional_text("shelf", input.shelf.as_deref(), 20)
        .map_err(|e| errs.push(e))
        .unwrap_or_default();
    let note = optional_text("note", input.note.as_deref(), 200)
        .map_err(|e| errs.push(e))
        .unwrap_or_default();
    let phone = optional_phone("phone", input.phone.as_deref(), &mut errs);
    let typed_name = optional_text("recipient_name", input.recipient_name.as_deref(), 30)
        .map_err(|e| errs.push(e))
        .unwrap_or_default();
    let unit = desk_unit(
        core,
        ctx,
        c,
        input.unit_id,
        input.unit_label.as_deref(),
        &mut errs,
    )
    .await?;
    // The checks read on the reader: the one writer is held only for the writes (a tracking
    // number taken meanwhile is caught by the insert). A name typed from the label that is one
    // person's of the unit is that person: his account is told, his ID checked at pick-up.
    let mut q = core.db.read();
    let given = Resident {
        person: input.recipient_id,
        name: typed_name,
        phone_enc: phone.as_ref().map(|p| core.crypto.encrypt(p.as_str())),
    };
    let fields = ("recipient_id", "recipient_name");
    let Resident {
        person: recipient_id,
        name: recipient_name,
        phone_enc,
    } = unit_person(
        &mut q,
        c,
        unit,
        given,
        fields,
        FrontdeskCode::RecipientRequired,
        &mut errs,
    )
    .await?;
    if let Some(t) = &tracking_no
        && !carrier.is_empty()
        && store::tracking_held(&mut q, c, &carrier, t).await?
    {
        errs.push(FieldError::new(
            "tracking_no",
            FrontdeskCode::DuplicateTracking,
        ));
    }
    let (Some(kind), Some(recipient_name)) = (kind, recipient_name.filter(|_| errs.is_empty()))
    else {
        return Err(CoreError::Invalid(errs));
    };
    // The recipient's accounts are read here, so the write holds the writer only for writes.
    let accounts = match recipient_id {
        Some(p) => notify::accounts_of_people(&mut q, &[p])
            .await?
            .into_iter()
            .map(|(_, u)| u)
            .collect(),
        None => Vec::new(),
    };
    drop(q);
    let now = Utc::now();
    let job = Intake {
        who: Who::of(ctx),
        channels: core.channels.clone(),
        community: c,
        kind,
        carrier,
        tracking_no,
        unit,
        recipient: recipient_id,
        recipient_name,
        phone_enc,
        shelf,
        note,
        accounts,
        now,
    };
    let r = core.parcels.submit(&core.db, job).await?;
    // The answer is the row as written (no read back, no staff list: the receiver is the caller).
    let me = ctx
        .actor()
        .map(|u| (u, ctx.display_name.clone()))
        .into_iter()
        .collect();
    parcel_of(core, r, &me, now)
}

async fn reached(q: &mut impl Queries, ctx: &Ctx, id: ParcelId) -> CoreResult<ParcelRow> {
    let r = store::get(q, id)
        .await?
        .filter(|r| ctx.reaches(r.community_id))
        .ok_or(CoreError::NotFound("parcel"))?;
    require_desk(ctx, r.community_id).map_err(|_| CoreError::NotFound("parcel"))?;
    Ok(r)
}

/// A parcel.
pub async fn get_parcel(core: &Core, ctx: &Ctx, id: ParcelId) -> CoreResult<Parcel> {
    let mut q = core.db.read();
    let r = reached(&mut q, ctx, id).await?;
    view(core, &mut q, ctx, r).await
}

/// The parcel held under a pick-up code (the recipient shows it at the desk).
pub async fn parcel_by_code(
    core: &Core,
    ctx: &Ctx,
    c: CommunityId,
    code: &str,
) -> CoreResult<Parcel> {
    require_desk(ctx, c)?;
    let code = code.trim();
    if !model::is_pickup_code(code) {
        return Err(CoreError::Invalid(vec![FieldError::new(
            "code",
            FrontdeskCode::UnknownCode,
        )]));
    }
    let mut q = core.db.read();
    let r = store::held_by_code(&mut q, c, code)
        .await?
        .ok_or(CoreError::NotFound("parcel"))?;
    view(core, &mut q, ctx, r).await
}

/// The community's parcels: held, picked up or returned; those held long, oldest first.
pub async fn list_parcels(
    core: &Core,
    ctx: &Ctx,
    c: CommunityId,
    f: ParcelFilter,
) -> CoreResult<Vec<Parcel>> {
    require_desk(ctx, c)?;
    let now = Utc::now();
    let w = parcel_where(&f, now)?;
    let mut q = core.db.read();
    let names = staff_names(&mut q, ctx, c).await?;
    store::list(&mut q, c, &w, 500)
        .await?
        .into_iter()
        .map(|r| parcel_of(core, r, &names, now))
        .collect()
}

/// A list's filter, checked (each bad field named).
pub(super) fn parcel_where(f: &ParcelFilter, now: DateTime<Utc>) -> CoreResult<ParcelWhere<'_>> {
    let mut errs = Vec::new();
    let state = match f.state.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        Some(s) => ParcelState::parse("state", s)
            .map_err(|e| errs.push(e))
            .ok()
            .map(ParcelState::code),
        None => None,
    };
    let text = match f.q.as_deref() {
        Some(t) => query_text("q", t, 40)
            .map_err(|e| errs.push(e))
            .ok()
            .filter(|t| !t.is_empty()),
        None => None,
    };
    let before = match f.older_than_days {
        Some(d) if (1..=365).contains(&d) => Some(now - Duration::days(d)),
        Some(_) => {
            errs.push(FieldError::new("older_than_days", FrontdeskCode::DaysRange));
            None
        }
        None => None,
    };
    if !errs.is_empty() {
        return Err(CoreError::Invalid(errs));
    }
    Ok(ParcelWhere {
        state: if before.is_some() {
            Some(ParcelState::Held.code())
        } else {
            state
        },
        unit: f.unit_id.map(UnitId),
        before,
        text,
        below_id: None,
    })
}

/// The parcels `w` picks, every one, newest first, into `sink`.
pub(super) async fn export_parcels(
    core: &Core,
    ctx: &Ctx,
    c: CommunityId,
    mut w: ParcelWhere<'_>,
    sink: Sink<Parcel>,
) -> CoreResult<ExportFile> {
    let now = Utc::now();
    let mut q = core.db.read();
    let names = staff_names(&mut q, ctx, c).await?;
    let mut sink = sink.by_id(|p| p.id.0);
    while let Some(below) = sink.below() {
        let rows: CoreResult<Vec<_>> = {
            w.below_id = Some(below);
            store::list(&mut q, c, &w, PAGE)
                .await?
                .into_iter()
                .map(|r| parcel_of(core, r, &names, now))
                .collect()
        };
        sink.page(rows?).await;
    }
    sink.finish().await
}

/// Hands a held parcel over: by its code, or by the recipient's ID (checked against the
/// registry's when it has one), with the signature drawn on the screen. Picked up twice, or
/// at two desks at once: the second is refused.
pub async fn pick_up_parcel(
    core: &Core,
    ctx: &Ctx,
    id: ParcelId,
    input: ParcelPickup,
) -> CoreResult<Parcel> {
    let mut tx = core.db.begin().await?;
    let r = reached(&mut tx, ctx, id).await?;
    let c = r.community_id;
    if r.state != ParcelState::Held.code() {
        return Err(CoreError::conflict("id", FrontdeskCode::NotHeld));
    }
    let mut errs = Vec::new();
    let method = PickupMethod::parse("method", &input.method)
        .map_err(|e| errs.push(e))
        .ok();
    let mut id_masked = None;
    match method {
        Some(PickupMethod::Code)
            if input.code.as_deref().map(str::trim) != Some(r.code.as_str()) =>
        {
            errs.push(FieldError::new("code", FrontdeskCode::WrongCode));
        }
        Some(PickupMethod::Code) => {}
        Some(PickupMethod::IdCard) => {
            match IdNumber::parse("id_number", input.id_number.as_deref().unwrap_or("")) {
                Ok(idn) => {
                    let known = match r.recipient_id {
                        Some(p) => {
                            crate::registry::store::for_frontdesk::id_hash(&mut tx, c, p).await?
                        }
                        None => None,
                    };
                    if known
                        .is_some_and(|h| h != core.crypto.blind_index("id_number", idn.as_str()))
                    {
                        errs.push(FieldError::new("id_number", FrontdeskCode::WrongId));
                    }
                    id_masked = Some(mask_id_number(idn.as_str()));
                }
                Err(e) => errs.push(e),
            }
        }
        None => {}
    }
    let picked_by = optional_text("picked_by_name", input.picked_by_name.as_deref(), 30)
        .map_err(|e| errs.push(e))
        .unwrap_or_default()
        .unwrap_or_else(|| r.recipient_name.clone());
    let png = model::signature_png(&input.signature, MAX_SIGNATURE);
    if png.is_none() {
        errs.push(
            FieldError::new("signature", FrontdeskCode::BadSignature)
                .with("max", MAX_SIGNATURE / 1024),
        );
    }
    let (Some(method), Some(png)) = (method, png.filter(|_| errs.is_empty())) else {
        return Err(CoreError::Invalid(errs));
    };
    let now = Utc::now();
    let p = Pickup {
        picked_by_name: &picked_by,
        method: method.code(),
        id_number_masked: id_masked.as_deref(),
        by: ctx.actor(),
    };
    if store::pick_up(&mut tx, c, id, &p, now).await? != 1 {
        return Err(CoreError::conflict("id", FrontdeskCode::NotHeld));
    }
    store::insert_signature(&mut tx, c, id, png, now).await?;
    audit::record(
        &mut tx,
        ctx,
        Entry::new(Action::Update, "parcel", id.0)
            .community(c)
            .before(&serde_json::json!({"state": "held"}))
            .after(&serde_json::json!({"state": "picked", "picked_by": picked_by, "method": method.code(),
                "id_number": id_masked})),
    )
    .await?;
    let r = store::get(&mut tx, id)
        .await?
        .ok_or(CoreError::NotFound("parcel"))?;
    let v = view(core, &mut tx, ctx, r).await?;
    tx.commit().await?;
    Ok(v)
}

/// Returns a held parcel to its carrier (refused by the recipient, waiting too long).
pub async fn return_parcel(
    core: &Core,
    ctx: &Ctx,
    id: ParcelId,
    input: ParcelReturn,
) -> CoreResult<Parcel> {
    let mut tx = core.db.begin().await?;
    let r = reached(&mut tx, ctx, id).await?;
    let c = r.community_id;
    let note = optional_text("note", input.note.as_deref(), 200)
        .map_err(|e| CoreError::Invalid(vec![e]))?;
    if store::give_back(&mut tx, c, id, note.as_deref(), Utc::now()).await? != 1 {
        return Err(CoreError::conflict("id", FrontdeskCode::NotHeld));
    }
    audit::record(
        &mut tx,
        ctx,
        Entry::new(Action::Update, "parcel", id.0)
            .community(c)
            .before(&serde_json::json!({"state": "held"}))
            .after(&serde_json::json!({"state": "returned", "note": note})),
    )
    .await?;
    let r = store::get(&mut tx, id)
        .await?
        .ok_or(CoreError::NotFound("parcel"))?;
    let v = view(core, &mut tx, ctx, r).await?;
    tx.commit().await?;
    Ok(v)
}

/// Reminds the recipients of the parcels held at least `older_than_days`, each at most once a
/// day (a second run the same day tells nobody again).
pub async fn remind_parcels(
    core: &Core,
    ctx: &Ctx,
    c: CommunityId,
    input: ParcelReminders,
) -> CoreResult<RemindersSent> {
    require_desk(ctx, c)?;
    if !(1..=365).contains(&input.older_than_days) {
        return Err(CoreError::Invalid(vec![FieldError::new(
            "older_than_days",
            FrontdeskCode::DaysRange,
        )]));
    }
    let now = Utc::now();
    let w = ParcelWhere {
        state: Some(ParcelState::Held.code()),
        unit: None,
        before: Some(now - Duration::days(input.older_than_days)),
        text: None,
        below_id: None,
    };
    let rows = store::list(&mut core.db.read(), c, &w, 500).await?;
    let mut reminded = 0;
    let mut tx = core.db.begin().await?;
    for r in rows {
        if store::mark_reminded(&mut tx, c, r.id, now - Duration::hours(20), now).await? == 1 {
            let accounts: Vec<UserId> = match r.recipient_id {
                Some(p) => notify::accounts_of_people(&mut tx, &[p])
                    .await?
                    .into_iter()
                    .map(|(_, u)| u)
                    .collect(),
                None => Vec::new(),
            };
            tell(
                &core.channels,
                &mut tx,
                &r,
                &accounts,
                Event::ParcelReminder,
                model::days_held(r.received_at, now),
                now,
            )
            .await?;
            reminded += 1;
        }
    }
    audit::record(
        &mut tx,
        ctx,
        Entry::new(Action::Update, "parcel_reminders", c.0)
            .community(c)
            .after(&serde_json::json!({"older_than_days": input.older_than_days, "reminded": reminded})),
    )
    .await?;
    tx.commit().await?;
    Ok(RemindersSent { reminded })
}

/// The owner's parcels in the portal: those waiting for him with their pick-up codes, and those
/// handed over in the last 30 days. Staff names are not shown to him.
pub async fn my_parcels(core: &Core, ctx: &Ctx) -> CoreResult<Vec<Parcel>> {
    let me = crate::portal::profile(core, ctx).await?;
    let now = Utc::now();
    let rows = store::of_recipient(
        &mut core.db.read(),
        me.community_id,
        me.person_id,
        now - Duration::days(30),
    )
    .await?;
    let none = std::collections::HashMap::new();
    rows.into_iter()
        .map(|r| {
            parcel_of(core, r, &none, now).map(|p| Parcel {
                received_by_name: None,
                handed_by_name: None,
                ..p
            })
        })
        .collect()
}

/// The signature drawn at pick-up (PNG).
pub async fn parcel_signature(core: &Core, ctx: &Ctx, id: ParcelId) -> CoreResult<Vec<u8>> {
    let mut q = core.db.read();
    let r = reached(&mut q, ctx, id).await?;
    store::signature(&mut q, r.community_id, id)
        .await?
        .ok_or(CoreError::NotFound("signature"))
}
