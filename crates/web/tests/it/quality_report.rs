//! The quarter's quality results (issue 16 point 3), over the API: the seed's reward table by
//! position until the company saves its own (bad input named by place), and per community the last
//! audit signed off in the quarter deciding what each position gains or loses — a good grade
//! nothing, a failing one the penalties, an excellent one at 96 and above the rewards and the team
//! bonus (hand-computed) — with its rectifications; the .xlsx; an auditor sees his communities.

use serde_json::{Value, json};

use super::duty::staff;
use super::{app, error_fields};
use wuye_testkit::Api;

/// Signs off an audit of community `a` with a one-item sheet of 10 points that loses `lost`.
async fn audit_losing(qa: &Api, a: i64, code: &str, lost: Option<&str>) -> Value {
    let (st, sheet) = qa
        .post(
            "/api/v1/audit-sheets",
            json!({"code": code, "name": format!("季报{code}"), "weight_pct": 100, "items": [
                {"section": "现场管理", "item": "钥匙管理", "elements": ["建立钥匙清单台帐"],
                 "max": "10", "deduct_min": "0.5", "deduct_max": "10"}]}),
        )
        .await;
    assert_eq!(st, 201, "{sheet}");
    let (_, au) = qa
        .post(
            &format!("/api/v1/communities/{a}/audits"),
            json!({"sheets": [{"sheet_id": sheet["id"], "weight_pct": 100}]}),
        )
        .await;
    let element = match lost {
        Some(d) => json!({"present": false, "deduction": d}),
        None => json!({"present": true}),
    };
    let (st, v) = qa
        .put(
            &format!(
                "/api/v1/audits/{}/items/{}",
                au["id"], au["parts"][0]["items"][0]["id"]
            ),
            json!({"elements": [element]}),
        )
        .await;
    assert_eq!(st, 200, "{v}");
    let (st, signed) = qa
        .post(&format!("/api/v1/audits/{}/sign", au["id"]), json!({}))
        .await;
    assert_eq!(st, 200, "{signed}");
    signed
}

#[tokio::test]
async fn the_quarter_pays_each_position_by_the_last_audits_grade() {
    let app = app().await;
    let a = app.community_a.0;
    let (_, qa) = staff(&app, "qr1", "quality_auditor").await;
    let (_, pm) = staff(&app, "qp1", "project_manager").await;
    let admin = app.admin().await;

    // The seed's table until the company saves its own.
    assert_eq!(pm.get("/api/v1/quality-rewards").await.0, 403);
    let (st, t) = qa.get("/api/v1/quality-rewards").await;
    assert_eq!(st, 200, "{t}");
    assert_eq!(
        (&t["is_default"], &t["team_bonus_fen"], &t["positions"][0]),
        (
            &json!(true),
            &json!(300000),
            &json!({"label": "项目经理", "penalty_fen": 50000, "reward_fen": 100000})
        )
    );
    assert_eq!(t["positions"].as_array().map(Vec::len), Some(4));

    let (st, e) = qa
        .put(
            "/api/v1/quality-rewards",
            json!({"team_bonus": "三千", "positions": [
                {"label": "项目经理", "penalty": "abc", "reward": "1000"},
                {"label": "项目经理", "penalty": "100", "reward": "0"}]}),
        )
        .await;
    assert_eq!(st, 422, "{e}");
    let mut f = error_fields(&e);
    f.sort();
    assert_eq!(
        f.iter().map(|(f, _)| f.as_str()).collect::<Vec<_>>(),
        ["positions[0].penalty", "positions[1].label", "team_bonus"]
    );
    let (st, e) = qa
        .put(
            "/api/v1/quality-rewards",
            json!({"team_bonus": "0", "positions": []}),
        )
        .await;
    assert_eq!(
        (st.as_u16(), error_fields(&e)[0].1.as_str()),
        (422, "reward_positions_range")
    );
    let (st, t) = qa
        .put(
            "/api/v1/quality-rewards",
            json!({"team_bonus": "3,000", "positions": [
                {"label": "项目经理", "penalty": "500", "reward": "1000"},
                {"label": "班长", "penalty": "100.50", "reward": "0"}]}),
        )
        .await;
    assert_eq!(st, 200, "{t}");
    assert_eq!(
        (&t["is_default"], &t["positions"][1]["penalty_fen"]),
        (&json!(false), &json!(10050))
    );

    // 10 − 1.5 = 85 良好: nobody gains or loses.
    audit_losing(&qa, a, "q1", Some("1.5")).await;
    let (st, r) = qa.get("/api/v1/quality-report").await;
    assert_eq!(st, 200, "{r}");
    assert_eq!(
        r["rows"].as_array().map(Vec::len),
        Some(1),
        "only his community"
    );
    let row = &r["rows"][0];
    assert_eq!(
        (
            &row["audits"],
            &row["total_cp"],
            &row["grade"],
            &row["amounts_fen"],
            &row["total_fen"]
        ),
        (
            &json!(1),
            &json!(8500),
            &json!("good"),
            &json!([0, 0]),
            &json!(0)
        )
    );
    assert_eq!(row["rect_open"], 1);

    // 10 − 3 = 70 不及格, the last one: the penalties.
    audit_losing(&qa, a, "q2", Some("3")).await;
    let (_, r) = qa.get("/api/v1/quality-report").await;
    let row = &r["rows"][0];
    assert_eq!(
        (
            &row["audits"],
            &row["grade"],
            &row["amounts_fen"],
            &row["team_fen"],
            &row["total_fen"]
        ),
        (
            &json!(2),
            &json!("fail"),
            &json!([-50000, -10050]),
            &json!(0),
            &json!(-60050)
        )
    );
    assert_eq!(row["rect_open"], 2);

    // 100 优秀 at 96 and above: the rewards and the team bonus.
    let last = audit_losing(&qa, a, "q3", None).await;
    let (_, r) = qa.get("/api/v1/quality-report").await;
    let row = &r["rows"][0];
    assert_eq!(
        (
            &row["audit_number"],
            &row["grade"],
            &row["team_bonus"],
            &row["amounts_fen"],
            &row["team_fen"],
            &row["total_fen"]
        ),
        (
            &last["number"],
            &json!("excellent"),
            &json!(true),
            &json!([100000, 0]),
            &json!(300000),
            &json!(400000)
        )
    );
    assert_eq!(
        (&r["totals_fen"], &r["total_fen"]),
        (&json!([100000, 0]), &json!(400000))
    );

    // Another quarter has nothing; a bad one is named.
    let (_, r) = qa.get("/api/v1/quality-report?quarter=2026-Q1").await;
    assert_eq!(
        (&r["rows"][0]["audits"], &r["total_fen"]),
        (&json!(0), &json!(0))
    );
    let (st, e) = qa.get("/api/v1/quality-report?quarter=2026-Q5").await;
    assert_eq!(
        (st.as_u16(), error_fields(&e)[0].0.as_str()),
        (422, "quarter")
    );

    // The company admin sees every community; the workbook.
    let (_, r) = admin.get("/api/v1/quality-report").await;
    assert!(r["rows"].as_array().map(Vec::len).unwrap_or(0) >= 2, "{r}");
    let resp = qa
        .client
        .get(format!("{}/api/v1/quality-report.xlsx", qa.base))
        .bearer_auth(qa.token.as_deref().expect("token"))
        .send()
        .await
        .expect("xlsx");
    assert_eq!(resp.status().as_u16(), 200);
    let bytes = resp.bytes().await.expect("bytes");
    assert!(bytes.starts_with(b"PK"), "an xlsx is a zip");
}

