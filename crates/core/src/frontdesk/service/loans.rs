//! Owners' authorisations for their deposited keys, lending and returning (钥匙领用登记), the
//! register, the job that tells of keys overdue, and the keys out a handover lists.

use std::sync::OnceLock;

use chrono::{DateTime, Duration, NaiveDate, Utc};

use super::super::error::FrontdeskCode;
use super::super::model::{self, AuthorisationHow, KeyState};
use super::super::store::keys::{self as store, KeyRow, LoanWhere, NewAuthorisation, NewLoan};
use super::keys::{
    AuthorisationForCreate, Key, KeyLoan, KeyReturn, LoanFilter, LoanForCreate, loan_of,
    reached_key, view,
};
use super::{optional_phone, require_desk, staff_names, today_in, tz_of};
use crate::audit::{self, Action, Entry};
use crate::db::{Queries, Tx};
use crate::notify::model::Event;
use crate::notify::{self, InApp, Note};
use crate::shared::crypto::mask_phone;
use crate::shared::error::{CommonCode, CoreError, CoreResult, FieldError};
use crate::shared::ids::*;
use crate::shared::values::{optional_text, required_text};
use crate::{Core, Ctx};

// ---------------------------------------------------------------------------------------------
// Owners' authorisations

/// Records an owner's authorisation to hand his deposited key to someone (`frontdesk.work`).
pub async fn authorise_key(
    core: &Core,
    ctx: &Ctx,
    id: KeyId,
    input: AuthorisationForCreate,
) -> CoreResult<Key> {
    let mut tx = core.db.begin().await?;
    let r = reached_key(&mut tx, ctx, id).await?;
    let c = r.community_id;
    if r.deposited_by.is_none() {
        return Err(CoreError::conflict("key_id", FrontdeskCode::NotDeposited));
    }
    let mut errs = Vec::new();
    let person_name = required_text("person_name", &input.person_name, 30)
        .map_err(|e| errs.push(e))
        .unwrap_or_default();
    let phone = optional_phone("phone", input.phone.as_deref(), &mut errs);
    let how = AuthorisationHow::parse("how", &input.how)
        .map_err(|e| errs.push(e))
        .ok();
    let note = optional_text("note", input.note.as_deref(), 300)
        .map_err(|e| errs.push(e))
        .unwrap_or_default();
    let today = today_in(tz_of(&mut tx, ctx, c).await?);
    let valid_until = match input
        .valid_until
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
    {
        Some(s) => match NaiveDate::parse_from_str(s, "%Y-%m-%d") {
            Ok(d) if d < today => {
                errs.push(FieldError::new(
                    "valid_until",
                    FrontdeskCode::AuthorisationPast,
                ));
                None
            }
            Ok(d) => Some(d),
            Err(_) => {
                errs.push(FieldError::new("valid_until", CommonCode::InvalidDate));
                None
            }
        },
        None => None,
    };
    let Some(how) = how.filter(|_| errs.is_empty()) else {
        return Err(CoreError::Invalid(errs));
    };
    let now = Utc::now();
    let aid = store::insert_authorisation(
        &mut tx,
        c,
        NewAuthorisation {
            key: id,
            person_name: &person_name,
            phone_enc: phone.as_ref().map(|p| core.crypto.encrypt(p.as_str())),
            valid_until,
            how: how.code(),
            note: note.as_deref(),
            by: ctx.actor(),
        },
        now,
    )
    .await?;
    audit::record(
        &mut tx,
        ctx,
        Entry::new(Action::Create, "key_authorisation", aid.0)
            .community(c)
            .after(
                &serde_json::json!({"key_id": id, "person_name": person_name,
                "phone": phone.as_ref().map(|p| mask_phone(p.as_str())), "valid_until": valid_until,
                "how": how.code()}),
            ),
    )
    .await?;
    let v = view(core, &mut tx, ctx, r, true).await?;
    tx.commit().await?;
    Ok(v)
}

