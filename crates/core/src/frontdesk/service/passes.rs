//! Passes (出入证). An owner pre-registers a guest in the portal: a pass with an eight-digit
//! code (a QR in the portal) valid for a window of at most 7 days, checked in at the gate in one
//! scan ([`super::visitors::check_in_pass`]) and used once. The desk issues temporary passes
//! (临时出入证) and construction workers' passes (施工人员出入证) with a printed number, used as
//! often as the holder comes within their dates. Either is revoked by whoever issued it.

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::super::error::FrontdeskCode;
use super::super::model::{self, IdType, PassKind};
use super::super::store::visitors::{self as store, NewPass, PassRow};
use super::visitors::{Names, VisitorForCreate, blank, masked_phone, visitor_input};
use super::{require_desk, staff_names};
use crate::audit::{self, Action, Entry};
use crate::db::{Queries, Tx};
use crate::shared::error::{CoreError, CoreResult, FieldError};
use crate::shared::ids::*;
use crate::{Core, Ctx};

/// The longest window of a guest's pass, and of the desk's passes.
const GUEST_DAYS: i64 = 7;
const DESK_PASS_DAYS: i64 = 366;

/// A pass.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct VisitorPass {
    pub id: VisitorPassId,
    pub community_id: CommunityId,
    pub kind: PassKind,
    /// The eight digits the QR carries.
    pub code: String,
    /// The printed number of a temporary or worker's pass (LS-00001, SG-00001).
    pub number: Option<String>,
    pub holder_name: String,
    pub id_type: Option<IdType>,
    /// Masked.
    pub id_number: Option<String>,
    /// Masked.
    pub phone: Option<String>,
    pub unit_id: Option<UnitId>,
    pub unit_label: Option<String>,
    pub host_person_id: Option<PersonId>,
    pub host_name: Option<String>,
    pub purpose: Option<String>,
    pub plate: Option<String>,
    pub party_size: i64,
    pub valid_from: DateTime<Utc>,
    pub valid_until: DateTime<Utc>,
    /// Entries made with it.
    pub entries: i64,
    pub used_at: Option<DateTime<Utc>>,
    pub revoked_at: Option<DateTime<Utc>>,
    /// Whether it lets its holder in now.
    pub valid_now: bool,
    pub created_at: DateTime<Utc>,
    /// The desk's member who issued it (none: the owner, from the portal).
    pub issued_by_name: Option<String>,
    /// The decoration a worker's pass was issued for.
    pub decoration_id: Option<DecorationId>,
    /// Whether the holder's photo is on it (`GET /visitor-passes/{id}/photo`).
    pub has_photo: bool,
}

/// A pass the desk issues.
#[derive(Debug, Clone, Default, Deserialize, Serialize, ToSchema)]
pub struct PassForCreate {
    /// `temporary` or `worker` (a guest's pass is the owner's, from the portal).
    pub kind: String,
    #[serde(flatten)]
    pub visitor: VisitorForCreate,
    pub valid_from: DateTime<Utc>,
    pub valid_until: DateTime<Utc>,
    /// A worker's pass for a decoration under way: valid within its period only, revoked when
    /// its works are accepted.
    #[serde(default)]
    pub decoration_id: Option<DecorationId>,
}

/// A guest's pass the owner pre-registers in the portal.
#[derive(Debug, Clone, Default, Deserialize, Serialize, ToSchema)]
pub struct GuestPassForCreate {
    /// One of the units he lives in.
    pub unit_id: UnitId,
    pub guest_name: String,
    #[serde(default)]
    pub phone: Option<String>,
    #[serde(default)]
    pub plate: Option<String>,
    #[serde(default)]
    pub party_size: Option<i64>,
    #[serde(default)]
    pub purpose: Option<String>,
    pub valid_from: DateTime<Utc>,
    /// At most 7 days after `valid_from`.
    pub valid_until: DateTime<Utc>,
}

#[derive(Debug, Clone, Default, Deserialize, ToSchema, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PassFilter {
    /// `guest`, `temporary` or `worker`.
    pub kind: Option<String>,
    /// Only those that let their holder in now.
    pub valid: Option<bool>,
}

