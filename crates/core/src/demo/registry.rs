//! The demo's registry: two communities with their buildings, units, owners, household members,
//! tenants, vehicles and parking spaces, generated deterministically and created through the
//! registry's services; then the vacant units' keeper and a few inspections.

use chrono::{Duration, Utc};

use crate::registry::{self, *};
use crate::shared::ids::{CommunityId, PersonId, UnitId, UserId};
use crate::shared::values::IdNumber;
use crate::{Core, CoreResult, Ctx};

use super::Lcg;

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

/// What the rest of the demo builds on.
pub(super) struct Seeded {
    pub communities: Vec<CommunityId>,
    /// Occupied units of the first community with their first owner: who reports the requests.
    pub households: Vec<(UnitId, PersonId)>,
}

/// Seeds the communities and everything in them.
pub(super) async fn seed_communities(core: &Core, sys: &Ctx, rng: &mut Lcg) -> CoreResult<Seeded> {
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
            sys,
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
                sys,
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
                        sys,
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
                        create_demo_person(core, sys, rng, c.id, unit.id, "owner", key).await?;
                    if ci == 0 && state == "occupied" {
                        households.push((unit.id, owner));
                    }
                    // Some units have two owners (a couple on the deed) …
                    if state == "occupied" && rng.below(10) == 0 {
                        create_demo_person(core, sys, rng, c.id, unit.id, "owner", false).await?;
                    }
                    // … and some owners hold a second unit: the previous one's owner buys this too.
                    if let Some(prev) = prev_owner.filter(|_| rng.below(25) == 0) {
                        registry::link_person(
                            core,
                            sys,
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
                        create_demo_person(core, sys, rng, c.id, unit.id, "member", false).await?;
                    }
                    if state == "rented" {
                        create_demo_person(core, sys, rng, c.id, unit.id, "tenant", false).await?;
                    }
                    if rng.below(100) < 30 {
                        space_no += 1;
                        let space = registry::create_space(
                            core,
                            sys,
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
                            sys,
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
                sys,
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
    Ok(Seeded {
        communities,
        households,
    })
}

/// The vacant units are kept by `keeper` (空置房看管), who inspected a few a while ago.
pub(super) async fn seed_keepers(core: &Core, sys: &Ctx, keeper: Option<UserId>) -> CoreResult<()> {
    let vacant = registry::list_units(
        core,
        sys,
        &UnitFilter {
            state: Some("vacant".into()),
            limit: Some(5000),
            ..Default::default()
        },
    )
    .await?;
    if let Some(m) = keeper {
        for u in &vacant {
            registry::update_unit(
                core,
                sys,
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
            sys,
            u.id,
            InspectionForCreate {
                inspected_on: (Utc::now() - Duration::days(7 * (i as i64 + 1))).date_naive(),
                findings: "门窗完好，无渗漏，已开窗通风".into(),
            },
        )
        .await?;
    }
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
