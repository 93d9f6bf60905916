//! Invented demo data: one company, two communities, 7 buildings and 1,056 units with owners,
//! household members, tenants, vehicles and parking spaces, one user per role of SPEC §1, and a
//! dozen service requests (报事报修) in 阳光花园 at every step of their flow.
//! Everything goes through the ordinary services, so the demo obeys the same rules as real use.
//! All names, phone numbers and ID numbers are generated; none belongs to a real person.

use chrono::{Duration, Utc};

use crate::auth::{self, UserForCreate};
use crate::registry::{self, *};
use crate::shared::ids::{CommunityId, PersonId, UnitId, UserId};
use crate::shared::values::IdNumber;
use crate::tickets::{self, RequestAction, RequestForCreate};
use crate::{Core, CoreResult, Ctx, args};

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
struct Lcg(u64);
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

const SURNAMES: &[&str] = &[
    "张", "王", "李", "赵", "刘", "陈", "杨", "黄", "周", "吴", "徐", "孙", "马", "朱", "胡", "郭",
    "何", "林", "高", "罗",
];
const GIVEN: &[&str] = &[
    "伟", "芳", "娜", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "娟", "涛", "明",
    "超", "秀英", "桂英", "建华", "晓东", "海燕", "志强", "文博",
];
const PLATE_LETTERS: &[&str] = &["A", "B", "C", "D", "E", "F", "G", "H", "J", "K"];
const BRANDS: &[&str] = &[
    "大众",
    "丰田",
    "本田",
    "比亚迪",
    "别克",
    "宝马",
    "特斯拉",
    "吉利",
];
const COLORS: &[&str] = &["白", "黑", "银", "灰", "蓝", "红"];

/// code, name, address, buildings, floors, units per floor.
type CommunitySpec = (
    &'static str,
    &'static str,
    &'static str,
    &'static [&'static str],
    i64,
    i64,
);

/// Whether the database already holds a company (then nothing is seeded).
pub async fn is_seeded(core: &Core) -> CoreResult<bool> {
    let row: Option<(i64,)> = core
        .db
        .read()
        .fetch_optional("SELECT id FROM companies LIMIT 1", args![])
        .await?;
    Ok(row.is_some())
}

