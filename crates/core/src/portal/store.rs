//! SQL of owner accounts (`owner_accounts`): which registry person a portal user is, and the
//! pending activation code. The users table behind them is accounts' (`auth/store/for_portal.rs`).

use chrono::{DateTime, Utc};

use crate::args;
use crate::db::{Db, Tx};
use crate::shared::error::CoreResult;
use crate::shared::ids::{CommunityId, CompanyId, PersonId, UserId};

/// An account waiting for its activation code.
#[derive(sqlx::FromRow)]
pub(super) struct Pending {
    pub id: UserId,
    pub company_id: CompanyId,
    pub community_id: CommunityId,
    pub activation_hash: Option<String>,
    pub activation_expires_at: Option<DateTime<Utc>>,
    pub failed_logins: i64,
}

pub(super) async fn account_of_person(tx: &mut Tx, person: PersonId) -> CoreResult<Option<UserId>> {
    let row: Option<(UserId,)> = tx
        .fetch_optional(
            "SELECT user_id FROM owner_accounts WHERE person_id = $1",
            args![person],
        )
        .await?;
    Ok(row.map(|r| r.0))
}

/// A new activation code replaces the old one.
pub(super) async fn reissue(
    tx: &mut Tx,
    user: UserId,
    code_hash: String,
    expires: DateTime<Utc>,
) -> CoreResult<()> {
    tx.execute(
        "UPDATE owner_accounts SET activation_hash = $1, activation_expires_at = $2 \
         WHERE user_id = $3",
        args![code_hash, expires, user],
    )
    .await?;
    Ok(())
}

/// What ties a new portal user to his person, with the pending activation code.
pub(super) struct NewAccount {
    pub user: UserId,
    pub company: CompanyId,
    pub community: CommunityId,
    pub person: PersonId,
    pub code_hash: String,
    pub expires: DateTime<Utc>,
    pub now: DateTime<Utc>,
}

pub(super) async fn insert(tx: &mut Tx, n: NewAccount) -> CoreResult<()> {
    tx.execute(
        "INSERT INTO owner_accounts (user_id, company_id, community_id, person_id, \
         activation_hash, activation_expires_at, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7)",
        args![
            n.user,
            n.company,
            n.community,
            n.person,
            n.code_hash,
            n.expires,
            n.now
        ],
    )
    .await?;
    Ok(())
}

/// An account already activated (the demo owner logs in with the published password).
pub(crate) async fn insert_activated(
    tx: &mut Tx,
    user: UserId,
    company: CompanyId,
    community: CommunityId,
    person: PersonId,
    now: DateTime<Utc>,
) -> CoreResult<()> {
    tx.execute(
        "INSERT INTO owner_accounts (user_id, company_id, community_id, person_id, activated_at, \
         created_at) VALUES ($1, $2, $3, $4, $5, $5)",
        args![user, company, community, person, now],
    )
    .await?;
    Ok(())
}

pub(super) async fn pending(db: &Db, username: &str) -> CoreResult<Option<Pending>> {
    db.read()
        .fetch_optional(
            "SELECT u.id, u.company_id, o.community_id, o.activation_hash, o.activation_expires_at, \
             u.failed_logins FROM users u JOIN owner_accounts o ON o.user_id = u.id WHERE u.username = $1",
            args![username],
        )
        .await
}

/// The code is spent: the account is active from `now`.
pub(super) async fn mark_activated(
    tx: &mut Tx,
    user: UserId,
    now: DateTime<Utc>,
) -> CoreResult<()> {
    tx.execute(
        "UPDATE owner_accounts SET activation_hash = NULL, activation_expires_at = NULL, \
         activated_at = $1 WHERE user_id = $2",
        args![now, user],
    )
    .await?;
    Ok(())
}

/// The person behind a portal user: (person, community, the person's name).
/// The communities a portal user reaches: his account's, while its person still lives in (owns,
/// shares or rents) a unit there. No staff assignment enters into it.
pub(crate) async fn reach_of(db: &Db, user: UserId) -> CoreResult<Vec<CommunityId>> {
    let rows: Vec<(CommunityId,)> = db
        .read()
        .fetch_all(
            "SELECT o.community_id FROM owner_accounts o WHERE o.user_id = $1 AND EXISTS \
             (SELECT 1 FROM unit_people up WHERE up.community_id = o.community_id \
             AND up.person_id = o.person_id)",
            args![user],
        )
        .await?;
    Ok(rows.into_iter().map(|r| r.0).collect())
}

pub(super) async fn owner_of(
    db: &Db,
    user: UserId,
) -> CoreResult<Option<(PersonId, CommunityId, String)>> {
    db.read()
        .fetch_optional(
            "SELECT o.person_id, o.community_id, p.name FROM owner_accounts o \
             JOIN people p ON p.id = o.person_id WHERE o.user_id = $1",
            args![user],
        )
        .await
}

