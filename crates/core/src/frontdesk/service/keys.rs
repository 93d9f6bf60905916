//! The key ledger's use cases (钥匙台账): cabinets and their keepers, labelled keys, and the
//! types of the whole ledger. Authorisations, lending, the register, the overdue job and the
//! keys out a handover lists are in [`super::loans`].

use std::collections::HashMap;

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::super::error::FrontdeskCode;
use super::super::model::{self, AuthorisationHow, KeyKind, KeyState};
use super::super::store::keys::{
    self as store, AuthorisationRow, CabinetRow, KeyFields, KeyRow, KeyWhere, LoanRow, LoanWhere,
};
use super::{require_desk, require_manage, staff_names, today_in, tz_of};
use crate::audit::{self, Action, Entry};
use crate::db::{Queries, Tx};
use crate::shared::crypto::mask_phone;
use crate::shared::error::{CommonCode, CoreError, CoreResult, FieldError};
use crate::shared::ids::*;
use crate::shared::values::{optional_text, parse_code, query_text, required_text};
use crate::{Core, Ctx};

/// A key cabinet (钥匙柜) and its keeper.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct KeyCabinet {
    pub id: KeyCabinetId,
    pub community_id: CommunityId,
    pub name: String,
    pub location: Option<String>,
    pub keeper_id: UserId,
    pub keeper_name: String,
    /// Keys it holds (retired ones not counted).
    pub keys: i64,
    /// Of those, out now.
    pub out: i64,
}

#[derive(Debug, Clone, Default, Deserialize, Serialize, ToSchema)]
pub struct CabinetForSave {
    pub name: String,
    #[serde(default)]
    pub location: Option<String>,
    /// The one person who keeps it (专人管理): staff of the community.
    pub keeper_id: UserId,
}

/// An owner's authorisation to hand his deposited key to someone.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct KeyAuthorisation {
    pub id: KeyAuthorisationId,
    pub key_id: KeyId,
    pub person_name: String,
    /// Masked (138****5678).
    pub phone: Option<String>,
    #[schema(value_type = Option<String>, format = Date)]
    pub valid_until: Option<NaiveDate>,
    pub how: AuthorisationHow,
    pub note: Option<String>,
    pub recorded_by_name: Option<String>,
    pub recorded_at: DateTime<Utc>,
    pub revoked_at: Option<DateTime<Utc>>,
    /// Not revoked and not past its last day: the key may be lent against it.
    pub in_force: bool,
}

#[derive(Debug, Clone, Default, Deserialize, Serialize, ToSchema)]
pub struct AuthorisationForCreate {
    /// Whom the owner lets take the key.
    pub person_name: String,
    #[serde(default)]
    pub phone: Option<String>,
    /// The last day it holds (`YYYY-MM-DD`, the community's date); none: until revoked.
    #[serde(default)]
    pub valid_until: Option<String>,
    /// `written`, `phone_call` or `in_person`.
    pub how: String,
    #[serde(default)]
    pub note: Option<String>,
}

/// A line of the lending register (钥匙领用登记表).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct KeyLoan {
    pub id: KeyLoanId,
    pub community_id: CommunityId,
    pub key_id: KeyId,
    pub key_code: String,
    pub opens: String,
    pub borrower_user_id: Option<UserId>,
    pub borrower_name: String,
    /// Masked.
    pub borrower_phone: Option<String>,
    pub purpose: String,
    pub authorisation_id: Option<KeyAuthorisationId>,
    pub lent_at: DateTime<Utc>,
    pub due_at: DateTime<Utc>,
    pub lent_by_name: Option<String>,
    pub returned_at: Option<DateTime<Utc>>,
    pub returned_to_name: Option<String>,
    pub return_note: Option<String>,
    /// Out and past its due time.
    pub overdue: bool,
}