/// Seeds the demo company. Call on an empty database only (see [`is_seeded`]).
pub async fn seed(core: &Core) -> CoreResult<()> {
    auth::ensure_roles(core).await?;
    let company = auth::ensure_company(core, "示例物业服务有限公司").await?;
    let sys = Ctx::system(company);
    let mut rng = Lcg(20261122);

    let specs: [CommunitySpec; 2] = [
        (
            "YGHY",
            "阳光花园",
            "上海市浦东新区示例路 88 号",
            &["1栋", "2栋", "3栋", "5栋"],
            18,
            8,
        ),
        (
            "CHY",
            "翠湖苑",
            "上海市闵行区样板路 16 号",
            &["A座", "B座", "C座"],
            20,
            8,
        ),
    ];
    let mut communities: Vec<CommunityId> = Vec::new();
    // Occupied units of the first community with their first owner: who reports the requests.
    let mut households: Vec<(UnitId, PersonId)> = Vec::new();
    for (ci, (code, name, address, buildings, floors, per_floor)) in specs.iter().enumerate() {
        let c = registry::create_community(
            core,
            &sys,
            CommunityForCreate {
                code: code.to_string(),
                name: name.to_string(),
                address: Some(address.to_string()),
                timezone: None,
            },
        )
        .await?;
        communities.push(c.id);
        let mut space_no = 0;
        let mut prev_owner = None;
        for b in buildings.iter() {
            let bld = registry::create_building(
                core,
                &sys,
                BuildingForCreate {
                    community_id: c.id,
                    name: b.to_string(),
                    floors: Some(*floors),
                    note: None,
                },
            )
            .await?;
            for floor in 1..=*floors {
                for n in 1..=*per_floor {
                    let area = 6500 + (n % 4) * 2150 + rng.below(300) as i64;
                    let r = rng.below(100);
                    let state = match r {
                        0..=4 => "unsold",
                        5..=14 => "vacant",
                        15..=29 => "rented",
                        30..=32 => "decorating",
                        _ => "occupied",
                    };
                    let use_kind = if floor == 1 && n <= 2 && ci == 0 {
                        "shop"
                    } else {
                        "residential"
                    };
                    let unit = registry::create_unit(
                        core,
                        &sys,
                        UnitForCreate {
                            building_id: bld.id,
                            unit_no: format!("{}{:02}", floor, n),
                            floor,
                            building_area: Decimal::Text(format!(
                                "{}.{:02}",
                                area / 100,
                                area % 100
                            )),
                            inner_area: Some(Decimal::Text(format!(
                                "{}.{:02}",
                                area * 8 / 1000,
                                (area * 8 / 10) % 100
                            ))),
                            use_kind: use_kind.into(),
                            state: state.into(),
                            note: None,
                        },
                    )
                    .await?;
                    if state == "unsold" {
                        continue;
                    }
                    // Every twentieth owner is a key customer (重点客户).
                    let key = rng.below(20) == 0;
                    let owner =
                        create_demo_person(core, &sys, &mut rng, c.id, unit.id, "owner", key)
                            .await?;
                    if ci == 0 && state == "occupied" {
                        households.push((unit.id, owner));
                    }
                    // Some units have two owners (a couple on the deed) …
                    if state == "occupied" && rng.below(10) == 0 {
                        create_demo_person(core, &sys, &mut rng, c.id, unit.id, "owner", false)
                            .await?;
                    }
                    // … and some owners hold a second unit: the previous one's owner buys this too.
                    if let Some(prev) = prev_owner.filter(|_| rng.below(25) == 0) {
                        registry::link_person(
                            core,
                            &sys,
                            unit.id,
                            LinkForCreate {
                                person_id: prev,
                                relation: "owner".into(),
                            },
                        )
                        .await?;
                    }
                    prev_owner = Some(owner);
                    if state == "occupied" && rng.below(2) == 0 {
                        create_demo_person(core, &sys, &mut rng, c.id, unit.id, "member", false)
                            .await?;
                    }
                    if state == "rented" {
                        create_demo_person(core, &sys, &mut rng, c.id, unit.id, "tenant", false)
                            .await?;
                    }
                    if rng.below(100) < 30 {
                        space_no += 1;
                        let space = registry::create_space(
                            core,
                            &sys,
                            ParkingSpaceForCreate {
                                community_id: c.id,
                                code: format!("B1-{space_no:03}"),
                                state: if rng.below(3) == 0 {
                                    "rented".into()
                                } else {
                                    "sold".into()
                                },
                                unit_id: Some(unit.id),
                                person_id: Some(owner),
                                note: None,
                            },
                        )
                        .await?;
                        let plate = format!(
                            "{}{}{}{:04}",
                            if ci == 0 { "沪" } else { "苏" },
                            rng.pick(PLATE_LETTERS),
                            rng.pick(PLATE_LETTERS),
                            rng.below(10000)
                        );
                        // A generated plate may repeat: skip the duplicate rather than fail the demo.
                        let _ = registry::create_vehicle(
                            core,
                            &sys,
                            VehicleForCreate {
                                community_id: c.id,
                                plate,
                                person_id: Some(owner),
                                unit_id: Some(unit.id),
                                space_id: Some(space.id),
                                brand: Some(rng.pick(BRANDS).into()),
                                color: Some(rng.pick(COLORS).into()),
                            },
                        )
                        .await;
                    }
                }
            }
        }
        for i in 0..20 {
            registry::create_space(
                core,
                &sys,
                ParkingSpaceForCreate {
                    community_id: c.id,
                    code: format!("T-{:02}", i + 1),
                    state: "temporary".into(),
                    unit_id: None,
                    person_id: None,
                    note: Some("临时车位".into()),
                },
            )
            .await?;
        }
    }

    let mut user_ids: Vec<(&str, UserId)> = Vec::new();
    for (username, display, role) in DEMO_USERS {
        let user = auth::create_user_as_system(
            core,
            company,
            UserForCreate {
                username: username.to_string(),
                display_name: display.to_string(),
                role: role.to_string(),
                password: DEMO_PASSWORD.into(),
                communities: if *role == "technician" || *role == "cleaning" {
                    vec![communities[0]]
                } else {
                    communities.clone()
                },
            },
        )
        .await?;
        // Demo users keep the published password.
        let mut tx = core.db.begin().await?;
        tx.execute(
            "UPDATE users SET must_change_password = $1 WHERE id = $2",
            args![false, user.user.id],
        )
        .await?;
        tx.commit().await?;
        user_ids.push((username, user.user.id));
    }
    let user_id = |name: &str| {
        user_ids
            .iter()
            .find(|(u, _)| *u == name)
            .map(|(_, id)| *id)
            .ok_or_else(|| crate::CoreError::internal("demo user"))
    };

    // The project manager keeps the vacant units (空置房看管) and inspected a few a while ago.
    let manager: Option<(crate::shared::ids::UserId,)> = core
        .db
        .read()
        .fetch_optional("SELECT id FROM users WHERE username = $1", args!["manager"])
        .await?;
    let vacant = registry::list_units(
        core,
        &sys,
        &UnitFilter {
            state: Some("vacant".into()),
            limit: Some(5000),
            ..Default::default()
        },
    )
    .await?;
    if let Some((m,)) = manager {
        for u in &vacant {
            registry::update_unit(
                core,
                &sys,
                u.id,
                UnitForUpdate {
                    keeper_user_id: Some(m.0),
                    ..Default::default()
                },
            )
            .await?;
        }
    }
    let vacant: Vec<_> = vacant.into_iter().take(5).collect();
    for (i, u) in vacant.iter().enumerate() {
        registry::add_inspection(
            core,
            &sys,
            u.id,
            InspectionForCreate {
                inspected_on: (Utc::now() - Duration::days(7 * (i as i64 + 1))).date_naive(),
                findings: "门窗完好，无渗漏，已开窗通风".into(),
            },
        )
        .await?;
    }

    // The demo owner (钱业主) is the owner of the first household, with an activated portal
    // account: he logs in with the demo password.
    if let Some((_, person)) = households.first() {
        let mut tx = core.db.begin().await?;
        tx.execute(
            "INSERT INTO owner_accounts (user_id, company_id, community_id, person_id, activated_at, \
             created_at) VALUES ($1, $2, $3, $4, $5, $5)",
            args![user_id("owner")?, company, communities[0], *person, Utc::now()],
        )
        .await?;
        tx.execute(
            "UPDATE people SET name = $1 WHERE id = $2",
            args!["钱业主", *person],
        )
        .await?;
        tx.commit().await?;
    }

    // The company calendar: the State Council's 2026 holidays and make-up working days.
    if let Ok(days) = crate::shared::calendar::parse_calendar_file(CALENDAR_2026) {
        tickets::save_calendar_days(core, &sys, &days).await?;
    }

    seed_requests(
        core,
        communities[0],
        &households,
        user_id("agent")?,
        user_id("tech")?,
        user_id("cleaner")?,
    )
    .await?;
    seed_billing(core, &sys, communities[0], &households, user_id("cashier")?).await?;
    Ok(())
}

