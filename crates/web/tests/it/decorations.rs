//! Decoration (issue 15 point 6), over the API on a fresh database: the community's charges; an
//! owner's application in the portal (bad input named, a second for the unit refused); approval
//! refused without the fire-safety letter, then once of two at the same moment — the management
//! fee on the building area and the rubbish fee charged to the unit, the deposit fixed; the
//! permit refused until the fees are paid and the cashier took the deposit; the unit decorating;
//! a worker's pass only within the period; an inspection's violation with its deadline and
//! deduction blocking acceptance until rectified; an extension; a failed then a passed
//! acceptance (the unit's state back, the pass revoked); the deposit refunded only after
//! acceptance, less the documented deductions, and only the rest out of the refunder's day.

use chrono::{Duration, NaiveDate, Utc};
use serde_json::{Value, json};

use super::duty::staff;
use super::{app, error_fields, unit_with_owner};

fn codes(e: &Value) -> Vec<(String, String)> {
    let mut v = error_fields(e);
    v.sort();
    v
}

fn today() -> NaiveDate {
    Utc::now()
        .with_timezone(&chrono_tz::Asia::Shanghai)
        .date_naive()
}

fn pair(a: &str, b: &str) -> (String, String) {
    (a.to_string(), b.to_string())
}

/// A tiny PDF: enough for the file check (its first bytes).
const PDF: &[u8] = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n";