/// A labelled key in the ledger.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Key {
    pub id: KeyId,
    pub community_id: CommunityId,
    pub cabinet_id: KeyCabinetId,
    pub cabinet_name: String,
    pub keeper_name: String,
    /// Its hook or slot in the cabinet.
    pub position: String,
    /// The code on its tag.
    pub code: String,
    pub kind: KeyKind,
    pub unit_id: Option<UnitId>,
    /// What it opens, as the tag says (1栋-1801, 1号配电房).
    pub opens: String,
    pub copies: i64,
    /// The owner who deposited it (业主寄存钥匙): lent only against his authorisation.
    pub depositor_id: Option<PersonId>,
    pub depositor_name: Option<String>,
    pub state: KeyState,
    pub note: Option<String>,
    /// The loan it is out on.
    pub loan: Option<KeyLoan>,
    /// The owner's authorisations, newest first (a key's own page only; empty in lists).
    pub authorisations: Vec<KeyAuthorisation>,
    /// The key's register, newest first (a key's own page only; empty in lists).
    pub history: Vec<KeyLoan>,
}

#[derive(Debug, Clone, Default, Deserialize, Serialize, ToSchema)]
pub struct KeyForSave {
    pub cabinet_id: KeyCabinetId,
    pub position: String,
    /// Letters, digits and dashes, unique in the community (stored upper-case).
    pub code: String,
    /// `unit`, `machine_room`, `common_door` or `other`.
    pub kind: String,
    /// A unit's key: the unit (its label becomes what it opens when `opens` is empty).
    #[serde(default)]
    pub unit_id: Option<UnitId>,
    #[serde(default)]
    pub opens: Option<String>,
    #[serde(default)]
    pub copies: Option<i64>,
    /// Or the unit as the desk types it (`1栋-1801`), when `unit_id` is not given.
    #[serde(default)]
    pub unit_label: Option<String>,
    /// An owner's spare key deposited with the centre: the owner (a person of the unit).
    #[serde(default)]
    pub depositor_id: Option<PersonId>,
    /// An owner's spare key whose depositor is the unit's one owner (when `depositor_id` is
    /// not given).
    #[serde(default)]
    pub deposited: bool,
    #[serde(default)]
    pub note: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize, ToSchema, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct KeyFilter {
    /// `in`, `out` or `retired`.
    pub state: Option<String>,
    /// Only keys out past their due time.
    pub overdue: Option<bool>,
    pub cabinet_id: Option<i64>,
    pub unit_id: Option<i64>,
    /// The start of a code, or a part of what it opens.
    pub q: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize, Serialize, ToSchema)]
pub struct LoanForCreate {
    /// A member of staff taking it; or else `borrower_name` (and a phone) of an outsider.
    #[serde(default)]
    pub borrower_user_id: Option<UserId>,
    #[serde(default)]
    pub borrower_name: Option<String>,
    #[serde(default)]
    pub borrower_phone: Option<String>,
    pub purpose: String,
    /// When it must be back: after now, within 30 days.
    pub due_at: DateTime<Utc>,
    /// An owner's deposited key: the authorisation it is lent against (its person is the
    /// borrower).
    #[serde(default)]
    pub authorisation_id: Option<KeyAuthorisationId>,
}

