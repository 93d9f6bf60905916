//! Visitors at the gate (来访登记). The desk registers a walk-in — name, ID (encrypted, masked,
//! revealed only with `pii.reveal` and logged), phone, the unit visited and its host, purpose,
//! plate, party size — and the host confirms in the portal (he is told through the outbox) or
//! the desk records his answer on the phone. A pass ([`super::passes`]) lets its holder in with
//! one scan: an expired, revoked or not yet valid pass, or a guest's pass used already, is
//! refused; two gates scanning one guest's pass at once let one in.

use chrono::{DateTime, Duration, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::super::error::FrontdeskCode;
use super::super::model::{self, IdType, PassKind, VisitAnswer};
use super::super::store::visitors::{self as store, Answer, VisitRow, VisitWhere, Visitor};
use super::{optional_phone, require_desk, staff_names};
use crate::audit::{self, Action, Entry};
use crate::db::{Queries, Tx};
use crate::notify::model::Event;
use crate::notify::{self, InApp, Note};
use crate::registry::store::for_frontdesk as registry;
use crate::shared::crypto::{mask_id_number, mask_phone};
use crate::shared::error::{CoreError, CoreResult, FieldError};
use crate::shared::export::{ExportFile, PAGE, Sink};
use crate::shared::ids::*;
use crate::shared::values::{IdNumber, optional_text, query_text, required_text};
use crate::{Core, Ctx, Perm};

/// The most people one registration brings in.
const MAX_PARTY: i64 = 50;

/// A visit: one entry at the gate.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Visit {
    pub id: VisitId,
    pub community_id: CommunityId,
    pub pass_id: Option<VisitorPassId>,
    pub visitor_name: String,
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
    /// The host's answer: none yet, confirmed or refused.
    pub answer: Option<VisitAnswer>,
    /// `pass` (his pass is his word), `portal` or `call`.
    pub answered_how: Option<String>,
    pub answered_at: Option<DateTime<Utc>>,
    pub in_at: DateTime<Utc>,
    pub in_by_name: Option<String>,
    /// The desk's member who took the host's call.
    pub answered_by_name: Option<String>,
    pub out_at: Option<DateTime<Utc>>,
    pub out_by_name: Option<String>,
    pub inside: bool,
}

/// Who comes, as the desk types it (a walk-in or a desk's pass).
#[derive(Debug, Clone, Default, Deserialize, Serialize, ToSchema)]
pub struct VisitorForCreate {
    pub visitor_name: String,
    /// `resident_id` (default when a number is given), `passport`, `hk_macao`, `taiwan`, `other`.
    #[serde(default)]
    pub id_type: Option<String>,
    #[serde(default)]
    pub id_number: Option<String>,
    #[serde(default)]
    pub phone: Option<String>,
    #[serde(default)]
    pub unit_id: Option<UnitId>,
    /// Or the unit as the desk types it (`1栋-1801`).
    #[serde(default)]
    pub unit_label: Option<String>,
    /// The person of the unit visited: he is asked to confirm.
    #[serde(default)]
    pub host_person_id: Option<PersonId>,
    /// Or the host's name as the visitor says it: one person of the unit by that name.
    #[serde(default)]
    pub host_name: Option<String>,
    #[serde(default)]
    pub purpose: Option<String>,
    #[serde(default)]
    pub plate: Option<String>,
    /// 1 (default) to 50.
    #[serde(default)]
    pub party_size: Option<i64>,
    /// The desk rang the host and he confirmed: recorded as his answer by call.
    #[serde(default)]
    pub confirmed_by_call: bool,
}

#[derive(Debug, Clone, Default, Deserialize, Serialize, ToSchema)]
pub struct PassCheckIn {
    /// The eight digits scanned from the pass's QR, or typed.
    pub code: String,
}

#[derive(Debug, Clone, Default, Deserialize, Serialize, ToSchema)]
pub struct VisitAnswerInput {
    /// `confirmed` or `refused`.
    pub answer: String,
}