#[tokio::test]
async fn an_owners_decoration_runs_from_application_to_the_deposit_refunded_less_its_deductions() {
    let app = app().await;
    let a = app.community_a.0;
    let (pm_id, pm) = staff(&app, "manager1", "project_manager").await;
    let (_, agent) = staff(&app, "agent1", "service_agent").await;
    let cashier = app.api_as("cash1", "cashier", &[app.community_a]).await;
    let owner = app.api_as("o1", "owner", &[app.community_a]).await;
    let (_, me) = owner.get("/api/v1/portal/me").await;
    let unit = me["units"][0]["unit_id"].as_i64().unwrap();
    let settings = format!("/api/v1/communities/{a}/decoration-settings");

    // The community's charges: out of range named; the agent may not set them.
    let (st, e) = pm
        .put(
            &settings,
            json!({"deposit": "-1", "management_fee_per_m2": "3", "rubbish_fee": "300",
                               "work_hours": "08:00-12:00, 14:00-18:00", "max_days": 0}),
        )
        .await;
    assert_eq!(st, 422, "{e}");
    assert_eq!(
        codes(&e).iter().map(|x| x.0.as_str()).collect::<Vec<_>>(),
        ["deposit", "max_days"]
    );
    let body = json!({"deposit": "2000", "management_fee_per_m2": "2.55", "rubbish_fee": "300",
                      "work_hours": "08:00-12:00, 14:00-18:00", "max_days": 60});
    assert_eq!(agent.put(&settings, body.clone()).await.0, 403);
    let (st, s) = pm.put(&settings, body).await;
    assert_eq!(st, 200, "{s}");
    assert_eq!(
        (&s["deposit_fen"], &s["max_days"]),
        (&json!(200000), &json!(60))
    );
    let (_, unit_before) = pm.get(&format!("/api/v1/units/{unit}")).await;
    let area = unit_before["unit"]["building_area"]
        .as_str()
        .unwrap()
        .to_string();
    let state_before = unit_before["unit"]["state"].as_str().unwrap().to_string();

    // The owner applies: bad input named, nothing written.
    let start = today() + Duration::days(1);
    let works = json!({"unit_id": unit, "contractor": "", "foreman": "刘工", "foreman_phone": "123",
        "scope": "厨卫改造、墙面刷漆", "starts_on": today() - Duration::days(1), "ends_on": today() + Duration::days(30)});
    let (st, e) = owner.post("/api/v1/portal/decorations", works).await;
    assert_eq!(st, 422, "{e}");
    assert_eq!(
        codes(&e).iter().map(|x| x.0.as_str()).collect::<Vec<_>>(),
        ["contractor", "foreman_phone", "starts_on"]
    );
    let too_long = json!({"unit_id": unit, "contractor": "美家装饰", "foreman": "刘工", "scope": "厨卫改造",
        "starts_on": start, "ends_on": start + Duration::days(60)});
    let (st, e) = owner.post("/api/v1/portal/decorations", too_long).await;
    assert_eq!(
        (st.as_u16(), codes(&e)),
        (422, vec![pair("ends_on", "decoration_period_range")])
    );
    assert_eq!(app.count("decorations").await, 0);
    let ends = start + Duration::days(29);
    let works = json!({"unit_id": unit, "contractor": "美家装饰工程有限公司", "contractor_licence": "JZ-2026-0188",
        "foreman": "刘工", "foreman_phone": "13912345678", "scope": "厨卫改造、墙面刷漆",
        "starts_on": start, "ends_on": ends,
        "workers": [{"name": "王师傅", "trade": "水电工", "phone": "13800001111"}, {"name": "赵师傅"}]});
    let (st, d) = owner
        .post("/api/v1/portal/decorations", works.clone())
        .await;
    assert_eq!(st, 201, "{d}");
    assert_eq!(
        (&d["number"], &d["state"], &d["source"]),
        (&json!("ZX-000001"), &json!("applied"), &json!("portal"))
    );
    assert_eq!(d["foreman_phone"], "139****5678");
    assert_eq!(d["workers"][0]["phone"], "138****1111");
    let id = d["id"].as_i64().unwrap();
    let one = format!("/api/v1/decorations/{id}");
    let (st, e) = owner.post("/api/v1/portal/decorations", works).await;
    assert_eq!(
        (st.as_u16(), codes(&e)),
        (409, vec![pair("unit_id", "decoration_unit_busy")])
    );

    // Approval: a manager's; the fire-safety letter first.
    assert_eq!(
        agent.post(&format!("{one}/approve"), json!({})).await.0,
        403
    );
    let (st, e) = pm.post(&format!("{one}/approve"), json!({})).await;
    assert_eq!(
        (st.as_u16(), codes(&e)),
        (
            422,
            vec![pair("fire_letter_signed", "decoration_fire_letter")]
        )
    );
    let (st, e) = agent
        .post_raw(
            &format!("{one}/files?label=fire_letter"),
            "application/pdf",
            b"not a pdf".to_vec(),
        )
        .await;
    assert_eq!(
        (st.as_u16(), codes(&e)),
        (422, vec![pair("file", "decoration_not_a_document")])
    );
    let (st, f) = agent
        .post_raw(
            &format!("{one}/files?label=fire_letter"),
            "application/pdf",
            PDF.to_vec(),
        )
        .await;
    assert_eq!(st, 201, "{f}");
    assert_eq!(f["label"], "fire_letter");
    // Two managers approve at the same moment: one does, once.
    let pm2 = staff(&app, "manager2", "project_manager").await.1;
    let url = format!("{one}/approve");
    let ((s1, _), (s2, _)) = tokio::join!(
        pm.post(&url, json!({"note": "按图施工"})),
        pm2.post(&url, json!({}))
    );
    let mut got = [s1.as_u16(), s2.as_u16()];
    got.sort();
    assert_eq!(got, [200, 409]);
    assert_eq!(app.count("charges").await, 2);
    let (_, d) = pm.get(&one).await;
    assert_eq!(d["state"], "approved");
    // 88.00 m² × ¥2.55 = ¥224.40; rubbish ¥300; deposit ¥2,000.
    assert_eq!(area, "88.00");
    assert_eq!(
        (
            &d["management_fee_fen"],
            &d["rubbish_fee_fen"],
            &d["deposit_fen"],
            &d["fees_outstanding_fen"]
        ),
        (&json!(22440), &json!(30000), &json!(200000), &json!(52440))
    );
    let (_, owed) = pm.get(&format!("/api/v1/units/{unit}/owed")).await;
    assert_eq!(owed["total_fen"], 52440, "{owed}");

    // The permit waits for the money; the deposit is the cashier's to take.
    let (st, e) = agent.post(&format!("{one}/permit"), json!({})).await;
    assert_eq!(st, 422, "{e}");
    assert_eq!(
        codes(&e).iter().map(|x| x.0.as_str()).collect::<Vec<_>>(),
        ["deposit", "management_fee", "rubbish_fee"]
    );
    assert_eq!(
        agent
            .post(&format!("{one}/deposit"), json!({"method": "cash"}))
            .await
            .0,
        404
    );
    let (st, e) = cashier
        .post(&format!("{one}/deposit"), json!({"method": "gold"}))
        .await;
    assert_eq!(
        (st.as_u16(), codes(&e)),
        (422, vec![pair("method", "unknown_pay_method")])
    );
    let (st, d) = cashier
        .post(&format!("{one}/deposit"), json!({"method": "cash"}))
        .await;
    assert_eq!(st, 200, "{d}");
    let deposit = d["deposit_id"].as_i64().unwrap();
    let (st, e) = cashier
        .post(&format!("{one}/deposit"), json!({"method": "cash"}))
        .await;
    assert_eq!(
        (st.as_u16(), codes(&e)),
        (409, vec![pair("deposit", "decoration_deposit_taken")])
    );
    let (st, p) = cashier
        .post(
            "/api/v1/payments",
            json!({"unit_id": unit, "method": "wechat", "amount": "524.40", "payer": "o1业主"}),
        )
        .await;
    assert_eq!(st, 201, "{p}");
    let (st, d) = agent.post(&format!("{one}/permit"), json!({})).await;
    assert_eq!(st, 200, "{d}");
    assert_eq!(
        (&d["state"], &d["fees_outstanding_fen"]),
        (&json!("working"), &json!(0))
    );
    let (_, u) = pm.get(&format!("/api/v1/units/{unit}")).await;
    assert_eq!(u["unit"]["state"], "decorating");

    // A worker's pass, within the works' period only.
    let passes = format!("/api/v1/communities/{a}/visitor-passes");
    let at = |d: NaiveDate, h: u32| {
        d.and_hms_opt(h, 0, 0)
            .unwrap()
            .and_local_timezone(chrono_tz::Asia::Shanghai)
            .unwrap()
            .to_rfc3339()
    };
    let pass = |until: String| {
        json!({"kind": "worker", "decoration_id": id, "visitor_name": "王师傅", "id_type": "resident_id",
               "id_number": "440304199001011233", "valid_from": at(start, 8), "valid_until": until})
    };
    let (st, e) = agent
        .post(&passes, pass(at(ends + Duration::days(1), 18)))
        .await;
    assert_eq!(
        (st.as_u16(), codes(&e)),
        (
            422,
            vec![pair("valid_until", "decoration_pass_outside_period")]
        )
    );
    let (st, p) = agent.post(&passes, pass(at(ends, 18))).await;
    assert_eq!(st, 201, "{p}");
    assert_eq!(p["decoration_id"], id);

    // An inspection: a violation with its deadline and its deduction (within the deposit).
    let insp = format!("{one}/inspections");
    let (st, e) = agent
        .post(
            &insp,
            json!({"violations": [{"kind": "outside_hours", "description": "中午12:30电钻施工",
            "deadline": today() - Duration::days(1)}]}),
        )
        .await;
    assert_eq!(
        (st.as_u16(), codes(&e)),
        (
            422,
            vec![pair("violations[0].deadline", "decoration_deadline_range")]
        )
    );
    let (st, e) = agent
        .post(
            &insp,
            json!({"violations": [{"kind": "load_bearing", "description": "拆承重墙",
            "deadline": today() + Duration::days(3), "deduction": "2000.01"}]}),
        )
        .await;
    assert_eq!(
        (st.as_u16(), codes(&e)),
        (
            422,
            vec![pair("violations", "decoration_deduction_too_large")]
        )
    );
    let (st, d) = agent
        .post(&insp, json!({"note": "现场有两人施工", "violations": [{"kind": "outside_hours",
            "description": "中午12:30电钻施工", "deadline": today() + Duration::days(3), "deduction": "200"}]}))
        .await;
    assert_eq!(st, 201, "{d}");
    let v = &d["violations"][0];
    assert_eq!(
        (&v["kind"], &v["deduction_fen"], &v["overdue"]),
        (&json!("outside_hours"), &json!(20000), &json!(false))
    );
    let violation = v["id"].as_i64().unwrap();

    // Not accepted while the violation is open; no refund before acceptance.
    let (st, e) = agent
        .post(&format!("{one}/accept"), json!({"passed": true}))
        .await;
    assert_eq!(
        (st.as_u16(), codes(&e)),
        (422, vec![pair("violations", "decoration_violations_open")])
    );
    let (st, e) = pm
        .post(&format!("{one}/refund"), json!({"method": "cash"}))
        .await;
    assert_eq!(
        (st.as_u16(), codes(&e)),
        (409, vec![pair("state", "decoration_not_accepted")])
    );

    // Extended with a reason; the violation rectified once.
    let (st, e) = agent
        .post(
            &format!("{one}/extend"),
            json!({"ends_on": ends, "reason": "材料未到"}),
        )
        .await;
    assert_eq!(
        (st.as_u16(), codes(&e)),
        (422, vec![pair("ends_on", "decoration_extension_range")])
    );
    let new_end = ends + Duration::days(10);
    let (st, d) = agent
        .post(
            &format!("{one}/extend"),
            json!({"ends_on": new_end, "reason": "材料未到"}),
        )
        .await;
    assert_eq!(st, 200, "{d}");
    assert_eq!(
        (&d["ends_on"], &d["planned_ends_on"]),
        (&json!(new_end), &json!(ends))
    );
    assert_eq!(d["extensions"][0]["reason"], "材料未到");
    let rectify = format!("/api/v1/decoration-violations/{violation}/rectify");
    let (st, _) = agent.post(&rectify, json!({"note": "已停工整改"})).await;
    assert_eq!(st, 200);
    let (st, e) = agent.post(&rectify, json!({})).await;
    assert_eq!(
        (st.as_u16(), codes(&e)),
        (409, vec![pair("id", "decoration_rectified")])
    );

    // Acceptance: failed needs a note and changes nothing; passed sets the unit back.
    let (st, e) = agent
        .post(&format!("{one}/accept"), json!({"passed": false}))
        .await;
    assert_eq!(
        (st.as_u16(), codes(&e)),
        (422, vec![pair("note", "required")])
    );
    let (st, d) = agent
        .post(
            &format!("{one}/accept"),
            json!({"passed": false, "note": "卫生间闭水试验未做"}),
        )
        .await;
    assert_eq!((st.as_u16(), &d["state"]), (200, &json!("working")));
    let (st, d) = agent
        .post(
            &format!("{one}/accept"),
            json!({"passed": true, "note": "合格"}),
        )
        .await;
    assert_eq!((st.as_u16(), &d["state"]), (200, &json!("accepted")));
    let kinds: Vec<&str> = d["inspections"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["kind"].as_str().unwrap())
        .collect();
    assert_eq!(kinds, ["routine", "acceptance", "acceptance"]);
    assert!(d["passes"][0]["revoked_at"].is_string(), "{d}");
    let (_, u) = pm.get(&format!("/api/v1/units/{unit}")).await;
    assert_eq!(u["unit"]["state"], json!(state_before));

    // The refund: a billing manager's; the deductions within the deposit.
    assert_eq!(
        agent
            .post(&format!("{one}/refund"), json!({"method": "cash"}))
            .await
            .0,
        404
    );
    let (st, e) = pm
        .post(&format!("{one}/refund"), json!({"method": "cash", "deductions": [{"reason": "损坏电梯轿厢", "amount": "1800.01"}]}))
        .await;
    assert_eq!(
        (st.as_u16(), codes(&e)),
        (
            422,
            vec![pair("deductions", "decoration_deduction_too_large")]
        )
    );
    let (st, d) = pm
        .post(&format!("{one}/refund"), json!({"method": "cash", "deductions": [{"reason": "损坏电梯轿厢", "amount": "150.50"}]}))
        .await;
    assert_eq!(st, 200, "{d}");
    // ¥2,000 − ¥200 (the violation) − ¥150.50 = ¥1,649.50 back.
    assert_eq!(
        (&d["state"], &d["deducted_fen"], &d["refunded_fen"]),
        (&json!("closed"), &json!(35050), &json!(164950))
    );
    let (st, e) = pm
        .post(&format!("{one}/refund"), json!({"method": "cash"}))
        .await;
    assert_eq!(
        (st.as_u16(), codes(&e)),
        (409, vec![pair("state", "decoration_not_accepted")])
    );
    let (_, dep) = pm.get(&format!("/api/v1/deposits/{deposit}")).await;
    assert_eq!(
        (&dep["state"], &dep["amount_fen"], &dep["deducted_fen"]),
        (&json!("refunded"), &json!(200000), &json!(35050))
    );
    let (_, days) = pm
        .get(&format!("/api/v1/daily-closes?community_id={a}"))
        .await;
    let mine = days
        .as_array()
        .unwrap()
        .iter()
        .find(|x| x["cashier_id"] == pm_id.0)
        .expect("the manager's day");
    assert_eq!(mine["cash_fen"], -164950, "{mine}");

    // The owner sees it settled.
    let (_, list) = owner.get("/api/v1/portal/decorations").await;
    assert_eq!(
        (&list[0]["state"], &list[0]["refunded_fen"]),
        (&json!("closed"), &json!(164950))
    );
    assert_eq!(app.count("decorations").await, 1);
}

