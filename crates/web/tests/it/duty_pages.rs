//! The duty and incident pages as people use them (issue 14 points 7–9): each page opens for
//! the roles that use it and not for others, a refused month or form comes back with the message
//! beside its cell or field, a handover is started and signed off through the forms, an incident
//! is reported, shown on the home page while open and closed with its analysis.

use serde_json::json;

use crate::console::console_login;
use crate::daily_use::{html, send};

async fn status(web: &reqwest::Client, base: &str, path: &str) -> u16 {
    web.get(format!("{base}{path}"))
        .send()
        .await
        .expect("get")
        .status()
        .as_u16()
}

#[tokio::test]
async fn each_page_opens_for_the_roles_that_use_it() {
    let app = crate::app().await;
    let (a, b) = (app.community_a, app.community_b);
    let c = a.0;
    app.user("pm01", "project_manager", &[a]).await;
    app.user("guard", "security", &[a]).await;
    app.user("guard_b", "security", &[b]).await;
    let owner_api = app.api_as("o1", "owner", &[a]).await;
    let (_, me) = owner_api.get("/api/v1/portal/me").await;
    let owner_name = format!("yz{}", me["person_id"]);
    let pm = app.api_as("pm_api", "project_manager", &[a]).await;
    let (st, v) = pm
        .post(
            &format!("/api/v1/communities/{c}/shifts/defaults"),
            json!({}),
        )
        .await;
    assert_eq!(st, 200, "{v}");
    let guard_api = app.api_as("guard_api", "security", &[a]).await;
    let (st, x) = guard_api
        .post(
            &format!("/api/v1/communities/{c}/incidents"),
            json!({"kind": "flood", "title": "地库进水", "place": "地下车库B区", "severity": "major"}),
        )
        .await;
    assert_eq!(st, 201, "{x}");
    let incident = x["id"].as_i64().expect("incident");
    let plan = x["plan_id"].as_i64().expect("plan");

    let (web, _) = console_login(&app, "pm01").await;
    for (path, mark) in [
        (format!("/duty?community={c}"), "id=\"legend\""),
        (format!("/duty/edit?community={c}"), "id=\"roster-form\""),
        (format!("/duty/shifts?community={c}"), "id=\"shift-form\""),
        (format!("/duty/leave?community={c}"), "id=\"leave-form\""),
        (format!("/handovers?community={c}"), "id=\"handover-new\""),
        (
            format!("/handovers/new?community={c}"),
            "id=\"handover-form\"",
        ),
        (format!("/incidents?community={c}"), "id=\"incidents\""),
        (format!("/incidents/{incident}"), "id=\"incident-ack\""),
        ("/plans".to_string(), "id=\"plans\""),
        (format!("/plans/{plan}"), "id=\"plan-form\""),
        (format!("/drills?community={c}"), "id=\"drill-form\""),
    ] {
        let page = html(&web, &app.base, &path).await;
        assert!(page.contains(mark), "{path}: {page}");
    }
    // The roster's month shows the team's gaps: nobody is rostered yet.
    let page = html(
        &web,
        &app.base,
        &format!("/duty?community={c}&team=秩序维护部"),
    )
    .await;
    assert!(page.contains("id=\"roster-flags\""), "{page}");

    // A guard reads the roster and works handovers and incidents, but sets no month and edits
    // no plan; the bar has 值班, the 管理 menu 交接班 and 突发事件.
    let (web, _) = console_login(&app, "guard").await;
    let page = html(&web, &app.base, &format!("/duty?community={c}")).await;
    assert!(page.contains("id=\"nav-duty\""), "{page}");
    assert!(page.contains("id=\"nav-handovers\""), "{page}");
    assert!(page.contains("id=\"nav-incidents\""), "{page}");
    assert!(!page.contains("id=\"roster-edit\""), "{page}");
    assert_eq!(
        status(&web, &app.base, &format!("/duty/edit?community={c}")).await,
        403
    );
    for path in [
        format!("/handovers/new?community={c}"),
        format!("/incidents/new?community={c}"),
        format!("/incidents/{incident}"),
    ] {
        assert_eq!(status(&web, &app.base, &path).await, 200, "{path}");
    }
    let page = html(&web, &app.base, &format!("/incidents/{incident}")).await;
    assert!(page.contains("id=\"note-form\""), "{page}");
    assert!(!page.contains("id=\"close-form\""), "{page}");
    let page = html(&web, &app.base, &format!("/plans/{plan}")).await;
    assert!(
        !page.contains("id=\"plan-form\"") && page.contains("id=\"plan-steps\""),
        "{page}"
    );
    let page = html(&web, &app.base, &format!("/drills?community={c}")).await;
    assert!(!page.contains("id=\"drill-form\""), "{page}");
    // His home page shows the open incident.
    let page = html(&web, &app.base, "/").await;
    assert!(
        page.contains(&format!("id=\"home-incident-{incident}\"")),
        "{page}"
    );

    // Another community's guard does not find A's incident; an owner has no duty pages.
    let (web, _) = console_login(&app, "guard_b").await;
    assert_eq!(
        status(&web, &app.base, &format!("/incidents/{incident}")).await,
        404
    );
    let page = html(&web, &app.base, "/").await;
    assert!(
        !page.contains(&format!("home-incident-{incident}")),
        "{page}"
    );
    let (web, _) = console_login(&app, &owner_name).await;
    for path in ["/duty", "/handovers", "/incidents", "/plans"] {
        assert_eq!(status(&web, &app.base, path).await, 403, "{path}");
    }
}

