//! The demo community's notices, activities and public board: a pinned reminder and a water
//! cut showing now, a fee notice scheduled for next week and a draft; a New Year fair open for
//! sign-up and a Spring Festival one being planned; a board filled in the way a centre fills its
//! 三公开 board.

use chrono::{Duration, Utc};

use crate::Core;
use crate::community::activities::{self, ActivityForSave};
use crate::community::announcements::{
    self as notices, AnnouncementForCreate, AnnouncementForPublish,
};
use crate::community::board::{self, BoardForUpdate, model::BoardItem};
use crate::shared::ctx::Ctx;
use crate::shared::error::CoreResult;
use crate::shared::ids::CommunityId;

fn item(name: &str, detail: &str) -> BoardItem {
    BoardItem {
        name: name.into(),
        detail: detail.into(),
    }
}

pub(super) async fn seed_community(core: &Core, sys: &Ctx, c: CommunityId) -> CoreResult<()> {
    let write = |category: &str, title: &str, body: &str, pinned: bool| AnnouncementForCreate {
        scope: "community".into(),
        category: category.into(),
        title: title.into(),
        body: body.into(),
        pinned,
        expires_at: None,
        building_ids: Vec::new(),
    };
    let now = Utc::now();
    let tip = notices::create_announcement(
        core,
        sys,
        c,
        write(
            "tip",
            "冬季防火安全提示",
            "天气干燥，请勿在楼道、消防通道堆放杂物，电动车请到指定区域充电。\n如发现火情请拨打 119 并通知物业服务中心。",
            true,
        ),
    )
    .await?;
    notices::publish_announcement(core, sys, tip.id, AnnouncementForPublish::default()).await?;
    let mut cut = write(
        "outage",
        "12月10日停水通知",
        "因市政管网维修，12月10日 9:00–15:00 全小区停水，请提前储水。\n恢复供水初期水质可能浑浊，请放水片刻后使用。",
        false,
    );
    cut.expires_at = Some(now + Duration::days(7));
    let cut = notices::create_announcement(core, sys, c, cut).await?;
    notices::publish_announcement(core, sys, cut.id, AnnouncementForPublish::default()).await?;
    let fees = notices::create_announcement(
        core,
        sys,
        c,
        write(
            "fees",
            "2027年度物业费缴纳通知",
            "2027年度物业费标准不变，1月31日前缴清全年可享九五折。可在业主端或物业服务中心缴纳。",
            false,
        ),
    )
    .await?;
    notices::publish_announcement(
        core,
        sys,
        fees.id,
        AnnouncementForPublish {
            at: Some(now + Duration::days(7)),
        },
    )
    .await?;
    notices::create_announcement(
        core,
        sys,
        c,
        write("activity", "元旦游园会（草稿）", "时间、地点待定。", false),
    )
    .await?;
    let start = (now + Duration::days(26))
        .date_naive()
        .and_hms_opt(1, 30, 0)
        .map(|t| t.and_utc())
        .unwrap_or(now + Duration::days(26));
    let fair = activities::create_activity(
        core,
        sys,
        c,
        ActivityForSave {
            title: "元旦游园会".into(),
            aim: "辞旧迎新，邻里联谊，增进业主与服务中心的沟通".into(),
            plan: "09:30 签到领游园卡\n10:00 猜灯谜、套圈、投壶\n11:30 凭游园卡兑换礼品\n安全：秩序维护部 4 人维持现场，医药箱置于服务台".into(),
            place: "中心广场".into(),
            starts_at: start,
            ends_at: start + Duration::hours(3),
            signup_until: Some(start - Duration::days(2)),
            capacity: Some(80),
            budget: Some("3000.00".into()),
        },
    )
    .await?;
    activities::open_activity(core, sys, fair.id).await?;
    activities::create_activity(
        core,
        sys,
        c,
        ActivityForSave {
            title: "春节写春联送福字".into(),
            aim: "传统文化进社区".into(),
            plan: String::new(),
            place: "会所一楼".into(),
            starts_at: start + Duration::days(30),
            ends_at: start + Duration::days(30) + Duration::hours(2),
            signup_until: None,
            capacity: None,
            budget: Some("800.00".into()),
        },
    )
    .await?;
    board::save_board(
        core,
        sys,
        c,
        BoardForUpdate {
            services: vec![
                item(
                    "客户服务",
                    "服务中心 8:30–17:30 接待，24 小时服务热线；报修 15 分钟内响应",
                ),
                item("秩序维护", "出入口 24 小时值守，每 2 小时巡逻一次"),
                item("保洁", "公共区域每日清扫两次，垃圾日产日清"),
                item("绿化", "草坪每月修剪一次，乔灌木每季度修剪"),
                item("工程维修", "公共设施设备定期保养，电梯每 15 日保养一次"),
            ],
            contacts: vec![
                item("服务中心", "0755-8000 1234"),
                item("24小时值班", "0755-8000 1235"),
                item("工程维修", "0755-8000 1236"),
            ],
            complaint_phone: "0755-8000 1239".into(),
            on_duty: vec![
                item("客服", "客服小王"),
                item("工程", "维修老张"),
                item("秩序", "保安队长"),
            ],
            note: "服务时间：周一至周日 8:30–17:30".into(),
        },
    )
    .await?;
    Ok(())
}
