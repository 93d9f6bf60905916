//! The OpenAPI document covers every API route and the docs page is served offline.

#[tokio::test]
async fn every_route_is_documented() {
    let app = crate::app().await;
    let (st, doc) = app.api(None).get("/api/openapi.json").await;
    assert_eq!(st, 200);
    assert!(doc["openapi"].as_str().unwrap_or("").starts_with("3."));
    let paths = doc["paths"].as_object().expect("paths");
    for p in [
        "/api/v1/auth/token",
        "/api/v1/me",
        "/api/v1/me/password",
        "/api/v1/me/tokens",
        "/api/v1/tokens/{id}",
        "/api/v1/communities",
        "/api/v1/communities/{id}",
        "/api/v1/communities/{id}/buildings",
        "/api/v1/buildings",
        "/api/v1/buildings/{id}",
        "/api/v1/units",
        "/api/v1/units/{id}",
        "/api/v1/units/{id}/people",
        "/api/v1/units/{id}/people/{link_id}",
        "/api/v1/units/{id}/inspections",
        "/api/v1/people",
        "/api/v1/people/{id}",
        "/api/v1/people/{id}/reveal",
        "/api/v1/vehicles",
        "/api/v1/vehicles/{id}",
        "/api/v1/parking-spaces",
        "/api/v1/parking-spaces/{id}",
        "/api/v1/search",
        "/api/v1/users",
        "/api/v1/users/{id}",
        "/api/v1/roles",
        "/api/v1/roles/{code}",
        "/api/v1/audit",
        "/api/v1/import/units/template.xlsx",
        "/api/v1/communities/{id}/import/units",
        "/api/v1/communities/{id}/units.xlsx",
        "/api/v1/communities/{id}/people.xlsx",
        "/api/v1/communities/{id}/buildings.xlsx",
        "/api/v1/communities/{id}/vehicles.xlsx",
        "/api/v1/communities/{id}/parking-spaces.xlsx",
        "/api/v1/communities/{id}/key-customers.xlsx",
        "/api/v1/communities/{id}/vacant-units.xlsx",
        "/api/v1/requests",
        "/api/v1/requests/board",
        "/api/v1/requests/{id}",
        "/api/v1/requests/{id}/actions",
        "/api/v1/requests/{id}/timeline",
        "/api/v1/request-categories",
        "/api/v1/communities/{id}/sla",
        "/api/v1/communities/{id}/sla/scan",
        "/api/v1/communities/{id}/assignees",
        "/api/v1/notifications",
        "/api/v1/notifications/read",
        "/api/v1/calendar",
        "/api/v1/calendar/{day}",
        "/api/v1/calendar/import",
        "/api/v1/people/{id}/portal-account",
        "/api/v1/portal/activate",
        "/api/v1/portal/me",
        "/api/v1/portal/requests",
        "/api/v1/portal/requests/{id}",
        "/api/v1/portal/requests/{id}/rate",
        "/api/v1/requests/stats",
        "/api/v1/requests/kpis",
        "/api/v1/requests/dashboard",
        "/api/v1/requests/desk-day",
        "/api/v1/requests/complaint-analysis",
        "/api/v1/requests/complaint-analysis.xlsx",
        "/api/v1/hotline-calls",
        "/api/v1/hotline-calls/{id}/request",
        "/api/v1/requests/{id}/photos",
        "/api/v1/requests/{id}/photos/{photo}",
        "/api/v1/communities/{id}/paid-services",
        "/api/v1/requests/{id}/charges",
        "/api/v1/communities/{id}/pending-charges",
        "/api/v1/communities/{id}/teams",
        "/api/v1/teams/{id}",
        "/api/v1/requests/{id}/contact",
        "/api/v1/communities/{id}/billing-settings",
        "/api/v1/communities/{id}/fee-items",
        "/api/v1/fee-items",
        "/api/v1/communities/{id}/charge-standards",
        "/api/v1/charge-standards",
        "/api/v1/charge-standards/{id}",
        "/api/v1/communities/{id}/fee-schedule",
        "/api/v1/units/{id}/billing-account",
        "/api/v1/bill-runs/preview",
        "/api/v1/bill-runs",
        "/api/v1/communities/{id}/bill-runs",
        "/api/v1/communities/{id}/pending-charges/post",
        "/api/v1/units/{id}/owed",
        "/api/v1/units/{id}/statement",
        "/api/v1/charges",
        "/api/v1/charges/{id}/reverse",
        "/api/v1/payments",
        "/api/v1/payments/{id}/receipt",
        "/api/v1/payments/{id}/reverse",
        "/api/v1/refunds",
        "/api/v1/daily-closes",
        "/api/v1/daily-closes/confirm",
        "/api/v1/communities/{id}/late-fees/accrue",
        "/api/v1/charges/{id}/waive-late-fee",
        "/api/v1/communities/{id}/arrears/ageing",
        "/api/v1/communities/{id}/arrears/units",
        "/api/v1/communities/{id}/reminder-notices",
        "/api/v1/reminders",
        "/api/v1/units/{id}/reminders",
        "/api/v1/communities/{id}/collection-rate",
        "/api/v1/communities/{id}/collection-rate/trend",
        "/api/v1/communities/{id}/reports/collection",
        "/api/v1/expenses",
        "/api/v1/communities/{id}/reports/publication",
        "/api/v1/communities/{id}/reports/fund",
        "/api/v1/communities/{id}/billing-reports.xlsx",
        "/api/v1/portal/billing",
        "/api/v1/portal/receipts/{id}",
        "/api/v1/meters",
        "/api/v1/communities/{id}/meters",
        "/api/v1/meter-readings",
        "/api/v1/meter-readings/{id}/confirm",
        "/api/v1/communities/{id}/meter-readings/import",
        "/api/v1/communities/{id}/import/opening-arrears",
        "/api/v1/communities/{id}/import/opening-arrears/template.xlsx",
        "/api/v1/payments/{id}/receipt.pdf",
        "/api/v1/communities/{id}/reminder-notices.pdf",
        "/api/v1/portal/receipts/{id}/pdf",
        "/api/v1/import/opening-prepaid/template.xlsx",
        "/api/v1/import/deposits/template.xlsx",
        "/api/v1/import/meter-baselines/template.xlsx",
        "/api/v1/communities/{id}/import/opening-prepaid",
        "/api/v1/communities/{id}/import/deposits",
        "/api/v1/communities/{id}/import/meter-baselines",
        "/api/v1/deposits",
        "/api/v1/deposits/{id}",
        "/api/v1/deposits/{id}/refund",
        "/api/v1/units/{id}/deposits",
        "/api/v1/communities/{id}/deposits",
        "/api/v1/notifications/unread",
        "/api/v1/notifications/{id}/read",
        "/api/v1/me/contact",
        "/api/v1/me/notification-preferences",
        "/api/v1/notify/templates",
        "/api/v1/notify/templates/{event}/{locale}",
        "/api/v1/outbox",
        "/api/v1/outbox/{id}",
        "/api/v1/outbox/{id}/resend",
        "/api/v1/communities/{id}/outbox/counts",
        "/api/v1/communities/{id}/announcements",
        "/api/v1/announcements/{id}",
        "/api/v1/announcements/{id}/publish",
        "/api/v1/announcements/{id}/withdraw",
        "/api/v1/announcements/{id}/reads",
        "/api/v1/announcements/{id}/attachments",
        "/api/v1/announcements/{id}/attachments/{file}",
        "/api/v1/portal/announcements",
        "/api/v1/portal/announcements/{id}",
        "/api/v1/communities/{id}/board",
        "/api/v1/communities/{id}/board/renew-address",
        "/api/v1/boards/{slug}",
        "/api/v1/communities/{id}/activities",
        "/api/v1/activities/{id}",
        "/api/v1/activities/{id}/open",
        "/api/v1/activities/{id}/cancel",
        "/api/v1/activities/{id}/finish",
        "/api/v1/activities/{id}/signups",
        "/api/v1/activities/{id}/signups/{signup}/check-in",
        "/api/v1/activities/{id}/photos",
        "/api/v1/activities/{id}/photos/{photo}",
        "/api/v1/portal/activities",
        "/api/v1/portal/activities/{id}/signup",
        "/api/v1/communities/{id}/surveys",
        "/api/v1/communities/{id}/survey-reminder",
        "/api/v1/surveys/{id}",
        "/api/v1/surveys/{id}/open",
        "/api/v1/surveys/{id}/close",
        "/api/v1/surveys/{id}/analysis",
        "/api/v1/surveys/{id}/export",
        "/api/v1/surveys/{id}/report",
        "/api/v1/portal/surveys",
        "/api/v1/portal/surveys/{id}",
        "/api/v1/portal/surveys/{id}/response",
        "/api/v1/opinions",
        "/api/v1/opinions/{id}",
        "/api/v1/opinions/{id}/reply",
        "/api/v1/communities/{id}/equipment",
        "/api/v1/communities/{id}/equipment/attention",
        "/api/v1/communities/{id}/equipment/import",
        "/api/v1/equipment/{id}",
        "/api/v1/equipment/{id}/history",
        "/api/v1/equipment/{id}/status",
        "/api/v1/equipment/{id}/readings",
        "/api/v1/equipment/{id}/files",
        "/api/v1/communities/{id}/maintenance-plans",
        "/api/v1/communities/{id}/maintenance-plans/defaults",
        "/api/v1/communities/{id}/maintenance/run",
        "/api/v1/maintenance-plans/{id}",
        "/api/v1/communities/{id}/maintenance-orders",
        "/api/v1/maintenance-orders/{id}",
        "/api/v1/maintenance-orders/{id}/complete",
        "/api/v1/maintenance-orders/{id}/accept",
        "/api/v1/maintenance-orders/{id}/return",
        "/api/v1/maintenance-orders/{id}/files",
        "/api/v1/communities/{id}/machine-rooms",
        "/api/v1/machine-rooms/{id}/logs",
        "/api/v1/machine-rooms/{id}/visits",
        "/api/v1/machine-rooms/{id}/visits/{visit}/left",
        "/api/v1/communities/{id}/cctv",
        "/api/v1/cctv/{id}",
    ] {
        assert!(paths.contains_key(p), "{p} is not documented");
    }
    assert_eq!(
        paths.len(),
        206,
        "a new route must be added to this list: {:?}",
        paths.keys().collect::<Vec<_>>()
    );
    assert!(doc["components"]["schemas"]["ErrorBody"].is_object());
    let page = reqwest::get(format!("{}/api/docs/", app.base))
        .await
        .expect("docs");
    assert_eq!(page.status(), 200);
    assert!(
        page.text().await.unwrap_or_default().contains("swagger"),
        "the bundled Swagger UI"
    );
}