fn pass_of(core: &Core, r: PassRow, names: &Names, now: DateTime<Utc>) -> CoreResult<VisitorPass> {
    let kind = PassKind::from_stored(&r.kind)?;
    let valid_now = r.revoked_at.is_none()
        && r.valid_from <= now
        && now < r.valid_until
        && !(kind == PassKind::Guest && r.used_at.is_some());
    Ok(VisitorPass {
        phone: masked_phone(core, &r.phone_enc)?,
        id_type: r.id_type.as_deref().map(IdType::from_stored).transpose()?,
        kind,
        valid_now,
        id: r.id,
        community_id: r.community_id,
        code: r.code,
        number: r.number,
        holder_name: r.holder_name,
        id_number: r.id_number_masked,
        unit_id: r.unit_id,
        unit_label: r.unit_label,
        host_person_id: r.host_person_id,
        host_name: r.host_name,
        purpose: r.purpose,
        plate: r.plate,
        party_size: r.party_size,
        valid_from: r.valid_from,
        valid_until: r.valid_until,
        entries: r.entries,
        used_at: r.used_at,
        revoked_at: r.revoked_at,
        created_at: r.created_at,
        issued_by_name: r.created_by.and_then(|u| names.get(&u).cloned()),
        decoration_id: r.decoration_id,
        has_photo: r.photo_path.is_some(),
    })
}

fn window(
    from: DateTime<Utc>,
    until: DateTime<Utc>,
    max_days: i64,
    now: DateTime<Utc>,
) -> Option<FieldError> {
    (until <= from || until <= now || until - from > Duration::days(max_days))
        .then(|| FieldError::new("valid_until", FrontdeskCode::PassWindow).with("max", max_days))
}

/// Writes a pass under a fresh code (drawn again when the community has it).
async fn write_pass(tx: &mut Tx, c: CommunityId, p: NewPass<'_>) -> CoreResult<VisitorPassId> {
    for _ in 0..20 {
        let code = model::pass_code(u64::from_le_bytes(
            crate::shared::crypto::random_bytes::<8>(),
        ));
        let p = NewPass { code: &code, ..p };
        if let Some(id) = store::insert_pass(tx, c, &p, Utc::now()).await? {
            return Ok(id);
        }
        if let Some(n) = p.number
            && store::number_taken(tx, c, n).await?
        {
            return Err(CoreError::Invalid(vec![FieldError::new(
                "number",
                FrontdeskCode::DuplicatePassNumber,
            )]));
        }
    }
    Err(CoreError::internal("no free pass code after 20 draws"))
}

/// The desk issues a temporary or construction worker's pass with the next printed number.
pub async fn create_pass(
    core: &Core,
    ctx: &Ctx,
    c: CommunityId,
    input: PassForCreate,
) -> CoreResult<VisitorPass> {
    require_desk(ctx, c)?;
    let mut errs = Vec::new();
    let kind = match PassKind::parse("kind", &input.kind) {
        Ok(PassKind::Guest) => {
            errs.push(FieldError::new("kind", FrontdeskCode::UnknownPassKind));
            None
        }
        Ok(k) => Some(k),
        Err(e) => {
            errs.push(e);
            None
        }
    };
    let now = Utc::now();
    let mut tx = core.db.begin().await?;
    let v = visitor_input(core, ctx, &mut tx, c, &input.visitor, &mut errs).await?;
    errs.extend(window(
        input.valid_from,
        input.valid_until,
        DESK_PASS_DAYS,
        now,
    ));
    if let Some(d) = input.decoration_id {
        let tz = super::tz_of(&mut tx, ctx, c).await?;
        errs.extend(
            crate::decoration::pass_fits(
                &mut tx,
                c,
                d,
                kind == Some(PassKind::Worker),
                (input.valid_from, input.valid_until),
                tz,
            )
            .await?,
        );
    }
    let Some(kind) = kind.filter(|_| errs.is_empty()) else {
        return Err(CoreError::Invalid(errs));
    };
    let prefix = match kind {
        PassKind::Worker => "SG",
        _ => "LS",
    };
    let number = format!(
        "{prefix}-{:05}",
        store::count_passes(&mut tx, c, kind.code()).await? + 1
    );
    let id = write_pass(
        &mut tx,
        c,
        NewPass {
            kind: kind.code(),
            code: "",
            number: Some(&number),
            v: &v,
            valid_from: input.valid_from,
            valid_until: input.valid_until,
            by: ctx.actor(),
            decoration: input.decoration_id,
        },
    )
    .await?;
    audit::record(
        &mut tx,
        ctx,
        Entry::new(Action::Create, "visitor_pass", id.0)
            .community(c)
            .after(
                &serde_json::json!({"kind": kind.code(), "number": number, "holder": v.name,
                "valid_from": input.valid_from, "valid_until": input.valid_until}),
            ),
    )
    .await?;
    let r = store::get_pass(&mut tx, id)
        .await?
        .ok_or(CoreError::NotFound("visitor_pass"))?;
    let names = staff_names(&mut tx, ctx, c).await?;
    tx.commit().await?;
    pass_of(core, r, &names, now)
}