/// Withdraws an authorisation (the owner changed his mind).
pub async fn revoke_key_authorisation(
    core: &Core,
    ctx: &Ctx,
    id: KeyAuthorisationId,
) -> CoreResult<Key> {
    let mut tx = core.db.begin().await?;
    let a = store::authorisation(&mut tx, id)
        .await?
        .filter(|a| ctx.reaches(a.community_id))
        .ok_or(CoreError::NotFound("key_authorisation"))?;
    let r = reached_key(&mut tx, ctx, a.key_id)
        .await
        .map_err(|_| CoreError::NotFound("key_authorisation"))?;
    if store::revoke_authorisation(&mut tx, a.community_id, id, ctx.actor(), Utc::now()).await? != 1
    {
        return Err(CoreError::conflict(
            "id",
            FrontdeskCode::AuthorisationRevoked,
        ));
    }
    audit::record(
        &mut tx,
        ctx,
        Entry::new(Action::Update, "key_authorisation", id.0)
            .community(a.community_id)
            .before(&serde_json::json!({"revoked": false}))
            .after(&serde_json::json!({"revoked": true})),
    )
    .await?;
    let v = view(core, &mut tx, ctx, r, true).await?;
    tx.commit().await?;
    Ok(v)
}

// ---------------------------------------------------------------------------------------------
// Lending

/// Lends a key in the cabinet: to a member of staff, a named outsider, or — an owner's
/// deposited key — the person of one of the owner's authorisations in force. A key out,
/// retired, or lent by another desk a moment before is refused.
pub async fn lend_key(
    core: &Core,
    ctx: &Ctx,
    id: KeyId,
    input: LoanForCreate,
) -> CoreResult<KeyLoan> {
    let mut tx = core.db.begin().await?;
    let r = reached_key(&mut tx, ctx, id).await?;
    let c = r.community_id;
    let now = Utc::now();
    match KeyState::from_stored(&r.state)? {
        KeyState::In => {}
        KeyState::Retired => return Err(CoreError::conflict("key_id", FrontdeskCode::KeyRetired)),
        KeyState::Out => return Err(out_conflict(&mut tx, &r).await?),
    }
    let names = staff_names(&mut tx, ctx, c).await?;
    let mut errs = Vec::new();
    let purpose = required_text("purpose", &input.purpose, 100)
        .map_err(|e| errs.push(e))
        .unwrap_or_default();
    if let Err(e) = model::check_due("due_at", now, input.due_at) {
        errs.push(e);
    }
    let phone = optional_phone("borrower_phone", input.borrower_phone.as_deref(), &mut errs);
    let typed_name = optional_text("borrower_name", input.borrower_name.as_deref(), 30)
        .map_err(|e| errs.push(e))
        .unwrap_or_default();
    let mut borrower = match (input.borrower_user_id, typed_name) {
        (Some(u), _) => match names.get(&u) {
            Some(n) => Some(n.clone()),
            None => {
                errs.push(FieldError::new(
                    "borrower_user_id",
                    FrontdeskCode::BorrowerNotStaff,
                ));
                None
            }
        },
        (None, Some(n)) => Some(n),
        (None, None) => None,
    };
    let mut phone_enc = phone.as_ref().map(|p| core.crypto.encrypt(p.as_str()));
    if r.deposited_by.is_some() {
        let today = today_in(tz_of(&mut tx, ctx, c).await?);
        match input.authorisation_id {
            None => errs.push(FieldError::new(
                "authorisation_id",
                FrontdeskCode::AuthorisationRequired,
            )),
            Some(aid) => match store::authorisation(&mut tx, aid).await? {
                Some(a)
                    if a.key_id == id
                        && model::authorisation_in_force(a.revoked_at, a.valid_until, today) =>
                {
                    // The owner named who may take it: that person is the borrower.
                    borrower = Some(a.person_name);
                    if phone_enc.is_none() {
                        phone_enc = a.phone_enc;
                    }
                }
                _ => errs.push(FieldError::new(
                    "authorisation_id",
                    FrontdeskCode::AuthorisationInvalid,
                )),
            },
        }
    }
    // A deposited key's borrower is its authorisation's person, refused above when missing.
    if borrower.is_none()
        && r.deposited_by.is_none()
        && !errs.iter().any(|e| e.field.starts_with("borrower"))
    {
        errs.push(FieldError::new(
            "borrower_name",
            FrontdeskCode::BorrowerRequired,
        ));
    }
    let Some(borrower) = borrower.filter(|_| errs.is_empty()) else {
        return Err(CoreError::Invalid(errs));
    };
    if store::set_state(
        &mut tx,
        c,
        id,
        KeyState::In.code(),
        KeyState::Out.code(),
        now,
    )
    .await?
        != 1
    {
        return Err(out_conflict(&mut tx, &r).await?);
    }
    let loan = store::insert_loan(
        &mut tx,
        c,
        NewLoan {
            key: id,
            borrower_user: input.borrower_user_id,
            borrower_name: &borrower,
            borrower_phone_enc: phone_enc,
            purpose: &purpose,
            authorisation: if r.deposited_by.is_some() {
                input.authorisation_id
            } else {
                None
            },
            due_at: input.due_at,
            by: ctx.actor(),
        },
        now,
    )
    .await
    .map_err(|e| {
        if e.is_unique_violation() {
            CoreError::conflict("key_id", FrontdeskCode::KeyOut)
        } else {
            e
        }
    })?;
    audit::record(
        &mut tx,
        ctx,
        Entry::new(Action::Create, "key_loan", loan.0)
            .community(c)
            .after(
                &serde_json::json!({"key": r.code, "borrower": borrower, "purpose": purpose,
                "due_at": input.due_at, "authorisation_id": input.authorisation_id}),
            ),
    )
    .await?;
    let l = store::loan(&mut tx, loan)
        .await?
        .ok_or(CoreError::NotFound("key_loan"))?;
    let v = loan_of(core, l, &names, now)?;
    tx.commit().await?;
    Ok(v)
}

