//! Evidence from the system beside an audit's items (issue 16 point 2), over the API and the
//! console on a fresh database: items named like the seed's find what wuye holds — requests and
//! their call-backs, complaints, the key ledger, key customers, notices, incidents, CCTV — counted
//! over the 90 days before the audit, with what the auditor should look at flagged; an item the
//! system holds nothing for has none; another community's staff cannot read it.

use serde_json::{Value, json};

use super::daily_use::html;
use super::duty::staff;
use super::kpis::act;
use super::{app, new_unit};

/// The facts of the item named `item`, as `code → (value, of, warn)`.
fn facts(ev: &Value, au: &Value, item: &str) -> Vec<(String, i64, Option<i64>, bool)> {
    let id = au["parts"][0]["items"]
        .as_array()
        .expect("items")
        .iter()
        .find(|i| i["item"] == item)
        .expect(item)["id"]
        .clone();
    let e = ev["items"]
        .as_array()
        .expect("evidence")
        .iter()
        .find(|e| e["item_id"] == id)
        .unwrap_or_else(|| panic!("no evidence for {item}: {ev}"));
    e["facts"]
        .as_array()
        .expect("facts")
        .iter()
        .map(|f| {
            (
                f["code"].as_str().expect("code").to_string(),
                f["value"].as_i64().expect("value"),
                f["of"].as_i64(),
                f["warn"].as_bool().expect("warn"),
            )
        })
        .collect()
}

fn f(code: &str, value: i64, of: Option<i64>, warn: bool) -> (String, i64, Option<i64>, bool) {
    (code.to_string(), value, of, warn)
}

