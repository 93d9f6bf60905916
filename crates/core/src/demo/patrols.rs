//! The demo community's patrols: six checkpoints (a pump room whose outlet pressure is read
//! against its limits and the pump in the equipment ledger, the power room, the car park, a fire
//! lane, the east gate, a drain), a night and a day security route and an engineering route, and three
//! plans — the night rounds by whoever the roster has on the night shift, the day rounds by
//! 孙队长 and the engineering rounds by 赵师傅. Yesterday's rounds are written and two of them
//! walked through the phone's own sync (the pump's pressure and the car park's water are
//! findings), so the board, the findings and the report have something to show; the rest of
//! yesterday is marked missed by the job. Everything goes through the patrol services.

use chrono::{Duration, NaiveTime, Utc};

use crate::equipment::{self as eq, EquipmentFilter};
use crate::patrols::model::{CheckKind, PatrolFrequency, RouteKind, ScanMethod, label_code};
use crate::patrols::{
    self, Checkpoint, CheckpointForCreate, PatrolItem, PatrolPlanForCreate, ResultForSync,
    RouteForCreate, ScanForSync, SyncBatch,
};
use crate::shared::calendar::{local_to_utc, zone};
use crate::shared::ids::{CommunityId, PatrolTaskId, UserId};
use crate::{Core, CoreError, CoreResult, Ctx};

fn item(kind: CheckKind, label: &str) -> PatrolItem {
    PatrolItem {
        id: None,
        kind,
        label: label.into(),
        unit: None,
        min: None,
        max: None,
        options: Vec::new(),
        abnormal_options: Vec::new(),
        required: true,
        equipment_id: None,
        meter: None,
    }
}

fn choice(label: &str, options: &[&str], abnormal: &str) -> PatrolItem {
    PatrolItem {
        options: options.iter().map(|o| o.to_string()).collect(),
        abnormal_options: vec![abnormal.into()],
        ..item(CheckKind::Choice, label)
    }
}

fn checkpoint(name: &str, location: &str, items: Vec<PatrolItem>) -> CheckpointForCreate {
    CheckpointForCreate {
        name: name.into(),
        location: Some(location.into()),
        building_id: None,
        lat: None,
        lng: None,
        radius_m: None,
        nfc_tag: None,
        active: Some(true),
        items,
    }
}

