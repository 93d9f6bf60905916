//! The demo community's front desk: the key cabinet at the desk kept by 陈客服, the machine
//! rooms' and common doors' keys labelled on its hooks, the demo owner's spare key deposited with
//! an authorisation for his cleaner, and the pump room's key out with the technician; parcels on
//! the desk's shelves, one of them the demo owner's (his code is in his portal); umbrellas,
//! ladders, toolboxes and trolleys to lend, a ladder out with a decorator; a function hall, a
//! meeting room and a badminton court to book, the demo owner with a birthday party in the hall
//! (its fee in his bills) and the committee's meeting in the room; the price list of the desk's
//! paid services. Everything goes through the front desk's services.

use chrono::{Duration, Utc};

use crate::frontdesk::{
    self, AuthorisationForCreate, BookingForCreate, CabinetForSave, DeskServiceForSave,
    ItemLoanForCreate, KeyForSave, LendItemForSave, LoanForCreate, ParcelForCreate, VenueForSave,
};
use crate::shared::ids::{CommunityId, PersonId, UnitId, UserId};
use crate::{Core, CoreResult, Ctx};

/// (code, kind, what it opens, position).
const KEYS: &[(&str, &str, &str, &str)] = &[
    ("JF-01", "machine_room", "1号配电房", "A-01"),
    ("JF-02", "machine_room", "水泵房", "A-02"),
    ("JF-03", "machine_room", "电梯机房（1栋）", "A-03"),
    ("JF-04", "machine_room", "消防控制室", "A-04"),
    ("GG-01", "common_door", "1栋天台门", "B-01"),
    ("GG-02", "common_door", "2栋天台门", "B-02"),
    ("GG-03", "common_door", "地下车库设备间", "B-03"),
];

/// Parcels on the shelves for names from their labels: (carrier, tracking number, kind,
/// recipient, phone, shelf).
const PARCELS: &[(&str, &str, &str, &str, &str, &str)] = &[
    (
        "京东",
        "JD0071839201",
        "parcel",
        "周女士",
        "13900002211",
        "A-1",
    ),
    (
        "中通",
        "ZT7750019933",
        "parcel",
        "吴先生",
        "13900003322",
        "A-2",
    ),
    (
        "EMS",
        "EA102938475CN",
        "registered",
        "郑老师",
        "13900004433",
        "C-1",
    ),
    ("邮政", "", "periodical", "王大爷", "13900005544", "D-1"),
];

/// Items the desk lends: (name, stock, deposit a piece in yuan, days a loan runs).
const LEND_ITEMS: &[(&str, i64, &str, i64)] = &[
    ("雨伞", 20, "20", 1),
    ("人字梯", 2, "0", 1),
    ("工具箱", 2, "50", 2),
    ("手推车", 3, "0", 1),
];

/// The desk's price list: (service, unit, yuan).
const DESK_SERVICES: &[(&str, &str, &str)] = &[
    ("复印（A4 黑白）", "页", "0.50"),
    ("复印（A4 彩色）", "页", "2.00"),
    ("传真", "页", "2.00"),
    ("刻字", "个", "5.00"),
    ("门禁卡", "张", "20.00"),
];

/// A venue to book: (name, where, capacity, opens, closes, slot minutes, fee an hour in yuan,
/// rules).
type DemoVenue = (
    &'static str,
    &'static str,
    i64,
    &'static str,
    &'static str,
    i64,
    &'static str,
    &'static str,
);

const VENUES: &[DemoVenue] = &[
    (
        "多功能厅",
        "会所二楼",
        60,
        "08:00",
        "21:00",
        60,
        "80",
        "使用后请恢复桌椅；禁止明火；22:00 前离场。",
    ),
    ("会议室", "服务中心三楼", 12, "09:00", "18:00", 30, "0", ""),
    (
        "羽毛球场",
        "会所一楼",
        4,
        "06:00",
        "22:00",
        60,
        "30",
        "请穿运动鞋入场。",
    ),
];

