//! Role × community isolation, generated from the OpenAPI document: every operation that names a
//! community or an entity (a path id, a `…_id` query parameter or body property) is tried by
//! each role, assigned to community A (an owner: living in A), against community B's ids. None
//! may answer 2xx (or 409, which would tell B's state): a new route is probed the day it is
//! documented, and a parameter this test cannot fill fails it, so none is forgotten.

use std::collections::BTreeMap;

use serde_json::{Value, json};
use wuye_testkit::{Api, TestApp};

use crate::{app, new_unit};

/// Community B's entities, by the name a path segment or a property gives them.
struct Other {
    ids: BTreeMap<&'static str, i64>,
}

impl Other {
    fn id(&self, what: &str) -> i64 {
        *self
            .ids
            .get(what)
            .unwrap_or_else(|| panic!("no entity of B for `{what}`: add it to the fixture"))
    }

    /// The entity a path parameter names: the segment before it says which. `None` for what
    /// belongs to the company rather than a community (a calendar day, a role, a user account):
    /// there is no other community's one to try.
    fn for_path(&self, segments: &[&str], i: usize) -> Option<String> {
        let name = segments[i].trim_matches(|c| c == '{' || c == '}');
        let before = if i > 0 { segments[i - 1] } else { "" };
        let what = match (before, name) {
            ("calendar", _) | ("roles", _) | ("users", _) => return None,
            // A user's own inbox (another's message id changes nothing) and the company's
            // wording of an event.
            ("notifications", _) | ("templates", _) | ("{event}", _) => return None,
            ("outbox", _) => "outbox_message",
            // A board's public address: public by design, no community's secret.
            ("boards", _) => return None,
            ("announcements", _) => "announcement",
            ("attachments", _) => "attachment",
            ("activities", _) => "activity",
            ("signups", _) => "signup",
            (_, "link_id") => "link",
            (_, "photo") => "photo",
            ("communities", _) => "community",
            ("buildings", _) => "building",
            ("units", _) => "unit",
            ("people", _) => "person",
            ("vehicles", _) => "vehicle",
            ("parking-spaces", _) => "space",
            ("requests", _) => "request",
            ("hotline-calls", _) => "call",
            ("teams", _) => "team",
            ("charge-standards", _) => "standard",
            ("charges", _) => "charge",
            ("payments", _) | ("receipts", _) => "payment",
            ("meter-readings", _) => "reading",
            ("deposits", _) => "deposit",
            ("tokens", _) => "token",
            ("surveys", _) => "survey",
            ("opinions", _) => "opinion",
            ("patrol-checkpoints", _) => "checkpoint",
            ("patrol-routes", _) => "patrol_route",
            ("patrol-plans", _) => "patrol_plan",
            ("patrol-tasks", _) => "patrol_task",
            ("patrol-findings", _) => "finding",
            // A photo's id is the phone's (digits only in the fixture).
            ("patrol-photos", _) => "patrol_photo",
            // A roster's month is a date, no record; plans are the company's, read by all its
            // communities.
            ("rosters", _) | ("emergency-plans", _) => return None,
            ("shifts", _) => "shift",
            ("leaves", _) => "leave",
            ("handovers", _) => "handover",
            ("handover-items", _) => "handover_item",
            ("incidents", _) => "incident",
            ("steps", _) => "step",
            ("drills", _) => "drill",
            ("equipment", _) => "equipment",
            ("maintenance-plans", _) => "plan",
            ("maintenance-orders", _) => "order",
            ("machine-rooms", _) => "machine_room",
            ("visits", _) => "visit",
            ("cctv", _) => "cctv",
            ("key-cabinets", _) => "key_cabinet",
            ("keys", _) => "key",
            ("key-authorisations", _) => "key_authorisation",
            ("parcels", _) => "parcel",
            ("visitors", _) => "visit_record",
            ("visitor-passes", _) => "visitor_pass",
            ("lend-items", _) => "lend_item",
            ("item-loans", _) => "item_loan",
            ("releases", _) => "release_slip",
            ("venues", _) => "venue",
            ("venue-bookings", _) => "venue_booking",
            ("move-outs", _) => "move_out",
            ("desk-services", _) => "desk_service",
            ("after-hours-permits", _) => "after_hours_permit",
            ("decorations", _) => "decoration",
            ("move-ins", _) => "move_in",
            ("warranty-items", _) => "warranty_item",
            ("decoration-violations", _) => "decoration_violation",
            ("periodicals", _) => "periodical",
            ("periodical-subscriptions", _) => "periodical_subscription",
            ("periodical-issues", _) => "periodical_issue",
            ("periodical-deliveries", _) => "periodical_delivery",
            ("audits", _) => "audit",
            ("items", _) => "audit_item",
            ("rectifications", _) => "rectification",
            ("quality-campaigns", _) => "campaign",
            ("campaign-tasks", _) => "campaign_task",
            // The company's sheets and scorecards serve every community of it.
            ("audit-sheets", _) | ("kpi-scorecards", _) => return None,
            // A tag's code after a community's id: the community is B's already.
            ("by-code", _) | ("by-number", _) => return None,
            (b, n) => panic!("path parameter {n} after /{b}/: map it to an entity of B"),
        };
        Some(self.id(what).to_string())
    }

