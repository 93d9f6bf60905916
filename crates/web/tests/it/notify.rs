//! Notifications that reach people (issue 13, point 6): the outbox written with the change,
//! delivered by the worker through a real SMTP server (aiosmtpd) and the SMS provider's
//! signature-checking stand-in; retried when the server is down, given up when it refuses,
//! sent once; the people's own addresses, channels and the company's wording; the delivery log
//! and who may read it.

use chrono::{Duration, Timelike, Utc};
use serde_json::{Value, json};
use wuye_core::notify::channels::aliyun::AliyunSettings;
use wuye_core::notify::channels::smtp::{SmtpSettings, TlsMode};
use wuye_core::notify::channels::{Secret, SmsSettings};
use wuye_core::notify::worker::{self, WorkerOptions};
use wuye_testkit::sidecar::Sidecar;
use wuye_testkit::{TestApp, spawn_app_with};

fn smtp_at(port: u16) -> SmtpSettings {
    SmtpSettings {
        host: "127.0.0.1".into(),
        port,
        tls: TlsMode::None,
        username: None,
        password: Secret::default(),
        from: "阳光物业 <notice@wuye.test>".into(),
        pool: 2,
    }
}

fn aliyun_at(url: String) -> SmsSettings {
    SmsSettings::Aliyun(AliyunSettings {
        endpoint: url,
        access_key_id: "LTAI-test".into(),
        access_key_secret: Secret("aliyun-test-secret".into()),
        sign_name: "阳光物业".into(),
        region: "cn-hangzhou".into(),
        templates: [
            ("request_registered", "SMS_100001"),
            ("request_done", "SMS_100002"),
            ("sla_breach", "SMS_100003"),
        ]
        .into_iter()
        .map(|(e, t)| (e.to_string(), t.to_string()))
        .collect(),
    })
}

/// The outcomes of a message's attempts (`GET /api/v1/outbox/{id}`), oldest first.
fn outcomes_of(detail: &Value) -> Vec<&str> {
    detail["attempts"]
        .as_array()
        .expect("attempts")
        .iter()
        .filter_map(|a| a["outcome"].as_str())
        .collect()
}

async fn pass(app: &TestApp, at: chrono::DateTime<Utc>) -> worker::Pass {
    worker::run_once_at(&app.core, "test-node", &WorkerOptions::default(), at)
        .await
        .expect("a worker pass")
}

/// Registers a request received `days` ago: every clock of it is past due.
async fn old_request(api: &wuye_testkit::Api, c: i64, days: i64) -> Value {
    let at = (Utc::now() - Duration::days(days))
        .with_nanosecond(0)
        .expect("time");
    let (st, r) = api
        .post(
            "/api/v1/requests",
            json!({"community_id": c, "kind": "repair_common", "category": "lighting",
                   "channel": "front_desk", "location": "2栋3楼", "description": "楼道灯坏了",
                   "received_at": at.to_rfc3339()}),
        )
        .await;
    assert_eq!(st, 201, "{r}");
    r
}

/// An app sending e-mail to `port`, its desk agent `desk1` and its manager `pm1`, who is reached
/// at pm1@wuye.test.
async fn mail_desk(port: u16) -> (TestApp, i64, wuye_testkit::Api, wuye_testkit::Api) {
    let app = spawn_app_with(move |s, _| s.channels.smtp = Some(smtp_at(port))).await;
    let c = app.community_a.0;
    let agent = app
        .api_as("desk1", "service_agent", &[app.community_a])
        .await;
    let pm = app
        .api_as("pm1", "project_manager", &[app.community_a])
        .await;
    let (st, me) = pm
        .put("/api/v1/me/contact", json!({"email": "pm1@wuye.test"}))
        .await;
    assert_eq!(st, 200, "{me}");
    (app, c, agent, pm)
}