#[derive(Debug, Clone, Default, Deserialize, Serialize, ToSchema)]
pub struct KeyReturn {
    #[serde(default)]
    pub note: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize, ToSchema, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct LoanFilter {
    /// Only keys still out.
    pub open: Option<bool>,
    /// Only keys out past their due time.
    pub overdue: Option<bool>,
    pub key_id: Option<i64>,
}

pub(super) fn name_of(names: &HashMap<UserId, String>, u: Option<UserId>) -> Option<String> {
    u.map(|u| names.get(&u).cloned().unwrap_or_else(|| format!("#{u}")))
}

pub(super) fn masked(core: &Core, enc: Option<&Vec<u8>>) -> CoreResult<Option<String>> {
    enc.map(|b| core.crypto.decrypt(b).map(|p| mask_phone(&p)))
        .transpose()
}

fn cabinet_of(r: CabinetRow, names: &HashMap<UserId, String>) -> KeyCabinet {
    KeyCabinet {
        keeper_name: name_of(names, Some(r.keeper_id)).unwrap_or_default(),
        id: r.id,
        community_id: r.community_id,
        name: r.name,
        location: r.location,
        keeper_id: r.keeper_id,
        keys: r.keys,
        out: r.out,
    }
}

pub(super) fn loan_of(
    core: &Core,
    r: LoanRow,
    names: &HashMap<UserId, String>,
    now: DateTime<Utc>,
) -> CoreResult<KeyLoan> {
    Ok(KeyLoan {
        borrower_phone: masked(core, r.borrower_phone_enc.as_ref())?,
        lent_by_name: name_of(names, r.lent_by),
        returned_to_name: name_of(names, r.returned_to),
        overdue: model::overdue(r.due_at, r.returned_at, now),
        id: r.id,
        community_id: r.community_id,
        key_id: r.key_id,
        key_code: r.code,
        opens: r.opens,
        borrower_user_id: r.borrower_user_id,
        borrower_name: r.borrower_name,
        purpose: r.purpose,
        authorisation_id: r.authorisation_id,
        lent_at: r.lent_at,
        due_at: r.due_at,
        returned_at: r.returned_at,
        return_note: r.return_note,
    })
}

pub(super) fn authorisation_of(
    core: &Core,
    r: AuthorisationRow,
    names: &HashMap<UserId, String>,
    today: NaiveDate,
) -> CoreResult<KeyAuthorisation> {
    Ok(KeyAuthorisation {
        phone: masked(core, r.phone_enc.as_ref())?,
        in_force: model::authorisation_in_force(r.revoked_at, r.valid_until, today),
        how: AuthorisationHow::from_stored(&r.how)?,
        recorded_by_name: name_of(names, r.recorded_by),
        id: r.id,
        key_id: r.key_id,
        person_name: r.person_name,
        valid_until: r.valid_until,
        note: r.note,
        recorded_at: r.recorded_at,
        revoked_at: r.revoked_at,
    })
}

/// A key as shown: its loan and, on its own page, the owner's authorisations and its register.
pub(super) async fn view(
    core: &Core,
    q: &mut impl Queries,
    ctx: &Ctx,
    r: KeyRow,
    full: bool,
) -> CoreResult<Key> {
    let names = staff_names(q, ctx, r.community_id).await?;
    let now = Utc::now();
    let loan = match r.loan_id {
        Some(id) => store::loan(q, id)
            .await?
            .map(|l| loan_of(core, l, &names, now))
            .transpose()?,
        None => None,
    };
    let mut authorisations = Vec::new();
    let mut history = Vec::new();
    if full {
        let today = today_in(tz_of(q, ctx, r.community_id).await?);
        for a in store::authorisations(q, r.community_id, r.id).await? {
            authorisations.push(authorisation_of(core, a, &names, today)?);
        }
        let w = LoanWhere {
            key: Some(r.id),
            open: false,
            overdue_at: None,
        };
        for l in store::loans(q, r.community_id, &w, 50).await? {
            history.push(loan_of(core, l, &names, now)?);
        }
    }
    let depositor_name = match r.deposited_by {
        Some(p) => crate::registry::store::for_frontdesk::person_name(q, r.community_id, p).await?,
        None => None,
    };
    Ok(Key {
        keeper_name: name_of(&names, Some(r.keeper_id)).unwrap_or_default(),
        kind: KeyKind::from_stored(&r.kind)?,
        state: KeyState::from_stored(&r.state)?,
        id: r.id,
        community_id: r.community_id,
        cabinet_id: r.cabinet_id,
        cabinet_name: r.cabinet_name,
        position: r.position,
        code: r.code,
        unit_id: r.unit_id,
        opens: r.opens,
        copies: r.copies,
        depositor_id: r.deposited_by,
        depositor_name,
        note: r.note,
        loan,
        authorisations,
        history,
    })
}

// ---------------------------------------------------------------------------------------------
// Cabinets

/// The community's cabinets with their keepers and counts (the desk).
pub async fn list_cabinets(core: &Core, ctx: &Ctx, c: CommunityId) -> CoreResult<Vec<KeyCabinet>> {
    require_desk(ctx, c)?;
    let mut q = core.db.read();
    let names = staff_names(&mut q, ctx, c).await?;
    Ok(store::cabinets(&mut q, c)
        .await?
        .into_iter()
        .map(|r| cabinet_of(r, &names))
        .collect())
}

async fn check_cabinet(
    q: &mut impl Queries,
    ctx: &Ctx,
    c: CommunityId,
    except: Option<KeyCabinetId>,
    input: &CabinetForSave,
) -> CoreResult<(String, Option<String>)> {
    let mut errs = Vec::new();
    let name = required_text("name", &input.name, 40)
        .map_err(|e| errs.push(e))
        .unwrap_or_default();
    let location = optional_text("location", input.location.as_deref(), 100)
        .map_err(|e| errs.push(e))
        .unwrap_or_default();
    if !staff_names(q, ctx, c).await?.contains_key(&input.keeper_id) {
        errs.push(FieldError::new("keeper_id", FrontdeskCode::KeeperNotStaff));
    }
    if !name.is_empty()
        && store::cabinets(q, c)
            .await?
            .iter()
            .any(|x| x.name == name && Some(x.id) != except)
    {
        errs.push(FieldError::new("name", FrontdeskCode::DuplicateCabinet));
    }
    if errs.is_empty() {
        Ok((name, location))
    } else {
        Err(CoreError::Invalid(errs))
    }
}

/// Adds a cabinet with its keeper (`frontdesk.manage`).
pub async fn create_cabinet(
    core: &Core,
    ctx: &Ctx,
    c: CommunityId,
    input: CabinetForSave,
) -> CoreResult<KeyCabinet> {
    require_manage(ctx, c)?;
    let mut tx = core.db.begin().await?;
    let (name, location) = check_cabinet(&mut tx, ctx, c, None, &input).await?;
    let now = Utc::now();
    let id = store::insert_cabinet(&mut tx, c, &name, location.as_deref(), input.keeper_id, now)
        .await
        .map_err(|e| unique_as(e, "name", FrontdeskCode::DuplicateCabinet))?;
    audit::record(
        &mut tx,
        ctx,
        Entry::new(Action::Create, "key_cabinet", id.0)
            .community(c)
            .after(&input),
    )
    .await?;
    let names = staff_names(&mut tx, ctx, c).await?;
    let r = store::cabinet(&mut tx, id)
        .await?
        .ok_or(CoreError::NotFound("key_cabinet"))?;
    tx.commit().await?;
    Ok(cabinet_of(r, &names))
}

/// Renames a cabinet or hands it to another keeper (`frontdesk.manage`).
pub async fn update_cabinet(
    core: &Core,
    ctx: &Ctx,
    id: KeyCabinetId,
    input: CabinetForSave,
) -> CoreResult<KeyCabinet> {
    let mut tx = core.db.begin().await?;
    let before = store::cabinet(&mut tx, id)
        .await?
        .filter(|r| ctx.reaches(r.community_id))
        .ok_or(CoreError::NotFound("key_cabinet"))?;
    let c = before.community_id;
    require_manage(ctx, c)?;
    let (name, location) = check_cabinet(&mut tx, ctx, c, Some(id), &input).await?;
    let now = Utc::now();
    store::update_cabinet(
        &mut tx,
        id,
        &name,
        location.as_deref(),
        input.keeper_id,
        now,
    )
    .await
    .map_err(|e| unique_as(e, "name", FrontdeskCode::DuplicateCabinet))?;
    audit::record(
        &mut tx,
        ctx,
        Entry::new(Action::Update, "key_cabinet", id.0)
            .community(c)
            .before(&serde_json::json!({"name": before.name, "keeper_id": before.keeper_id}))
            .after(&input),
    )
    .await?;
    let names = staff_names(&mut tx, ctx, c).await?;
    let r = store::cabinet(&mut tx, id)
        .await?
        .ok_or(CoreError::NotFound("key_cabinet"))?;
    tx.commit().await?;
    Ok(cabinet_of(r, &names))
}

/// A unique violation of a racing writer, named as the check before it would have named it.
pub(super) fn unique_as(e: CoreError, field: &str, code: FrontdeskCode) -> CoreError {
    if e.is_unique_violation() {
        CoreError::Invalid(vec![FieldError::new(field, code)])
    } else {
        e
    }
}

// ---------------------------------------------------------------------------------------------
// Keys

pub(super) async fn reached_key(q: &mut impl Queries, ctx: &Ctx, id: KeyId) -> CoreResult<KeyRow> {
    let r = store::key(q, id)
        .await?
        .filter(|r| ctx.reaches(r.community_id))
        .ok_or(CoreError::NotFound("key"))?;
    require_desk(ctx, r.community_id).map_err(|_| CoreError::NotFound("key"))?;
    Ok(r)
}

/// The community's keys, by cabinet and position (`frontdesk.work`).
pub async fn list_keys(
    core: &Core,
    ctx: &Ctx,
    c: CommunityId,
    f: KeyFilter,
) -> CoreResult<Vec<Key>> {
    require_desk(ctx, c)?;
    let mut errs = Vec::new();
    let state = match f.state.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        Some(s) => KeyState::parse("state", s)
            .map_err(|e| errs.push(e))
            .ok()
            .map(KeyState::code),
        None => None,
    };
    let text = match f.q.as_deref() {
        Some(t) => query_text("q", t, 40)
            .map_err(|e| errs.push(e))
            .ok()
            .filter(|t| !t.is_empty()),
        None => None,
    };
    if !errs.is_empty() {
        return Err(CoreError::Invalid(errs));
    }
    let w = KeyWhere {
        state,
        cabinet: f.cabinet_id.map(KeyCabinetId),
        unit: f.unit_id.map(UnitId),
        text,
        overdue_at: f.overdue.unwrap_or(false).then(Utc::now),
    };
    let mut q = core.db.read();
    let mut out = Vec::new();
    for r in store::keys(&mut q, c, &w, 1000).await? {
        out.push(view(core, &mut q, ctx, r, false).await?);
    }
    Ok(out)
}