#[tokio::test]
async fn a_refused_month_comes_back_with_the_message_in_its_cell() {
    let app = crate::app().await;
    let a = app.community_a;
    let c = a.0;
    app.user("pm01", "project_manager", &[a]).await;
    let guard = app.user("guard", "security", &[a]).await;
    let pm = app.api_as("pm_api", "project_manager", &[a]).await;
    let (st, _) = pm
        .post(
            &format!("/api/v1/communities/{c}/shifts/defaults"),
            json!({}),
        )
        .await;
    assert_eq!(st, 200);
    let (st, v) = pm
        .post(
            &format!("/api/v1/communities/{c}/leaves"),
            json!({"user_id": guard.0, "starts_on": "2027-01-05", "ends_on": "2027-01-05", "kind": "sick"}),
        )
        .await;
    assert_eq!(st, 201, "{v}");

    let (web, token) = console_login(&app, "pm01").await;
    let (cs, gs) = (c.to_string(), guard.0.to_string());
    let form = |cells: &[(&'static str, &'static str)]| {
        let mut f: Vec<(&str, String)> = vec![
            ("_csrf", token.clone()),
            ("community", cs.clone()),
            ("month", "2027-01".into()),
            ("team", "秩序维护部".into()),
            ("rows", "1".into()),
            ("p0", gs.clone()),
        ];
        f.extend(cells.iter().map(|(k, v)| (*k, v.to_string())));
        f
    };
    let f = form(&[("c0_4", "security_a"), ("c0_5", "security_b")]);
    let pairs: Vec<(&str, &str)> = f.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let (st, _, page) = send(&web, &app.base, "/duty/roster", &pairs).await;
    assert_eq!(st, 422, "{page}");
    let cell = &page[page.find("id=\"c-0-5\"").expect("cell 5")..];
    let cell = &cell[..cell.find("</td>").expect("end")];
    assert!(
        cell.contains("请假") && cell.contains("class=\"ferr\""),
        "{cell}"
    );
    let day4 = &page[page.find("id=\"c-0-4\"").expect("cell 4")..];
    assert!(
        !day4[..day4.find("</td>").expect("end")].contains("ferr"),
        "{day4}"
    );
    // Nothing was written: the month is still empty.
    let (_, m) = pm
        .get(&format!(
            "/api/v1/communities/{c}/rosters/2027-01?team=秩序维护部"
        ))
        .await;
    assert_eq!(m["rows"].as_array().map(Vec::len), Some(0), "{m}");

    // Without the day of leave the month is saved and shown with the shift's letter.
    let f = form(&[("c0_4", "security_a"), ("c0_6", "security_b")]);
    let pairs: Vec<(&str, &str)> = f.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let (st, to, _) = send(&web, &app.base, "/duty/roster", &pairs).await;
    assert_eq!(st, 303);
    assert!(to.starts_with("/duty?community="), "{to}");
    let (_, m) = pm
        .get(&format!(
            "/api/v1/communities/{c}/rosters/2027-01?team=秩序维护部"
        ))
        .await;
    assert_eq!(m["rows"][0]["days"][3], json!(["security_a"]), "{m}");
    assert_eq!(m["rows"][0]["days"][5], json!(["security_b"]), "{m}");
    let page = html(&web, &app.base, &to).await;
    assert!(page.contains(&format!("id=\"row-{}\"", guard.0)), "{page}");
    assert!(page.contains("已保存本月排班"), "{page}");

    // A shift whose code the community has is refused beside the code field.
    let (st, _, page) = send(
        &web,
        &app.base,
        "/duty/shifts",
        &[
            ("_csrf", &token),
            ("community", &cs),
            ("code", "security_a"),
            ("name", "保安早班二"),
            ("starts", "08:00"),
            ("ends", "16:00"),
            ("weekdays", "1"),
            ("season", "all"),
            ("team", "秩序维护部"),
            ("min_staff", "1"),
            ("active", "1"),
        ],
    )
    .await;
    assert_eq!(st, 409, "{page}");
    let field = &page[page.find("name=\"code\"").expect("code field")..];
    assert!(
        field[..300.min(field.len())].contains("已有相同编号的班次"),
        "{field}"
    );
}