/// The conflict of a key out, naming who has it.
async fn out_conflict(tx: &mut Tx, r: &KeyRow) -> CoreResult<CoreError> {
    let who = match store::key(tx, r.id).await?.and_then(|k| k.loan_id) {
        Some(l) => store::loan(tx, l)
            .await?
            .map(|l| l.borrower_name)
            .unwrap_or_default(),
        None => String::new(),
    };
    Ok(CoreError::Conflict(
        FieldError::new("key_id", FrontdeskCode::KeyOut).with("borrower", who),
    ))
}

/// Takes a key back into its cabinet, recording who received it.
pub async fn return_key(
    core: &Core,
    ctx: &Ctx,
    id: KeyId,
    input: KeyReturn,
) -> CoreResult<KeyLoan> {
    let mut tx = core.db.begin().await?;
    let r = reached_key(&mut tx, ctx, id).await?;
    let c = r.community_id;
    let note = optional_text("note", input.note.as_deref(), 300)
        .map_err(|e| CoreError::Invalid(vec![e]))?;
    let Some(loan) = r.loan_id else {
        return Err(CoreError::conflict("key_id", FrontdeskCode::KeyNotOut));
    };
    let now = Utc::now();
    if store::close_loan(&mut tx, c, loan, ctx.actor(), note.as_deref(), now).await? != 1
        || store::set_state(
            &mut tx,
            c,
            id,
            KeyState::Out.code(),
            KeyState::In.code(),
            now,
        )
        .await?
            != 1
    {
        return Err(CoreError::conflict("key_id", FrontdeskCode::KeyNotOut));
    }
    audit::record(
        &mut tx,
        ctx,
        Entry::new(Action::Update, "key_loan", loan.0)
            .community(c)
            .before(&serde_json::json!({"returned": false}))
            .after(&serde_json::json!({"returned": true, "note": note})),
    )
    .await?;
    let names = staff_names(&mut tx, ctx, c).await?;
    let l = store::loan(&mut tx, loan)
        .await?
        .ok_or(CoreError::NotFound("key_loan"))?;
    let v = loan_of(core, l, &names, now)?;
    tx.commit().await?;
    Ok(v)
}

/// The lending register of the community, newest first: every loan, the keys still out, or
/// those past due (`frontdesk.work`).
pub async fn list_key_loans(
    core: &Core,
    ctx: &Ctx,
    c: CommunityId,
    f: LoanFilter,
) -> CoreResult<Vec<KeyLoan>> {
    require_desk(ctx, c)?;
    let now = Utc::now();
    let w = LoanWhere {
        key: f.key_id.map(KeyId),
        open: f.open.unwrap_or(false),
        overdue_at: f.overdue.unwrap_or(false).then_some(now),
    };
    let mut q = core.db.read();
    let names = staff_names(&mut q, ctx, c).await?;
    store::loans(&mut q, c, &w, 500)
        .await?
        .into_iter()
        .map(|l| loan_of(core, l, &names, now))
        .collect()
}