/// A key with the owner's authorisations and its register.
pub async fn get_key(core: &Core, ctx: &Ctx, id: KeyId) -> CoreResult<Key> {
    let mut q = core.db.read();
    let r = reached_key(&mut q, ctx, id).await?;
    view(core, &mut q, ctx, r, true).await
}

/// The key whose tag carries `code` in the community (the desk scans or types it).
pub async fn key_by_code(core: &Core, ctx: &Ctx, c: CommunityId, code: &str) -> CoreResult<Key> {
    require_desk(ctx, c)?;
    let code = parse_code("code", code, 30).map_err(|e| CoreError::Invalid(vec![e]))?;
    let mut q = core.db.read();
    let r = store::key_by_code(&mut q, c, &code)
        .await?
        .ok_or(CoreError::NotFound("key"))?;
    view(core, &mut q, ctx, r, true).await
}

/// The checked fields of a key.
struct Checked {
    position: String,
    code: String,
    kind: KeyKind,
    opens: String,
    copies: i64,
    note: Option<String>,
    unit: Option<UnitId>,
    depositor: Option<PersonId>,
}

/// The unit a key form names by its label, resolved as the desk's search box would (its
/// errors named `unit_label`), before the write opens.
async fn unit_of(
    core: &Core,
    ctx: &Ctx,
    c: CommunityId,
    input: &KeyForSave,
) -> (Option<UnitId>, Vec<FieldError>) {
    match (input.unit_id, input.unit_label.as_deref().map(str::trim)) {
        (Some(u), _) => (Some(u), Vec::new()),
        (None, Some(l)) if !l.is_empty() => {
            match crate::shared::resolve::unit_by_label(core, ctx, c, l, "unit_label").await {
                Ok(u) => (Some(u), Vec::new()),
                Err(e) => (None, e),
            }
        }
        _ => (None, Vec::new()),
    }
}

