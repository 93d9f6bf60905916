//! Sign-up: an owner takes a seat from the portal while sign-up is open, or a place on the
//! waiting list once the seats are gone; giving a seat up hands it to the first who waits (he
//! hears of it). Staff see the list and check people in at the door.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde::Serialize;
use utoipa::ToSchema;

use super::model::{self, ActivityState, SignupState};
use super::service::{Activity, managed, with_counts};
use crate::Core;
use crate::audit::{self, Action, Entry};
use crate::community::error::CommunityCode;
use crate::community::store::activities as store;
use crate::notify::{self, InApp, Note, model::Event};
use crate::shared::ctx::Ctx;
use crate::shared::error::{CoreError, CoreResult};
use crate::shared::ids::*;

/// A sign-up as staff see it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Signup {
    pub id: i64,
    pub user_id: UserId,
    pub name: String,
    pub state: SignupState,
    pub checked_in_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
}

/// An activity as its owner sees it in the portal, with his own sign-up.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct MyActivity {
    #[serde(flatten)]
    pub activity: Activity,
    /// The caller's sign-up, if he has a live one.
    pub mine: Option<SignupState>,
}

/// The owner's community.
async fn owner_community(core: &Core, ctx: &Ctx) -> CoreResult<CommunityId> {
    Ok(crate::portal::profile(core, ctx).await?.community_id)
}

/// The activities of the owner's community that are open, or that he signed up for and are
/// not over, soonest first.
pub async fn my_activities(core: &Core, ctx: &Ctx) -> CoreResult<Vec<MyActivity>> {
    let c = owner_community(core, ctx).await?;
    let now = Utc::now();
    let mut q = core.db.read();
    let mine: BTreeMap<ActivityId, SignupState> = store::mine(&mut q, c, ctx.user_id)
        .await?
        .into_iter()
        .filter_map(|(a, s)| SignupState::decode(&s).map(|s| (a, s)))
        .filter(|(_, s)| *s != SignupState::Cancelled)
        .collect();
    let rows: Vec<_> = store::list(&mut q, c, Some("open"))
        .await?
        .into_iter()
        .filter(|r| r.ends_at > now)
        .collect();
    let mut out: Vec<MyActivity> = with_counts(&mut q, c, &rows, now)
        .await?
        .into_iter()
        .map(|a| MyActivity {
            mine: mine.get(&a.id).copied(),
            activity: a,
        })
        .collect();
    out.sort_by_key(|a| a.activity.starts_at);
    Ok(out)
}

/// An open activity of the owner's community.
async fn open_for_owner(
    tx: &mut crate::db::Tx,
    c: CommunityId,
    id: ActivityId,
) -> CoreResult<store::ActivityRow> {
    store::get(tx, id)
        .await?
        .filter(|r| r.community_id == c && r.state != ActivityState::Planned.code())
        .ok_or(CoreError::NotFound("activity"))
}

/// Signs the owner up: a seat while one is left, else the waiting list.
pub async fn sign_up(core: &Core, ctx: &Ctx, id: ActivityId) -> CoreResult<SignupState> {
    let c = owner_community(core, ctx).await?;
    let now = Utc::now();
    let mut tx = core.db.begin().await?;
    let r = open_for_owner(&mut tx, c, id).await?;
    let state = ActivityState::decode(&r.state)
        .ok_or_else(|| CoreError::internal(format!("activity {id}: a stored state")))?;
    if state != ActivityState::Open {
        return Err(CoreError::conflict("state", CommunityCode::ActivityNotOpen));
    }
    if !model::signup_open(state, r.starts_at, r.signup_until, now) {
        return Err(CoreError::conflict("state", CommunityCode::SignupClosed));
    }
    if store::signup_of(&mut tx, c, id, ctx.user_id)
        .await?
        .is_some_and(|s| s.state != SignupState::Cancelled.code())
    {
        return Err(CoreError::conflict(
            "activity",
            CommunityCode::AlreadySignedUp,
        ));
    }
    let got = if store::take_seat(&mut tx, id).await? {
        SignupState::Confirmed
    } else {
        SignupState::Waiting
    };
    if !store::put_signup(&mut tx, c, id, ctx.user_id, got.code(), now).await? {
        return Err(CoreError::conflict(
            "activity",
            CommunityCode::AlreadySignedUp,
        ));
    }
    audit::record(
        &mut tx,
        ctx,
        Entry::new(Action::Create, "activity_signup", id.0)
            .community(c)
            .after(&serde_json::json!({"activity": id, "state": got.code()})),
    )
    .await?;
    tx.commit().await?;
    Ok(got)
}