#[tokio::test]
async fn a_breach_reaches_the_managers_mailbox_once_with_its_words() {
    let sink = Sidecar::smtp(&[]);
    let (app, c, agent, pm) = mail_desk(sink.port).await;
    let pm_b = app
        .api_as("pm2", "project_manager", &[app.community_b])
        .await;

    // Bad addresses are refused by field; nothing is kept.
    let (st, e) = pm
        .put(
            "/api/v1/me/contact",
            json!({"email": "不是邮箱", "phone": "12345", "wechat_openid": "含 空格", "locale": "fr"}),
        )
        .await;
    assert_eq!(st, 422, "{e}");
    let fields: Vec<&str> = e["errors"]
        .as_array()
        .expect("errors")
        .iter()
        .filter_map(|x| x["field"].as_str())
        .collect();
    assert_eq!(fields, ["email", "phone", "wechat_openid", "locale"], "{e}");
    let (_, kept) = pm.get("/api/v1/me/contact").await;
    assert_eq!(
        kept["email"], "pm1@wuye.test",
        "the refused form changed nothing"
    );
    let (st, me) = pm
        .put("/api/v1/me/contact", json!({"email": "pm1@wuye.test"}))
        .await;
    assert_eq!(st, 200, "{me}");
    assert_eq!(me["email"], "pm1@wuye.test");
    assert_eq!(me["offered"], json!(["email"]));

    let r = old_request(&agent, c, 3).await;
    let number = r["number"].as_str().expect("number").to_string();
    let (st, scan) = pm
        .post(&format!("/api/v1/communities/{c}/sla/scan"), json!({}))
        .await;
    assert!(st.is_success(), "{st} {scan}");
    let breached = scan["breached"].as_i64().expect("breached");
    assert!(breached >= 1, "{scan}");

    // Written with the scan, sent by the worker: one e-mail per breached clock, once.
    let (_, log) = pm.get(&format!("/api/v1/outbox?community_id={c}")).await;
    let mine: Vec<&Value> = log
        .as_array()
        .expect("log")
        .iter()
        .filter(|m| m["event"] == "sla_breach")
        .collect();
    assert_eq!(mine.len() as i64, breached, "{log}");
    assert!(
        mine.iter()
            .all(|m| m["state"] == "pending" && m["to"] == "p***@wuye.test")
    );
    let p = pass(&app, Utc::now()).await;
    assert_eq!(p.sent as i64, breached, "{p:?}");
    let mail = sink
        .wait_for(breached as usize, std::time::Duration::from_secs(10))
        .await;
    assert_eq!(mail.len() as i64, breached, "{mail:?}");
    for m in &mail {
        assert_eq!(m["rcpt_tos"], json!(["pm1@wuye.test"]));
        assert_eq!(m["subject"], format!("已超时 {number}"));
        let body = m["body"].as_str().expect("body");
        assert!(
            body.contains("甲小区") && body.contains(&number) && body.contains("已于"),
            "{body}"
        );
    }
    let ids: std::collections::BTreeSet<&str> = mail
        .iter()
        .filter_map(|m| m["message_id"].as_str())
        .collect();
    assert_eq!(ids.len(), mail.len(), "one Message-ID each");
    // Another pass, and another scan, send nothing more.
    let (_, again) = pm
        .post(&format!("/api/v1/communities/{c}/sla/scan"), json!({}))
        .await;
    assert_eq!(again["breached"], 0);
    assert_eq!(
        pass(&app, Utc::now() + Duration::hours(2)).await.handled(),
        0
    );
    assert_eq!(sink.arrived().len() as i64, breached);

    let (_, log) = pm
        .get(&format!("/api/v1/outbox?community_id={c}&state=sent"))
        .await;
    let first = &log[0];
    assert_eq!(first["state"], "sent");
    let (st, detail) = pm.get(&format!("/api/v1/outbox/{}", first["id"])).await;
    assert_eq!(st, 200, "{detail}");
    assert_eq!(detail["attempts"][0]["outcome"], "sent");
    let (_, counts) = pm
        .get(&format!("/api/v1/communities/{c}/outbox/counts"))
        .await;
    assert_eq!(counts["sent"].as_i64(), Some(breached));

    // The log is the managers' of that community only.
    let (st, _) = agent.get(&format!("/api/v1/outbox?community_id={c}")).await;
    assert_eq!(st, 403);
    let (st, _) = pm_b.get(&format!("/api/v1/outbox?community_id={c}")).await;
    assert_eq!(st, 404);
    let (st, _) = pm_b.get(&format!("/api/v1/outbox/{}", first["id"])).await;
    assert_eq!(st, 404);
    let (st, e) = pm
        .get(&format!(
            "/api/v1/outbox?community_id={c}&state=lost&limit=0"
        ))
        .await;
    assert_eq!(st, 422, "{e}");

    // The in-app message came too, with its clock.
    let (_, inbox) = pm.get("/api/v1/notifications?unread=true").await;
    assert!(
        inbox
            .as_array()
            .expect("inbox")
            .iter()
            .any(|n| n["kind"] == "sla_breach" && n["request_number"] == number.as_str()),
        "{inbox}"
    );
    let (_, n) = pm.get("/api/v1/notifications/unread").await;
    assert!(n["unread"].as_i64().expect("unread") >= breached);
}