async fn check_key(
    tx: &mut Tx,
    c: CommunityId,
    except: Option<KeyId>,
    input: &KeyForSave,
    (unit, unit_errs): (Option<UnitId>, Vec<FieldError>),
) -> CoreResult<Checked> {
    let mut errs = unit_errs;
    let unit_failed = !errs.is_empty();
    let mut keep = |r: Result<String, FieldError>| r.map_err(|e| errs.push(e)).unwrap_or_default();
    let position = keep(required_text("position", &input.position, 20));
    let code = keep(parse_code("code", &input.code, 30));
    let mut opens =
        keep(optional_text("opens", input.opens.as_deref(), 60).map(Option::unwrap_or_default));
    let note = optional_text("note", input.note.as_deref(), 300)
        .map_err(|e| errs.push(e))
        .unwrap_or_default();
    let kind = KeyKind::parse("kind", &input.kind)
        .map_err(|e| errs.push(e))
        .ok();
    let copies = input.copies.unwrap_or(1);
    if !(1..=20).contains(&copies) {
        errs.push(FieldError::new("copies", FrontdeskCode::CopiesRange).with("max", 20));
    }
    let cabinet = store::cabinet(tx, input.cabinet_id)
        .await?
        .filter(|x| x.community_id == c);
    if cabinet.is_none() {
        errs.push(FieldError::new("cabinet_id", FrontdeskCode::UnknownCabinet));
    }
    let label = match unit {
        Some(u) => {
            let l = crate::registry::store::for_frontdesk::unit_label(tx, c, u).await?;
            if l.is_none() {
                errs.push(FieldError::new("unit_id", FrontdeskCode::UnitRequired));
            }
            l
        }
        None => None,
    };
    if kind == Some(KeyKind::Unit) && unit.is_none() && !unit_failed {
        errs.push(FieldError::new("unit_id", FrontdeskCode::UnitRequired));
    }
    if opens.is_empty() {
        match &label {
            Some(l) => opens = l.clone(),
            None if !unit_failed && input.opens.as_deref().is_none_or(|o| o.trim().is_empty()) => {
                errs.push(FieldError::new("opens", CommonCode::Required));
            }
            None => {}
        }
    }
    let mut depositor = input.depositor_id;
    if depositor.is_none()
        && input.deposited
        && let Some(u) = unit.filter(|_| label.is_some())
    {
        let owners = crate::registry::store::for_frontdesk::owners_of(tx, c, u).await?;
        match owners.as_slice() {
            [one] => depositor = Some(*one),
            [] => errs.push(FieldError::new(
                "deposited",
                FrontdeskCode::UnknownDepositor,
            )),
            _ => errs.push(FieldError::new(
                "deposited",
                FrontdeskCode::DepositorAmbiguous,
            )),
        }
    } else if depositor.is_none() && input.deposited && !unit_failed {
        errs.push(FieldError::new("unit_id", FrontdeskCode::UnitRequired));
    }
    if let Some(p) = input.depositor_id {
        let ok = match unit {
            Some(u) if label.is_some() => {
                crate::registry::store::for_frontdesk::person_name(tx, c, p)
                    .await?
                    .is_some()
                    && crate::registry::store::for_frontdesk::owns(tx, u, p).await?
            }
            _ => false,
        };
        if !ok {
            errs.push(FieldError::new(
                "depositor_id",
                FrontdeskCode::UnknownDepositor,
            ));
        }
    }
    if cabinet.is_some() && !code.is_empty() && !position.is_empty() {
        let (code_taken, place_taken) =
            store::clashes(tx, c, except, &code, input.cabinet_id, &position).await?;
        if code_taken {
            errs.push(FieldError::new("code", FrontdeskCode::DuplicateKey));
        }
        if place_taken {
            errs.push(FieldError::new("position", FrontdeskCode::PositionTaken));
        }
    }
    match kind {
        Some(kind) if errs.is_empty() => Ok(Checked {
            position,
            code,
            kind,
            opens,
            copies,
            note,
            unit,
            depositor,
        }),
        _ => Err(CoreError::Invalid(errs)),
    }
}