#[derive(Debug, Clone, Default, Deserialize, ToSchema, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct VisitFilter {
    /// The day they came in (the community's day; default: all days).
    pub day: Option<NaiveDate>,
    /// Only those still inside.
    pub inside: Option<bool>,
    /// A part of the visitor's name or the plate.
    pub q: Option<String>,
}

/// The clear ID number of a visit (logged).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct VisitIdNumber {
    pub id: VisitId,
    pub id_number: Option<String>,
}

pub(super) fn masked_phone(core: &Core, enc: &Option<Vec<u8>>) -> CoreResult<Option<String>> {
    enc.as_ref()
        .map(|b| core.crypto.decrypt(b).map(|p| mask_phone(&p)))
        .transpose()
}

pub(super) type Names = std::collections::HashMap<UserId, String>;

fn visit_of(core: &Core, r: VisitRow, names: &Names) -> CoreResult<Visit> {
    let name = |u: Option<UserId>| u.and_then(|u| names.get(&u).cloned());
    Ok(Visit {
        phone: masked_phone(core, &r.phone_enc)?,
        id_type: r.id_type.as_deref().map(IdType::from_stored).transpose()?,
        answer: r
            .answer
            .as_deref()
            .map(VisitAnswer::from_stored)
            .transpose()?,
        in_by_name: name(r.in_by),
        answered_by_name: name(r.answered_by),
        out_by_name: name(r.out_by),
        inside: r.out_at.is_none(),
        id: r.id,
        community_id: r.community_id,
        pass_id: r.pass_id,
        visitor_name: r.visitor_name,
        id_number: r.id_number_masked,
        unit_id: r.unit_id,
        unit_label: r.unit_label,
        host_person_id: r.host_person_id,
        host_name: r.host_name,
        purpose: r.purpose,
        plate: r.plate,
        party_size: r.party_size,
        answered_how: r.answered_how,
        answered_at: r.answered_at,
        in_at: r.in_at,
        out_at: r.out_at,
    })
}

pub(super) fn blank(s: &Option<String>) -> Option<&str> {
    s.as_deref().map(str::trim).filter(|s| !s.is_empty())
}

