//! Invented demo data: one company, two communities, 7 buildings and 1,056 units with owners,
//! household members, tenants, vehicles and parking spaces, one user per role of SPEC §1, and a
//! dozen service requests (报事报修) in 阳光花园 at every step of their flow.
//! Everything goes through the ordinary services, so the demo obeys the same rules as real use;
//! the few writes no service offers (an owner account already activated, demo users keeping the
//! published password, the demo owner's name) go through the owning modules' stores.
//! All names, phone numbers and ID numbers are generated; none belongs to a real person.
//!
//! One file per module seeded (registry, requests, billing); this one creates the company and its
//! users and runs the steps in order: ids follow the order, and the demo is the same everywhere.

mod billing;
mod community;
mod duty;
mod equipment;
mod frontdesk;
mod patrols;
mod quality;
mod registry;
mod requests;
mod store;

use chrono::Utc;

use crate::auth::{self, UserForCreate};
use crate::shared::ids::{CommunityId, UserId};
use crate::tickets;
use crate::{Core, CoreResult, Ctx};

/// The password of every demo user.
pub const DEMO_PASSWORD: &str = "wuye2026demo";

/// (username, display name, role).
pub const DEMO_USERS: &[(&str, &str, &str)] = &[
    ("admin", "王总", "company_admin"),
    ("manager", "李经理", "project_manager"),
    ("agent", "陈客服", "service_agent"),
    ("tech", "赵师傅", "technician"),
    ("security", "孙队长", "security"),
    ("cleaner", "周阿姨", "cleaning"),
    ("cashier", "吴出纳", "cashier"),
    ("auditor", "郑督导", "quality_auditor"),
    ("owner", "钱业主", "owner"),
    ("committee", "冯主任", "committee"),
];

/// A small deterministic generator: the same demo on every machine.
pub(super) struct Lcg(u64);
impl Lcg {
    fn next(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        self.0 >> 33
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
    fn pick<'a>(&mut self, xs: &'a [&'a str]) -> &'a str {
        xs[self.below(xs.len() as u64) as usize]
    }
}

/// Whether the database already holds a company (then nothing is seeded).
pub async fn is_seeded(core: &Core) -> CoreResult<bool> {
    auth::has_company(core).await
}

/// Seeds the demo company. Call on an empty database only (see [`is_seeded`]).
pub async fn seed(core: &Core) -> CoreResult<()> {
    auth::ensure_roles(core).await?;
    let company = auth::ensure_company(core, "示例物业服务有限公司").await?;
    let sys = Ctx::system_as(company, "demo");
    let mut rng = Lcg(20261122);
    let registry::Seeded {
        communities,
        households,
    } = registry::seed_communities(core, &sys, &mut rng).await?;

    let user_ids = seed_users(core, company, &communities).await?;
    let user_id = |name: &str| {
        user_ids
            .iter()
            .find(|(u, _)| *u == name)
            .map(|(_, id)| *id)
            .ok_or_else(|| crate::CoreError::internal("demo user"))
    };

    // The project manager keeps the vacant units.
    let manager = auth::store::users::id_by_username(&core.db, "manager").await?;
    registry::seed_keepers(core, &sys, manager).await?;

    // The demo owner (钱业主) is the owner of the first household, with an activated portal
    // account: he logs in with the demo password.
    if let Some((_, person)) = households.first() {
        let mut tx = core.db.begin().await?;
        crate::portal::store::insert_activated(
            &mut tx,
            user_id("owner")?,
            company,
            communities[0],
            *person,
            Utc::now(),
        )
        .await?;
        store::rename_person(&mut tx, *person, "钱业主").await?;
        tx.commit().await?;
    }

    // The company calendar: the State Council's 2026 holidays and make-up working days.
    if let Ok(days) = crate::shared::calendar::parse_calendar_file(CALENDAR_2026) {
        tickets::save_calendar_days(core, &sys, &days).await?;
    }

    requests::seed_requests(
        core,
        communities[0],
        &households,
        user_id("agent")?,
        user_id("tech")?,
        user_id("cleaner")?,
    )
    .await?;
    billing::seed_billing(core, &sys, communities[0], &households, user_id("cashier")?).await?;
    community::seed_community(core, &sys, communities[0]).await?;
    let people = ["security", "agent", "manager", "cashier", "auditor"].map(user_id);
    let [a, b, c, d, e] = people;
    duty::seed_duty(core, &sys, communities[0], [a?, b?, c?, d?, e?]).await?;
    equipment::seed_equipment(core, &sys, communities[0]).await?;
    frontdesk::seed_frontdesk(
        core,
        &sys,
        communities[0],
        [user_id("agent")?, user_id("tech")?],
        households.first().copied(),
    )
    .await?;
    let patrollers = ["security", "tech", "manager"].map(user_id);
    let [a, b, c] = patrollers;
    patrols::seed_patrols(core, &sys, communities[0], [a?, b?, c?]).await?;
    quality::seed_quality(
        core,
        communities[0],
        user_id("auditor")?,
        user_id("manager")?,
    )
    .await?;
    Ok(())
}

/// One user per role; technicians and cleaners work in the first community only, and the
/// owners' committee sits for it. They keep the
/// published password.
async fn seed_users(
    core: &Core,
    company: crate::shared::ids::CompanyId,
    communities: &[CommunityId],
) -> CoreResult<Vec<(&'static str, UserId)>> {
    let mut user_ids = Vec::new();
    for (username, display, role) in DEMO_USERS {
        if *role == auth::OWNER_ROLE {
            // An owner is no staff member: his account is tied to his unit later (see `seed`).
            let hash = auth::hash_password(core.settings.password_cost, DEMO_PASSWORD).await?;
            let now = Utc::now();
            let mut tx = core.db.begin().await?;
            let id = auth::store::for_portal::insert_owner_user(
                &mut tx,
                company,
                username,
                display,
                String::new(),
                now,
            )
            .await?;
            auth::store::for_portal::activate_user(&mut tx, id, hash, now).await?;
            tx.commit().await?;
            user_ids.push((*username, id));
            continue;
        }
        let user = auth::create_user_as_system(
            core,
            company,
            UserForCreate {
                username: username.to_string(),
                display_name: display.to_string(),
                role: role.to_string(),
                password: DEMO_PASSWORD.into(),
                communities: if *role == "technician"
                    || *role == "cleaning"
                    || *role == auth::COMMITTEE_ROLE
                {
                    vec![communities[0]]
                } else {
                    communities.to_vec()
                },
            },
        )
        .await?;
        let mut tx = core.db.begin().await?;
        auth::store::users::keep_password(&mut tx, user.user.id).await?;
        tx.commit().await?;
        user_ids.push((*username, user.user.id));
    }
    Ok(user_ids)
}

/// The 2026 schedule of public holidays (国务院办公厅关于2026年部分节假日安排的通知).
pub const CALENDAR_2026: &str = include_str!("../../data/calendar-2026.txt");