    /// The entity a `…_id` / `…_ids` property or query parameter names.
    fn for_name(&self, name: &str) -> Option<i64> {
        let what = match name {
            "community_id" | "community_ids" => "community",
            "building_id" | "building_ids" => "building",
            "unit_id" => "unit",
            "person_id" => "person",
            "space_id" => "space",
            "fee_item_id" => "fee_item",
            "standard_id" => "standard",
            "charge_ids" => "charge",
            "meter_id" => "meter",
            "team_id" => "team",
            "survey_id" => "survey",
            "route_id" => "patrol_route",
            "task_id" => "patrol_task",
            "checkpoint_ids" => "checkpoint",
            "cashier_id" | "supervisor_id" | "assignee_id" | "member_ids" | "keeper_user_id"
            | "actor" | "user_id" | "incoming_id" | "user_a" | "user_b" | "keeper_id"
            | "borrower_user_id" => "user",
            "unit_ids" => "unit",
            // A maintenance plan of B (an incident's plan_id names a company-wide emergency plan:
            // B's maintenance plan id is as foreign to A there).
            "plan_id" => "plan",
            "equipment_id" | "parent_id" => "equipment",
            "room_id" => "machine_room",
            "cabinet_id" => "key_cabinet",
            "key_id" => "key",
            "authorisation_id" => "key_authorisation",
            "item_id" => "lend_item",
            "venue_id" => "venue",
            "decoration_id" => "decoration",
            "periodical_id" => "periodical",
            "sheet_id" => return None,
            "audit_id" => "audit",
            "inspection_id" => "decoration_inspection",
            "person_ids" => "person",
            "depositor_id" | "recipient_id" | "host_person_id" | "applicant_id" | "owner_id" => {
                "person"
            }
            "entity_id" | "before_id" | "after_id" => return None,
            n if n.ends_with("_id") || n.ends_with("_ids") => {
                panic!("`{n}` names an entity: map it to one of B")
            }
            _ => return None,
        };
        Some(self.id(what))
    }
}

/// A plausible value for a required property that names no entity, so that a probe reaches the
/// service's scope check rather than stopping at a missing field.
fn plausible(name: &str, schema: &Value) -> Value {
    let by_name = match name {
        "kind" => json!("repair_unit"),
        "category" => json!("water"),
        "channel" => json!("front_desk"),
        "method" => json!("cash"),
        "amount" | "price" => json!("10.00"),
        "period" => json!("2026-07"),
        "date" | "spent_on" | "inspected_on" | "due_date" => json!("2026-07-01"),
        "relation" => json!("owner"),
        "state" => json!("vacant"),
        "action" => json!("dispatch"),
        "satisfaction" => json!("satisfied"),
        "clock" => json!("respond"),
        "readings" => json!([]),
        _ => Value::Null,
    };
    if !by_name.is_null() {
        return by_name;
    }
    match schema["type"].as_str() {
        Some("integer") | Some("number") => json!(1),
        Some("boolean") => json!(false),
        Some("array") => json!([]),
        Some("object") => json!({}),
        _ => json!("测试"),
    }
}

/// A plausible value for a required query parameter that names no entity.
fn plausible_query(name: &str, schema: &Value) -> &'static str {
    let integer = schema["type"] == "integer";
    match name {
        "year" => "2026",
        "quarter" if integer => "3",
        "quarter" => "2026-Q3",
        "period" => "2026-07",
        "from" => "2026-07-01",
        "to" => "2026-07-31",
        "report" => "collection",
        "q" => "101",
        _ if integer => "1",
        _ => "x",
    }
}

/// The schema behind a `$ref` (one level, as the document's components are flat).
fn resolve<'a>(doc: &'a Value, s: &'a Value) -> &'a Value {
    match s["$ref"].as_str() {
        Some(r) => &doc["components"]["schemas"][r.rsplit('/').next().unwrap_or("")],
        None => s,
    }
}

/// One probe: method, concrete path, JSON body (None: no body).
struct Probe {
    method: String,
    path: String,
    body: Option<Value>,
}