#[tokio::test]
async fn a_server_that_is_down_gets_the_message_later_and_once() {
    // A port nobody listens on yet.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port")
        .port();
    let (app, c, agent, pm) = mail_desk(port).await;
    let refused = app
        .api_as("pm9", "project_manager", &[app.community_a])
        .await;
    refused
        .put(
            "/api/v1/me/contact",
            json!({"email": "reject-me@wuye.test"}),
        )
        .await;
    for (who, api) in [("pm1", &pm), ("pm9", &refused)] {
        let (st, p) = api
            .put(
                "/api/v1/me/notification-preferences",
                json!([{"event": "sla_breach", "channels": ["email"]}]),
            )
            .await;
        assert_eq!(st, 200, "{who} {p}");
    }
    old_request(&agent, c, 3).await;
    pm.post(&format!("/api/v1/communities/{c}/sla/scan"), json!({}))
        .await;
    let (_, log) = pm.get(&format!("/api/v1/outbox?community_id={c}")).await;
    let total = log.as_array().expect("log").len();
    assert!(total >= 2, "{log}");

    let now = Utc::now();
    let p = pass(&app, now).await;
    assert_eq!((p.sent, p.retried), (0, total), "{p:?}");
    let (_, log) = pm
        .get(&format!("/api/v1/outbox?community_id={c}&state=pending"))
        .await;
    let m = &log[0];
    assert!(
        m["last_error"].as_str().unwrap_or("").contains("smtp"),
        "{m}"
    );
    // Not before its backoff.
    assert_eq!(pass(&app, now + Duration::seconds(5)).await.handled(), 0);

    // The server comes up; one recipient is refused for good, one is told twice 451.
    let port_s = port.to_string();
    let sink = Sidecar::smtp(&[
        "--port",
        &port_s,
        "--reject",
        "reject-me",
        "--fail-first",
        "1",
    ]);
    let p = pass(&app, now + Duration::minutes(1)).await;
    assert_eq!(p.sent + p.retried + p.failed, total, "{p:?}");
    let p2 = pass(&app, now + Duration::minutes(10)).await;
    let p3 = pass(&app, now + Duration::hours(2)).await;
    assert_eq!(p3.handled(), 0, "{p2:?} {p3:?}");
    let to_pm1 = total / 2;
    let mail = sink
        .wait_for(to_pm1, std::time::Duration::from_secs(10))
        .await;
    assert_eq!(mail.len(), to_pm1, "each once: {mail:?}");
    assert!(
        mail.iter()
            .all(|m| m["rcpt_tos"] == json!(["pm1@wuye.test"]))
    );

    let (_, failed) = pm
        .get(&format!("/api/v1/outbox?community_id={c}&state=failed"))
        .await;
    let failed = failed.as_array().expect("failed");
    assert_eq!(failed.len(), total - to_pm1, "{failed:?}");
    let f = &failed[0];
    assert!(
        f["last_error"].as_str().unwrap_or("").contains("550"),
        "{f}"
    );
    let (_, d) = pm.get(&format!("/api/v1/outbox/{}", f["id"])).await;
    let outcomes = outcomes_of(&d);
    assert_eq!(outcomes, ["retry", "failed"], "{d}");
    // Sent again by hand: back in the queue; a sent one is not.
    let (st, d) = pm
        .post(&format!("/api/v1/outbox/{}/resend", f["id"]), json!({}))
        .await;
    assert_eq!(st, 200, "{d}");
    assert_eq!(d["message"]["state"], "pending");
    let (st, e) = pm
        .post(
            &format!("/api/v1/outbox/{}/resend", mail_id(&pm, c).await),
            json!({}),
        )
        .await;
    assert_eq!(st, 422, "{e}");
}

async fn mail_id(pm: &wuye_testkit::Api, c: i64) -> i64 {
    let (_, sent) = pm
        .get(&format!("/api/v1/outbox?community_id={c}&state=sent"))
        .await;
    sent[0]["id"].as_i64().expect("a sent message")
}

#[tokio::test]
async fn the_owner_hears_by_sms_at_his_registry_phone_outside_the_quiet_hours() {
    let stub = Sidecar::providers();
    let url = stub.url();
    let app = spawn_app_with(move |s, _| s.channels.sms = Some(aliyun_at(url))).await;
    // The service desk that takes the portal's requests.
    app.user("desk1", "service_agent", &[app.community_a]).await;
    let owner = app.api_as("o1", "owner", &[app.community_a]).await;
    let (_, me) = owner.get("/api/v1/portal/me").await;
    // The centre has his phone in the registry; he set none himself.
    let person = me["person_id"].as_i64().expect("person id");
    let admin = app.admin().await;
    let (st, p) = admin
        .patch(
            &format!("/api/v1/people/{person}"),
            json!({"phone": "13912345678"}),
        )
        .await;
    assert_eq!(st, 200, "{p}");
    let (st, prefs) = owner
        .put(
            "/api/v1/me/notification-preferences",
            json!([{"event": "request_registered", "channels": ["sms", "sms"]}]),
        )
        .await;
    assert_eq!(st, 200, "{prefs}");
    let reg = prefs
        .as_array()
        .expect("prefs")
        .iter()
        .find(|p| p["event"] == "request_registered")
        .expect("request_registered");
    assert_eq!(reg["channels"], json!(["sms"]));
    assert_eq!(reg["default"], false);
    let (st, e) = owner
        .put(
            "/api/v1/me/notification-preferences",
            json!([{"event": "nothing", "channels": ["pigeon"]}]),
        )
        .await;
    assert_eq!(st, 422, "{e}");

    let (st, r) = owner
        .post(
            "/api/v1/portal/requests",
            json!({"unit_id": me["units"][0]["unit_id"], "kind": "repair_unit", "category": "water",
                   "description": "厨房水龙头漏水"}),
        )
        .await;
    assert_eq!(st, 201, "{r}");
    let number = r["number"].as_str().expect("number").to_string();

    // In the app at once.
    let (_, inbox) = owner.get("/api/v1/notifications").await;
    assert_eq!(inbox[0]["event"], "request_registered", "{inbox}");
    assert_eq!(inbox[0]["title"], format!("报事已受理 {number}"));

    // By SMS once outside 22:00–08:00 of the community (Asia/Shanghai).
    let c = app.community_a.0;
    let (_, log) = admin.get(&format!("/api/v1/outbox?community_id={c}")).await;
    let m = &log[0];
    assert_eq!(
        (m["channel"].as_str(), m["to"].as_str()),
        (Some("sms"), Some("139****5678")),
        "{m}"
    );
    let due: chrono::DateTime<Utc> = m["due_at"].as_str().expect("due").parse().expect("a time");
    let created: chrono::DateTime<Utc> = m["created_at"]
        .as_str()
        .expect("at")
        .parse()
        .expect("a time");
    let local_hour = (created + Duration::hours(8)).hour();
    if !(8..22).contains(&local_hour) {
        let d = due + Duration::hours(8);
        assert_eq!((d.hour(), d.minute()), (8, 0), "quiet hours: {m}");
        assert_eq!(pass(&app, created).await.handled(), 0);
    } else {
        assert_eq!(due, created, "{m}");
    }
    let p = pass(&app, created + Duration::hours(12)).await;
    assert_eq!(p.sent, 1, "{p:?}");
    let sms = stub.wait_for(1, std::time::Duration::from_secs(10)).await;
    assert_eq!(sms.len(), 1, "{sms:?}");
    assert_eq!(sms[0]["provider"], "aliyun");
    assert_eq!(sms[0]["to"], "13912345678");
    assert_eq!(sms[0]["template"], "SMS_100001");
    assert_eq!(sms[0]["params"]["number"], number.as_str());
    assert_eq!(sms[0]["params"]["community"], "甲小区");
    assert_eq!(pass(&app, created + Duration::days(1)).await.handled(), 0);
}