fn fields<'a>(input: &KeyForSave, k: &'a Checked) -> KeyFields<'a> {
    KeyFields {
        cabinet: input.cabinet_id,
        position: &k.position,
        code: &k.code,
        kind: k.kind.code(),
        unit: k.unit,
        opens: &k.opens,
        copies: k.copies,
        deposited_by: k.depositor,
        note: k.note.as_deref(),
    }
}

/// Labels a key into the ledger, in the cabinet (`frontdesk.work`).
pub async fn create_key(
    core: &Core,
    ctx: &Ctx,
    c: CommunityId,
    input: KeyForSave,
) -> CoreResult<Key> {
    require_desk(ctx, c)?;
    let unit = unit_of(core, ctx, c, &input).await;
    let mut tx = core.db.begin().await?;
    let k = check_key(&mut tx, c, None, &input, unit).await?;
    let now = Utc::now();
    let id = store::insert_key(&mut tx, c, &fields(&input, &k), now)
        .await
        .map_err(|e| unique_as(e, "code", FrontdeskCode::DuplicateKey))?;
    audit::record(
        &mut tx,
        ctx,
        Entry::new(Action::Create, "key", id.0).community(c).after(
            &serde_json::json!({"code": k.code, "opens": k.opens, "cabinet_id": input.cabinet_id,
                "position": k.position, "depositor_id": k.depositor}),
        ),
    )
    .await?;
    let r = store::key(&mut tx, id)
        .await?
        .ok_or(CoreError::NotFound("key"))?;
    let v = view(core, &mut tx, ctx, r, true).await?;
    tx.commit().await?;
    Ok(v)
}