#[tokio::test]
async fn a_handover_is_started_and_signed_off_through_the_forms() {
    let app = crate::app().await;
    let a = app.community_a;
    let cs = a.0.to_string();
    let me_id = app.user("guard_out", "security", &[a]).await.0;
    let incoming = app.user("guard_in", "security", &[a]).await;
    let (web, token) = console_login(&app, "guard_out").await;
    // The outgoing person is not offered as the incoming one.
    let page = html(&web, &app.base, &format!("/handovers/new?community={cs}")).await;
    assert!(page.contains("id=\"handover-form\""), "{page}");
    assert!(!page.contains("guard_out姓名</option>"), "{page}");
    // Handing over to oneself (a crafted form) is refused beside the incoming person's field.
    let me_s = me_id.to_string();
    let (st, _, page) = send(
        &web,
        &app.base,
        "/handovers/new",
        &[
            ("_csrf", &token),
            ("community", &cs),
            ("team", "秩序维护部"),
            ("incoming_id", &me_s),
            ("lines", "岗亭钥匙两把"),
        ],
    )
    .await;
    assert_eq!(st, 422, "{page}");
    let field = &page[page.find("name=\"incoming_id\"").expect("field")..];
    assert!(field.contains("接班人不能是交班人本人"), "{field}");
    assert!(
        page.contains("岗亭钥匙两把</textarea>"),
        "the typed lines are kept: {page}"
    );

    let inc = incoming.0.to_string();
    let (st, to, _) = send(
        &web,
        &app.base,
        "/handovers/new",
        &[
            ("_csrf", &token),
            ("community", &cs),
            ("team", "秩序维护部"),
            ("incoming_id", &inc),
            ("lines", "岗亭钥匙两把\n\n对讲机三台"),
        ],
    )
    .await;
    assert_eq!(st, 303);
    let id: i64 = to
        .strip_prefix("/handovers/")
        .and_then(|s| s.parse().ok())
        .expect("handover id");
    let page = html(&web, &app.base, &to).await;
    assert!(
        page.contains("岗亭钥匙两把") && page.contains("对讲机三台"),
        "{page}"
    );
    assert!(page.contains("data-print"), "{page}");
    assert!(page.contains("id=\"line-form\""), "{page}");
    assert!(
        !page.contains("id=\"handover-sign\""),
        "only the incoming person signs: {page}"
    );
    // The outgoing guard may not sign: the page says why and the handover stays open.
    let (st, _, _) = send(
        &web,
        &app.base,
        &format!("/handovers/{id}/sign"),
        &[("_csrf", &token)],
    )
    .await;
    assert_eq!(st, 303);
    let page = html(&web, &app.base, &to).await;
    assert!(page.contains("只有接班人或值班管理人员可以签收"), "{page}");
    assert!(page.contains("待接班签字"), "{page}");

    let (web2, token2) = console_login(&app, "guard_in").await;
    let page = html(&web2, &app.base, &to).await;
    assert!(page.contains("id=\"handover-sign\""), "{page}");
    let (st, _, _) = send(
        &web2,
        &app.base,
        &format!("/handovers/{id}/sign"),
        &[("_csrf", &token2)],
    )
    .await;
    assert_eq!(st, 303);
    let page = html(&web2, &app.base, &to).await;
    assert!(page.contains("id=\"handover-state\">已签收"), "{page}");
    assert!(!page.contains("id=\"handover-sign\""), "{page}");
    let list = html(&web2, &app.base, &format!("/handovers?community={cs}")).await;
    assert!(list.contains(&format!("id=\"handover-{id}\"")), "{list}");
}