/// The server answers exactly the documented routes: each documented method of a path is
/// served (a bearer-protected one answers 401 without a token, before anything else), and every
/// other method of the path is 405 — so a handler mounted on another handler's path shows here.
#[tokio::test]
async fn the_server_answers_the_documented_routes_and_no_others() {
    let app = crate::app().await;
    let anon = app.api(None);
    let (_, doc) = anon.get("/api/openapi.json").await;
    let mut checked = 0;
    for (template, item) in doc["paths"].as_object().expect("paths") {
        let path: String = template
            .split('/')
            .map(|s| if s.starts_with('{') { "1" } else { s })
            .collect::<Vec<_>>()
            .join("/");
        for method in ["get", "post", "put", "patch", "delete"] {
            let m = reqwest::Method::from_bytes(method.to_uppercase().as_bytes()).expect("m");
            let (st, v) = anon
                .send(anon.client.request(m, format!("{}{path}", app.base)))
                .await;
            let op = &item[method];
            let secured = op["security"].as_array().is_some_and(|s| !s.is_empty());
            match (op.is_object(), secured) {
                (false, _) => assert_eq!(st, 405, "{method} {template} is not documented: {v}"),
                (true, true) => assert_eq!(st, 401, "{method} {template}: {v}"),
                // A public board by an address that is none: the handler's own 404, naming it.
                (true, false) if template.contains("{slug}") => assert!(
                    st == 404 && v["message"].as_str().unwrap_or("").contains("公示栏"),
                    "{method} {template}: {st} {v}"
                ),
                (true, false) => assert!(
                    !matches!(st.as_u16(), 401 | 404 | 405),
                    "{method} {template} is public: {st} {v}"
                ),
            }
            checked += 1;
        }
    }
    assert!(checked > 500, "{checked}");
}