#[tokio::test]
async fn an_audit_shows_what_the_system_holds_beside_its_items() {
    let app = app().await;
    let a = app.community_a.0;
    let admin = app.admin().await;
    let (_, qa) = staff(&app, "ev1", "quality_auditor").await;
    let (agent_id, agent) = staff(&app, "ev2", "service_agent").await;
    let (tech_id, tech) = staff(&app, "ev3", "technician").await;
    let (_, pm) = staff(&app, "ev4", "project_manager").await;
    let unit = new_unit(&admin, app.building_a.0, "0501").await;

    // Three repairs (one closed rated 5, one rated 2 and so reopened, one not done) and a
    // complaint left open.
    let mut ids = Vec::new();
    for (k, kind) in [
        "repair_unit",
        "repair_unit",
        "repair_unit",
        "complaint_general",
    ]
    .into_iter()
    .enumerate()
    {
        let (st, r) = agent
            .post(
                "/api/v1/requests",
                json!({"community_id": a, "kind": kind, "category": "water",
                       "channel": "front_desk", "unit_id": unit, "description": format!("事项{k}")}),
            )
            .await;
        assert_eq!(st, 201, "{r}");
        ids.push(r["id"].as_i64().expect("id"));
    }
    for &id in &ids[..3] {
        act(
            &agent,
            id,
            json!({"action": "dispatch", "assignee_id": tech_id.0}),
        )
        .await;
    }
    for (id, rating) in [(ids[0], 5), (ids[1], 2)] {
        act(&tech, id, json!({"action": "accept"})).await;
        act(&tech, id, json!({"action": "done", "note": "已修好"})).await;
        act(
            &agent,
            id,
            json!({"action": "visit", "satisfaction": rating}),
        )
        .await;
    }

    // A key lent and not back; a key customer with a note; a notice on the board.
    let (st, cab) = pm
        .post(
            &format!("/api/v1/communities/{a}/key-cabinets"),
            json!({"name": "前台钥匙柜", "keeper_id": agent_id.0}),
        )
        .await;
    assert_eq!(st, 201, "{cab}");
    let (st, key) = agent
        .post(
            &format!("/api/v1/communities/{a}/keys"),
            json!({"cabinet_id": cab["id"], "position": "A-01", "code": "U-501", "kind": "unit",
                   "unit_id": unit}),
        )
        .await;
    assert_eq!(st, 201, "{key}");
    let due = (chrono::Utc::now() + chrono::Duration::hours(2)).to_rfc3339();
    let (st, v) = agent
        .post(
            &format!("/api/v1/keys/{}/lend", key["id"]),
            json!({"borrower_name": "维修师傅", "purpose": "换锁", "due_at": due}),
        )
        .await;
    assert_eq!(st, 201, "{v}");
    let (st, v) = admin
        .post(
            "/api/v1/people",
            json!({"community_id": a, "name": "钱重点", "unit_id": unit, "relation": "owner",
                   "is_key_customer": true, "key_customer_note": "曾投诉噪音"}),
        )
        .await;
    assert_eq!(st, 201, "{v}");
    let (st, n) = pm
        .post(
            &format!("/api/v1/communities/{a}/announcements"),
            json!({"scope": "community", "category": "tip", "title": "冬季防火提示",
                   "body": "请勿在楼道堆放杂物。"}),
        )
        .await;
    assert_eq!(st, 201, "{n}");
    let (st, v) = pm
        .post(
            &format!("/api/v1/announcements/{}/publish", n["id"]),
            json!({}),
        )
        .await;
    assert_eq!(st, 200, "{v}");

    // A sheet whose items are named like the seed's, and one the system holds nothing for.
    let item = |name: &str| {
        json!({"section": "现场管理", "item": name, "elements": ["检查"], "max": "5",
               "deduct_min": "1", "deduct_max": "5"})
    };
    let names = [
        "客户需求信息受理",
        "客户投诉管理",
        "客户满意度管理",
        "钥匙管理",
        "客户关系修复与重点客户关系维护",
        "信息公示",
        "突发应急事件处理",
        "监控设备",
        "制度建设",
    ];
    let (st, sheet) = qa
        .post(
            "/api/v1/audit-sheets",
            json!({"code": "ev", "name": "佐证测试", "weight_pct": 100,
                   "items": names.iter().map(|n| item(n)).collect::<Vec<_>>()}),
        )
        .await;
    assert_eq!(st, 201, "{sheet}");
    assert_eq!(sheet["items"][3]["evidence"], "keys", "{sheet}");
    assert_eq!(sheet["items"][8]["evidence"], Value::Null);
    let (st, au) = qa
        .post(
            &format!("/api/v1/communities/{a}/audits"),
            json!({"sheets": [{"sheet_id": sheet["id"], "weight_pct": 100}]}),
        )
        .await;
    assert_eq!(st, 201, "{au}");
    let url = format!("/api/v1/audits/{}/evidence", au["id"]);
    let (st, ev) = qa.get(&url).await;
    assert_eq!(st, 200, "{ev}");
    assert_eq!(ev["items"].as_array().map(Vec::len), Some(8), "{ev}");
    let today = super::latefees::today();
    assert_eq!(ev["to"], today.to_string());
    assert_eq!(
        ev["from"],
        (today - chrono::Duration::days(90)).to_string(),
        "{ev}"
    );

    // Repairs: three registered and dispatched, one closed and rated; the 2 reopened its request
    // (counted among the ratings under 3).
    assert_eq!(
        facts(&ev, &au, "客户需求信息受理"),
        [
            f("registered", 3, None, false),
            f("dispatched", 3, Some(3), false),
            f("closed", 1, Some(3), true),
            f("rated", 1, Some(1), false),
            f("rated_low", 1, None, true),
        ]
    );
    assert_eq!(
        facts(&ev, &au, "客户投诉管理"),
        [
            f("registered", 1, None, false),
            f("dispatched", 0, Some(1), true),
            f("closed", 0, Some(1), true),
            f("rated", 0, Some(0), false),
            f("rated_low", 0, None, false),
        ]
    );
    // Average of 5 and 2: 3.50.
    assert_eq!(
        facts(&ev, &au, "客户满意度管理"),
        [
            f("rated", 2, None, false),
            f("rating_avg", 350, None, false),
            f("rated_low", 1, None, true),
        ]
    );
    assert_eq!(
        facts(&ev, &au, "钥匙管理"),
        [
            f("keys", 1, None, false),
            f("lent_out", 1, None, false),
            f("keys_overdue", 0, None, false),
            f("loans_returned", 0, Some(1), true),
        ]
    );
    assert_eq!(
        facts(&ev, &au, "客户关系修复与重点客户关系维护"),
        [
            f("key_customers", 1, None, false),
            f("key_customers_noted", 1, Some(1), false),
        ]
    );
    let notices = facts(&ev, &au, "信息公示");
    assert_eq!(notices[0], f("notices_published", 1, None, false));
    assert_eq!(notices[1], f("notices_showing", 1, None, false));
    // No incidents yet, no drills: a drill is what the auditor will ask about.
    let incidents = facts(&ev, &au, "突发应急事件处理");
    assert_eq!(incidents[0], f("incidents_closed", 0, Some(0), false));
    assert_eq!(incidents[2], f("drills", 0, None, true));
    assert_eq!(
        facts(&ev, &au, "监控设备")[0],
        f("cctv_systems", 0, None, true)
    );

    // Another community's staff do not reach it.
    let (_, stranger) = staff(&app, "ev5", "quality_auditor").await;
    let b_staff = app
        .api_as("evb", "quality_auditor", &[app.community_b])
        .await;
    let (st, _) = b_staff.get(&url).await;
    assert_eq!(st, 404);
    let (st, _) = stranger.get("/api/v1/audits/999999/evidence").await;
    assert_eq!(st, 404);

    // The page shows the facts beside the item, the warning marked, the records linked.
    let (web, _) = super::console::console_login(&app, "ev1").await;
    let page = html(&web, &app.base, &format!("/audits/{}", au["id"])).await;
    let key_item = au["parts"][0]["items"][3]["id"].clone();
    assert!(
        page.contains(&format!("id=\"evidence-{key_item}\"")),
        "{page}"
    );
    assert!(page.contains("钥匙台账"), "{page}");
    assert!(
        page.contains(&format!("href=\"/keys?community={a}\"")),
        "{page}"
    );
    assert!(
        page.contains("class=\"fact warn\" data-fact=\"drills\""),
        "{page}"
    );
    let none = au["parts"][0]["items"][8]["id"].clone();
    assert!(!page.contains(&format!("id=\"evidence-{none}\"")), "{page}");
    assert!(page.contains("id=\"evidence-window\""), "{page}");
}