#[tokio::test]
async fn the_report_page_shows_the_quarter_and_edits_the_table() {
    let app = app().await;
    let a = app.community_a.0;
    let (_, qa) = staff(&app, "qr2", "quality_auditor").await;
    let (web, token) = crate::console::console_login(&app, "qr2").await;
    // No audit this quarter: no amounts, not zeros.
    let page = crate::daily_use::html(&web, &app.base, "/quality-report").await;
    assert!(page.contains("<td class=\"num muted\">—</td>"), "{page}");
    audit_losing(&qa, a, "p1", None).await;
    let page = crate::daily_use::html(&web, &app.base, "/quality-report").await;
    assert!(
        page.contains("id=\"nav-quality-report\"")
            && page.contains("1,000.00")
            && page.contains("3,000.00")
            && page.contains("5,400.00")
            && page.contains("按《品质提升方案》默认"),
        "{page}"
    );
    // A penalty that is no amount is named beside its row; nothing is saved.
    let form = |penalty: &'static str| {
        vec![
            ("_csrf", token.clone()),
            ("label_0", "项目经理".to_string()),
            ("penalty_0", penalty.to_string()),
            ("reward_0", "1,200".to_string()),
            ("label_1", String::new()),
            ("penalty_1", String::new()),
            ("reward_1", String::new()),
            ("team_bonus", "2000".to_string()),
        ]
    };
    let send = |f: Vec<(&'static str, String)>| {
        web.post(format!("{}/quality-report", app.base))
            .form(&f)
            .send()
    };
    let r = send(form("五百")).await.expect("post");
    assert_eq!(r.status().as_u16(), 422);
    assert_eq!(app.count("quality_rewards").await, 0);
    let r = send(form("500")).await.expect("post");
    assert_eq!(r.status().as_u16(), 303);
    let page = crate::daily_use::html(&web, &app.base, "/quality-report").await;
    assert!(
        page.contains("3,200.00") && !page.contains("分管副经理"),
        "one position, 1,200 + 2,000: {page}"
    );
    let r = web
        .get(format!("{}/quality-report.xlsx", app.base))
        .send()
        .await
        .expect("xlsx");
    assert!(r.bytes().await.expect("bytes").starts_with(b"PK"));
}