/// Checks what the desk typed of a visitor; the unit and host are checked against the registry
/// in the transaction. Errors are collected in `errs`.
pub(super) async fn visitor_input<'a>(
    core: &Core,
    ctx: &Ctx,
    tx: &mut Tx,
    c: CommunityId,
    v: &'a VisitorForCreate,
    errs: &mut Vec<FieldError>,
) -> CoreResult<Visitor<'a>> {
    let name = required_text("visitor_name", &v.visitor_name, 30)
        .map_err(|e| errs.push(e))
        .unwrap_or_default();
    let name: &'a str = if name.is_empty() {
        ""
    } else {
        v.visitor_name.trim()
    };
    let id_type = match (blank(&v.id_type), blank(&v.id_number)) {
        (Some(t), _) => IdType::parse("id_type", t).map_err(|e| errs.push(e)).ok(),
        (None, Some(_)) => Some(IdType::ResidentId),
        (None, None) => None,
    };
    let mut id_number_enc = None;
    let mut id_number_masked = None;
    if let Some(n) = blank(&v.id_number) {
        let clear = match id_type {
            Some(IdType::ResidentId) => IdNumber::parse("id_number", n)
                .map(|i| i.as_str().to_string())
                .map_err(|e| errs.push(e))
                .ok(),
            Some(_) if model::is_other_id(n) => Some(n.to_uppercase()),
            Some(_) => {
                errs.push(FieldError::new("id_number", FrontdeskCode::BadIdNumber));
                None
            }
            None => None,
        };
        if let Some(cl) = clear {
            id_number_enc = Some(core.crypto.encrypt(&cl));
            id_number_masked = Some(mask_id_number(&cl));
        }
    }
    let phone_enc =
        optional_phone("phone", v.phone.as_deref(), errs).map(|p| core.crypto.encrypt(p.as_str()));
    let purpose = optional_text("purpose", v.purpose.as_deref(), 100)
        .map_err(|e| errs.push(e))
        .ok()
        .flatten();
    let plate = optional_text("plate", v.plate.as_deref(), 12)
        .map_err(|e| errs.push(e))
        .ok()
        .flatten();
    let party_size = v.party_size.unwrap_or(1);
    if !(1..=MAX_PARTY).contains(&party_size) {
        errs.push(FieldError::new("party_size", FrontdeskCode::PartySize).with("max", MAX_PARTY));
    }
    let unit = match (v.unit_id, blank(&v.unit_label)) {
        (Some(u), _) => match registry::unit_label(tx, c, u).await? {
            Some(l) => Some((u, l)),
            None => {
                errs.push(FieldError::new(
                    "unit_id",
                    crate::shared::resolve::ResolveCode::UnknownUnit,
                ));
                None
            }
        },
        (None, Some(l)) => {
            match crate::shared::resolve::unit_by_label(core, ctx, c, l, "unit_label").await {
                Ok(u) => registry::unit_label(tx, c, u).await?.map(|l| (u, l)),
                Err(e) => {
                    errs.extend(e);
                    None
                }
            }
        }
        (None, None) => None,
    };
    let mut host_name = None;
    let mut host = v.host_person_id;
    if let (None, Some(n)) = (host, blank(&v.host_name)) {
        match unit {
            Some((u, _)) => match registry::unit_people_named(tx, c, u, n).await?[..] {
                [p] => host = Some(p),
                _ => errs.push(FieldError::new("host_name", FrontdeskCode::HostNotOfUnit)),
            },
            None => errs.push(FieldError::new("host_name", FrontdeskCode::HostNotOfUnit)),
        }
    }
    if let Some(p) = host {
        match unit {
            Some((u, _)) => match registry::person_of_unit(tx, c, u, p).await? {
                Some((n, _, _)) => host_name = Some(n),
                None => errs.push(FieldError::new(
                    "host_person_id",
                    FrontdeskCode::HostNotOfUnit,
                )),
            },
            None => errs.push(FieldError::new(
                "host_person_id",
                FrontdeskCode::HostNotOfUnit,
            )),
        }
    }
    Ok(Visitor {
        name,
        id_type: id_type.map(IdType::code),
        id_number_enc,
        id_number_masked,
        phone_enc,
        unit: unit.as_ref().map(|(u, _)| *u),
        unit_label: unit.map(|(_, l)| l),
        host,
        host_name,
        purpose: purpose.map(|_| v.purpose.as_deref().unwrap_or("").trim()),
        plate: plate.map(|_| v.plate.as_deref().unwrap_or("").trim()),
        party_size,
    })
}

async fn visit_view(
    core: &Core,
    q: &mut impl Queries,
    ctx: &Ctx,
    r: VisitRow,
) -> CoreResult<Visit> {
    let names = staff_names(q, ctx, r.community_id).await?;
    visit_of(core, r, &names)
}

/// Registers a walk-in at the gate. The host, when named, is asked in the portal unless the
/// desk rang him and he confirmed (`frontdesk.work`).
pub async fn register_visit(
    core: &Core,
    ctx: &Ctx,
    c: CommunityId,
    input: VisitorForCreate,
) -> CoreResult<Visit> {
    require_desk(ctx, c)?;
    let mut errs = Vec::new();
    let mut tx = core.db.begin().await?;
    let v = visitor_input(core, ctx, &mut tx, c, &input, &mut errs).await?;
    if input.confirmed_by_call && v.host.is_none() {
        errs.push(FieldError::new(
            "host_person_id",
            FrontdeskCode::VisitNoHost,
        ));
    }
    if !errs.is_empty() {
        return Err(CoreError::Invalid(errs));
    }
    let now = Utc::now();
    let answer = input.confirmed_by_call.then(|| Answer {
        answer: VisitAnswer::Confirmed.code(),
        how: "call",
        by: ctx.actor(),
    });
    let id = store::insert_visit(&mut tx, c, None, &v, answer.as_ref(), ctx.actor(), now).await?;
    audit::record(
        &mut tx,
        ctx,
        Entry::new(Action::Create, "visit", id.0).community(c).after(
            &serde_json::json!({"visitor": v.name, "unit": v.unit_label, "id_number": v.id_number_masked,
                "party_size": v.party_size, "confirmed_by_call": input.confirmed_by_call}),
        ),
    )
    .await?;
    if let (Some(host), false) = (v.host, input.confirmed_by_call) {
        let accounts = notify::accounts_of_people(&mut tx, &[host]).await?;
        if !accounts.is_empty() {
            let note = Note {
                community: c,
                event: Event::VisitorArrived,
                params: vec![
                    ("visitor".into(), v.name.to_string()),
                    ("unit".into(), v.unit_label.clone().unwrap_or_default()),
                ],
                request: None,
                link: Some("/portal/visitors".into()),
            };
            let to: Vec<UserId> = accounts.into_iter().map(|(_, u)| u).collect();
            notify::enqueue(&core.channels, &mut tx, &note, &to, InApp::Write, now).await?;
        }
    }
    let r = store::get_visit(&mut tx, id)
        .await?
        .ok_or(CoreError::NotFound("visit"))?;
    let out = visit_view(core, &mut tx, ctx, r).await?;
    tx.commit().await?;
    Ok(out)
}

