//! Duty rosters and handovers (issue 14 points 7 and 8), over the API on a fresh database: the
//! default shifts adopted once; a month set in one step with each refused cell named (a day of
//! leave, overlapping shifts) and nothing written then; gaps flagged; swaps; copying last month;
//! who is on duty now, on the API and the public board; handovers carrying over what is still
//! open, signed once by the incoming person.

use chrono::{Datelike, Duration, NaiveDate, Utc};
use serde_json::{Value, json};
use wuye_core::shared::ids::UserId;
use wuye_testkit::{Api, TestApp};

use super::{app, error_fields};

fn today() -> NaiveDate {
    Utc::now()
        .with_timezone(&chrono_tz::Asia::Shanghai)
        .date_naive()
}

/// A staff member of community A and his API client.
pub async fn staff(app: &TestApp, name: &str, role: &str) -> (UserId, Api) {
    let id = app.user(name, role, &[app.community_a]).await;
    let ctx = wuye_core::auth::load_ctx(&app.core, id).await.expect("ctx");
    let (_, token) = wuye_core::auth::create_api_token(&app.core, &ctx, "test")
        .await
        .expect("token");
    (id, app.api(Some(token)))
}

fn cell(u: UserId, day: NaiveDate, code: &str) -> Value {
    json!({"user_id": u.0, "day": day.to_string(), "shift_code": code})
}