#[tokio::test]
async fn the_company_words_an_event_with_its_own_placeholders_only() {
    let app = wuye_testkit::spawn_app().await;
    let pm = app
        .api_as("pm1", "project_manager", &[app.community_a])
        .await;
    let agent = app
        .api_as("desk1", "service_agent", &[app.community_a])
        .await;
    let (st, list) = pm.get("/api/v1/notify/templates").await;
    assert_eq!(st, 200, "{list}");
    let done = list
        .as_array()
        .expect("templates")
        .iter()
        .find(|t| t["event"] == "request_done" && t["locale"] == "zh-CN")
        .expect("request_done");
    assert_eq!(done["builtin"], true);
    assert_eq!(done["placeholders"], json!(["{number}", "{community}"]));

    let (st, e) = pm
        .put(
            "/api/v1/notify/templates/request_done/zh-CN",
            json!({"subject": "", "body": "单号 {number}，费用 {amount} 元"}),
        )
        .await;
    assert_eq!(st, 422, "{e}");
    assert_eq!(e["errors"][0]["field"], "subject");
    assert_eq!(e["errors"][1]["field"], "body");
    assert_eq!(e["errors"][1]["code"], "unknown_placeholder");
    let (st, e) = pm
        .put(
            "/api/v1/notify/templates/request_done/zh-CN",
            json!({"subject": "完成", "body": "单号 {number"}),
        )
        .await;
    assert_eq!(
        (st.as_u16(), e["errors"][0]["code"].as_str()),
        (422, Some("template_braces"))
    );
    let (st, e) = pm
        .put(
            "/api/v1/notify/templates/no_such_event/xx",
            json!({"subject": "a", "body": "b"}),
        )
        .await;
    assert_eq!(st, 422, "{e}");
    let (st, _) = agent
        .put(
            "/api/v1/notify/templates/request_done/zh-CN",
            json!({"subject": "a", "body": "b"}),
        )
        .await;
    assert_eq!(st, 403);

    let (st, t) = pm
        .put(
            "/api/v1/notify/templates/request_done/zh-CN",
            json!({"subject": "【{community}】{number} 已修好", "body": "您报的 {number} 已修好，请评价。"}),
        )
        .await;
    assert_eq!(st, 200, "{t}");
    assert_eq!(t["builtin"], false);

    // The owner's next "done" message uses it.
    let owner = app.api_as("o1", "owner", &[app.community_a]).await;
    let (_, me) = owner.get("/api/v1/portal/me").await;
    let (st, r) = owner
        .post(
            "/api/v1/portal/requests",
            json!({"unit_id": me["units"][0]["unit_id"], "kind": "repair_unit", "category": "water",
                   "description": "水管漏水"}),
        )
        .await;
    assert_eq!(st, 201, "{r}");
    let id = r["id"].as_i64().expect("id");
    let number = r["number"].as_str().expect("number");
    let tech = app.api_as("tech1", "technician", &[app.community_a]).await;
    let (_, tme) = tech.get("/api/v1/me").await;
    for body in [
        json!({"action": "dispatch", "assignee_id": tme["id"]}),
        json!({"action": "done", "note": "换了阀门"}),
    ] {
        let api = if body["action"] == "done" {
            &tech
        } else {
            &agent
        };
        let (st, x) = api
            .post(&format!("/api/v1/requests/{id}/actions"), body)
            .await;
        assert_eq!(st, 200, "{x}");
    }
    let (_, inbox) = owner.get("/api/v1/notifications").await;
    let titles: Vec<&str> = inbox
        .as_array()
        .expect("inbox")
        .iter()
        .filter_map(|n| n["title"].as_str())
        .collect();
    assert_eq!(
        titles,
        [
            format!("【甲小区】{number} 已修好"),
            format!("已派工 {number}"),
            format!("报事已受理 {number}"),
        ],
        "{inbox}"
    );
    let (_, n) = owner.get("/api/v1/notifications/unread").await;
    assert_eq!(n["unread"], 3);
    let first = inbox[0]["id"].as_i64().expect("id");
    owner
        .post(&format!("/api/v1/notifications/{first}/read"), json!({}))
        .await;
    let (_, n) = owner.get("/api/v1/notifications/unread").await;
    assert_eq!(n["unread"], 2);
    // On his phone: the badge, the messages with their words and links to the request.
    let (_, who) = owner.get("/api/v1/me").await;
    let login = who["username"].as_str().expect("username");
    let (web, _) = crate::console::console_login(&app, login).await;
    let page = crate::daily_use::html(&web, &app.base, "/notifications").await;
    assert!(
        page.contains("id=\"unread\">2<") && page.contains(&format!("已派工 {number}")),
        "{page}"
    );
    assert!(
        page.contains(&format!("href=\"/portal/requests/{id}\"")),
        "{page}"
    );
    let page = crate::daily_use::html(&web, &app.base, "/me/notifications").await;
    assert!(
        !page.contains("nt.event") && page.contains("报事已完成"),
        "{page}"
    );

    // Back to the built-in wording.
    let (st, _) = pm
        .delete("/api/v1/notify/templates/request_done/zh-CN")
        .await;
    assert_eq!(st, 204);
    let (_, list) = pm.get("/api/v1/notify/templates").await;
    assert!(
        list.as_array()
            .expect("templates")
            .iter()
            .all(|t| t["builtin"] == true)
    );
}