/// Lets a pass's holder in: one scan at the gate writes his visit. A pass not yet valid,
/// expired, revoked, or a guest's pass used already is refused, naming `code`.
pub async fn check_in_pass(
    core: &Core,
    ctx: &Ctx,
    c: CommunityId,
    input: PassCheckIn,
) -> CoreResult<Visit> {
    require_desk(ctx, c)?;
    let code = input.code.trim();
    if !model::is_pass_code(code) {
        return Err(CoreError::Invalid(vec![FieldError::new(
            "code",
            FrontdeskCode::UnknownPass,
        )]));
    }
    let now = Utc::now();
    let mut tx = core.db.begin().await?;
    let refuse = |code| CoreError::Invalid(vec![FieldError::new("code", code)]);
    let p = store::pass_by_code(&mut tx, c, code)
        .await?
        .ok_or_else(|| refuse(FrontdeskCode::UnknownPass))?;
    let guest = p.kind == PassKind::Guest.code();
    if p.revoked_at.is_some() {
        return Err(refuse(FrontdeskCode::PassRevoked));
    }
    if now < p.valid_from {
        return Err(refuse(FrontdeskCode::PassNotYet));
    }
    if now >= p.valid_until {
        return Err(refuse(FrontdeskCode::PassExpired));
    }
    if guest && p.used_at.is_some() {
        return Err(refuse(FrontdeskCode::PassUsed));
    }
    if store::use_pass(&mut tx, p.id, guest, now).await? != 1 {
        return Err(refuse(FrontdeskCode::PassUsed));
    }
    let v = Visitor {
        name: &p.holder_name,
        id_type: p
            .id_type
            .as_deref()
            .map(IdType::from_stored)
            .transpose()?
            .map(IdType::code),
        id_number_enc: p.id_number_enc.clone(),
        id_number_masked: p.id_number_masked.clone(),
        phone_enc: p.phone_enc.clone(),
        unit: p.unit_id,
        unit_label: p.unit_label.clone(),
        host: p.host_person_id,
        host_name: p.host_name.clone(),
        purpose: p.purpose.as_deref(),
        plate: p.plate.as_deref(),
        party_size: p.party_size,
    };
    // A guest's pass is his host's word; a desk's pass was issued on the centre's.
    let answer = Answer {
        answer: VisitAnswer::Confirmed.code(),
        how: "pass",
        by: None,
    };
    let id =
        store::insert_visit(&mut tx, c, Some(p.id), &v, Some(&answer), ctx.actor(), now).await?;
    audit::record(
        &mut tx,
        ctx,
        Entry::new(Action::Create, "visit", id.0)
            .community(c)
            .after(&serde_json::json!({"pass": p.id, "visitor": p.holder_name})),
    )
    .await?;
    let r = store::get_visit(&mut tx, id)
        .await?
        .ok_or(CoreError::NotFound("visit"))?;
    let out = visit_view(core, &mut tx, ctx, r).await?;
    tx.commit().await?;
    Ok(out)
}