/// Edits a key's label, place or note (`frontdesk.work`). A deposited key of the same unit
/// keeps its depositor when none is named.
pub async fn update_key(
    core: &Core,
    ctx: &Ctx,
    id: KeyId,
    mut input: KeyForSave,
) -> CoreResult<Key> {
    let c = reached_key(&mut core.db.read(), ctx, id)
        .await?
        .community_id;
    let unit = unit_of(core, ctx, c, &input).await;
    let mut tx = core.db.begin().await?;
    let before = reached_key(&mut tx, ctx, id).await?;
    if input.deposited
        && input.depositor_id.is_none()
        && unit.0.is_some()
        && unit.0 == before.unit_id
    {
        input.depositor_id = before.deposited_by;
    }
    let k = check_key(&mut tx, c, Some(id), &input, unit).await?;
    let now = Utc::now();
    store::update_key(&mut tx, id, &fields(&input, &k), now)
        .await
        .map_err(|e| unique_as(e, "code", FrontdeskCode::DuplicateKey))?;
    audit::record(
        &mut tx,
        ctx,
        Entry::new(Action::Update, "key", id.0)
            .community(c)
            .before(&serde_json::json!({"code": before.code, "opens": before.opens,
                "cabinet_id": before.cabinet_id, "position": before.position}))
            .after(&serde_json::json!({"code": k.code, "opens": k.opens, "cabinet_id": input.cabinet_id,
                "position": k.position})),
    )
    .await?;
    let r = store::key(&mut tx, id)
        .await?
        .ok_or(CoreError::NotFound("key"))?;
    let v = view(core, &mut tx, ctx, r, true).await?;
    tx.commit().await?;
    Ok(v)
}