#[tokio::test]
async fn the_console_sets_channels_words_events_and_shows_the_log() {
    use crate::console::console_login;
    use crate::daily_use::{html, send};
    let sink = Sidecar::smtp(&["--reject", "reject-me"]);
    let port = sink.port;
    let app = spawn_app_with(move |s, _| s.channels.smtp = Some(smtp_at(port))).await;
    let c = app.community_a.0;
    app.user("desk1", "service_agent", &[app.community_a]).await;
    app.user("pm1", "project_manager", &[app.community_a]).await;
    let agent = app
        .api_as("desk2", "service_agent", &[app.community_a])
        .await;
    let (web, token) = console_login(&app, "pm1").await;
    let base = app.base.as_str();

    // Where I am reached: a bad address is named beside its field and kept as typed.
    let page = html(&web, base, "/me/notifications").await;
    assert!(
        page.contains("id=\"prefs\"") && page.contains("邮件"),
        "{page}"
    );
    let (st, _, page) = send(
        &web,
        base,
        "/me/contact",
        &[
            ("_csrf", &token),
            ("email", "pm1@@x"),
            ("phone", ""),
            ("wechat_openid", ""),
            ("locale", "zh-CN"),
        ],
    )
    .await;
    assert_eq!(st, 422);
    assert!(
        page.contains("邮箱地址格式不对") && page.contains("value=\"pm1@@x\""),
        "{page}"
    );
    let (st, to, _) = send(
        &web,
        base,
        "/me/contact",
        &[
            ("_csrf", &token),
            ("email", "reject-me@wuye.test"),
            ("phone", "13912345678"),
            ("wechat_openid", ""),
            ("locale", "zh-CN"),
        ],
    )
    .await;
    assert_eq!((st, to.as_str()), (303, "/me/notifications"));
    // Breaches by e-mail only; warnings in the app only (every box cleared).
    let (st, _, _) = send(
        &web,
        base,
        "/me/notification-preferences",
        &[
            ("_csrf", &token),
            ("events", "sla_warning,sla_breach"),
            ("ch.sla_breach.email", "on"),
        ],
    )
    .await;
    assert_eq!(st, 303);
    let page = html(&web, base, "/me/notifications").await;
    assert!(
        page.contains("id=\"ch-sla_breach-email\" checked"),
        "{page}"
    );
    assert!(
        !page.contains("id=\"ch-sla_warning-email\" checked"),
        "{page}"
    );
    assert!(page.contains("value=\"reject-me@wuye.test\""));

    // The wording: a stray placeholder is refused beside the body.
    let page = html(&web, base, "/admin/notify/templates").await;
    assert!(page.contains("id=\"edit-sla_breach-zh-CN\""), "{page}");
    let (st, _, page) = send(
        &web,
        base,
        "/admin/notify/templates/sla_breach/zh-CN",
        &[
            ("_csrf", &token),
            ("subject", "超时 {number}"),
            ("body", "{number} 欠费 {amount}"),
        ],
    )
    .await;
    assert_eq!(st, 422);
    assert!(
        page.contains("{amount}") || page.contains("amount"),
        "{page}"
    );
    let (st, _, _) = send(
        &web,
        base,
        "/admin/notify/templates/sla_breach/zh-CN",
        &[
            ("_csrf", &token),
            ("subject", "【超时】{number}"),
            ("body", "{community} 的 {number} 已超时"),
        ],
    )
    .await;
    assert_eq!(st, 303);

    // A breach: the refused address fails for good; the log says so and offers to resend.
    old_request(&agent, c, 3).await;
    let (st, _) = agent.get("/api/v1/me").await;
    assert_eq!(st, 200);
    wuye_core::tickets::scan_clocks(&app.core, Utc::now())
        .await
        .expect("scan");
    let p = pass(&app, Utc::now()).await;
    assert!(p.failed >= 1 && p.sent == 0, "{p:?}");
    let page = html(
        &web,
        base,
        &format!("/outbox?community_id={c}&state=failed"),
    )
    .await;
    assert!(
        page.contains("【超时】") && page.contains("r***@wuye.test"),
        "{page}"
    );
    let id = page
        .split("href=\"/outbox/")
        .nth(1)
        .and_then(|s| s.split('"').next())
        .expect("a message link")
        .to_string();
    let page = html(&web, base, &format!("/outbox/{id}")).await;
    assert!(
        page.contains("id=\"resend\"") && page.contains("550"),
        "{page}"
    );
    let (st, to, _) = send(
        &web,
        base,
        &format!("/outbox/{id}/resend"),
        &[("_csrf", &token)],
    )
    .await;
    assert_eq!((st, to), (303, format!("/outbox/{id}")));
    let page = html(&web, base, &format!("/outbox/{id}")).await;
    assert!(
        page.contains("已重新加入发送队列") && !page.contains("id=\"resend\""),
        "{page}"
    );

    // The badge counts the unread; the inbox shows the breach.
    let page = html(&web, base, "/").await;
    assert!(page.contains("id=\"unread\""), "{page}");
    let page = html(&web, base, "/notifications").await;
    assert!(page.contains("已超时"), "{page}");

    // The desk has neither the templates nor the log.
    let (desk, _) = console_login(&app, "desk1").await;
    for path in [
        "/admin/notify/templates",
        &format!("/outbox?community_id={c}"),
    ] {
        let r = desk.get(format!("{base}{path}")).send().await.expect("get");
        assert_eq!(r.status().as_u16(), 403, "{path}");
    }
    let page = html(&desk, base, "/me/notifications").await;
    assert!(page.contains("id=\"contact-form\""));
    drop(sink);
}