/// Gives the owner's sign-up up; a seat he held goes to the first who waits, who hears of it.
pub async fn give_up(core: &Core, ctx: &Ctx, id: ActivityId) -> CoreResult<()> {
    let c = owner_community(core, ctx).await?;
    let now = Utc::now();
    let mut tx = core.db.begin().await?;
    let r = open_for_owner(&mut tx, c, id).await?;
    if r.state != ActivityState::Open.code() {
        return Err(CoreError::conflict("state", CommunityCode::ActivityNotOpen));
    }
    let mine = store::signup_of(&mut tx, c, id, ctx.user_id)
        .await?
        .filter(|s| s.state != SignupState::Cancelled.code())
        .ok_or_else(|| CoreError::conflict("activity", CommunityCode::NotSignedUp))?;
    if !store::move_signup(
        &mut tx,
        mine.id,
        &mine.state,
        SignupState::Cancelled.code(),
        now,
    )
    .await?
    {
        return Err(CoreError::conflict("activity", CommunityCode::NotSignedUp));
    }
    if mine.state == SignupState::Confirmed.code() {
        store::free_seat(&mut tx, id).await?;
        promote(core, &mut tx, &r, now).await?;
    }
    audit::record(
        &mut tx,
        ctx,
        Entry::new(Action::Delete, "activity_signup", id.0)
            .community(c)
            .before(&serde_json::json!({"activity": id, "state": &mine.state})),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Gives a free seat to the first who waits, while sign-up is open.
async fn promote(
    core: &Core,
    tx: &mut crate::db::Tx,
    r: &store::ActivityRow,
    now: DateTime<Utc>,
) -> CoreResult<()> {
    let Some(next) = store::first_waiting(tx, r.community_id, r.id).await? else {
        return Ok(());
    };
    if !store::take_seat(tx, r.id).await? {
        return Ok(());
    }
    store::move_signup(tx, next.id, "waiting", "confirmed", now).await?;
    let tz = crate::registry::store::for_community::company_of(tx, r.community_id)
        .await?
        .map(|(_, _, tz)| crate::shared::calendar::zone(&tz))
        .ok_or(CoreError::NotFound("community"))?;
    let note = Note {
        community: r.community_id,
        event: Event::ActivitySeat,
        params: vec![
            ("title".into(), r.title.clone()),
            (
                "date".into(),
                r.starts_at
                    .with_timezone(&tz)
                    .format("%m月%d日 %H:%M")
                    .to_string(),
            ),
        ],
        request: None,
        link: Some(format!("/portal/activities#a{}", r.id)),
    };
    notify::enqueue_many(
        &core.channels,
        tx,
        &[(note, vec![next.user_id])],
        InApp::Write,
        now,
    )
    .await
}

/// An activity's sign-ups with the people's names: seats, then the waiting list in its order.
pub async fn list_signups(core: &Core, ctx: &Ctx, id: ActivityId) -> CoreResult<Vec<Signup>> {
    let mut q = core.db.read();
    let r = managed(&mut q, ctx, id).await?;
    let rows = store::signups(&mut q, r.community_id, id).await?;
    let users: Vec<UserId> = rows.iter().map(|s| s.user_id).collect();
    let names: BTreeMap<UserId, String> = crate::auth::store::users::display_names(&mut q, &users)
        .await?
        .into_iter()
        .collect();
    rows.into_iter()
        .map(|s| {
            Ok(Signup {
                id: s.id,
                user_id: s.user_id,
                name: names.get(&s.user_id).cloned().unwrap_or_default(),
                state: SignupState::decode(&s.state).ok_or_else(|| {
                    CoreError::internal(format!("sign-up {}: a stored state", s.id))
                })?,
                checked_in_at: s.checked_in_at,
                created_at: s.created_at,
            })
        })
        .collect()
}

/// Checks a confirmed sign-up in at the door (once).
pub async fn check_in(core: &Core, ctx: &Ctx, id: ActivityId, signup: i64) -> CoreResult<()> {
    let now = Utc::now();
    let mut tx = core.db.begin().await?;
    let r = managed(&mut tx, ctx, id).await?;
    if r.state != ActivityState::Open.code() {
        return Err(CoreError::conflict("state", CommunityCode::ActivityNotOpen));
    }
    let s = store::signup(&mut tx, r.community_id, id, signup)
        .await?
        .ok_or(CoreError::NotFound("signup"))?;
    if s.state != SignupState::Confirmed.code() {
        return Err(CoreError::conflict(
            "signup",
            CommunityCode::SignupNotConfirmed,
        ));
    }
    if store::check_in(&mut tx, signup, now).await? == 1 {
        audit::record(
            &mut tx,
            ctx,
            Entry::new(Action::Update, "activity_signup", signup)
                .community(r.community_id)
                .after(&serde_json::json!({"activity": id, "checked_in_at": now})),
        )
        .await?;
    }
    tx.commit().await?;
    Ok(())
}
