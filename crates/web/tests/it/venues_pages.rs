//! Venue booking through the pages (issue 15 point 9): the manager adds a hall (a refused form
//! comes back with its message); the owner picks it in the portal, sees the day's free slots,
//! books two hours for his unit (a slot taken comes back named), and cancels in time; the desk's
//! day shows the booking with its booker on the slot, books the next hours at the desk, and
//! cancels; a technician has no venue page.

use serde_json::json;

use crate::console::console_login;
use crate::daily_use::{html, send};

#[tokio::test]
async fn a_hall_is_added_booked_in_the_portal_and_at_the_desk_and_cancelled_through_the_pages() {
    let app = crate::app().await;
    let a = app.community_a;
    let c = a.0.to_string();
    app.user("pm01", "project_manager", &[a]).await;
    app.user("agent01", "service_agent", &[a]).await;
    app.user("tech01", "technician", &[a]).await;
    let owner = app.api_as("o1", "owner", &[a]).await;
    let (_, me) = owner.get("/api/v1/portal/me").await;
    let unit = me["units"][0]["unit_id"].as_i64().unwrap().to_string();
    let label = me["units"][0]["label"].as_str().unwrap().to_string();
    let (_, who) = owner.get("/api/v1/me").await;
    let login = who["username"].as_str().unwrap().to_string();
    let day = (chrono::Utc::now().with_timezone(&chrono_tz::Asia::Shanghai)
        + chrono::Duration::days(3))
    .date_naive()
    .to_string();

    // The manager adds the hall; an opening time not a time is named.
    let (web, token) = console_login(&app, "pm01").await;
    let page = html(&web, &app.base, &format!("/venues?community={c}")).await;
    assert!(
        page.contains("id=\"add-venue-form\"") && page.contains("id=\"venues-none\""),
        "{page}"
    );
    let hall = |opens: &str| {
        vec![
            ("_csrf", token.clone()),
            ("community", c.clone()),
            ("name", "多功能厅".into()),
            ("capacity", "50".into()),
            ("opens", opens.to_string()),
            ("closes", "21:00".into()),
            ("slot_minutes", "60".into()),
            ("max_hours", "4".into()),
            ("advance_days", "14".into()),
            ("cancel_hours", "24".into()),
            ("hourly_fee", "60".into()),
            ("portal", "1".into()),
        ]
    };
    let f = hall("八点");
    let f: Vec<(&str, &str)> = f.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let (st, _, page) = send(&web, &app.base, "/venues/new", &f).await;
    assert_eq!(st, 422, "{page}");
    assert!(page.contains("请按“时:分”填写时间"), "{page}");
    let f = hall("08:00");
    let f: Vec<(&str, &str)> = f.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let (st, to, _) = send(&web, &app.base, "/venues/new", &f).await;
    assert_eq!((st, to), (303, format!("/venues?community={c}")));
    let (_, vs) = owner.get("/api/v1/portal/venues").await;
    let vid = vs[0]["id"].as_i64().unwrap().to_string();

    // The owner sees the day's slots and books 14:00–16:00 for his unit.
    let (web, token) = console_login(&app, &login).await;
    let page = html(
        &web,
        &app.base,
        &format!("/portal/venues?venue={vid}&day={day}"),
    )
    .await;
    assert!(
        page.contains("id=\"nav-my-venues\"") && page.contains("id=\"slot-14:00\""),
        "{page}"
    );
    let book = |start: &'static str, end: &'static str| {
        vec![
            ("_csrf", token.clone()),
            ("venue_id", vid.clone()),
            ("unit_id", unit.clone()),
            ("day", day.clone()),
            ("start", start.to_string()),
            ("end", end.to_string()),
            ("purpose", "生日会".into()),
            ("attendees", "20".into()),
        ]
    };
    let f = book("14:00", "16:00");
    let f: Vec<(&str, &str)> = f.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let (st, to, _) = send(&web, &app.base, "/portal/venues", &f).await;
    assert_eq!(st, 303);
    assert_eq!(to, format!("/portal/venues?venue={vid}&day={day}"));
    let page = html(&web, &app.base, &to).await;
    assert!(page.contains("已预约 多功能厅"), "{page}");
    assert!(!page.contains("id=\"slot-14:00\""), "the slot is taken now");
    assert!(page.contains("¥120.00"), "{page}");
    let f = book("15:00", "16:00");
    let f: Vec<(&str, &str)> = f.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let (st, _, page) = send(&web, &app.base, "/portal/venues", &f).await;
    assert_eq!(st, 409, "{page}");
    assert!(page.contains("该时段已被预约"), "{page}");
    let (_, mine) = owner.get("/api/v1/portal/venue-bookings").await;
    let bid = mine[0]["id"].as_i64().unwrap();

    // The desk's day names the booker on the slot and books the next two hours.
    let (web, token) = console_login(&app, "agent01").await;
    let page = html(&web, &app.base, &format!("/venues?community={c}&day={day}")).await;
    assert!(
        page.contains("id=\"nav-venues\"") && page.contains(&format!("o1业主 · {label}")),
        "{page}"
    );
    assert!(
        !page.contains("id=\"add-venue-form\""),
        "only a manager adds venues"
    );
    let (st, to, _) = send(
        &web,
        &app.base,
        "/venues",
        &[
            ("_csrf", &token),
            ("community", &c),
            ("venue_id", &vid),
            ("day", &day),
            ("start", "16:00"),
            ("end", "18:00"),
            ("unit_label", &label),
            ("booker_name", "o1业主"),
            ("purpose", "业主沙龙"),
            ("attendees", "10"),
        ],
    )
    .await;
    assert_eq!((st, to), (303, format!("/venues?community={c}&day={day}")));
    let (_, day_list) = owner.get("/api/v1/portal/venue-bookings").await;
    assert_eq!(day_list.as_array().map(Vec::len), Some(2));

    // The desk cancels the owner's booking in time: its charge reversed.
    let (st, _, _) = send(
        &web,
        &app.base,
        &format!("/venue-bookings/{bid}/cancel"),
        &[
            ("_csrf", &token),
            ("community", &c),
            ("day", &day),
            ("reason", "改期"),
        ],
    )
    .await;
    assert_eq!(st, 303);
    let (_, b) = owner.get("/api/v1/portal/venue-bookings").await;
    let cancelled = b
        .as_array()
        .unwrap()
        .iter()
        .find(|x| x["id"] == json!(bid))
        .unwrap()
        .clone();
    assert_eq!(cancelled["state"], "cancelled");
    let page = html(&web, &app.base, &format!("/venues?community={c}&day={day}")).await;
    assert!(
        page.contains(&format!("id=\"slot-{vid}-14:00\"")),
        "free again: {page}"
    );

    let (web, _) = console_login(&app, "tech01").await;
    let r = web
        .get(format!("{}/venues?community={c}", app.base))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);
}