#[tokio::test]
async fn a_worker_killed_mid_batch_leaves_its_messages_to_the_next_once_its_lease_ends() {
    let sink = Sidecar::smtp(&[]);
    let (app, c, agent, pm) = mail_desk(sink.port).await;
    old_request(&agent, c, 3).await;
    pm.post(&format!("/api/v1/communities/{c}/sla/scan"), json!({}))
        .await;
    // What a node killed (SIGKILL) after leasing its batch leaves: the rows pending, leased
    // to it for two more minutes, one try counted.
    let now = Utc::now();
    let mut tx = app.core.db.begin().await.expect("begin");
    let leased = tx
        .execute(
            "UPDATE outbox SET lease_owner = 'dead-node', lease_until = $1, attempts = 1 \
             WHERE state = 'pending'",
            wuye_core::args![now + Duration::minutes(2)],
        )
        .await
        .expect("lease");
    tx.commit().await.expect("commit");
    assert!(leased >= 1);
    // The first of them the provider had taken before the kill: the node's journal says so.
    let (_, log) = pm.get(&format!("/api/v1/outbox?community_id={c}")).await;
    let taken = log.as_array().expect("log").last().expect("a message")["id"]
        .as_i64()
        .expect("id");
    let dir = std::env::temp_dir().join(format!("wuye-journal-{taken}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("dir");
    let journal = std::sync::Arc::new(
        wuye_core::notify::journal::Journal::open(&dir.join("outbox-sent.journal"))
            .expect("journal"),
    );
    journal.record(wuye_core::shared::ids::OutboxId(taken));
    let opts = WorkerOptions {
        journal: Some(journal),
        ..WorkerOptions::default()
    };
    // Nobody sends them while the lease holds, but the journaled one is recorded sent; the next
    // pass after the lease sends each of the others once.
    let p = worker::run_once_at(&app.core, "test-node", &opts, now)
        .await
        .expect("pass");
    assert_eq!((p.handled(), p.journaled), (0, 1), "{p:?}");
    let p = worker::run_once_at(&app.core, "test-node", &opts, now + Duration::minutes(3))
        .await
        .expect("pass");
    assert_eq!(
        (p.sent as u64, p.in_doubt as u64),
        (leased - 1, leased - 1),
        "{p:?}"
    );
    let mail = sink
        .wait_for(leased as usize - 1, std::time::Duration::from_secs(10))
        .await;
    assert_eq!(mail.len() as u64, leased - 1, "{mail:?}");
    let copy = format!("<outbox-{taken}@wuye.test>");
    assert!(
        mail.iter().all(|m| m["message_id"] != copy.as_str()),
        "{mail:?}"
    );
    let (_, d) = pm.get(&format!("/api/v1/outbox/{taken}")).await;
    assert_eq!(d["message"]["state"], "sent");
    assert_eq!(d["attempts"][0]["node"], "journal", "{d}");
    let _ = std::fs::remove_dir_all(&dir);
    assert_eq!(pass(&app, now + Duration::hours(1)).await.handled(), 0);
    let (_, log) = pm.get(&format!("/api/v1/outbox?community_id={c}")).await;
    let (_, d) = pm.get(&format!("/api/v1/outbox/{}", log[0]["id"])).await;
    let outcomes = outcomes_of(&d);
    assert_eq!(outcomes, ["in_doubt", "sent"], "{d}");
    assert_eq!(d["attempts"][0]["node"], "dead-node");
}

#[tokio::test]
async fn the_owner_hears_of_his_receipt_and_of_a_reminder_sent_by_sms() {
    let stub = Sidecar::providers();
    let url = stub.url();
    let app = spawn_app_with(move |s, _| {
        let mut sms = aliyun_at(url);
        if let SmsSettings::Aliyun(a) = &mut sms {
            a.templates
                .insert("bill_reminder".into(), "SMS_100009".into());
        }
        s.channels.sms = Some(sms);
    })
    .await;
    let c = app.community_a.0;
    let owner = app.api_as("o1", "owner", &[app.community_a]).await;
    let manager = app
        .api_as("pm1", "project_manager", &[app.community_a])
        .await;
    let cashier = app.api_as("cash1", "cashier", &[app.community_a]).await;
    let (_, me) = owner.get("/api/v1/portal/me").await;
    let unit = me["units"][0]["unit_id"].as_i64().expect("unit");
    let label = me["units"][0]["label"].as_str().expect("label").to_string();
    owner
        .put("/api/v1/me/contact", json!({"phone": "13912345678"}))
        .await;
    let item = crate::fee_item_of(&manager, c, "WYF", "物业费", "property").await;
    crate::charge_of(&manager, unit, item, "300.00", "物业费 2026-11").await;

    // 催缴 by SMS: the system sends it, in the app and by SMS.
    let (st, r) = cashier
        .post(
            "/api/v1/reminders",
            json!({"unit_id": unit, "method": "sms", "result": "已发短信"}),
        )
        .await;
    assert_eq!(st, 201, "{r}");
    // A phone call is only logged.
    cashier
        .post(
            "/api/v1/reminders",
            json!({"unit_id": unit, "method": "phone", "result": "答应月底前缴清"}),
        )
        .await;
    let (_, inbox) = owner.get("/api/v1/notifications").await;
    assert_eq!(inbox.as_array().expect("inbox").len(), 1, "{inbox}");
    assert_eq!(inbox[0]["title"], format!("缴费提醒 {label}"));
    assert!(
        inbox[0]["body"].as_str().unwrap_or("").contains("300.00"),
        "{inbox}"
    );
    let p = pass(&app, Utc::now() + Duration::hours(12)).await;
    assert_eq!(p.sent, 1, "{p:?}");
    let sms = stub.wait_for(1, std::time::Duration::from_secs(10)).await;
    assert_eq!(sms[0]["template"], "SMS_100009");
    assert_eq!(sms[0]["params"]["unit"], label.as_str());

    // Paid at the desk: the receipt's number in his inbox (no SMS: not his choice).
    let (st, paid) = cashier
        .post(
            "/api/v1/payments",
            json!({"unit_id": unit, "amount": "300.00", "method": "cash", "payer": "o1业主"}),
        )
        .await;
    assert_eq!(st, 201, "{paid}");
    let no = paid["payment"]["receipt_no"].as_i64().expect("receipt no");
    let (_, inbox) = owner.get("/api/v1/notifications").await;
    assert_eq!(inbox[0]["title"], format!("收据 NO.{no}"), "{inbox}");
    assert!(
        inbox[0]["link"]
            .as_str()
            .unwrap_or("")
            .starts_with("/portal/receipts/")
    );
    assert_eq!(
        pass(&app, Utc::now() + Duration::days(1)).await.handled(),
        0
    );
}

#[tokio::test]
async fn sent_messages_leave_the_log_after_the_days_kept_and_the_others_stay() {
    let app = wuye_testkit::spawn_app().await;
    let now = Utc::now();
    let mut tx = app.core.db.begin().await.expect("begin");
    for (state, days) in [
        ("sent", 100),
        ("sent", 10),
        ("failed", 100),
        ("pending", 100),
    ] {
        tx.execute(
            "INSERT INTO outbox (community_id, event, channel, address_enc, subject, body, params, \
             emergency, state, attempts, due_at, created_at) VALUES ($1, 'sla_breach', 'email', $2, \
             '已超时', '甲小区', '[]', $3, $4, 1, $5, $5)",
            wuye_core::args![
                app.community_a,
                app.core.crypto.encrypt("a@wuye.test"),
                false,
                state,
                now - Duration::days(days)
            ],
        )
        .await
        .expect("a message");
    }
    tx.commit().await.expect("commit");
    let n = worker::purge_sent(&app.core, Duration::days(90), now)
        .await
        .expect("purge");
    assert_eq!(n, 1);
    assert_eq!(app.count("outbox").await, 3);
    assert_eq!(
        worker::purge_sent(&app.core, Duration::days(90), now)
            .await
            .expect("purge"),
        0
    );
}

#[tokio::test]
async fn a_breach_reaches_a_manager_on_wechat_through_the_worker_after_a_rate_limit() {
    use wuye_core::notify::channels::wechat::WechatSettings;
    let stub = Sidecar::providers();
    let url = stub.url();
    let app = spawn_app_with(move |s, _| {
        s.channels.wechat = Some(WechatSettings {
            endpoint: url,
            app_id: "wx-test".into(),
            app_secret: Secret("wechat-test-secret".into()),
            templates: [("sla_breach".to_string(), "TPL-BREACH".to_string())]
                .into_iter()
                .collect(),
        });
    })
    .await;
    let c = app.community_a.0;
    let agent = app
        .api_as("desk1", "service_agent", &[app.community_a])
        .await;
    let pm = app
        .api_as("pm1", "project_manager", &[app.community_a])
        .await;
    // This reader is rate-limited twice by the stand-in before it takes his messages.
    let (st, me) = pm
        .put(
            "/api/v1/me/contact",
            json!({"wechat_openid": "o-rate-limited"}),
        )
        .await;
    assert_eq!(st, 200, "{me}");
    assert_eq!(me["offered"], json!(["wechat"]));
    let r = old_request(&agent, c, 3).await;
    let number = r["number"].as_str().expect("number").to_string();
    pm.post(&format!("/api/v1/communities/{c}/sla/scan"), json!({}))
        .await;
    let (_, log) = pm
        .get(&format!("/api/v1/outbox?community_id={c}&channel=wechat"))
        .await;
    let total = log.as_array().expect("log").len();
    assert!(total >= 1, "{log}");
    assert!(
        log[0]["to"].as_str().unwrap_or("").starts_with("o-ra"),
        "{log}"
    );

    let now = Utc::now();
    let p1 = pass(&app, now).await;
    let p2 = pass(&app, now + Duration::minutes(5)).await;
    let p3 = pass(&app, now + Duration::hours(1)).await;
    let sent = p1.sent + p2.sent + p3.sent;
    assert_eq!(sent, total, "{p1:?} {p2:?} {p3:?}");
    assert!(
        p1.retried >= 1,
        "the first tries meet the rate limit: {p1:?}"
    );
    assert_eq!(pass(&app, now + Duration::hours(3)).await.handled(), 0);
    let got = stub
        .wait_for(total, std::time::Duration::from_secs(10))
        .await;
    assert_eq!(got.len(), total, "{got:?}");
    assert!(got.iter().all(|m| m["provider"] == "wechat"
        && m["to"] == "o-rate-limited"
        && m["template"] == "TPL-BREACH"
        && m["params"]["number"] == number.as_str()));
    let (_, d) = pm.get(&format!("/api/v1/outbox/{}", log[0]["id"])).await;
    let outcomes = outcomes_of(&d);
    assert_eq!(outcomes.last(), Some(&"sent"), "{d}");
}

#[tokio::test]
async fn a_bill_run_tells_each_owner_what_his_unit_owes_for_the_period() {
    let app = crate::app().await;
    let c = app.community_a.0;
    let owner = app.api_as("o1", "owner", &[app.community_a]).await;
    let manager = app
        .api_as("pm1", "project_manager", &[app.community_a])
        .await;
    let (_, me) = owner.get("/api/v1/portal/me").await;
    let label = me["units"][0]["label"].as_str().expect("label").to_string();
    let item = crate::fee_item_of(&manager, c, "WYF", "物业费", "property").await;
    let (st, s) = manager
        .post(
            "/api/v1/charge-standards",
            json!({"community_id": c, "fee_item_id": item, "name": "住宅物业费",
                   "method": "building_area", "price": "2.35", "cycle": "monthly", "due_day": 15}),
        )
        .await;
    assert_eq!(st, 201, "{s}");
    let (st, r) = manager
        .post(
            "/api/v1/bill-runs",
            json!({"community_id": c, "period": "2026-11"}),
        )
        .await;
    assert_eq!(st, 201, "{r}");
    // 88.00 m² × ¥2.35 = ¥206.80 for his unit.
    let (_, inbox) = owner.get("/api/v1/notifications").await;
    assert_eq!(inbox.as_array().map(Vec::len), Some(1), "{inbox}");
    assert_eq!(inbox[0]["event"], "bill_posted");
    assert_eq!(inbox[0]["title"], format!("2026-11 账单 {label}"));
    assert!(
        inbox[0]["body"]
            .as_str()
            .unwrap_or("")
            .contains("应缴 206.80 元"),
        "{inbox}"
    );
    // The manager, who owns nothing, hears nothing.
    let (_, theirs) = manager.get("/api/v1/notifications").await;
    assert_eq!(theirs, json!([]));
}