#[tokio::test]
async fn an_incident_is_reported_and_closed_with_its_analysis_through_the_forms() {
    let app = crate::app().await;
    let a = app.community_a;
    let cs = a.0.to_string();
    app.user("guard", "security", &[a]).await;
    app.user("pm01", "project_manager", &[a]).await;
    let (web, token) = console_login(&app, "guard").await;
    // A title left empty is named beside its field.
    let (st, _, page) = send(
        &web,
        &app.base,
        "/incidents/new",
        &[
            ("_csrf", &token),
            ("community", &cs),
            ("kind", "fire"),
            ("severity", "minor"),
            ("title", ""),
            ("place", "3栋楼道"),
        ],
    )
    .await;
    assert_eq!(st, 422, "{page}");
    assert!(page.contains("value=\"3栋楼道\""), "{page}");
    let (st, to, _) = send(
        &web,
        &app.base,
        "/incidents/new",
        &[
            ("_csrf", &token),
            ("community", &cs),
            ("kind", "fire"),
            ("severity", "minor"),
            ("title", "3栋楼道冒烟"),
            ("place", "3栋5楼楼道"),
        ],
    )
    .await;
    assert_eq!(st, 303);
    assert!(to.starts_with("/incidents/"), "{to}");
    let page = html(&web, &app.base, &to).await;
    assert!(page.contains("id=\"timeline\""), "{page}");
    let step = page
        .split("id=\"step-")
        .nth(1)
        .and_then(|s| s.split('"').next())
        .expect("a step button")
        .to_string();
    let (st, _, _) = send(
        &web,
        &app.base,
        &format!("{to}/steps/{step}"),
        &[("_csrf", &token)],
    )
    .await;
    assert_eq!(st, 303);
    let (st, _, _) = send(
        &web,
        &app.base,
        &format!("{to}/notes"),
        &[("_csrf", &token), ("text", "电表箱冒烟，已断电")],
    )
    .await;
    assert_eq!(st, 303);

    let (web, token) = console_login(&app, "pm01").await;
    let (st, _, page) = send(
        &web,
        &app.base,
        &format!("{to}/close"),
        &[
            ("_csrf", &token),
            ("analysis", ""),
            ("conclusion", "更换电表箱接线"),
        ],
    )
    .await;
    assert_eq!(st, 422, "{page}");
    let field = &page[page.find("name=\"analysis\"").expect("analysis")..];
    assert!(field.contains("结案须填写过程分析"), "{field}");
    assert!(page.contains("更换电表箱接线</textarea>"), "{page}");
    let (st, _, _) = send(
        &web,
        &app.base,
        &format!("{to}/close"),
        &[
            ("_csrf", &token),
            ("analysis", "接线松动发热"),
            ("conclusion", "更换电表箱接线"),
        ],
    )
    .await;
    assert_eq!(st, 303);
    let page = html(&web, &app.base, &to).await;
    assert!(page.contains("id=\"incident-state\">已结案"), "{page}");
    assert!(page.contains("id=\"analysis\">接线松动发热"), "{page}");
    // The timeline reads in order: reported first, the step, the note, closed last.
    let tl = &page[page.find("id=\"timeline\"").expect("timeline")..];
    let at = |w: &str| tl.find(w).unwrap_or_else(|| panic!("{w}: {tl}"));
    assert!(at("事件上报") < at("步骤完成"), "{tl}");
    assert!(at("步骤完成") < at("电表箱冒烟"), "{tl}");
    assert!(at("电表箱冒烟") < at("<b>结案</b>"), "{tl}");
}