/// Takes a key out of use (lost, the lock changed) or back into it (`frontdesk.manage`); a key
/// out must come back first.
pub async fn set_key_retired(core: &Core, ctx: &Ctx, id: KeyId, retired: bool) -> CoreResult<Key> {
    let mut tx = core.db.begin().await?;
    let r = reached_key(&mut tx, ctx, id).await?;
    let c = r.community_id;
    require_manage(ctx, c)?;
    let (from, to) = if retired {
        (KeyState::In, KeyState::Retired)
    } else {
        (KeyState::Retired, KeyState::In)
    };
    if store::set_state(&mut tx, c, id, from.code(), to.code(), Utc::now()).await? != 1 {
        let code = match KeyState::from_stored(&r.state)? {
            KeyState::Out => FrontdeskCode::KeyOut,
            KeyState::Retired => FrontdeskCode::KeyRetired,
            KeyState::In => FrontdeskCode::KeyNotOut,
        };
        return Err(CoreError::conflict("state", code));
    }
    if !retired {
        // Back in use: its code and place must still be its own.
        let (code_taken, place_taken) =
            store::clashes(&mut tx, c, Some(id), &r.code, r.cabinet_id, &r.position).await?;
        if code_taken || place_taken {
            let field = if code_taken { "code" } else { "position" };
            let code = if code_taken {
                FrontdeskCode::DuplicateKey
            } else {
                FrontdeskCode::PositionTaken
            };
            return Err(CoreError::conflict(field, code));
        }
    }
    audit::record(
        &mut tx,
        ctx,
        Entry::new(Action::Update, "key", id.0)
            .community(c)
            .before(&serde_json::json!({"state": from.code()}))
            .after(&serde_json::json!({"state": to.code()})),
    )
    .await?;
    let r = store::key(&mut tx, id)
        .await?
        .ok_or(CoreError::NotFound("key"))?;
    let v = view(core, &mut tx, ctx, r, true).await?;
    tx.commit().await?;
    Ok(v)
}

/// The unit's own keys in the cabinet (their codes): what a move-in hands over.
pub(crate) async fn unit_keys_in(
    q: &mut impl Queries,
    c: CommunityId,
    unit: UnitId,
) -> CoreResult<Vec<String>> {
    Ok(store::unit_keys_in(q, c, unit)
        .await?
        .into_iter()
        .map(|(_, code)| code)
        .collect())
}

/// Hands the unit's own keys in the cabinet to its owner (入伙), in the caller's transaction:
/// each leaves the ledger (retired, audited with why); their codes.
pub(crate) async fn hand_over_unit_keys(
    tx: &mut Tx,
    ctx: &Ctx,
    c: CommunityId,
    unit: UnitId,
    why: &str,
) -> CoreResult<Vec<String>> {
    let mut codes = Vec::new();
    for (id, code) in store::unit_keys_in(tx, c, unit).await? {
        if store::set_state(
            tx,
            c,
            id,
            KeyState::In.code(),
            KeyState::Retired.code(),
            Utc::now(),
        )
        .await?
            == 1
        {
            audit::record(
                tx,
                ctx,
                Entry::new(Action::Update, "key", id.0)
                    .community(c)
                    .before(&serde_json::json!({"state": "in"}))
                    .after(&serde_json::json!({"state": "retired", "why": why})),
            )
            .await?;
            codes.push(code);
        }
    }
    Ok(codes)
}