async fn reached_visit(q: &mut impl Queries, ctx: &Ctx, id: VisitId) -> CoreResult<VisitRow> {
    let r = store::get_visit(q, id)
        .await?
        .filter(|r| ctx.reaches(r.community_id))
        .ok_or(CoreError::NotFound("visit"))?;
    require_desk(ctx, r.community_id).map_err(|_| CoreError::NotFound("visit"))?;
    Ok(r)
}

pub async fn get_visit(core: &Core, ctx: &Ctx, id: VisitId) -> CoreResult<Visit> {
    let mut q = core.db.read();
    let r = reached_visit(&mut q, ctx, id).await?;
    visit_view(core, &mut q, ctx, r).await
}

/// The community's visitors register, newest first: a day's, or those still inside.
pub async fn list_visits(
    core: &Core,
    ctx: &Ctx,
    c: CommunityId,
    f: VisitFilter,
) -> CoreResult<Vec<Visit>> {
    require_desk(ctx, c)?;
    let mut q = core.db.read();
    let w = visit_where(&mut q, c, &f).await?;
    let names = staff_names(&mut q, ctx, c).await?;
    store::list_visits(&mut q, c, &w, 500)
        .await?
        .into_iter()
        .map(|r| visit_of(core, r, &names))
        .collect()
}

/// A register's filter, checked: a local day of the community becomes its instants.
pub(super) async fn visit_where<'a>(
    q: &mut impl Queries,
    c: CommunityId,
    f: &'a VisitFilter,
) -> CoreResult<VisitWhere<'a>> {
    let text = match f.q.as_deref() {
        Some(t) => query_text("q", t, 30)
            .map_err(|e| CoreError::Invalid(vec![e]))?
            .trim(),
        None => "",
    };
    let (from, to) = match f.day {
        Some(d) => {
            let (_, _, tz) = crate::registry::store::for_community::company_of(q, c)
                .await?
                .ok_or(CoreError::NotFound("community"))?;
            let tz = crate::shared::calendar::zone(&tz);
            let start =
                |d: NaiveDate| crate::shared::calendar::local_to_utc(tz, d, chrono::NaiveTime::MIN);
            (Some(start(d)), Some(start(d + Duration::days(1))))
        }
        None => (None, None),
    };
    Ok(VisitWhere {
        from,
        to,
        inside: f.inside.unwrap_or(false),
        text: Some(text).filter(|t| !t.is_empty()),
        below_id: None,
    })
}

/// The visits `w` picks, every one, newest first, into `sink`.
pub(super) async fn export_visits(
    core: &Core,
    ctx: &Ctx,
    c: CommunityId,
    mut w: VisitWhere<'_>,
    sink: Sink<Visit>,
) -> CoreResult<ExportFile> {
    let mut q = core.db.read();
    let names = staff_names(&mut q, ctx, c).await?;
    let mut sink = sink.by_id(|v| v.id.0);
    while let Some(below) = sink.below() {
        let rows: CoreResult<Vec<_>> = {
            w.below_id = Some(below);
            store::list_visits(&mut q, c, &w, PAGE)
                .await?
                .into_iter()
                .map(|r| visit_of(core, r, &names))
                .collect()
        };
        sink.page(rows?).await;
    }
    sink.finish().await
}

/// The desk records the host's answer given on the phone.
pub async fn answer_visit_by_call(
    core: &Core,
    ctx: &Ctx,
    id: VisitId,
    input: VisitAnswerInput,
) -> CoreResult<Visit> {
    let mut tx = core.db.begin().await?;
    let r = reached_visit(&mut tx, ctx, id).await?;
    answer(core, ctx, tx, r, input, "call").await
}