/// `people` are (agent, tech); `owner` the demo owner's unit and person.
pub(super) async fn seed_frontdesk(
    core: &Core,
    sys: &Ctx,
    c: CommunityId,
    people: [UserId; 2],
    owner: Option<(UnitId, PersonId)>,
) -> CoreResult<()> {
    let [agent, tech] = people;
    let cab = frontdesk::create_cabinet(
        core,
        sys,
        c,
        CabinetForSave {
            name: "前台钥匙柜".into(),
            location: Some("服务中心前台".into()),
            keeper_id: agent,
        },
    )
    .await?;
    let mut pump = None;
    for (code, kind, opens, position) in KEYS {
        let k = frontdesk::create_key(
            core,
            sys,
            c,
            KeyForSave {
                cabinet_id: cab.id,
                position: (*position).into(),
                code: (*code).into(),
                kind: (*kind).into(),
                opens: Some((*opens).into()),
                copies: Some(2),
                ..Default::default()
            },
        )
        .await?;
        if *code == "JF-02" {
            pump = Some(k.id);
        }
    }
    if let Some((unit, person)) = owner {
        let k = frontdesk::create_key(
            core,
            sys,
            c,
            KeyForSave {
                cabinet_id: cab.id,
                position: "C-01".into(),
                code: "JC-0001".into(),
                kind: "unit".into(),
                unit_id: Some(unit),
                depositor_id: Some(person),
                copies: Some(1),
                note: Some("业主出差期间寄存".into()),
                ..Default::default()
            },
        )
        .await?;
        frontdesk::authorise_key(
            core,
            sys,
            k.id,
            AuthorisationForCreate {
                person_name: "钱家保洁 张阿姨".into(),
                phone: Some("13700001234".into()),
                valid_until: None,
                how: "written".into(),
                note: Some("每周三上午保洁".into()),
            },
        )
        .await?;
        frontdesk::receive_parcel(
            core,
            sys,
            c,
            ParcelForCreate {
                carrier: "顺丰".into(),
                tracking_no: Some("SF1402837465".into()),
                unit_id: Some(unit),
                recipient_id: Some(person),
                shelf: Some("B-3".into()),
                ..Default::default()
            },
        )
        .await?;
    }
    for (carrier, tracking, kind, name, phone, shelf) in PARCELS {
        frontdesk::receive_parcel(
            core,
            sys,
            c,
            ParcelForCreate {
                kind: Some((*kind).into()),
                carrier: (*carrier).into(),
                tracking_no: Some((*tracking).into()).filter(|t: &String| !t.is_empty()),
                recipient_name: Some((*name).into()),
                phone: Some((*phone).into()),
                shelf: Some((*shelf).into()),
                ..Default::default()
            },
        )
        .await?;
    }
    let mut ladder = None;
    for (name, stock, deposit, days) in LEND_ITEMS {
        let it = frontdesk::create_lend_item(
            core,
            sys,
            c,
            LendItemForSave {
                name: (*name).into(),
                stock: *stock,
                deposit: Some((*deposit).into()),
                loan_days: Some(*days),
                ..Default::default()
            },
        )
        .await?;
        if *name == "人字梯" {
            ladder = Some(it.id);
        }
    }
    if let Some(ladder) = ladder {
        frontdesk::lend_item(
            core,
            sys,
            ladder,
            ItemLoanForCreate {
                borrower_name: Some("3栋-602 装修师傅 刘".into()),
                phone: Some("13600005678".into()),
                note: Some("更换灯具".into()),
                ..Default::default()
            },
        )
        .await?;
    }
    seed_venues(core, sys, c, owner).await?;
    if let Some((unit, person)) = owner {
        seed_decoration(core, sys, c, unit, person).await?;
    }
    seed_periodicals(core, sys, c, owner).await?;
    for (name, unit, price) in DESK_SERVICES {
        frontdesk::create_desk_service(
            core,
            sys,
            c,
            DeskServiceForSave {
                name: (*name).into(),
                unit_name: (*unit).into(),
                price: (*price).into(),
                retired: None,
            },
        )
        .await?;
    }
    if let Some(pump) = pump {
        frontdesk::lend_key(
            core,
            sys,
            pump,
            LoanForCreate {
                borrower_user_id: Some(tech),
                purpose: "水泵房月度保养".into(),
                due_at: Utc::now() + Duration::hours(3),
                ..Default::default()
            },
        )
        .await?;
    }
    Ok(())
}