#[tokio::test]
async fn the_desk_records_refuses_and_cancels_applications_and_other_communities_see_none() {
    let app = app().await;
    let a = app.community_a.0;
    let admin = app.admin().await;
    let (_, pm) = staff(&app, "manager1", "project_manager").await;
    let (_, agent) = staff(&app, "agent1", "service_agent").await;
    let outsider = app
        .api_as("agent_b", "service_agent", &[app.community_b])
        .await;
    let (unit, label) = unit_with_owner(&app, &admin, "1802", "钱业主").await;
    let (st, t) = admin
        .post(
            "/api/v1/people",
            json!({"community_id": a, "name": "孙租户", "unit_id": unit, "relation": "tenant"}),
        )
        .await;
    assert_eq!(st, 201, "{t}");
    let list = format!("/api/v1/communities/{a}/decorations");
    let start = today() + Duration::days(2);
    let works = |who: &str, unit_label: &str| {
        json!({"unit_label": unit_label, "applicant_name": who, "contractor": "业主自行施工", "foreman": "钱业主",
               "scope": "铺地板", "starts_on": start, "ends_on": start + Duration::days(9), "fire_letter_signed": true})
    };

    // Named refusals: an unknown unit, a tenant applying.
    let (st, e) = agent.post(&list, works("钱业主", "99栋-9999")).await;
    assert_eq!(
        (st.as_u16(), codes(&e)),
        (422, vec![pair("unit_label", "unknown_unit")])
    );
    let (st, e) = agent.post(&list, works("孙租户", &label)).await;
    assert_eq!(
        (st.as_u16(), codes(&e)),
        (422, vec![pair("applicant_id", "decoration_not_owner")])
    );
    assert_eq!(app.count("decorations").await, 0);

    // Recorded at the desk; refused once with a reason.
    let (st, d) = agent.post(&list, works("钱业主", &label)).await;
    assert_eq!(st, 201, "{d}");
    assert_eq!(
        (&d["source"], &d["applicant_name"]),
        (&json!("desk"), &json!("钱业主"))
    );
    let one = format!("/api/v1/decorations/{}", d["id"]);
    assert_eq!(outsider.get(&one).await.0, 404);
    assert_eq!(outsider.get(&list).await.0, 404);
    let (st, e) = pm
        .post(&format!("{one}/refuse"), json!({"reason": " "}))
        .await;
    assert_eq!(
        (st.as_u16(), codes(&e)),
        (422, vec![pair("reason", "required")])
    );
    let (st, d) = pm
        .post(
            &format!("{one}/refuse"),
            json!({"reason": "未提供施工图纸"}),
        )
        .await;
    assert_eq!(
        (st.as_u16(), &d["state"], &d["decision_note"]),
        (200, &json!("refused"), &json!("未提供施工图纸"))
    );
    let (st, e) = pm.post(&format!("{one}/approve"), json!({})).await;
    assert_eq!(
        (st.as_u16(), codes(&e)),
        (409, vec![pair("state", "decoration_not_applied")])
    );

    // Applied again, approved with the manager's own sums, then cancelled: the fees reversed.
    let (st, d) = agent.post(&list, works("钱业主", &label)).await;
    assert_eq!(st, 201, "{d}");
    assert_eq!(d["number"], "ZX-000002");
    let one = format!("/api/v1/decorations/{}", d["id"]);
    let (st, e) = pm
        .post(
            &format!("{one}/approve"),
            json!({"deposit": "abc", "rubbish_fee": "10000.01"}),
        )
        .await;
    assert_eq!(st, 422, "{e}");
    assert_eq!(
        codes(&e).iter().map(|x| x.0.as_str()).collect::<Vec<_>>(),
        ["deposit", "rubbish_fee"]
    );
    let (st, d) = pm
        .post(
            &format!("{one}/approve"),
            json!({"deposit": "1000", "management_fee": "100", "rubbish_fee": "0"}),
        )
        .await;
    assert_eq!(st, 200, "{d}");
    assert_eq!(
        (
            &d["deposit_fen"],
            &d["fees_outstanding_fen"],
            &d["rubbish_charge_id"]
        ),
        (&json!(100000), &json!(10000), &Value::Null)
    );
    let (st, d) = agent.post(&format!("{one}/cancel"), json!({})).await;
    assert_eq!((st.as_u16(), &d["state"]), (200, &json!("cancelled")));
    let (_, owed) = pm.get(&format!("/api/v1/units/{unit}/owed")).await;
    assert_eq!(owed["total_fen"], 0, "{owed}");
    let (st, e) = agent.post(&format!("{one}/cancel"), json!({})).await;
    assert_eq!(
        (st.as_u16(), codes(&e)),
        (409, vec![pair("state", "decoration_not_cancellable")])
    );

    // The live list holds none now; all of them, two.
    let (_, live) = agent.get(&format!("{list}?state=live")).await;
    assert_eq!(live.as_array().unwrap().len(), 0);
    let (_, all) = agent.get(&list).await;
    assert_eq!(all.as_array().unwrap().len(), 2);
    let (st, e) = agent.get(&format!("{list}?state=bogus")).await;
    assert_eq!(
        (st.as_u16(), codes(&e)),
        (422, vec![pair("state", "unknown_decoration_state")])
    );
}