/// Fees of the first community: a property fee by building area billed quarterly with a late
/// fee, a monthly parking fee per space, the common maintenance fund; the third and fourth
/// quarters of 2026 billed; the cashier took some payments today; late fees accrued.
async fn seed_billing(
    core: &Core,
    sys: &Ctx,
    c: CommunityId,
    households: &[(UnitId, PersonId)],
    cashier: UserId,
) -> CoreResult<()> {
    use crate::billing::{
        self, BillRunForCreate, FeeItemForSave, PaymentForCreate, StandardForSave,
    };
    let item = |code: &str, name: &str, kind: &str, rate: &str| FeeItemForSave {
        community_id: c,
        code: code.into(),
        name: name.into(),
        kind: kind.into(),
        late_fee_rate: Some(rate.into()),
        late_fee_grace_days: Some(15),
        late_fee_cap_pct: Some(100),
        active: Some(true),
    };
    let std =
        |fee_item_id: i64, name: &str, method: &str, price: &str, cycle: &str| StandardForSave {
            community_id: c,
            fee_item_id,
            name: name.into(),
            method: method.into(),
            price: price.into(),
            tiers: None,
            cycle: Some(cycle.into()),
            cycle_start_month: Some(1),
            due_day: Some(15),
            rounding: None,
            building_ids: vec![],
            use_kinds: vec![],
            unit_states: vec![],
            space_states: vec![],
            vacant_pct: Some(70),
            active: Some(true),
        };
    let wyf =
        billing::save_fee_item(core, sys, item("WYF", "物业服务费", "property", "0.05")).await?;
    billing::save_standard(
        core,
        sys,
        None,
        std(
            wyf.id,
            "住宅物业服务费",
            "building_area",
            "2.35",
            "quarterly",
        ),
    )
    .await?;
    let park = billing::save_fee_item(core, sys, item("TCF", "车位管理费", "parking", "0")).await?;
    billing::save_standard(
        core,
        sys,
        None,
        std(park.id, "地下车位管理费", "per_space", "150", "monthly"),
    )
    .await?;
    billing::save_fee_item(core, sys, item("ZXWX", "专项维修资金", "fund", "0")).await?;
    for period in ["2026-07", "2026-10"] {
        billing::post(
            core,
            sys,
            BillRunForCreate {
                community_id: c,
                period: period.into(),
            },
        )
        .await?;
    }
    // Many paid the third quarter; a few paid ahead; the rest are in arrears.
    let cashier = auth::load_ctx(core, cashier).await?;
    for (i, (unit, _)) in households.iter().enumerate().take(40) {
        let owed = billing::owed(core, &cashier, *unit).await?;
        let Some(first) = owed.charges.first() else {
            continue;
        };
        let amount = match i % 4 {
            0 => first.outstanding() + 20_000,
            1 | 2 => first.outstanding(),
            _ => continue,
        };
        billing::pay(
            core,
            &cashier,
            PaymentForCreate {
                unit_id: *unit,
                method: ["cash", "wechat", "alipay"][i % 3].into(),
                amount: crate::shared::money::Money(amount).to_string(),
                payer: "业主".into(),
                charge_ids: vec![],
                note: None,
                idempotency_key: Some(format!("demo-{i}")),
            },
        )
        .await?;
    }
    crate::billing::accrue_now(core, sys, c).await?;
    Ok(())
}

