//! The demo's service requests (报事报修): a price list of paid services and a dozen requests in
//! the first community at every step of their flow, registered and worked through the requests
//! module's services by the demo's agent and technician.

use crate::auth;
use crate::shared::ids::{CommunityId, PersonId, UnitId, UserId};
use crate::tickets::{self, RequestAction, RequestForCreate};
use crate::{Core, CoreResult, Ctx};

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
        received_at: None,
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
pub(super) async fn seed_requests(
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
    let sys = Ctx::system_as(agent.company_id, "demo");
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