/// The workers' passes issued for a decoration (its page lists them).
pub(crate) async fn decoration_passes(
    core: &Core,
    q: &mut impl Queries,
    ctx: &Ctx,
    c: CommunityId,
    d: DecorationId,
) -> CoreResult<Vec<VisitorPass>> {
    let names = staff_names(q, ctx, c).await?;
    let now = Utc::now();
    store::decoration_passes(q, c, d)
        .await?
        .into_iter()
        .map(|r| pass_of(core, r, &names, now))
        .collect()
}

/// Revokes a decoration's workers' passes still in force; how many.
pub(crate) async fn revoke_decoration_passes(
    tx: &mut Tx,
    c: CommunityId,
    d: DecorationId,
) -> CoreResult<u64> {
    store::revoke_decoration_passes(tx, c, d, Utc::now()).await
}

async fn reached_pass(q: &mut impl Queries, ctx: &Ctx, id: VisitorPassId) -> CoreResult<PassRow> {
    let r = store::get_pass(q, id)
        .await?
        .filter(|r| ctx.reaches(r.community_id))
        .ok_or(CoreError::NotFound("visitor_pass"))?;
    require_desk(ctx, r.community_id).map_err(|_| CoreError::NotFound("visitor_pass"))?;
    Ok(r)
}

pub async fn get_pass(core: &Core, ctx: &Ctx, id: VisitorPassId) -> CoreResult<VisitorPass> {
    let mut q = core.db.read();
    let r = reached_pass(&mut q, ctx, id).await?;
    let names = staff_names(&mut q, ctx, r.community_id).await?;
    pass_of(core, r, &names, Utc::now())
}

/// The community's passes, newest first.
pub async fn list_passes(
    core: &Core,
    ctx: &Ctx,
    c: CommunityId,
    f: PassFilter,
) -> CoreResult<Vec<VisitorPass>> {
    require_desk(ctx, c)?;
    let kind = match blank(&f.kind) {
        Some(k) => Some(
            PassKind::parse("kind", k)
                .map_err(|e| CoreError::Invalid(vec![e]))?
                .code(),
        ),
        None => None,
    };
    let now = Utc::now();
    let valid_at = f.valid.unwrap_or(false).then_some(now);
    let mut q = core.db.read();
    let names = staff_names(&mut q, ctx, c).await?;
    store::list_passes(&mut q, c, kind, valid_at, 500)
        .await?
        .into_iter()
        .map(|r| pass_of(core, r, &names, now))
        .collect()
}

async fn revoke(
    core: &Core,
    ctx: &Ctx,
    mut tx: Tx,
    r: PassRow,
    staff: bool,
) -> CoreResult<VisitorPass> {
    let now = Utc::now();
    if store::revoke_pass(&mut tx, r.community_id, r.id, now).await? != 1 {
        return Err(CoreError::conflict("id", FrontdeskCode::PassRevoked));
    }
    audit::record(
        &mut tx,
        ctx,
        Entry::new(Action::Update, "visitor_pass", r.id.0)
            .community(r.community_id)
            .after(&serde_json::json!({"revoked": true})),
    )
    .await?;
    let r = store::get_pass(&mut tx, r.id)
        .await?
        .ok_or(CoreError::NotFound("visitor_pass"))?;
    let names = if staff {
        staff_names(&mut tx, ctx, r.community_id).await?
    } else {
        Names::new()
    };
    tx.commit().await?;
    pass_of(core, r, &names, now)
}

/// The desk revokes a pass (lost, the works stopped).
pub async fn revoke_pass(core: &Core, ctx: &Ctx, id: VisitorPassId) -> CoreResult<VisitorPass> {
    let mut tx = core.db.begin().await?;
    let r = reached_pass(&mut tx, ctx, id).await?;
    revoke(core, ctx, tx, r, true).await
}