#[tokio::test]
async fn a_month_is_set_in_one_step_and_refuses_leave_and_overlaps() {
    let app = app().await;
    let a = app.community_a.0;
    let (_, pm) = staff(&app, "manager1", "project_manager").await;
    let (g1, guard) = staff(&app, "guard1", "security").await;
    let (g2, _) = staff(&app, "guard2", "security").await;
    let (st, shifts) = pm
        .post(
            &format!("/api/v1/communities/{a}/shifts/defaults"),
            json!({}),
        )
        .await;
    assert_eq!(st, 200, "{shifts}");
    assert_eq!(shifts.as_array().map(Vec::len), Some(9));
    let night = &shifts
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["code"] == "monitor_night")
        .unwrap();
    assert_eq!(
        (
            night["starts"].as_str(),
            night["crosses_midnight"].as_bool()
        ),
        (Some("20:00"), Some(true))
    );
    let (st, e) = pm
        .post(
            &format!("/api/v1/communities/{a}/shifts/defaults"),
            json!({}),
        )
        .await;
    assert_eq!(
        (st.as_u16(), e["code"].as_str()),
        (409, Some("duty_already_adopted"))
    );
    // A guard may read the roster, not set it.
    let first = today().with_day(1).unwrap();
    let month = first.format("%Y-%m").to_string();
    let path = format!("/api/v1/communities/{a}/rosters/{month}");
    let (st, _) = guard
        .put(&path, json!({"team": "秩序维护部", "assignments": []}))
        .await;
    assert_eq!(st, 403);
    // Leave on the 10th to the 12th.
    let d = |n: u32| first.with_day(n).unwrap();
    let (st, lv) = pm
        .post(
            &format!("/api/v1/communities/{a}/leaves"),
            json!({"user_id": g1.0, "starts_on": d(10).to_string(), "ends_on": d(12).to_string(), "kind": "annual"}),
        )
        .await;
    assert_eq!(st, 201, "{lv}");
    let (st, e) = pm
        .post(
            &format!("/api/v1/communities/{a}/leaves"),
            json!({"user_id": g1.0, "starts_on": d(12).to_string(), "ends_on": d(10).to_string(), "kind": "假"}),
        )
        .await;
    assert_eq!(st, 422);
    let fields = error_fields(&e);
    assert_eq!(fields.len(), 2, "{e}");
    assert!(
        fields.contains(&("ends_on".into(), "duty_ends_before_starts".into())),
        "{e}"
    );
    assert!(
        fields.contains(&("kind".into(), "unknown_leave_kind".into())),
        "{e}"
    );
    // A shift on a day of leave, and night monitoring overlapping the evening security shift:
    // both named, nothing written.
    let body = json!({"team": "秩序维护部", "assignments": [
        cell(g1, d(11), "security_a"),
        cell(g1, d(5), "security_b"),
        cell(g1, d(5), "monitor_night"),
        cell(g1, d(6), "no_such_shift"),
    ]});
    let (st, e) = pm.put(&path, body).await;
    assert_eq!(st, 422, "{e}");
    let fields = error_fields(&e);
    assert!(
        fields.contains(&("assignments[0].day".into(), "duty_on_leave".into())),
        "{e}"
    );
    assert!(
        fields.contains(&("assignments[2].shift_code".into(), "duty_overlap".into())),
        "{e}"
    );
    assert!(
        fields.contains(&(
            "assignments[3].shift_code".into(),
            "duty_unknown_shift".into()
        )),
        "{e}"
    );
    let (st, m) = guard.get(&format!("{path}?team=秩序维护部")).await;
    assert_eq!(st, 200, "{m}");
    assert!(
        m["rows"].as_array().unwrap().is_empty(),
        "nothing written: {m}"
    );
    let (st, e) = pm
        .put(
            &format!("/api/v1/communities/{a}/rosters/2026-13"),
            json!({"team": "x"}),
        )
        .await;
    assert_eq!(
        (st.as_u16(), error_fields(&e)),
        (422, vec![("month".into(), "duty_invalid_month".into())])
    );
    // Back to back is fine: the morning and evening shifts of the 1st, the night of the 2nd.
    let body = json!({"team": "秩序维护部", "assignments": [
        cell(g1, d(1), "security_a"), cell(g1, d(1), "security_b"), cell(g1, d(2), "security_c"),
        cell(g2, d(2), "security_a"), cell(g2, d(3), "security_a"),
    ]});
    let (st, m) = pm.put(&path, body).await;
    assert_eq!(st, 200, "{m}");
    assert_eq!(m["rows"].as_array().map(Vec::len), Some(2));
    let gaps: Vec<(String, String, String)> = m["coverage"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["day"].as_str().unwrap().to_string(),
                c["shift_code"].as_str().unwrap().to_string(),
                c["flag"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    assert!(
        gaps.contains(&(d(1).to_string(), "security_c".into(), "gap".into())),
        "{gaps:?}"
    );
    assert!(
        !gaps
            .iter()
            .any(|g| g.0 == d(1).to_string() && g.1 == "security_a"),
        "{gaps:?}"
    );
    assert!(gaps.contains(&(d(2).to_string(), "security_b".into(), "gap".into())));
    // g1's row: the 1st holds two shifts, the 10th–12th are leave.
    let row = m["rows"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["user_id"] == g1.0)
        .unwrap();
    assert_eq!(row["days"][0], json!(["security_a", "security_b"]));
    assert_eq!(row["leave_days"], json!([10, 11, 12]));
    // A swap on the 2nd: g1 takes g2's morning, g2 takes g1's night shift.
    let (st, sw) = pm
        .post(
            &format!("/api/v1/communities/{a}/swaps"),
            json!({"day": d(2).to_string(), "user_a": g1.0, "user_b": g2.0, "reason": "家中有事"}),
        )
        .await;
    assert_eq!(st, 201, "{sw}");
    assert_eq!(
        (sw["shifts_a"].as_str(), sw["shifts_b"].as_str()),
        (Some("security_c"), Some("security_a"))
    );
    let (_, m) = pm.get(&format!("{path}?team=秩序维护部")).await;
    let day2 = |u: UserId| {
        m["rows"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["user_id"] == u.0)
            .unwrap()["days"][1]
            .clone()
    };
    assert_eq!(
        (day2(g1), day2(g2)),
        (json!(["security_a"]), json!(["security_c"]))
    );
    assert_eq!(m["swaps"].as_array().map(Vec::len), Some(1));
    // Into the leave: refused, named.
    let (st, e) = pm
        .post(
            &format!("/api/v1/communities/{a}/swaps"),
            json!({"day": d(11).to_string(), "user_a": g1.0, "user_b": g2.0}),
        )
        .await;
    assert_eq!(
        (st.as_u16(), error_fields(&e)),
        (422, vec![("user_a".into(), "duty_on_leave".into())])
    );
    // Copying into next month, once.
    let next = (first + Duration::days(40))
        .with_day(1)
        .unwrap()
        .format("%Y-%m")
        .to_string();
    let copy = format!("/api/v1/communities/{a}/rosters/{next}/copy");
    let (st, m) = pm.post(&copy, json!({"team": "秩序维护部"})).await;
    assert_eq!(st, 200, "{m}");
    assert_eq!(m["rows"].as_array().map(Vec::len), Some(2));
    let (st, e) = pm.post(&copy, json!({"team": "秩序维护部"})).await;
    assert_eq!(
        (st.as_u16(), e["code"].as_str()),
        (409, Some("duty_month_not_empty"))
    );
}

#[tokio::test]
async fn who_is_on_duty_now_reaches_the_desk_and_the_board() {
    let app = app().await;
    let a = app.community_a.0;
    let (_, pm) = staff(&app, "manager1", "project_manager").await;
    let (g1, guard) = staff(&app, "guard1", "security").await;
    pm.post(
        &format!("/api/v1/communities/{a}/shifts/defaults"),
        json!({}),
    )
    .await;
    // g1 on all three security shifts today and the evening shift of yesterday: whatever the
    // hour, one of them runs now.
    let t = today();
    let y = t - Duration::days(1);
    for day in [y, t] {
        let month = day.format("%Y-%m").to_string();
        let mut cells = vec![
            cell(g1, t, "security_a"),
            cell(g1, t, "security_b"),
            cell(g1, t, "security_c"),
        ];
        cells.push(cell(g1, y, "security_b"));
        let cells: Vec<Value> = cells
            .into_iter()
            .filter(|c| c["day"].as_str().unwrap().starts_with(&month))
            .collect();
        let (st, m) = pm
            .put(
                &format!("/api/v1/communities/{a}/rosters/{month}"),
                json!({"team": "秩序维护部", "assignments": cells}),
            )
            .await;
        assert_eq!(st, 200, "{m}");
        if y.month() == t.month() {
            break;
        }
    }
    let (st, now) = guard.get(&format!("/api/v1/communities/{a}/on-duty")).await;
    assert_eq!(st, 200, "{now}");
    let shifts = now["shifts"].as_array().unwrap();
    assert_eq!(shifts.len(), 1, "{now}");
    assert!(shifts[0]["code"].as_str().unwrap().starts_with("security_"));
    assert_eq!(shifts[0]["people"][0]["name"], "guard1姓名");
    // The public board shows him instead of the typed text.
    let (st, b) = pm.get(&format!("/api/v1/communities/{a}/board")).await;
    assert_eq!(st, 200, "{b}");
    let slug = b["slug"].as_str().unwrap().to_string();
    let (st, public) = app.api(None).get(&format!("/api/v1/boards/{slug}")).await;
    assert_eq!(st, 200, "{public}");
    assert_eq!(
        public["board"]["on_duty"][0]["name"], "guard1姓名",
        "{public}"
    );
    // On leave today: nobody on duty.
    let (st, _) = pm
        .post(
            &format!("/api/v1/communities/{a}/leaves"),
            json!({"user_id": g1.0, "starts_on": y.to_string(), "ends_on": t.to_string(), "kind": "sick"}),
        )
        .await;
    assert_eq!(st, 201);
    let (_, now) = guard.get(&format!("/api/v1/communities/{a}/on-duty")).await;
    assert!(now["shifts"].as_array().unwrap().is_empty(), "{now}");
    // An owner sees none of it.
    let owner = app.api_as("owner1", "owner", &[app.community_a]).await;
    let (st, _) = owner.get(&format!("/api/v1/communities/{a}/on-duty")).await;
    assert_eq!(st, 403);
}

#[tokio::test]
async fn an_item_not_closed_carries_over_to_the_next_handover_by_itself() {
    let app = app().await;
    let a = app.community_a.0;
    let (g1, guard1) = staff(&app, "guard1", "security").await;
    let (g2, guard2) = staff(&app, "guard2", "security").await;
    let (_, guard3) = staff(&app, "guard3", "security").await;
    let path = format!("/api/v1/communities/{a}/handovers");
    let (st, e) = guard1
        .post(&path, json!({"team": "秩序维护部", "incoming_id": g1.0}))
        .await;
    assert_eq!(
        (st.as_u16(), error_fields(&e)),
        (422, vec![("incoming_id".into(), "handover_to_self".into())])
    );
    let (st, e) = guard1
        .post(&path, json!({"team": " ", "incoming_id": g2.0}))
        .await;
    assert_eq!(
        (st.as_u16(), error_fields(&e)),
        (422, vec![("team".into(), "required".into())])
    );
    // An open incident is listed by itself.
    let (st, inc) = guard1
        .post(&format!("/api/v1/communities/{a}/incidents"),
              json!({"kind": "power_cut", "title": "2栋停电", "place": "2栋配电房", "severity": "minor"}))
        .await;
    assert_eq!(st, 201, "{inc}");
    let (st, h1) = guard1
        .post(&path, json!({"team": "秩序维护部", "incoming_id": g2.0, "lines": ["钥匙A借出给装修工人", "  ", "监控室空调异响"]}))
        .await;
    assert_eq!(st, 201, "{h1}");
    let items = h1["items"].as_array().unwrap();
    let texts: Vec<&str> = items.iter().map(|i| i["text"].as_str().unwrap()).collect();
    assert_eq!(items.len(), 3, "{texts:?}");
    assert_eq!(items[0]["kind"], "incident");
    assert_eq!(items[0]["source_ref"], format!("incident:{}", inc["id"]));
    assert_eq!(
        (items[1]["kind"].as_str(), texts[1]),
        (Some("note"), "钥匙A借出给装修工人")
    );
    // The outgoing person closes the air conditioner: it was dealt with.
    let aircon = items[2]["id"].as_i64().unwrap();
    let (st, h) = guard1
        .post(&format!("/api/v1/handover-items/{aircon}/close"), json!({}))
        .await;
    assert_eq!(st, 200, "{h}");
    assert_eq!(h["open_items"], 2);
    let (st, e) = guard1
        .post(&format!("/api/v1/handover-items/{aircon}/close"), json!({}))
        .await;
    assert_eq!(
        (st.as_u16(), e["code"].as_str()),
        (409, Some("handover_item_closed"))
    );
    // Only the incoming person signs, once.
    let h1id = h1["id"].as_i64().unwrap();
    let (st, e) = guard3
        .post(&format!("/api/v1/handovers/{h1id}/sign"), json!({}))
        .await;
    assert_eq!(
        (st.as_u16(), e["code"].as_str()),
        (409, Some("handover_not_incoming"))
    );
    let (st, h) = guard2
        .post(&format!("/api/v1/handovers/{h1id}/sign"), json!({}))
        .await;
    assert_eq!(st, 200, "{h}");
    assert_eq!(h["state"], "signed");
    assert!(h["signed_at"].is_string());
    let (st, e) = guard2
        .post(&format!("/api/v1/handovers/{h1id}/sign"), json!({}))
        .await;
    assert_eq!(
        (st.as_u16(), e["code"].as_str()),
        (409, Some("handover_already_signed"))
    );
    // Signed: no more changes.
    let key = items[1]["id"].as_i64().unwrap();
    let (st, _) = guard1
        .post(&format!("/api/v1/handover-items/{key}/close"), json!({}))
        .await;
    assert_eq!(st, 409);
    // The next handover of the post: the key and the incident carried over by themselves (the
    // incident once, though the system lists it too), the air conditioner not.
    let (st, h2) = guard2
        .post(&path, json!({"team": "秩序维护部", "incoming_id": g1.0}))
        .await;
    assert_eq!(st, 201, "{h2}");
    let items2 = h2["items"].as_array().unwrap();
    let texts2: Vec<&str> = items2.iter().map(|i| i["text"].as_str().unwrap()).collect();
    assert_eq!(items2.len(), 2, "{texts2:?}");
    assert!(texts2.contains(&"钥匙A借出给装修工人"));
    assert!(!texts2.contains(&"监控室空调异响"));
    let carried = items2
        .iter()
        .find(|i| i["text"] == "钥匙A借出给装修工人")
        .unwrap();
    assert_eq!(carried["carried_from"].as_i64(), Some(key));
    assert_eq!(carried["state"], "open");
    // Another team's post starts fresh (only what the system lists).
    let (_, h3) = guard1
        .post(&path, json!({"team": "客服前台", "incoming_id": g2.0}))
        .await;
    assert_eq!(h3["items"].as_array().map(Vec::len), Some(1), "{h3}");
    let (st, list) = guard3.get(&format!("{path}?team=秩序维护部")).await;
    assert_eq!((st.as_u16(), list.as_array().map(Vec::len)), (200, Some(2)));
    let owner = app.api_as("owner1", "owner", &[app.community_a]).await;
    let (st, _) = owner.get(&path).await;
    assert_eq!(st, 403);
}

#[tokio::test]
async fn a_handover_lists_patrol_findings_and_equipment_needing_attention() {
    use super::patrols::{current_round, generate_today, scan, secret};
    let app = app().await;
    let a = app.community_a.0;
    let pm = app
        .api_as("pm_handover", "project_manager", &[app.community_a])
        .await;
    let (g1, guard1) = staff(&app, "guard1", "security").await;
    let (g2, _) = staff(&app, "guard2", "security").await;
    let (st, pump) = pm
        .post(
            &format!("/api/v1/communities/{a}/equipment"),
            json!({"system": "water", "code": "SB-01", "name": "生活水泵", "location": "地下泵房",
                   "status": "abnormal"}),
        )
        .await;
    assert_eq!(st, 201, "{pump}");
    let (st, k) = pm
        .post(
            &format!("/api/v1/communities/{a}/patrol-checkpoints"),
            json!({"name": "水泵房", "location": "地下一层", "items": [{"kind": "ok", "label": "设备运行"}]}),
        )
        .await;
    assert_eq!(st, 201, "{k}");
    let (kid, item) = (
        k["id"].as_i64().unwrap(),
        k["items"][0]["id"].as_i64().unwrap(),
    );
    let (st, r) = pm
        .post(
            &format!("/api/v1/communities/{a}/patrol-routes"),
            json!({"name": "泵房巡检", "kind": "engineering", "checkpoint_ids": [kid]}),
        )
        .await;
    assert_eq!(st, 201, "{r}");
    let (st, p) = pm
        .post(
            &format!("/api/v1/communities/{a}/patrol-plans"),
            json!({"route_id": r["id"], "name": "泵房每小时", "frequency": "hourly", "every_hours": 1,
                   "window_start": "00:00", "window_end": "00:00", "people": [g1.0]}),
        )
        .await;
    assert_eq!(st, 201, "{p}");
    generate_today(&pm, a).await;
    let task = current_round(&guard1).await["task"]["id"].as_i64().unwrap();
    let code = format!("WYP:{kid}:{}", secret(&app, kid).await);
    let (st, v) = guard1
        .post(
            "/api/v1/patrol/sync",
            json!({"sent_at": Utc::now().to_rfc3339(), "scans": [
                scan("handover-find-1", task, &code, Utc::now(), json!([{"item_id": item, "ok": false}]))]}),
        )
        .await;
    assert_eq!(
        (st.as_u16(), &v["outcomes"][0]["status"]),
        (200, &json!("recorded")),
        "{v}"
    );
    let (_, f) = pm
        .get(&format!(
            "/api/v1/communities/{a}/patrol-findings?open=true"
        ))
        .await;
    let finding = f[0]["id"].as_i64().expect("a finding");

    let path = format!("/api/v1/communities/{a}/handovers");
    let (st, h) = guard1
        .post(&path, json!({"team": "工程部", "incoming_id": g2.0}))
        .await;
    assert_eq!(st, 201, "{h}");
    let items = h["items"].as_array().unwrap();
    let of = |kind: &str| -> Vec<(String, String)> {
        items
            .iter()
            .filter(|i| i["kind"] == kind)
            .map(|i| {
                (
                    i["source_ref"].as_str().unwrap_or("").to_string(),
                    i["text"].as_str().unwrap_or("").to_string(),
                )
            })
            .collect()
    };
    let found = of("finding");
    assert_eq!(found.len(), 1, "{items:?}");
    assert_eq!(found[0].0, format!("finding:{finding}"));
    assert!(
        found[0].1.contains("水泵房") && found[0].1.contains("设备运行"),
        "{found:?}"
    );
    let equipment = of("equipment");
    assert_eq!(equipment.len(), 1, "{items:?}");
    assert_eq!(equipment[0].0, format!("equipment:{}", pump["id"]));
    assert!(
        equipment[0].1.contains("生活水泵") && equipment[0].1.contains("运行异常"),
        "{equipment:?}"
    );

    // Turned into a request, the finding is the request's business: another post's handover
    // lists the request and no longer the finding.
    let (st, req) = guard1
        .post(
            &format!("/api/v1/communities/{a}/patrol-findings/{finding}/request"),
            json!({}),
        )
        .await;
    assert_eq!(st, 201, "{req}");
    let (_, h2) = guard1
        .post(&path, json!({"team": "秩序维护部", "incoming_id": g2.0}))
        .await;
    let kinds: Vec<&str> = h2["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["kind"].as_str().unwrap_or(""))
        .collect();
    assert!(
        !kinds.contains(&"finding") && kinds.contains(&"request"),
        "{h2}"
    );
}