/// The 2026 schedule of public holidays (国务院办公厅关于2026年部分节假日安排的通知).
pub const CALENDAR_2026: &str = include_str!("../data/calendar-2026.txt");

/// A request registered in `community`; the caller fills in what else it needs.
fn request(
    community: CommunityId,
    kind: &str,
    category: &str,
    channel: &str,
    description: &str,
) -> RequestForCreate {
    RequestForCreate {
        community_id: community,
        kind: kind.into(),
        category: category.into(),
        channel: channel.into(),
        urgency: None,
        complex: None,
        unit_id: None,
        person_id: None,
        location: None,
        contact_name: None,
        contact_phone: None,
        description: description.into(),
        promise_at: None,
        assignee_id: None,
    }
}

fn action(action: &str) -> RequestAction {
    RequestAction {
        action: action.into(),
        ..Default::default()
    }
}

/// Service requests in the first community, registered by the service agent and worked by the
/// technician, so every state of the flow has an example: registered, in the pool, dispatched,
/// accepted, on site, on hold, done awaiting the return visit, closed, and reopened after an
/// unsatisfied visit. They all happen now: the clocks run from the moment the demo is seeded.
async fn seed_requests(
    core: &Core,
    community: CommunityId,
    households: &[(UnitId, PersonId)],
    agent: UserId,
    tech: UserId,
    cleaner: UserId,
) -> CoreResult<()> {
    let agent = auth::load_ctx(core, agent).await?;
    let tech_ctx = auth::load_ctx(core, tech).await?;
    if households.is_empty() {
        return Ok(());
    }
    // Households spread over the buildings (the list runs building by building, floor by floor).
    let home = |i: usize| households[(i * 37) % households.len()];
    let in_home = |i: usize, kind: &str, category: &str, channel: &str, description: &str| {
        let (unit, person) = home(i);
        RequestForCreate {
            unit_id: Some(unit),
            person_id: Some(person),
            ..request(community, kind, category, channel, description)
        }
    };
    let at = |location: &str, kind: &str, category: &str, channel: &str, description: &str| {
        RequestForCreate {
            location: Some(location.into()),
            ..request(community, kind, category, channel, description)
        }
    };
    let dispatch = RequestAction {
        assignee_id: Some(tech),
        ..action("dispatch")
    };
    // Dispatched to the technician, accepted, and the technician on site.
    let to_site = |r: RequestForCreate| {
        let (agent, tech_ctx, dispatch) = (&agent, &tech_ctx, dispatch.clone());
        async move {
            let r = tickets::create_request(core, agent, r).await?;
            tickets::act(core, agent, r.id, dispatch).await?;
            tickets::act(core, tech_ctx, r.id, action("accept")).await?;
            tickets::act(core, tech_ctx, r.id, action("on_site")).await?;
            CoreResult::Ok(r.id)
        }
    };
    // The community's published price list of paid services (明码标价).
    let sys = Ctx::system(agent.company_id);
    let mut prices = Vec::new();
    for (code, name, unit, price) in [
        ("DRAIN", "疏通地漏/下水管", "次", "80.00"),
        ("TAP", "更换水龙头（不含材料）", "个", "35.50"),
        ("BULB", "更换户内灯泡（不含材料）", "个", "15.00"),
        ("LOCK", "更换门锁锁芯（不含材料）", "个", "120.00"),
        ("TOILET", "马桶维修", "次", "60.00"),
        ("SWITCH", "更换开关插座面板（不含材料）", "个", "20.00"),
    ] {
        let svc = tickets::save_service(
            core,
            &sys,
            tickets::PaidServiceForSave {
                community_id: community,
                code: code.into(),
                name: name.into(),
                unit_name: unit.into(),
                price: price.into(),
                active: Some(true),
            },
        )
        .await?;
        prices.push(svc.id);
    }
    let done = |materials: &str, minutes: i64, service: Option<(usize, i64)>| RequestAction {
        materials: Some(materials.into()),
        labour_minutes: Some(minutes),
        services: service
            .map(|(i, quantity)| tickets::ServiceLineInput {
                service_id: prices[i],
                quantity,
            })
            .into_iter()
            .collect(),
        ..action("done")
    };

    // Closed: repaired, and the owner was very satisfied on the return visit.
    let id = to_site(in_home(
        0,
        "repair_unit",
        "water",
        "front_desk",
        "厨房水管漏水，橱柜下方有积水",
    ))
    .await?;
    tickets::act(core, &tech_ctx, id, done("PPR 三通 1 个、生料带", 45, None)).await?;
    tickets::act(
        core,
        &agent,
        id,
        RequestAction {
            satisfaction: Some(5),
            note: Some("业主表示师傅上门及时，维修到位".into()),
            ..action("visit")
        },
    )
    .await?;

    // Reopened: the owner was unsatisfied on the return visit, so it waits for dispatch again.
    let id = to_site(in_home(
        1,
        "repair_unit",
        "water",
        "hotline",
        "卫生间马桶水箱漏水不止，夜间一直有流水声",
    ))
    .await?;
    tickets::act(core, &tech_ctx, id, done("马桶进水阀 1 个", 30, None)).await?;
    tickets::act(
        core,
        &agent,
        id,
        RequestAction {
            satisfaction: Some(2),
            note: Some("业主反映更换进水阀后仍有渗水，要求重新上门".into()),
            ..action("visit")
        },
    )
    .await?;

    // Done, awaiting the return visit: a paid service (有偿服务).
    let id = to_site(in_home(
        2,
        "repair_unit",
        "water",
        "wechat",
        "阳台地漏堵塞，洗衣机排水时往外溢水",
    ))
    .await?;
    tickets::act(
        core,
        &tech_ctx,
        id,
        done("电动疏通机疏通，更换地漏芯 1 个", 40, Some((0, 1))),
    )
    .await?;

    // On site: an urgent repair (on-site clock 30 min).
    to_site(RequestForCreate {
        urgency: Some("urgent".into()),
        ..in_home(
            3,
            "repair_unit",
            "power",
            "hotline",
            "户内总闸频繁跳闸，目前整户断电，家中有老人",
        )
    })
    .await?;

    // On hold: the work needs a contractor.
    let id = to_site(in_home(
        4,
        "repair_unit",
        "water",
        "front_desk",
        "卧室外墙渗水，雨后墙面发霉起皮",
    ))
    .await?;
    tickets::act(
        core,
        &agent,
        id,
        RequestAction {
            note: Some("需外墙防水施工，等待吊篮施工单位排期".into()),
            ..action("hold")
        },
    )
    .await?;

    // Accepted: the technician has it but is not there yet.
    let r = tickets::create_request(
        core,
        &agent,
        at(
            "3栋电梯厅",
            "repair_common",
            "elevator",
            "hotline",
            "3栋 2 号电梯运行时有异响，轿厢有轻微抖动",
        ),
    )
    .await?;
    tickets::act(core, &agent, r.id, dispatch.clone()).await?;
    tickets::act(core, &tech_ctx, r.id, action("accept")).await?;

    // Dispatched at registration to the cleaner (sanitation goes round in turn otherwise).
    tickets::create_request(
        core,
        &agent,
        RequestForCreate {
            assignee_id: Some(cleaner),
            ..at(
                "2栋垃圾房",
                "complaint_general",
                "sanitation",
                "wechat",
                "2栋垃圾房异味大，垃圾未及时清运",
            )
        },
    )
    .await?;

    // In the pool: lighting and doors and locks go there on their own.
    tickets::create_request(
        core,
        &agent,
        at(
            "5栋 12 楼楼道",
            "repair_common",
            "lighting",
            "patrol",
            "楼道灯不亮，声控开关无反应",
        ),
    )
    .await?;
    tickets::create_request(
        core,
        &agent,
        in_home(
            5,
            "repair_unit",
            "doors_locks",
            "wechat",
            "入户门锁芯卡滞，钥匙难以转动",
        ),
    )
    .await?;

    // Registered, waiting for dispatch.
    tickets::create_request(
        core,
        &agent,
        in_home(
            6,
            "complaint_general",
            "noise",
            "hotline",
            "楼上装修噪音扰民，中午休息时间仍在施工",
        ),
    )
    .await?;
    tickets::create_request(
        core,
        &agent,
        in_home(
            7,
            "complaint_serious",
            "water",
            "front_desk",
            "地下车库 B1 区雨天多次积水，车辆被泡，此前反映未解决",
        ),
    )
    .await?;
    tickets::create_request(
        core,
        &agent,
        in_home(
            8,
            "suggestion",
            "fees",
            "wechat",
            "建议开通物业费线上自动扣款，并支持开具电子发票",
        ),
    )
    .await?;

    // An inquiry answered on the spot by the agent: done, the return visit still to make.
    let r = tickets::create_request(
        core,
        &agent,
        in_home(
            9,
            "inquiry",
            "fees",
            "hotline",
            "咨询物业费能否按年缴纳，以及车位管理费的收费标准",
        ),
    )
    .await?;
    tickets::act(
        core,
        &agent,
        r.id,
        RequestAction {
            note: Some("已告知可在前台或微信按年缴纳，车位管理费按月 150 元".into()),
            ..action("done")
        },
    )
    .await?;
    Ok(())
}