/// The owner pre-registers a guest for a unit he lives in: a pass used once within its window.
pub async fn create_guest_pass(
    core: &Core,
    ctx: &Ctx,
    input: GuestPassForCreate,
) -> CoreResult<VisitorPass> {
    let me = crate::portal::profile(core, ctx).await?;
    let c = me.community_id;
    let mut errs = Vec::new();
    let Some(unit) = me.units.iter().find(|u| u.unit_id == input.unit_id) else {
        return Err(CoreError::Invalid(vec![FieldError::new(
            "unit_id",
            FrontdeskCode::NotYourUnit,
        )]));
    };
    let typed = VisitorForCreate {
        visitor_name: input.guest_name.clone(),
        phone: input.phone.clone(),
        plate: input.plate.clone(),
        party_size: input.party_size,
        purpose: input.purpose.clone(),
        ..Default::default()
    };
    let now = Utc::now();
    let mut tx = core.db.begin().await?;
    let mut v = visitor_input(core, ctx, &mut tx, c, &typed, &mut errs).await?;
    for e in &mut errs {
        if e.field == "visitor_name" {
            e.field = "guest_name".into();
        }
    }
    errs.extend(window(input.valid_from, input.valid_until, GUEST_DAYS, now));
    if !errs.is_empty() {
        return Err(CoreError::Invalid(errs));
    }
    v.unit = Some(unit.unit_id);
    v.unit_label = Some(unit.label.clone());
    v.host = Some(me.person_id);
    v.host_name = Some(me.name.clone());
    let id = write_pass(
        &mut tx,
        c,
        NewPass {
            kind: PassKind::Guest.code(),
            code: "",
            number: None,
            v: &v,
            valid_from: input.valid_from,
            valid_until: input.valid_until,
            by: ctx.actor(),
            decoration: None,
        },
    )
    .await?;
    audit::record(
        &mut tx,
        ctx,
        Entry::new(Action::Create, "visitor_pass", id.0)
            .community(c)
            .after(
                &serde_json::json!({"kind": "guest", "guest": v.name, "unit": unit.label,
                "valid_from": input.valid_from, "valid_until": input.valid_until}),
            ),
    )
    .await?;
    let r = store::get_pass(&mut tx, id)
        .await?
        .ok_or(CoreError::NotFound("visitor_pass"))?;
    tx.commit().await?;
    pass_of(core, r, &Names::new(), now)
}

/// The owner's guests' passes: those not ended more than 30 days ago.
pub async fn my_passes(core: &Core, ctx: &Ctx) -> CoreResult<Vec<VisitorPass>> {
    let me = crate::portal::profile(core, ctx).await?;
    let now = Utc::now();
    store::passes_of_host(
        &mut core.db.read(),
        me.community_id,
        me.person_id,
        now - Duration::days(30),
    )
    .await?
    .into_iter()
    .map(|r| pass_of(core, r, &Names::new(), now))
    .collect()
}

/// The owner revokes one of his guests' passes.
pub async fn revoke_my_pass(core: &Core, ctx: &Ctx, id: VisitorPassId) -> CoreResult<VisitorPass> {
    let me = crate::portal::profile(core, ctx).await?;
    let mut tx = core.db.begin().await?;
    let r = store::get_pass(&mut tx, id)
        .await?
        .filter(|r| r.host_person_id == Some(me.person_id) && r.kind == PassKind::Guest.code())
        .ok_or(CoreError::NotFound("visitor_pass"))?;
    revoke(core, ctx, tx, r, false).await
}

/// Puts the holder's photo on a desk's pass (`frontdesk.work`): a JPEG, PNG or WebP of at most
/// 10 MB, replacing the one before; a guest's pass has none (the owner's guest shows his ID).
pub async fn set_pass_photo(
    core: &Core,
    ctx: &Ctx,
    id: VisitorPassId,
    bytes: &[u8],
) -> CoreResult<VisitorPass> {
    let (ct, ext) =
        crate::shared::files::checked("photo", bytes, FrontdeskCode::PassPhotoNotImage)?;
    if ct == "application/pdf" {
        return Err(CoreError::invalid(
            "photo",
            FrontdeskCode::PassPhotoNotImage,
        ));
    }
    let mut tx = core.db.begin().await?;
    let r = reached_pass(&mut tx, ctx, id).await?;
    let c = r.community_id;
    if PassKind::from_stored(&r.kind)? == PassKind::Guest {
        return Err(CoreError::invalid("photo", FrontdeskCode::UnknownPassKind));
    }
    let rel = format!(
        "passes/{c}/{id}-{}.{ext}",
        hex::encode(crate::shared::crypto::random_bytes::<6>())
    );
    let path = core.settings.files_dir.join(&rel);
    crate::shared::files::write_then(path, bytes.to_vec(), async {
        store::set_photo(&mut tx, c, id, &rel, ct).await?;
        audit::record(
            &mut tx,
            ctx,
            Entry::new(Action::Update, "visitor_pass", id.0)
                .community(c)
                .after(&serde_json::json!({"photo": rel})),
        )
        .await?;
        let row = store::get_pass(&mut tx, id)
            .await?
            .ok_or(CoreError::NotFound("visitor_pass"))?;
        let names = staff_names(&mut tx, ctx, c).await?;
        tx.commit().await?;
        pass_of(core, row, &names, Utc::now())
    })
    .await
}

/// The holder's photo on a pass: its type and bytes.
pub async fn pass_photo(
    core: &Core,
    ctx: &Ctx,
    id: VisitorPassId,
) -> CoreResult<(String, Vec<u8>)> {
    let r = reached_pass(&mut core.db.read(), ctx, id).await?;
    let (Some(path), Some(ct)) = (r.photo_path, r.photo_type) else {
        return Err(CoreError::NotFound("file"));
    };
    let bytes = crate::shared::files::read(core.settings.files_dir.join(path)).await?;
    Ok((ct, bytes))
}