async fn answer(
    core: &Core,
    ctx: &Ctx,
    mut tx: Tx,
    r: VisitRow,
    input: VisitAnswerInput,
    how: &'static str,
) -> CoreResult<Visit> {
    let a = VisitAnswer::parse("answer", &input.answer).map_err(|e| CoreError::Invalid(vec![e]))?;
    if r.host_person_id.is_none() {
        return Err(CoreError::conflict("id", FrontdeskCode::VisitNoHost));
    }
    let ans = Answer {
        answer: a.code(),
        how,
        by: ctx.actor(),
    };
    if store::answer_visit(&mut tx, r.community_id, r.id, &ans, Utc::now()).await? != 1 {
        return Err(CoreError::conflict("id", FrontdeskCode::VisitAnswered));
    }
    audit::record(
        &mut tx,
        ctx,
        Entry::new(Action::Update, "visit", r.id.0)
            .community(r.community_id)
            .after(&serde_json::json!({"answer": a.code(), "how": how})),
    )
    .await?;
    let r = store::get_visit(&mut tx, r.id)
        .await?
        .ok_or(CoreError::NotFound("visit"))?;
    let names = if how == "portal" {
        Default::default()
    } else {
        staff_names(&mut tx, ctx, r.community_id).await?
    };
    let out = visit_of(core, r, &names)?;
    tx.commit().await?;
    Ok(out)
}

/// The visitor leaves (once).
pub async fn check_out_visit(core: &Core, ctx: &Ctx, id: VisitId) -> CoreResult<Visit> {
    let mut tx = core.db.begin().await?;
    let r = reached_visit(&mut tx, ctx, id).await?;
    if store::check_out(&mut tx, r.community_id, id, ctx.actor(), Utc::now()).await? != 1 {
        return Err(CoreError::conflict("id", FrontdeskCode::VisitOver));
    }
    audit::record(
        &mut tx,
        ctx,
        Entry::new(Action::Update, "visit", id.0)
            .community(r.community_id)
            .after(&serde_json::json!({"out": true})),
    )
    .await?;
    let r = store::get_visit(&mut tx, id)
        .await?
        .ok_or(CoreError::NotFound("visit"))?;
    let out = visit_view(core, &mut tx, ctx, r).await?;
    tx.commit().await?;
    Ok(out)
}

/// The visitor's clear ID number, for roles with `pii.reveal`; every call is logged.
pub async fn reveal_visit_id(core: &Core, ctx: &Ctx, id: VisitId) -> CoreResult<VisitIdNumber> {
    let mut tx = core.db.begin().await?;
    let r = reached_visit(&mut tx, ctx, id).await?;
    ctx.require(Perm::PiiReveal)?;
    let clear = r
        .id_number_enc
        .as_deref()
        .map(|b| core.crypto.decrypt(b))
        .transpose()?;
    audit::record(
        &mut tx,
        ctx,
        Entry::new(Action::Reveal, "visit", id.0)
            .community(r.community_id)
            .after(&serde_json::json!({ "fields": ["id_number"] })),
    )
    .await?;
    tx.commit().await?;
    Ok(VisitIdNumber {
        id,
        id_number: clear,
    })
}

/// The visits to the owner in the last 30 days, newest first (those awaiting his answer among
/// them). Staff names are not shown to him.
pub async fn my_visitors(core: &Core, ctx: &Ctx) -> CoreResult<Vec<Visit>> {
    let me = crate::portal::profile(core, ctx).await?;
    let none = Default::default();
    store::visits_of_host(
        &mut core.db.read(),
        me.community_id,
        me.person_id,
        Utc::now() - Duration::days(30),
    )
    .await?
    .into_iter()
    .map(|r| visit_of(core, r, &none))
    .collect()
}

/// The owner confirms or refuses a visitor registered for him.
pub async fn answer_my_visitor(
    core: &Core,
    ctx: &Ctx,
    id: VisitId,
    input: VisitAnswerInput,
) -> CoreResult<Visit> {
    let me = crate::portal::profile(core, ctx).await?;
    let mut tx = core.db.begin().await?;
    let r = store::get_visit(&mut tx, id)
        .await?
        .filter(|r| r.host_person_id == Some(me.person_id))
        .ok_or(CoreError::NotFound("visit"))?;
    answer(core, ctx, tx, r, input, "portal").await
}
