//! The demo community's equipment: a few items of each system (a pump in its pump room, a
//! generator with run hours, an elevator whose warranty ends soon), the manuals' default plans
//! starting in a few days, a run-hours plan on the generator, a pump plan whose order is overdue,
//! a power room with a log and a visitor, and a CCTV system keeping 30 days.

use chrono::{Duration, Utc};

use crate::Core;
use crate::equipment::{self as eq, EquipmentForUpdate, PlanForUpdate};
use crate::shared::ctx::Ctx;
use crate::shared::error::CoreResult;
use crate::shared::ids::{CommunityId, EquipmentId};

pub(super) async fn seed_equipment(core: &Core, sys: &Ctx, c: CommunityId) -> CoreResult<()> {
    let today = Utc::now()
        .with_timezone(&crate::shared::calendar::zone(""))
        .date_naive();
    let add = |system: &'static str,
               code: &'static str,
               name: &'static str,
               location: &'static str| EquipmentForUpdate {
        system: system.into(),
        code: code.into(),
        name: name.into(),
        location: Some(location.into()),
        install_on: Some("2019-06-01".into()),
        ..Default::default()
    };
    let mut ids: Vec<(&str, EquipmentId)> = Vec::new();
    for (system, code, name, location, model, maker) in [
        (
            "power",
            "GD-01",
            "1号干式变压器",
            "地下一层配电房",
            "SCB11-800/10",
            "顺特电气",
        ),
        (
            "power",
            "GD-02",
            "低压配电柜",
            "地下一层配电房",
            "GCS",
            "正泰",
        ),
        (
            "generator",
            "FD-01",
            "柴油发电机组",
            "地下一层发电机房",
            "500GF",
            "玉柴",
        ),
        (
            "weak_current",
            "RD-01",
            "门禁对讲系统",
            "监控室",
            "DS-K",
            "海康威视",
        ),
        (
            "cctv",
            "JK-01",
            "监控硬盘录像机",
            "监控室",
            "DS-9632N",
            "海康威视",
        ),
        (
            "elevator",
            "DT-01",
            "1栋1号电梯",
            "1栋电梯机房",
            "GeN2",
            "奥的斯",
        ),
        ("water", "WS-00", "生活水泵房", "地下一层", "", ""),
        (
            "water",
            "WS-02",
            "生活水箱",
            "地下一层水泵房",
            "不锈钢 50m³",
            "",
        ),
        (
            "fire",
            "XF-01",
            "消防主泵",
            "地下一层消防泵房",
            "XBD",
            "上海连成",
        ),
        (
            "fire",
            "XF-02",
            "火灾报警控制器",
            "消防控制室",
            "JB-QB",
            "海湾",
        ),
        ("lighting", "ZM-01", "景观照明回路", "中心花园", "", ""),
        ("lightning", "BL-01", "屋面避雷带", "各栋屋面", "", ""),
    ] {
        let mut f = add(system, code, name, location);
        f.model = (!model.is_empty()).then(|| model.into());
        f.maker = (!maker.is_empty()).then(|| maker.into());
        if code == "DT-01" {
            f.warranty_until = Some((today + Duration::days(20)).to_string());
        }
        ids.push((code, eq::create_equipment(core, sys, c, f).await?.id));
    }
    let id = |code: &str| ids.iter().find(|(c, _)| *c == code).map(|(_, i)| *i);
    let mut pump = add("water", "WS-01", "生活水泵1#", "地下一层水泵房");
    pump.parent_id = id("WS-00");
    pump.model = Some("CDLF32-40".into());
    pump.maker = Some("南方泵业".into());
    let pump = eq::create_equipment(core, sys, c, pump).await?.id;

    // The manuals' defaults from a few days on (their first orders are made ahead), a pump plan
    // that fell behind (one overdue order), and run hours on the generator.
    eq::adopt_defaults(core, sys, c, today + Duration::days(3)).await?;
    eq::create_plan(
        core,
        sys,
        c,
        PlanForUpdate {
            equipment_id: Some(pump),
            title: "生活水泵月度保养".into(),
            frequency: "months".into(),
            every: Some(1),
            start_on: (today - Duration::days(5)).to_string(),
            checklist: vec![
                "轴承润滑".into(),
                "机械密封无渗漏".into(),
                "电机绝缘测试".into(),
            ],
            lead_days: Some(0),
            ..Default::default()
        },
    )
    .await?;
    if let Some(gen_id) = id("FD-01") {
        for v in ["182.5", "186"] {
            eq::record_reading(
                core,
                sys,
                gen_id,
                eq::ReadingForCreate {
                    meter: "运行小时".into(),
                    value: v.into(),
                    read_at: None,
                },
            )
            .await?;
        }
        eq::create_plan(
            core,
            sys,
            c,
            PlanForUpdate {
                equipment_id: Some(gen_id),
                title: "发电机 250 小时保养".into(),
                frequency: "meter".into(),
                meter: Some("运行小时".into()),
                threshold: Some("250".into()),
                start_on: today.to_string(),
                checklist: vec![
                    "更换机油及滤芯".into(),
                    "检查皮带".into(),
                    "蓄电池维护".into(),
                ],
                ..Default::default()
            },
        )
        .await?;
    }
    eq::run_maintenance_as_of(core, sys, c, today).await?;

    let room = eq::create_room(
        core,
        sys,
        c,
        eq::RoomForCreate {
            kind: "power".into(),
            name: "地下一层配电房".into(),
            location: Some("2栋地下一层".into()),
        },
    )
    .await?;
    eq::add_room_log(
        core,
        sys,
        room.id,
        eq::RoomLogForCreate {
            on_duty: "周师傅".into(),
            readings: "进线电压=10.2[9.5,10.7]\n低压母线电压=398[380,420]\n变压器温度=62[,90]"
                .into(),
            remarks: Some("运行正常".into()),
        },
    )
    .await?;
    eq::add_room_visit(
        core,
        sys,
        room.id,
        eq::VisitForCreate {
            visitor: "李工".into(),
            company: Some("供电局".into()),
            purpose: "季度抄表".into(),
            accompanied_by: Some("周师傅".into()),
            ..Default::default()
        },
    )
    .await?;
    eq::create_room(
        core,
        sys,
        c,
        eq::RoomForCreate {
            kind: "monitoring".into(),
            name: "监控室".into(),
            location: Some("物业中心一楼".into()),
        },
    )
    .await?;
    eq::create_cctv(
        core,
        sys,
        c,
        eq::CctvForUpdate {
            name: "小区视频监控系统".into(),
            cameras: 64,
            retention_days: 30,
            checked_on: Some(today.to_string()),
            ..Default::default()
        },
    )
    .await?;
    Ok(())
}