/// `people` are (security, tech, manager).
pub(super) async fn seed_patrols(
    core: &Core,
    sys: &Ctx,
    c: CommunityId,
    people: [UserId; 3],
) -> CoreResult<()> {
    let [security, tech, manager] = people;
    let pump = eq::list_equipment(
        core,
        sys,
        c,
        &EquipmentFilter {
            q: Some("WS-01".into()),
            ..Default::default()
        },
    )
    .await?
    .first()
    .map(|e| e.id.0);
    let pressure = PatrolItem {
        unit: Some("MPa".into()),
        min: Some("0.30".into()),
        max: Some("0.60".into()),
        equipment_id: pump,
        meter: pump.map(|_| "出水压力".into()),
        ..item(CheckKind::Number, "出水压力")
    };
    let room_temperature = PatrolItem {
        unit: Some("℃".into()),
        max: Some("35".into()),
        ..item(CheckKind::Number, "室温")
    };
    let photo = PatrolItem {
        required: false,
        ..item(CheckKind::Photo, "现场照片")
    };
    let note = PatrolItem {
        required: false,
        ..item(CheckKind::Text, "情况记录")
    };
    let mut k: Vec<Checkpoint> = Vec::new();
    for input in [
        checkpoint(
            "水泵房",
            "地下一层水泵房",
            vec![
                item(CheckKind::Ok, "水泵运行"),
                pressure,
                choice("漏水", &["无", "有"], "有"),
            ],
        ),
        checkpoint(
            "配电房",
            "地下一层配电房",
            vec![
                item(CheckKind::Ok, "配电柜运行"),
                room_temperature,
                item(CheckKind::Ok, "灭火器在位"),
            ],
        ),
        checkpoint(
            "地下车库",
            "地下车库B区",
            vec![
                item(CheckKind::Ok, "照明"),
                choice("积水", &["无积水", "有积水"], "有积水"),
                note.clone(),
            ],
        ),
        checkpoint(
            "消防通道",
            "1栋与3栋之间",
            vec![
                choice("通道", &["畅通", "堵塞"], "堵塞"),
                item(CheckKind::Ok, "安全出口指示灯"),
            ],
        ),
        checkpoint(
            "东门岗",
            "东门",
            vec![item(CheckKind::Ok, "门岗在岗"), note],
        ),
        checkpoint(
            "3栋排水沟",
            "3栋北侧",
            vec![choice("排水", &["通畅", "堵塞"], "堵塞"), photo],
        ),
    ] {
        k.push(patrols::create_checkpoint(core, sys, c, input).await?);
    }
    let route = |name: &str, kind: RouteKind, stops: &[usize]| RouteForCreate {
        name: name.into(),
        kind,
        ordered: true,
        active: Some(true),
        checkpoint_ids: stops.iter().map(|i| k[*i].id).collect(),
    };
    let night = patrols::create_route(
        core,
        sys,
        c,
        route("夜间安全巡逻", RouteKind::Security, &[4, 2, 3, 5]),
    )
    .await?;
    let day = patrols::create_route(
        core,
        sys,
        c,
        route("日间秩序巡逻", RouteKind::Security, &[4, 3, 5, 2]),
    )
    .await?;
    let works = patrols::create_route(
        core,
        sys,
        c,
        route("工程巡检", RouteKind::Engineering, &[0, 1, 2]),
    )
    .await?;

    let tz = zone("");
    let today = Utc::now().with_timezone(&tz).date_naive();
    let yesterday = today - Duration::days(1);
    let plan = |route, name: &str, every: i64, from: &str, to: &str| PatrolPlanForCreate {
        route_id: route,
        name: name.into(),
        frequency: PatrolFrequency::Hourly,
        every_hours: Some(every),
        weekdays: Vec::new(),
        month_days: Vec::new(),
        window_start: from.into(),
        window_end: to.into(),
        duration_minutes: Some(60),
        shift_code: None,
        supervisor_id: Some(manager),
        people: Vec::new(),
        starts_on: Some(today - Duration::days(30)),
        ends_on: None,
        active: Some(true),
    };
    patrols::create_plan(
        core,
        sys,
        c,
        PatrolPlanForCreate {
            shift_code: Some("security_c".into()),
            ..plan(night.id, "夜班安全巡逻", 2, "00:00", "06:00")
        },
    )
    .await?;
    patrols::create_plan(
        core,
        sys,
        c,
        PatrolPlanForCreate {
            people: vec![security],
            ..plan(day.id, "白班秩序巡逻", 2, "08:00", "20:00")
        },
    )
    .await?;
    patrols::create_plan(
        core,
        sys,
        c,
        PatrolPlanForCreate {
            people: vec![tech],
            ..plan(works.id, "机房工程巡检", 4, "08:00", "20:00")
        },
    )
    .await?;

    // Yesterday's rounds; the first of each day plan walked from the phones.
    patrols::generate_for(core, sys, c, yesterday, yesterday).await?;
    let (_, tasks) = patrols::day_board(core, sys, c, Some(yesterday), None).await?;
    let first = |plan: &str| {
        tasks
            .iter()
            .find(|t| t.plan_name == plan)
            .map(|t| t.id)
            .ok_or_else(|| CoreError::internal("demo patrol round"))
    };
    let at =
        |minutes: i64| local_to_utc(tz, yesterday, NaiveTime::MIN) + Duration::minutes(minutes);
    let ok = |i: &PatrolItem| ResultForSync {
        item_id: i.id.unwrap_or(crate::shared::ids::PatrolItemId(0)),
        ok: Some(true),
        value: None,
        choice: None,
        text: None,
        photo_client_id: None,
    };
    let answer = |k: &Checkpoint, n: usize, value: Option<&str>, pick: Option<&str>| {
        let mut r = ok(&k.items[n]);
        r.ok = None;
        r.value = value.map(str::to_string);
        r.choice = pick.map(str::to_string);
        r
    };
    // 孙队长 at 08:10–08:40: the gate, the fire lane, the drain, the car park, all in order.
    let guard_round = first("白班秩序巡逻")?;
    let guard_scans = vec![
        (4, 490, vec![ok(&k[4].items[0])]),
        (
            3,
            500,
            vec![answer(&k[3], 0, None, Some("畅通")), ok(&k[3].items[1])],
        ),
        (5, 510, vec![answer(&k[5], 0, None, Some("通畅"))]),
        (
            2,
            520,
            vec![ok(&k[2].items[0]), answer(&k[2], 1, None, Some("无积水"))],
        ),
    ];
    walk(core, security, c, guard_round, &k, guard_scans, at).await?;
    // 赵师傅 at 08:15–08:35: the pump's pressure is high, the car park has water.
    let tech_round = first("机房工程巡检")?;
    let tech_scans = vec![
        (
            0,
            495,
            vec![
                ok(&k[0].items[0]),
                answer(&k[0], 1, Some("0.72"), None),
                answer(&k[0], 2, None, Some("无")),
            ],
        ),
        (
            1,
            505,
            vec![
                ok(&k[1].items[0]),
                answer(&k[1], 1, Some("28"), None),
                ok(&k[1].items[2]),
            ],
        ),
        (
            2,
            515,
            vec![ok(&k[2].items[0]), answer(&k[2], 1, None, Some("有积水"))],
        ),
    ];
    walk(core, tech, c, tech_round, &k, tech_scans, at).await?;
    Ok(())
}

/// One round walked by `who`: (checkpoint index, minutes after yesterday's midnight, results).
async fn walk(
    core: &Core,
    who: UserId,
    c: CommunityId,
    task: PatrolTaskId,
    k: &[Checkpoint],
    scans: Vec<(usize, i64, Vec<ResultForSync>)>,
    at: impl Fn(i64) -> chrono::DateTime<Utc>,
) -> CoreResult<()> {
    let ctx = crate::auth::load_ctx(core, who).await?;
    let mut out = Vec::new();
    for (i, minutes, results) in scans {
        let secret = crate::patrols::store::setup::checkpoint(&mut core.db.read(), c, k[i].id)
            .await?
            .map(|r| r.secret)
            .ok_or_else(|| CoreError::internal("demo checkpoint"))?;
        out.push(ScanForSync {
            client_id: format!("demo-{}-{}", task.0, k[i].id.0),
            task_id: task,
            method: ScanMethod::Qr,
            code: Some(label_code(k[i].id.0, &secret)),
            nfc_tag: None,
            device_at: at(minutes),
            lat: None,
            lng: None,
            accuracy_m: None,
            note: None,
            results,
        });
    }
    patrols::sync_scans(
        core,
        &ctx,
        SyncBatch {
            sent_at: Utc::now(),
            scans: out,
        },
    )
    .await?;
    Ok(())
}