/// The venues, and two bookings: the owner's party in the hall in three days, the committee's
/// meeting in the room tomorrow.
async fn seed_venues(
    core: &Core,
    sys: &Ctx,
    c: CommunityId,
    owner: Option<(UnitId, PersonId)>,
) -> CoreResult<()> {
    let mut ids = Vec::new();
    for (name, location, capacity, opens, closes, slot, fee, rules) in VENUES {
        let v = frontdesk::create_venue(
            core,
            sys,
            c,
            VenueForSave {
                name: (*name).into(),
                location: Some((*location).into()),
                capacity: *capacity,
                opens: (*opens).into(),
                closes: (*closes).into(),
                slot_minutes: Some(*slot),
                hourly_fee: Some((*fee).into()),
                rules: Some((*rules).into()).filter(|r: &String| !r.is_empty()),
                ..Default::default()
            },
        )
        .await?;
        ids.push(v.id);
    }
    let today = Utc::now()
        .with_timezone(&chrono_tz::Asia::Shanghai)
        .date_naive();
    if let (Some((unit, person)), [hall, room, ..]) = (owner, &ids[..]) {
        frontdesk::book_venue(
            core,
            sys,
            *hall,
            BookingForCreate {
                day: today + Duration::days(3),
                start: "14:00".into(),
                end: "16:00".into(),
                unit_id: Some(unit),
                person_id: Some(person),
                purpose: "孩子生日会".into(),
                attendees: Some(25),
                ..Default::default()
            },
        )
        .await?;
        frontdesk::book_venue(
            core,
            sys,
            *room,
            BookingForCreate {
                day: today + Duration::days(1),
                start: "10:00".into(),
                end: "11:30".into(),
                booker_name: Some("业委会 孙主任".into()),
                phone: Some("13700006789".into()),
                purpose: "业委会例会".into(),
                attendees: Some(9),
                ..Default::default()
            },
        )
        .await?;
    }
    Ok(())
}

/// The owner's decoration application, awaiting the manager's approval: a kitchen and bathroom
/// redone by a contractor in a week's time.
async fn seed_decoration(
    core: &Core,
    sys: &Ctx,
    c: CommunityId,
    unit: UnitId,
    person: PersonId,
) -> CoreResult<()> {
    use crate::decoration::{self, DecorationForCreate, DecorationWorks, WorkerForCreate};
    let start = Utc::now()
        .with_timezone(&chrono_tz::Asia::Shanghai)
        .date_naive()
        + Duration::days(7);
    decoration::apply_decoration(
        core,
        sys,
        c,
        DecorationForCreate {
            unit_id: Some(unit),
            applicant_id: Some(person),
            works: DecorationWorks {
                contractor: "美家装饰工程有限公司".into(),
                contractor_licence: Some("JZ-2026-0188".into()),
                foreman: "刘工".into(),
                foreman_phone: Some("13912340000".into()),
                scope: "厨房、卫生间翻新（更换瓷砖、橱柜，重做防水），客厅墙面刷漆".into(),
                starts_on: start,
                ends_on: start + Duration::days(34),
                workers: vec![
                    WorkerForCreate {
                        name: "王师傅".into(),
                        trade: Some("水电工".into()),
                        phone: Some("13800001111".into()),
                    },
                    WorkerForCreate {
                        name: "赵师傅".into(),
                        trade: Some("泥瓦工".into()),
                        phone: None,
                    },
                ],
                fire_letter_signed: true,
            },
            ..Default::default()
        },
    )
    .await?;
    Ok(())
}

/// The titles the centre takes orders for (prices invented), the owner's year of the daily paper
/// (unpaid, at the cashier), and today's issue waiting to be handed out.
async fn seed_periodicals(
    core: &Core,
    sys: &Ctx,
    c: CommunityId,
    owner: Option<(UnitId, PersonId)>,
) -> CoreResult<()> {
    use crate::periodicals::{self, IssueForCreate, PeriodicalInput, SubscriptionForCreate};
    const TITLES: &[(&str, &str, &str, &str)] = &[
        ("人民日报", "newspaper", "daily", "40.00"),
        ("城市晚报", "newspaper", "daily", "30.00"),
        ("读者", "magazine", "fortnightly", "16.00"),
        ("家庭医生", "magazine", "fortnightly", "12.00"),
    ];
    let mut first = None;
    for (title, kind, frequency, price) in TITLES {
        let p = periodicals::add_periodical(
            core,
            sys,
            c,
            PeriodicalInput {
                title: (*title).into(),
                kind: (*kind).into(),
                post_code: None,
                frequency: (*frequency).into(),
                price_month: (*price).into(),
                active: Some(true),
            },
        )
        .await?;
        first.get_or_insert(p.id);
    }
    let (Some(daily), Some((unit, person))) = (first, owner) else {
        return Ok(());
    };
    let today = Utc::now()
        .with_timezone(&chrono_tz::Asia::Shanghai)
        .date_naive();
    periodicals::subscribe(
        core,
        sys,
        c,
        SubscriptionForCreate {
            periodical_id: daily,
            unit_id: Some(unit),
            person_id: Some(person),
            first_month: today.format("%Y-%m").to_string(),
            months: 12,
            copies: Some(1),
            ..Default::default()
        },
    )
    .await?;
    periodicals::receive_issue(
        core,
        sys,
        c,
        IssueForCreate {
            periodical_id: daily,
            issue_label: today.to_string(),
            received_on: Some(today),
            copies_received: 1,
        },
    )
    .await?;
    Ok(())
}