async fn create_demo_person(
    core: &Core,
    sys: &Ctx,
    rng: &mut Lcg,
    community: CommunityId,
    unit: crate::shared::ids::UnitId,
    relation: &str,
    key: bool,
) -> CoreResult<crate::shared::ids::PersonId> {
    let name = format!("{}{}", rng.pick(SURNAMES), rng.pick(GIVEN));
    let phone = format!(
        "1{}{:09}",
        [3, 5, 7, 8, 9][rng.below(5) as usize],
        rng.below(1_000_000_000)
    );
    // A generated ID number may repeat one already used: draw again.
    let mut attempt = 0;
    loop {
        let year = 1950 + rng.below(50);
        let month = 1 + rng.below(12);
        let day = 1 + rng.below(28);
        let id_number = IdNumber::with_check_digit(&format!(
            "310115{year}{month:02}{day:02}{:03}",
            rng.below(1000)
        ));
        let r = registry::create_person(
            core,
            sys,
            PersonForCreate {
                community_id: community,
                name: name.clone(),
                phone: Some(phone.clone()),
                id_number: Some(id_number),
                is_key_customer: key,
                key_customer_note: key.then(|| "曾多次投诉，回访需项目经理参与".to_string()),
                note: None,
                unit_id: Some(unit),
                relation: Some(relation.into()),
            },
        )
        .await;
        match r {
            Ok(p) => return Ok(p.id),
            Err(crate::CoreError::Conflict(f))
                if f.code == "duplicate_id_number" && attempt < 5 =>
            {
                attempt += 1
            }
            Err(e) => return Err(e),
        }
    }
}
