//! What residents report, in the proportions a service desk sees them (kinds, categories,
//! channels, urgency, wording): shared by the requests registered over the API and the year of
//! requests bulk-loaded for the scanner, so both load the same shape of data.

use super::super::data::Rng;

/// The kinds of request a desk registers, with their share in percent, and the categories each
/// draws from.
const REQUEST_MIX: [(&str, u64, &[&str]); 7] = [
    (
        "repair_unit",
        45,
        &["water", "water", "power", "doors_locks", "other"],
    ),
    (
        "repair_common",
        20,
        &[
            "elevator",
            "lighting",
            "lighting",
            "water",
            "power",
            "doors_locks",
        ],
    ),
    (
        "complaint_general",
        10,
        &["noise", "sanitation", "parking", "greening"],
    ),
    ("complaint_serious", 2, &["noise", "other"]),
    ("inquiry", 13, &["fees", "fees", "other"]),
    ("suggestion", 5, &["greening", "sanitation", "other"]),
    ("help", 5, &["other", "doors_locks"]),
];

fn description_of(category: &str, rng: &mut Rng) -> &'static str {
    let list: &[&str] = match category {
        "water" => &[
            "卫生间下水道堵塞，马桶冲水不畅",
            "厨房水龙头漏水，关不紧",
            "楼上渗水，卧室天花板有水渍",
            "热水器进水阀滴水",
        ],
        "power" => &[
            "家里跳闸，空开合不上",
            "客厅插座没电",
            "入户电表箱有焦味，请尽快派人查看",
        ],
        "elevator" => &[
            "2号电梯门关不上，反复开合",
            "电梯运行时有异响",
            "电梯18楼按钮失灵",
        ],
        "lighting" => &["楼道声控灯不亮", "地下车库B2区灯管闪烁", "单元门口路灯不亮"],
        "doors_locks" => &[
            "单元门门禁刷卡无反应",
            "入户门锁芯卡住，钥匙拧不动",
            "消防通道门闭门器损坏",
        ],
        "noise" => &[
            "楼上夜间装修噪音，影响休息",
            "小区广场舞音响太吵",
            "隔壁空调外机噪音大",
        ],
        "sanitation" => &[
            "垃圾桶满溢未及时清运",
            "楼道有杂物堆放，存在消防隐患",
            "地库有积水和异味",
        ],
        "greening" => &["绿化带杂草过高", "树枝遮挡窗户，请修剪"],
        "parking" => &["车位被外来车辆占用", "道闸不识别车牌，抬杆慢"],
        "fees" => &[
            "咨询物业费缴费方式",
            "物业费发票如何开具",
            "水电费账单金额有疑问",
        ],
        _ => &[
            "快递柜无法取件",
            "咨询装修申请流程",
            "门口有流浪猫，请协助处理",
        ],
    };
    list[rng.below(list.len() as u64) as usize]
}

const LOCATIONS: [&str; 6] = [
    "1栋电梯厅",
    "3栋一单元楼道",
    "地下车库B2区",
    "东门岗亭旁",
    "中心花园",
    "5栋架空层",
];

/// What a request is about: kind, category, channel, urgency, complex, description, location.
pub(super) struct Topic {
    pub(super) kind: &'static str,
    pub(super) category: &'static str,
    pub(super) channel: &'static str,
    pub(super) urgency: &'static str,
    pub(super) complex: bool,
    pub(super) description: &'static str,
    pub(super) location: Option<&'static str>,
}

pub(super) fn topic(rng: &mut Rng) -> Topic {
    let mut r = rng.below(100);
    let mut pick = REQUEST_MIX[0];
    for m in REQUEST_MIX {
        if r < m.1 {
            pick = m;
            break;
        }
        r -= m.1;
    }
    let (kind, _, cats) = pick;
    let category = cats[rng.below(cats.len() as u64) as usize];
    let channel = match rng.below(10) {
        0..=3 => "front_desk",
        4..=7 => "hotline",
        _ => "wechat",
    };
    Topic {
        kind,
        category,
        channel,
        urgency: if rng.chance(8) { "urgent" } else { "normal" },
        complex: category == "lighting" && rng.chance(20),
        description: description_of(category, rng),
        location: (kind != "repair_unit").then(|| LOCATIONS[rng.below(6) as usize]),
    }
}