/// The portal accounts of registry people (notifications to the owner who reported a request).
pub(crate) async fn accounts_of_people(
    q: &mut impl crate::db::Queries,
    people: &[PersonId],
) -> CoreResult<Vec<(PersonId, UserId)>> {
    if people.is_empty() {
        return Ok(Vec::new());
    }
    let mut a = crate::db::Args::new();
    let cond = crate::db::in_list(&mut a, "person_id", people);
    q.fetch_all(
        &format!("SELECT person_id, user_id FROM owner_accounts WHERE {cond}"),
        a,
    )
    .await
}

/// The registry person behind each of these portal accounts (their phone reaches them).
pub(crate) async fn people_of_accounts(
    q: &mut impl crate::db::Writes,
    users: &[UserId],
) -> CoreResult<Vec<(UserId, PersonId)>> {
    if users.is_empty() {
        return Ok(Vec::new());
    }
    let mut a = crate::db::Args::new();
    let cond = crate::db::in_list(&mut a, "user_id", users);
    q.fetch_all(
        &format!("SELECT user_id, person_id FROM owner_accounts WHERE {cond}"),
        a,
    )
    .await
}

/// The community's portal accounts: (person, account, activated), for notices to everyone and
/// their read counts.
pub(crate) async fn community_accounts(
    q: &mut impl crate::db::Queries,
    c: CommunityId,
) -> CoreResult<Vec<(PersonId, UserId, bool)>> {
    q.fetch_all(
        "SELECT person_id, user_id, activated_at IS NOT NULL FROM owner_accounts \
         WHERE community_id = $1",
        args![c],
    )
    .await
}

/// The condition of [`accounts_in`] and [`count_accounts_in`], its values pushed onto `a`
/// (the community first, as `$1`).
fn living_in(
    a: &mut crate::db::Args,
    community: CommunityId,
    owners_only: bool,
    buildings: &[crate::shared::ids::BuildingId],
) -> String {
    a.push(community);
    let mut cond = String::from(
        "FROM owner_accounts o \
         JOIN unit_people up ON up.community_id = o.community_id AND up.person_id = o.person_id \
         JOIN units un ON un.id = up.unit_id \
         WHERE o.community_id = $1 AND o.activated_at IS NOT NULL",
    );
    if owners_only {
        cond.push_str(" AND up.relation = 'owner'");
    }
    if !buildings.is_empty() {
        cond.push_str(" AND ");
        cond.push_str(&crate::db::in_list(a, "un.building_id", buildings));
    }
    cond
}

/// The activated portal accounts of the people living in a community — owners only, or anyone
/// linked to a unit (household members, tenants) — in these buildings (none: all): whom a
/// survey asks.
pub(crate) async fn accounts_in(
    q: &mut impl crate::db::Queries,
    community: CommunityId,
    owners_only: bool,
    buildings: &[crate::shared::ids::BuildingId],
) -> CoreResult<Vec<UserId>> {
    let mut a = crate::db::Args::new();
    let from = living_in(&mut a, community, owners_only, buildings);
    let rows: Vec<(UserId,)> = q
        .fetch_all(&format!("SELECT DISTINCT o.user_id {from}"), a)
        .await?;
    Ok(rows.into_iter().map(|r| r.0).collect())
}

/// How many accounts [`accounts_in`] would give.
pub(crate) async fn count_accounts_in(
    db: &Db,
    community: CommunityId,
    owners_only: bool,
    buildings: &[crate::shared::ids::BuildingId],
) -> CoreResult<i64> {
    let mut a = crate::db::Args::new();
    let from = living_in(&mut a, community, owners_only, buildings);
    let (n,): (i64,) = db
        .read()
        .fetch_one(&format!("SELECT COUNT(DISTINCT o.user_id) {from}"), a)
        .await?;
    Ok(n)
}

/// Where a portal user lives: (community, building, relation) of each unit his person is linked
/// to, and his name.
pub(crate) async fn homes_of(
    db: &Db,
    user: UserId,
) -> CoreResult<Vec<(CommunityId, crate::shared::ids::BuildingId, String, String)>> {
    db.read()
        .fetch_all(
            "SELECT o.community_id, un.building_id, up.relation, p.name FROM owner_accounts o \
             JOIN unit_people up ON up.community_id = o.community_id AND up.person_id = o.person_id \
             JOIN units un ON un.id = up.unit_id JOIN people p ON p.id = o.person_id \
             WHERE o.user_id = $1 AND o.activated_at IS NOT NULL",
            args![user],
        )
        .await
}

/// The names of the people behind these portal accounts (a named survey's export).
pub(crate) async fn names_of_accounts(
    db: &Db,
    users: &[UserId],
) -> CoreResult<Vec<(UserId, String)>> {
    if users.is_empty() {
        return Ok(Vec::new());
    }
    let mut a = crate::db::Args::new();
    let cond = crate::db::in_list(&mut a, "o.user_id", users);
    db.read()
        .fetch_all(
            &format!(
                "SELECT o.user_id, p.name FROM owner_accounts o JOIN people p ON p.id = o.person_id \
                 WHERE {cond}"
            ),
            a,
        )
        .await
}