/// Every probe the document calls for; operations that name nothing of a community are left out.
fn probes(doc: &Value, b: &Other) -> Vec<Probe> {
    let mut out = Vec::new();
    let paths = doc["paths"].as_object().expect("paths");
    for (template, item) in paths {
        for (method, op) in item.as_object().expect("path item") {
            let segments: Vec<&str> = template.split('/').collect();
            let mut names_b = false;
            let mut path = Vec::new();
            for (i, s) in segments.iter().enumerate() {
                if s.starts_with('{') {
                    match b.for_path(&segments, i) {
                        Some(id) => {
                            names_b = true;
                            path.push(id);
                        }
                        None => path.push("1".into()),
                    }
                } else {
                    path.push(s.to_string());
                }
            }
            let mut path = path.join("/");
            let mut query = Vec::new();
            for p in op["parameters"].as_array().into_iter().flatten() {
                if p["in"] != "query" {
                    continue;
                }
                let name = p["name"].as_str().unwrap_or("");
                if let Some(id) = b.for_name(name) {
                    names_b = true;
                    query.push(format!("{name}={id}"));
                } else if p["required"] == true {
                    query.push(format!("{name}={}", plausible_query(name, &p["schema"])));
                }
            }
            if !query.is_empty() {
                path = format!("{path}?{}", query.join("&"));
            }
            let mut body = None;
            if let Some(schema) = op["requestBody"]["content"]["application/json"]["schema"]
                .as_object()
                .map(|_| &op["requestBody"]["content"]["application/json"]["schema"])
            {
                let schema = resolve(doc, schema);
                let required: Vec<&str> = schema["required"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .filter_map(Value::as_str)
                    .collect();
                let mut obj = serde_json::Map::new();
                for (name, prop) in schema["properties"].as_object().into_iter().flatten() {
                    if let Some(id) = b.for_name(name) {
                        names_b = true;
                        let v = if name.ends_with("_ids") {
                            json!([id])
                        } else {
                            json!(id)
                        };
                        obj.insert(name.clone(), v);
                    } else if required.contains(&name.as_str()) {
                        obj.insert(name.clone(), plausible(name, resolve(doc, prop)));
                    }
                }
                body = Some(Value::Object(obj));
            }
            if names_b {
                out.push(Probe {
                    method: method.to_uppercase(),
                    path,
                    body,
                });
            }
        }
    }
    out
}

async fn send(api: &Api, p: &Probe) -> (u16, Value) {
    let url = format!("{}{}", api.base, p.path);
    let method = reqwest::Method::from_bytes(p.method.as_bytes()).expect("method");
    let mut r = api.client.request(method, url);
    if let Some(t) = &api.token {
        r = r.bearer_auth(t);
    }
    if let Some(b) = &p.body {
        r = r.json(b);
    }
    let (st, v) = api.send(r).await;
    (st.as_u16(), v)
}

/// Community B holds one of everything, made by the company admin.
async fn fill_b(app: &TestApp, admin: &Api) -> Other {
    let c = app.community_b.0;
    let mut ids = BTreeMap::new();
    ids.insert("community", c);
    ids.insert("building", app.building_b.0);
    let unit = new_unit(admin, app.building_b.0, "B101").await;
    ids.insert("unit", unit);
    let id = |v: &Value, what: &str| v["id"].as_i64().unwrap_or_else(|| panic!("{what}: {v}"));
    let (_, p) = admin
        .post(
            "/api/v1/people",
            json!({"community_id": c, "name": "乙业主", "unit_id": unit, "relation": "owner"}),
        )
        .await;
    ids.insert("person", id(&p, "person"));
    let (_, u) = admin.get(&format!("/api/v1/units/{unit}")).await;
    let link = u["people"][0]["link_id"]
        .as_i64()
        .unwrap_or_else(|| panic!("link: {u}"));
    ids.insert("link", link);
    let (_, v) = admin
        .post(
            "/api/v1/vehicles",
            json!({"community_id": c, "plate": "沪B12345", "unit_id": unit}),
        )
        .await;
    ids.insert("vehicle", id(&v, "vehicle"));
    let (_, s) = admin
        .post(
            "/api/v1/parking-spaces",
            json!({"community_id": c, "code": "B-001", "state": "vacant"}),
        )
        .await;
    ids.insert("space", id(&s, "space"));
    let (_, r) = admin
        .post(
            "/api/v1/requests",
            json!({"community_id": c, "kind": "repair_unit", "category": "water",
                   "channel": "front_desk", "unit_id": unit, "description": "乙小区漏水"}),
        )
        .await;
    let request = id(&r, "request");
    ids.insert("request", request);
    let mut jpeg = vec![0xFF, 0xD8, 0xFF, 0xE0];
    jpeg.extend_from_slice(&[7u8; 64]);
    let (_, ph) = admin
        .post_raw(
            &format!("/api/v1/requests/{request}/photos"),
            "image/jpeg",
            jpeg,
        )
        .await;
    ids.insert("photo", id(&ph, "photo"));
    let (_, call) = admin
        .post(
            "/api/v1/hotline-calls",
            json!({"community_id": c, "content": "乙小区来电"}),
        )
        .await;
    ids.insert("call", id(&call, "call"));
    let (_, t) = admin
        .post(
            &format!("/api/v1/communities/{c}/teams"),
            json!({"community_id": c, "name": "乙班组"}),
        )
        .await;
    ids.insert("team", id(&t, "team"));
    let (_, item) = admin
        .put(
            "/api/v1/fee-items",
            json!({"community_id": c, "code": "WYF", "name": "物业费", "kind": "property"}),
        )
        .await;
    ids.insert("fee_item", id(&item, "fee item"));
    let (_, std) = admin
        .post(
            "/api/v1/charge-standards",
            json!({"community_id": c, "fee_item_id": item["id"], "name": "乙水费", "method": "meter",
                   "price": "3.00", "due_day": 20}),
        )
        .await;
    ids.insert("standard", id(&std, "standard"));
    let (_, m) = admin
        .post(
            "/api/v1/meters",
            json!({"unit_id": unit, "kind": "water", "standard_id": std["id"], "initial_value": "1"}),
        )
        .await;
    let meter = id(&m, "meter");
    ids.insert("meter", meter);
    let (_, rd) = admin
        .post(
            "/api/v1/meter-readings",
            json!({"community_id": c, "period": "2026-07",
                   "readings": [{"meter_id": meter, "value": "11", "confirm": false}]}),
        )
        .await;
    ids.insert("reading", id(&rd[0], "reading"));
    let (_, ch) = admin
        .post(
            "/api/v1/charges",
            json!({"unit_id": unit, "fee_item_id": item["id"], "description": "乙临时费",
                   "amount": "50.00", "due_date": "2026-07-01", "reason": "测试"}),
        )
        .await;
    ids.insert("charge", id(&ch, "charge"));
    let (_, pay) = admin
        .post(
            "/api/v1/payments",
            json!({"unit_id": unit, "method": "cash", "amount": "20.00", "payer": "乙业主"}),
        )
        .await;
    ids.insert(
        "payment",
        pay["payment"]["id"]
            .as_i64()
            .or_else(|| pay["id"].as_i64())
            .unwrap_or_else(|| panic!("payment: {pay}")),
    );
    let (_, dep) = admin
        .post(
            "/api/v1/deposits",
            json!({"unit_id": unit, "kind": "decoration", "amount": "100", "payer": "乙业主"}),
        )
        .await;
    ids.insert("deposit", id(&dep, "deposit"));
    // A message of B's outbox (no channel is set up here, so it is written by hand).
    let mut tx = app.core.db.begin().await.expect("begin");
    let m = tx
        .insert_id(
            "INSERT INTO outbox (community_id, event, channel, address_enc, subject, body, params, \
             emergency, state, attempts, due_at, created_at) VALUES ($1, 'sla_breach', 'email', $2, \
             '已超时', '乙小区', '[]', $3, 'failed', 1, $4, $4) RETURNING id",
            wuye_core::args![
                app.community_b,
                app.core.crypto.encrypt("b@wuye.test"),
                false,
                chrono::Utc::now()
            ],
        )
        .await
        .expect("an outbox row");
    tx.commit().await.expect("commit");
    ids.insert("outbox_message", m);
    // A published notice of B with an attachment.
    let (_, an) = admin
        .post(
            &format!("/api/v1/communities/{c}/announcements"),
            json!({"scope": "community", "category": "notice", "title": "乙小区通知", "body": "乙"}),
        )
        .await;
    let notice = id(&an, "announcement");
    let (_, f) = admin
        .send(
            admin
                .client
                .post(format!(
                    "{}/api/v1/announcements/{notice}/attachments?name=a.pdf",
                    app.base
                ))
                .bearer_auth(admin.token.clone().unwrap_or_default())
                .body(b"%PDF-1.4\n%%EOF\n".to_vec()),
        )
        .await;
    ids.insert("attachment", id(&f, "attachment"));
    admin
        .post(
            &format!("/api/v1/announcements/{notice}/publish"),
            json!({}),
        )
        .await;
    ids.insert("announcement", notice);
    // An open activity of B with a sign-up of B's owner.
    let start = chrono::Utc::now() + chrono::Duration::days(5);
    let (_, act) = admin
        .post(
            &format!("/api/v1/communities/{c}/activities"),
            json!({"title": "乙小区活动", "aim": "联谊", "place": "会所", "starts_at": start.to_rfc3339(),
                   "ends_at": (start + chrono::Duration::hours(2)).to_rfc3339(), "capacity": 10}),
        )
        .await;
    let activity = id(&act, "activity");
    admin
        .post(&format!("/api/v1/activities/{activity}/open"), json!({}))
        .await;
    let owner_b = app.api_as("iso_owner_b", "owner", &[app.community_b]).await;
    owner_b
        .post(
            &format!("/api/v1/portal/activities/{activity}/signup"),
            json!({}),
        )
        .await;
    let (_, signups) = admin
        .get(&format!("/api/v1/activities/{activity}/signups"))
        .await;
    ids.insert("activity", activity);
    ids.insert("signup", id(&signups[0], "signup"));
    // A survey of B, published, with an owner's comment: an opinion of B.
    let (_, sv) = admin
        .post(
            &format!("/api/v1/communities/{c}/surveys"),
            json!({"title": "乙小区调查", "audience": "owners", "opens_on": "2026-01-01",
                   "closes_on": "2099-12-31", "questions": [{"kind": "text", "text": "意见"}]}),
        )
        .await;
    let survey = id(&sv, "survey");
    ids.insert("survey", survey);
    let (_, sv) = admin
        .post(&format!("/api/v1/surveys/{survey}/open"), json!({}))
        .await;
    let b_owner = app.api_as("b_owner", "owner", &[app.community_b]).await;
    let (_, mine) = b_owner
        .put(
            &format!("/api/v1/portal/surveys/{survey}/response"),
            json!({"answers": [{"question_id": sv["questions"][0]["id"], "text": "乙小区的意见"}]}),
        )
        .await;
    assert!(mine["answered_at"].is_string(), "{mine}");
    let (_, ops) = admin
        .get(&format!("/api/v1/opinions?community_id={c}"))
        .await;
    ids.insert("opinion", id(&ops[0], "opinion"));
    // Patrols of B: a checkpoint, its route and plan, a task walked with a finding, a photo.
    let (_, k) = admin
        .post(
            &format!("/api/v1/communities/{c}/patrol-checkpoints"),
            json!({"name": "乙泵房", "items": [{"kind": "ok", "label": "运行"}]}),
        )
        .await;
    let checkpoint = id(&k, "checkpoint");
    ids.insert("checkpoint", checkpoint);
    let (_, r) = admin
        .post(
            &format!("/api/v1/communities/{c}/patrol-routes"),
            json!({"name": "乙路线", "kind": "security", "checkpoint_ids": [checkpoint]}),
        )
        .await;
    ids.insert("patrol_route", id(&r, "route"));
    let (_, me) = admin.get("/api/v1/me").await;
    let (_, pl) = admin
        .post(
            &format!("/api/v1/communities/{c}/patrol-plans"),
            json!({"route_id": id(&r, "route"), "name": "乙巡检", "frequency": "daily",
                   "window_start": "00:00", "window_end": "00:00", "people": [id(&me, "me")]}),
        )
        .await;
    ids.insert("patrol_plan", id(&pl, "plan"));
    let today = chrono::Utc::now()
        .with_timezone(&chrono_tz::Asia::Shanghai)
        .date_naive()
        .to_string();
    let (_, _) = admin
        .post(
            &format!("/api/v1/communities/{c}/patrol-tasks/generate"),
            json!({"from": today, "to": today}),
        )
        .await;
    let (_, tasks) = admin
        .get(&format!("/api/v1/communities/{c}/patrol-tasks"))
        .await;
    let task = id(&tasks[0], "task");
    ids.insert("patrol_task", task);
    let (secret,): (String,) = app
        .core
        .db
        .read()
        .fetch_one(
            "SELECT secret FROM patrol_checkpoints WHERE id = $1",
            wuye_core::args![checkpoint],
        )
        .await
        .expect("secret");
    let item = k["items"][0]["id"].clone();
    let (_, synced) = admin
        .post(
            "/api/v1/patrol/sync",
            json!({"sent_at": chrono::Utc::now().to_rfc3339(), "scans": [{
                "client_id": "iso-b-scan-1", "task_id": task, "method": "code",
                "code": format!("WYP:{checkpoint}:{secret}"), "device_at": chrono::Utc::now().to_rfc3339(),
                "results": [{"item_id": item, "ok": false}]}]}),
        )
        .await;
    assert_eq!(synced["outcomes"][0]["status"], "recorded", "{synced}");
    let (_, f) = admin
        .get(&format!("/api/v1/communities/{c}/patrol-findings"))
        .await;
    ids.insert("finding", id(&f[0], "finding"));
    let png = vec![0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 0];
    let (st, ph) = admin
        .post_raw(
            &format!("/api/v1/patrol/photos?task_id={task}&client_id=87654321"),
            "image/png",
            png,
        )
        .await;
    assert_eq!(st, 200, "{ph}");
    ids.insert("patrol_photo", 87654321);
    // Equipment of B: an item, a plan with an order done (so an acceptance would succeed), a
    // machine room with a visit, a CCTV system.
    let (_, eq) = admin
        .post(
            &format!("/api/v1/communities/{c}/equipment"),
            json!({"system": "generator", "code": "B-FD", "name": "乙小区发电机"}),
        )
        .await;
    let equipment = id(&eq, "equipment");
    ids.insert("equipment", equipment);
    let (_, pl) = admin
        .post(
            &format!("/api/v1/communities/{c}/maintenance-plans"),
            json!({"equipment_id": equipment, "title": "试运行", "frequency": "months", "start_on": "2026-01-01"}),
        )
        .await;
    ids.insert("plan", id(&pl, "plan"));
    admin
        .post(
            &format!("/api/v1/communities/{c}/maintenance/run"),
            json!({"as_of": "2026-01-01"}),
        )
        .await;
    let (_, os) = admin
        .get(&format!("/api/v1/communities/{c}/maintenance-orders"))
        .await;
    let order = id(&os[0], "order");
    ids.insert("order", order);
    admin
        .post(
            &format!("/api/v1/maintenance-orders/{order}/complete"),
            json!({"materials": "无", "labour": "1 人"}),
        )
        .await;
    let (_, room) = admin
        .post(
            &format!("/api/v1/communities/{c}/machine-rooms"),
            json!({"kind": "power", "name": "乙配电房"}),
        )
        .await;
    let room = id(&room, "machine room");
    ids.insert("machine_room", room);
    let (_, visit) = admin
        .post(
            &format!("/api/v1/machine-rooms/{room}/visits"),
            json!({"visitor": "王", "purpose": "检修"}),
        )
        .await;
    ids.insert("visit", id(&visit, "visit"));
    let (_, cctv) = admin
        .post(
            &format!("/api/v1/communities/{c}/cctv"),
            json!({"name": "乙监控", "retention_days": 30}),
        )
        .await;
    ids.insert("cctv", id(&cctv, "cctv"));
    // Staff of B only, and an API token that is not the prober's.
    let b_user = app.user("b_tech", "technician", &[app.community_b]).await;
    ids.insert("user", b_user.0);
    // B's duty and incident records: a shift, a leave, a handover and its item, an incident and
    // its step, a drill.
    let (_, sh) = admin
        .post(
            &format!("/api/v1/communities/{c}/shifts/defaults"),
            json!({}),
        )
        .await;
    ids.insert("shift", id(&sh[0], "shift"));
    let (_, lv) = admin
        .post(
            &format!("/api/v1/communities/{c}/leaves"),
            json!({"user_id": b_user.0, "starts_on": "2026-07-01", "ends_on": "2026-07-02", "kind": "annual"}),
        )
        .await;
    ids.insert("leave", id(&lv, "leave"));
    let (_, ho) = admin
        .post(
            &format!("/api/v1/communities/{c}/handovers"),
            json!({"team": "秩序维护部", "incoming_id": b_user.0, "lines": ["乙小区交接"]}),
        )
        .await;
    ids.insert("handover", id(&ho, "handover"));
    ids.insert("handover_item", id(&ho["items"][0], "handover item"));
    let (_, inc) = admin
        .post(
            &format!("/api/v1/communities/{c}/incidents"),
            json!({"kind": "fire", "title": "乙小区火情", "place": "1栋", "severity": "minor"}),
        )
        .await;
    ids.insert("incident", id(&inc, "incident"));
    ids.insert("step", id(&inc["steps"][0], "step"));
    let (_, dr) = admin
        .post(
            &format!("/api/v1/communities/{c}/drills"),
            json!({"plan_id": inc["plan_id"], "held_on": "2026-07-01", "place": "1栋", "participants": "乙",
                   "findings": "正常"}),
        )
        .await;
    ids.insert("drill", id(&dr, "drill"));
    // B's key ledger: a cabinet kept by B's staff, an owner's deposited key with an
    // authorisation.
    let (_, cab) = admin
        .post(
            &format!("/api/v1/communities/{c}/key-cabinets"),
            json!({"name": "乙钥匙柜", "keeper_id": b_user.0}),
        )
        .await;
    ids.insert("key_cabinet", id(&cab, "key cabinet"));
    let (_, key) = admin
        .post(
            &format!("/api/v1/communities/{c}/keys"),
            json!({"cabinet_id": cab["id"], "position": "1", "code": "B-K1", "kind": "unit",
                   "unit_id": unit, "depositor_id": ids["person"]}),
        )
        .await;
    let key_id = id(&key, "key");
    ids.insert("key", key_id);
    let (_, key) = admin
        .post(
            &format!("/api/v1/keys/{key_id}/authorisations"),
            json!({"person_name": "乙", "how": "written"}),
        )
        .await;
    ids.insert(
        "key_authorisation",
        id(&key["authorisations"][0], "authorisation"),
    );
    let (_, parcel) = admin
        .post(
            &format!("/api/v1/communities/{c}/parcels"),
            json!({"carrier": "顺丰", "tracking_no": "SF-B-1", "unit_id": unit, "recipient_id": ids["person"]}),
        )
        .await;
    ids.insert("parcel", id(&parcel, "parcel"));
    let (_, visit) = admin
        .post(
            &format!("/api/v1/communities/{c}/visitors"),
            json!({"visitor_name": "乙访客", "unit_id": unit, "host_person_id": ids["person"]}),
        )
        .await;
    ids.insert("visit_record", id(&visit, "visit"));
    let now = chrono::Utc::now();
    let (_, pass) = admin
        .post(
            &format!("/api/v1/communities/{c}/visitor-passes"),
            json!({"kind": "temporary", "visitor_name": "乙临时", "valid_from": now.to_rfc3339(),
                   "valid_until": (now + chrono::Duration::days(3)).to_rfc3339()}),
        )
        .await;
    ids.insert("visitor_pass", id(&pass, "visitor pass"));
    let (_, item) = admin
        .post(
            &format!("/api/v1/communities/{c}/lend-items"),
            json!({"name": "乙雨伞", "stock": 5}),
        )
        .await;
    let item_id = id(&item, "lend item");
    ids.insert("lend_item", item_id);
    let (_, loan) = admin
        .post(
            &format!("/api/v1/lend-items/{item_id}/lend"),
            json!({"borrower_name": "乙借用人"}),
        )
        .await;
    ids.insert("item_loan", id(&loan, "item loan"));
    let (_, slip) = admin
        .post(
            &format!("/api/v1/communities/{c}/releases"),
            json!({"unit_id": unit, "applicant_id": ids["person"], "items": "乙沙发",
                   "planned_at": (now + chrono::Duration::hours(1)).to_rfc3339()}),
        )
        .await;
    ids.insert("release_slip", id(&slip, "release slip"));
    let (_, venue) = admin
        .post(
            &format!("/api/v1/communities/{c}/venues"),
            json!({"name": "乙会议室", "capacity": 20, "opens": "08:00", "closes": "22:00"}),
        )
        .await;
    let venue_id = id(&venue, "venue");
    ids.insert("venue", venue_id);
    let (_, booking) = admin
        .post(
            &format!("/api/v1/venues/{venue_id}/bookings"),
            json!({"day": (now + chrono::Duration::days(2)).date_naive(), "start": "10:00",
                   "end": "11:00", "booker_name": "乙预约人", "purpose": "乙会议"}),
        )
        .await;
    ids.insert("venue_booking", id(&booking, "venue booking"));
    let (_, mo) = admin
        .post(
            &format!("/api/v1/communities/{c}/move-outs"),
            json!({"unit_id": unit, "reason": "乙租约到期"}),
        )
        .await;
    ids.insert("move_out", id(&mo, "move out"));
    let (_, ds) = admin
        .post(
            &format!("/api/v1/communities/{c}/desk-services"),
            json!({"name": "乙复印", "unit_name": "页", "price": "0.50"}),
        )
        .await;
    ids.insert("desk_service", id(&ds, "desk service"));
    let (_, pm) = admin
        .post(
            &format!("/api/v1/communities/{c}/after-hours-permits"),
            json!({"unit_id": unit, "applicant_id": ids["person"], "workers": "乙装修队", "work": "乙铺砖",
                   "starts_at": (now + chrono::Duration::hours(1)).to_rfc3339(),
                   "ends_at": (now + chrono::Duration::hours(3)).to_rfc3339()}),
        )
        .await;
    ids.insert("after_hours_permit", id(&pm, "after-hours permit"));
    // A decoration under way with a violation found (no money: approved at zero).
    let start = (now + chrono::Duration::days(1)).date_naive();
    let (_, d) = admin
        .post(
            &format!("/api/v1/communities/{c}/decorations"),
            json!({"unit_id": unit, "applicant_id": ids["person"], "contractor": "乙装修队", "foreman": "乙工头",
                   "scope": "乙铺砖", "starts_on": start, "ends_on": start + chrono::Duration::days(5),
                   "fire_letter_signed": true}),
        )
        .await;
    let dec = id(&d, "decoration");
    ids.insert("decoration", dec);
    let zero = json!({"deposit": "0", "management_fee": "0", "rubbish_fee": "0"});
    admin
        .post(&format!("/api/v1/decorations/{dec}/approve"), zero)
        .await;
    admin
        .post(&format!("/api/v1/decorations/{dec}/permit"), json!({}))
        .await;
    let (_, d) = admin
        .post(
            &format!("/api/v1/decorations/{dec}/inspections"),
            json!({"violations": [{"kind": "rubbish", "description": "乙垃圾", "deadline": start}]}),
        )
        .await;
    ids.insert(
        "decoration_violation",
        id(&d["violations"][0], "decoration violation"),
    );
    ids.insert(
        "decoration_inspection",
        id(&d["inspections"][0], "decoration inspection"),
    );
    let (_, mi) = admin
        .post(
            &format!("/api/v1/communities/{c}/move-ins"),
            json!({"unit_id": unit}),
        )
        .await;
    let mi = id(&mi, "move-in");
    ids.insert("move_in", mi);
    let (_, mi) = admin
        .post(
            &format!("/api/v1/move-ins/{mi}/defects"),
            json!({"room": "乙卫生间", "item": "防水", "description": "乙渗水", "contractor": "乙建设",
                   "due_on": start}),
        )
        .await;
    ids.insert("warranty_item", id(&mi["warranty"][0], "warranty item"));
    let (_, p) = admin
        .post(
            &format!("/api/v1/communities/{c}/periodicals"),
            json!({"title": "乙报", "kind": "newspaper", "frequency": "daily", "price_month": "30"}),
        )
        .await;
    let p = id(&p, "periodical");
    ids.insert("periodical", p);
    let month = chrono::Utc::now()
        .with_timezone(&chrono_tz::Asia::Shanghai)
        .format("%Y-%m")
        .to_string();
    let (_, s) = admin
        .post(
            &format!("/api/v1/communities/{c}/periodical-subscriptions"),
            json!({"periodical_id": p, "unit_id": unit, "first_month": month, "months": 1}),
        )
        .await;
    ids.insert("periodical_subscription", id(&s, "subscription"));
    let (_, i) = admin
        .post(
            &format!("/api/v1/communities/{c}/periodical-issues"),
            json!({"periodical_id": p, "issue_label": "乙1", "copies_received": 1}),
        )
        .await;
    ids.insert("periodical_issue", id(&i, "periodical issue"));
    ids.insert(
        "periodical_delivery",
        id(&i["deliveries"][0], "periodical delivery"),
    );
    let (_, sheets) = admin.get("/api/v1/audit-sheets").await;
    let (_, au) = admin
        .post(
            &format!("/api/v1/communities/{c}/audits"),
            json!({"sheets": [{"sheet_id": sheets[0]["id"], "weight_pct": 100}]}),
        )
        .await;
    ids.insert("audit", id(&au, "audit"));
    ids.insert("audit_item", id(&au["parts"][0]["items"][0], "audit item"));
    // A signed audit of B whose one item lost points: its rectification task.
    let (_, sheet) = admin
        .post(
            "/api/v1/audit-sheets",
            json!({"code": "iso_b", "name": "乙细则", "weight_pct": 100, "items": [{"section": "乙",
                   "item": "乙项", "elements": ["乙内容"], "max": "5", "deduct_min": "1", "deduct_max": "5"}]}),
        )
        .await;
    let (_, au2) = admin
        .post(
            &format!("/api/v1/communities/{c}/audits"),
            json!({"sheets": [{"sheet_id": sheet["id"], "weight_pct": 100}]}),
        )
        .await;
    admin
        .put(
            &format!(
                "/api/v1/audits/{}/items/{}",
                au2["id"], au2["parts"][0]["items"][0]["id"]
            ),
            json!({"elements": [{"present": false, "deduction": "2"}]}),
        )
        .await;
    admin
        .post(&format!("/api/v1/audits/{}/sign", au2["id"]), json!({}))
        .await;
    let (_, rects) = admin
        .get(&format!("/api/v1/communities/{c}/rectifications"))
        .await;
    ids.insert("rectification", id(&rects[0], "rectification"));
    // A quality campaign over B alone, with a task of its plan.
    let (_, camp) = admin
        .post(
            "/api/v1/quality-campaigns",
            json!({"name": "乙专项", "community_ids": [c],
                   "sheets": [{"sheet_id": sheet["id"], "weight_pct": 100}]}),
        )
        .await;
    ids.insert("campaign", id(&camp, "campaign"));
    let (_, task) = admin
        .post(
            &format!(
                "/api/v1/quality-campaigns/{}/communities/{c}/tasks",
                camp["id"]
            ),
            json!({"phase": "self_check", "title": "乙任务", "owner_id": ids["user"],
                   "due_on": camp["phases"][1]["starts_on"]}),
        )
        .await;
    ids.insert("campaign_task", id(&task, "campaign task"));
    let (_, toks) = admin.get("/api/v1/me/tokens").await;
    ids.insert("token", id(&toks[0], "token"));
    Other { ids }
}

#[tokio::test]
async fn no_role_reaches_another_communitys_ids() {
    let app = app().await;
    let admin = app.admin().await;
    let b = fill_b(&app, &admin).await;
    let (_, doc) = app.api(None).get("/api/openapi.json").await;
    let probes = probes(&doc, &b);
    assert!(probes.len() > 100, "{} probes", probes.len());

    // Every role but the company admin, who reaches every community of the company by design.
    let roles = [
        "project_manager",
        "service_agent",
        "technician",
        "security",
        "cleaning",
        "cashier",
        "quality_auditor",
        "owner",
        "committee",
    ];
    let mut leaks = Vec::new();
    let mut tried = 0;
    for role in roles {
        let api = app
            .api_as(&format!("iso_{role}"), role, &[app.community_a])
            .await;
        for p in &probes {
            let (st, v) = send(&api, p).await;
            tried += 1;
            // A read must not find B's thing; a write may also stop at a field of its own.
            let refused = match p.method.as_str() {
                "GET" => matches!(st, 403 | 404),
                _ => matches!(st, 403 | 404 | 422),
            };
            if !refused {
                leaks.push(format!("{role} {} {} → {st} {v}", p.method, p.path));
            }
        }
    }
    eprintln!(
        "isolation: {} probes × {} roles = {tried} requests, {} leaks",
        probes.len(),
        roles.len(),
        leaks.len()
    );
    assert!(
        leaks.is_empty(),
        "{} leaks:\n{}",
        leaks.len(),
        leaks.join("\n")
    );
}

/// The owner of the issue: assigned (before the fix) to both communities, owning in A only. His
/// reach is what he owns.
#[tokio::test]
async fn an_owner_reaches_the_community_he_lives_in_only() {
    let app = app().await;
    let admin = app.admin().await;
    let owner = app.api_as("yz_iso", "owner", &[app.community_a]).await;
    let (a, b) = (app.community_a.0, app.community_b.0);
    let (st, _) = owner.get(&format!("/api/v1/communities/{a}")).await;
    assert_eq!(st, 200, "his own community");
    for path in [
        format!("/api/v1/communities/{b}"),
        format!("/api/v1/communities/{b}/fee-items"),
        format!("/api/v1/communities/{b}/charge-standards"),
        format!("/api/v1/communities/{b}/fee-schedule"),
        format!("/api/v1/communities/{b}/paid-services"),
        format!("/api/v1/communities/{b}/reports/publication?quarter=2026-Q3"),
        format!("/api/v1/communities/{b}/reports/fund?from=2026-07-01&to=2026-09-30"),
    ] {
        let (st, _) = owner.get(&path).await;
        assert_eq!(st, 404, "{path}");
    }
    // No staff form makes an owner, nor gives one a community; a committee sits for one.
    let (st, v) = admin
        .post(
            "/api/v1/users",
            json!({"username": "fake_owner", "display_name": "假业主", "role": "owner",
                   "password": "abcd12345", "communities": [a, b]}),
        )
        .await;
    assert_eq!((st.as_u16(), v["field"].as_str()), (422, Some("role")));
    let (st, v) = admin
        .post(
            "/api/v1/users",
            json!({"username": "wide_committee", "display_name": "业委会", "role": "committee",
                   "password": "abcd12345", "communities": [a, b]}),
        )
        .await;
    assert_eq!(
        (st.as_u16(), v["field"].as_str(), v["code"].as_str()),
        (422, Some("communities"), Some("committee_one_community"))
    );
    let (st, v) = admin
        .post(
            "/api/v1/users",
            json!({"username": "committee_a", "display_name": "业委会", "role": "committee",
                   "password": "abcd12345", "communities": [a]}),
        )
        .await;
    assert_eq!(st, 201, "{v}");
    let (st, v) = admin
        .patch(
            &format!("/api/v1/users/{}", v["id"]),
            json!({"communities": [a, b]}),
        )
        .await;
    assert_eq!(
        (st.as_u16(), v["field"].as_str()),
        (422, Some("communities"))
    );

    // Moving out ends his reach: the unit's link is what gives it.
    let (_, me) = owner.get("/api/v1/portal/me").await;
    let unit = me["units"][0]["unit_id"].as_i64().expect("unit");
    let (_, u) = admin.get(&format!("/api/v1/units/{unit}")).await;
    let link = u["people"][0]["link_id"].as_i64().expect("link");
    let (st, _) = admin
        .delete(&format!("/api/v1/units/{unit}/people/{link}"))
        .await;
    assert_eq!(st, 204);
    let (st, _) = owner.get(&format!("/api/v1/communities/{a}")).await;
    assert_eq!(st, 404, "no unit, no community");
}