// ---------------------------------------------------------------------------------------------
// The overdue job and handovers

const JOB: &str = "keys_overdue";

pub(super) fn node() -> &'static str {
    static NODE: OnceLock<String> = OnceLock::new();
    NODE.get_or_init(crate::shared::jobs::node_name)
}

/// One pass as of `now`: every key out past its due time and not yet told is told to its
/// borrower (when staff) and its cabinet's keeper, once (a conditional UPDATE in the
/// transaction of the messages). Under the job's lease. Returns how many loans were told.
pub async fn run_key_reminders(core: &Core, now: DateTime<Utc>) -> CoreResult<usize> {
    if !crate::shared::jobs::claim_lease(core, JOB, node(), Duration::seconds(120), now).await? {
        return Ok(0);
    }
    let mut told = 0;
    for l in store::overdue_untold(&mut core.db.read(), now, 500).await? {
        let mut tx = core.db.begin().await?;
        let tz = crate::registry::store::for_notify::community(&mut tx, l.community_id)
            .await?
            .map(|(_, _, tz)| crate::shared::calendar::zone(&tz))
            .unwrap_or_else(|| crate::shared::calendar::zone(""));
        if store::mark_told(&mut tx, l.community_id, l.id, now).await? == 1 {
            let note = Note {
                community: l.community_id,
                event: Event::KeyOverdue,
                params: vec![
                    ("code".into(), l.code.clone()),
                    ("opens".into(), l.opens.clone()),
                    ("borrower".into(), l.borrower_name.clone()),
                    (
                        "due".into(),
                        l.due_at
                            .with_timezone(&tz)
                            .format("%Y-%m-%d %H:%M")
                            .to_string(),
                    ),
                ],
                request: None,
                link: Some(format!("/keys/{}", l.key_id)),
            };
            let mut to = vec![l.keeper_id];
            to.extend(l.borrower_user_id);
            notify::enqueue(&core.channels, &mut tx, &note, &to, InApp::Write, now).await?;
            told += 1;
        }
        tx.commit().await?;
    }
    crate::shared::jobs::finish_lease(core, JOB, node(), &format!("told {told}")).await?;
    Ok(told)
}

/// Runs the front desk's jobs ([`run_key_reminders`], [`super::lending::run_item_reminders`]) every `every` until the process ends.
pub fn spawn_frontdesk_job(
    core: crate::CoreRef,
    every: std::time::Duration,
) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(every);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tick.tick().await;
            match run_key_reminders(&core, Utc::now()).await {
                Ok(0) => {}
                Ok(n) => tracing::info!(loans = n, "overdue keys told"),
                Err(e) => tracing::error!(error = %e, "overdue keys job failed"),
            }
            match super::lending::run_item_reminders(&core, Utc::now()).await {
                Ok(0) => {}
                Ok(n) => tracing::info!(loans = n, "overdue items told"),
                Err(e) => tracing::error!(error = %e, "overdue items job failed"),
            }
        }
    })
}

/// A key out, as a handover lists it: (loan id, code, what it opens, borrower, due, overdue).
pub(crate) struct KeyOut {
    pub loan: KeyLoanId,
    pub code: String,
    pub opens: String,
    pub borrower: String,
    pub due_at: DateTime<Utc>,
    pub overdue: bool,
}

/// The community's keys out, due first (a handover's source).
pub(crate) async fn keys_out(
    q: &mut impl Queries,
    c: CommunityId,
    limit: i64,
) -> CoreResult<Vec<KeyOut>> {
    let now = Utc::now();
    Ok(store::open_loans(q, c, limit)
        .await?
        .into_iter()
        .map(|l| KeyOut {
            overdue: model::overdue(l.due_at, None, now),
            loan: l.id,
            code: l.code,
            opens: l.opens,
            borrower: l.borrower_name,
            due_at: l.due_at,
        })
        .collect())
}
