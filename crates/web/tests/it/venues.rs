//! Venues and rooms booked (issue 15 point 9), over the API on a fresh database: a venue's bad
//! input named; an owner books whole slots for his unit in the portal and its fee (hours × the
//! hourly fee) becomes that unit's charge; a slot held is refused, the last slot booked by two
//! desks at once goes once; the portal's day shows taken slots but never whose; a cancellation in
//! time reverses the charge and frees the slots, a late one is the desk's (the fee kept unless a
//! manager waives it), a paid fee is not withdrawn.

use chrono::{Duration, NaiveDate};
use serde_json::{Value, json};

use super::duty::staff;
use super::{app, error_fields};

fn fields(e: &Value) -> Vec<String> {
    error_fields(e).into_iter().map(|(f, _)| f).collect()
}

/// Today in the communities' zone (Asia/Shanghai), as the services see it.
fn today() -> NaiveDate {
    chrono::Utc::now()
        .with_timezone(&chrono_tz::Asia::Shanghai)
        .date_naive()
}

fn code(e: &Value) -> &str {
    e["code"].as_str().unwrap_or_default()
}

/// The unit's open charges' total and the descriptions.
async fn owed(api: &super::Api, unit: i64) -> (i64, Vec<String>) {
    let (st, v) = api.get(&format!("/api/v1/units/{unit}/owed")).await;
    assert_eq!(st, 200, "{v}");
    let descs = v["charges"]
        .as_array()
        .expect("charges")
        .iter()
        .map(|c| c["description"].as_str().unwrap_or_default().to_string())
        .collect();
    (v["total_fen"].as_i64().expect("total_fen"), descs)
}

#[tokio::test]
async fn a_venue_is_booked_once_a_slot_charged_to_the_unit_and_cancelled_by_its_rules() {
    let app = app().await;
    let a = app.community_a.0;
    let (_, pm) = staff(&app, "manager1", "project_manager").await;
    let (_, agent) = staff(&app, "agent1", "service_agent").await;
    let (_, desk2) = staff(&app, "agent2", "service_agent").await;
    let owner = app.api_as("o1", "owner", &[app.community_a]).await;
    let (_, me) = owner.get("/api/v1/portal/me").await;
    let unit = me["units"][0]["unit_id"].as_i64().unwrap();
    let label = me["units"][0]["label"].as_str().unwrap().to_string();
    let admin = app.admin().await;
    let other = super::new_unit(&admin, app.building_a.0, "2201").await;
    let venues = format!("/api/v1/communities/{a}/venues");

    // A venue: bad input named, nothing written; only a manager adds one.
    let (st, e) = pm
        .post(
            &venues,
            json!({"name": "多功能厅", "capacity": 0, "opens": "25:00", "closes": "07:00",
                   "slot_minutes": 45, "hourly_fee": "-5"}),
        )
        .await;
    assert_eq!(st, 422, "{e}");
    assert_eq!(
        fields(&e),
        ["capacity", "opens", "slot_minutes", "hourly_fee"]
    );
    let (st, e) = pm
        .post(
            &venues,
            json!({"name": "多功能厅", "capacity": 50, "opens": "08:00", "closes": "21:30"}),
        )
        .await;
    assert_eq!((st.as_u16(), fields(&e)), (422, vec!["closes".to_string()]));
    let hall = json!({"name": "多功能厅", "capacity": 50, "opens": "08:00", "closes": "22:00",
                      "hourly_fee": "80.50", "location": "会所二楼"});
    let (st, _) = agent.post(&venues, hall.clone()).await;
    assert_eq!(st, 403);
    assert_eq!(app.count("venues").await, 0);
    let (st, v) = pm.post(&venues, hall.clone()).await;
    assert_eq!(st, 201, "{v}");
    assert_eq!(
        (&v["hourly_fee_fen"], &v["slot_minutes"], &v["cancel_hours"]),
        (&json!(8050), &json!(60), &json!(24))
    );
    let vid = v["id"].as_i64().unwrap();
    let (st, e) = pm.post(&venues, hall).await;
    assert_eq!((st.as_u16(), fields(&e)), (422, vec!["name".to_string()]));

    // The owner sees it and books whole slots for his unit.
    let (_, list) = owner.get("/api/v1/portal/venues").await;
    assert_eq!(list.as_array().map(Vec::len), Some(1), "{list}");
    let day = today() + Duration::days(3);
    let (st, plan) = owner
        .get(&format!("/api/v1/portal/venues/{vid}/day?day={day}"))
        .await;
    assert_eq!(st, 200, "{plan}");
    assert_eq!(plan["slots"].as_array().map(Vec::len), Some(14));
    let book = |start: &str, end: &str, n: i64, u: i64| {
        json!({"venue_id": vid, "unit_id": u, "day": day, "start": start, "end": end,
               "purpose": "业主生日会", "attendees": n})
    };
    let mine = "/api/v1/portal/venue-bookings";
    for (body, field, c) in [
        (book("14:00", "16:30", 20, unit), "start", "venue_slot_edge"),
        (
            book("14:00", "16:00", 60, unit),
            "attendees",
            "venue_over_capacity",
        ),
        (
            book("14:00", "16:00", 20, other),
            "unit_id",
            "venue_not_your_unit",
        ),
        (
            book("07:00", "09:00", 20, unit),
            "start",
            "venue_outside_hours",
        ),
        (book("09:00", "14:00", 20, unit), "end", "venue_too_long"),
        (book("9点", "10:00", 20, unit), "start", "venue_time"),
    ] {
        let (st, e) = owner.post(mine, body).await;
        assert_eq!((st.as_u16(), fields(&e)), (422, vec![field.to_string()]));
        assert_eq!(e["errors"][0]["code"], c, "{e}");
    }
    let mut far = book("14:00", "16:00", 20, unit);
    far["day"] = json!(today() + Duration::days(20));
    let (st, e) = owner.post(mine, far).await;
    assert_eq!((st.as_u16(), fields(&e)), (422, vec!["day".to_string()]));
    assert_eq!(app.count("venue_bookings").await, 0);
    assert_eq!(app.count("charges").await, 0);
    let (st, b) = owner.post(mine, book("14:00", "16:00", 20, unit)).await;
    assert_eq!(st, 201, "{b}");
    assert_eq!(
        (
            &b["fee_fen"],
            &b["source"],
            &b["state"],
            &b["start"],
            &b["end"]
        ),
        (
            &json!(16100),
            &json!("portal"),
            &json!("booked"),
            &json!("14:00"),
            &json!("16:00")
        )
    );
    assert_eq!(b["booker_name"], "o1业主");
    let (total, descs) = owed(&admin, unit).await;
    assert_eq!(total, 16100);
    assert!(descs[0].starts_with("场地预约：多功能厅"), "{descs:?}");

    // A slot held is refused at the desk; the next one is free.
    let at_desk = format!("/api/v1/venues/{vid}/bookings");
    let desk = |start: &str, end: &str| {
        json!({"day": day, "start": start, "end": end, "unit_label": label, "booker_name": "o1业主",
               "purpose": "业委会会议", "attendees": 8})
    };
    let (st, e) = agent.post(&at_desk, desk("15:00", "17:00")).await;
    assert_eq!((st.as_u16(), code(&e)), (409, "venue_slot_taken"), "{e}");
    assert_eq!(app.count("venue_bookings").await, 1);
    let (st, d) = agent.post(&at_desk, desk("16:00", "17:00")).await;
    assert_eq!(st, 201, "{d}");
    assert_eq!(
        (&d["fee_fen"], &d["source"]),
        (&json!(8050), &json!("desk"))
    );

    // A fee needs a unit; a free room takes a name and a phone.
    let (st, e) = agent
        .post(
            &at_desk,
            json!({"day": day, "start": "18:00", "end": "19:00", "booker_name": "访客张",
                   "purpose": "培训"}),
        )
        .await;
    assert_eq!(
        (st.as_u16(), fields(&e)),
        (422, vec!["unit_label".to_string()])
    );
    let (_, room) = pm
        .post(
            &venues,
            json!({"name": "会议室", "capacity": 12, "opens": "09:00", "closes": "18:00",
                   "slot_minutes": 30, "portal": false}),
        )
        .await;
    let rid = room["id"].as_i64().unwrap();
    let (st, r) = agent
        .post(
            &format!("/api/v1/venues/{rid}/bookings"),
            json!({"day": day, "start": "09:30", "end": "10:30", "booker_name": "访客张",
                   "phone": "13812345678", "purpose": "培训"}),
        )
        .await;
    assert_eq!(st, 201, "{r}");
    assert_eq!(
        (&r["fee_fen"], &r["charge_id"], &r["phone"]),
        (&json!(0), &json!(null), &json!("138****5678"))
    );
    let (st, e) = owner
        .post(
            mine,
            json!({"venue_id": rid, "unit_id": unit, "day": day, "start": "11:00", "end": "12:00",
                   "purpose": "x"}),
        )
        .await;
    assert_eq!((st.as_u16(), code(&e)), (422, "venue_not_in_portal"), "{e}");

    // Two desks book the last evening slot at once: one wins, nothing of the other is written.
    let body = desk("21:00", "22:00");
    let ((s1, v1), (s2, v2)) = tokio::join!(
        agent.post(&at_desk, body.clone()),
        desk2.post(&at_desk, body)
    );
    let mut got = [s1.as_u16(), s2.as_u16()];
    got.sort();
    assert_eq!(got, [201, 409], "{v1} {v2}");
    let lost = if s1.as_u16() == 409 { &v1 } else { &v2 };
    assert_eq!(code(lost), "venue_slot_taken", "{lost}");
    assert_eq!(app.count("venue_bookings").await, 4);
    assert_eq!(app.count("venue_slots").await, 2 + 1 + 2 + 1);
    let (total, _) = owed(&admin, unit).await;
    assert_eq!(total, 16100 + 8050 + 8050, "the loser charged nothing");

    // The desk's day names the bookers; the portal's only says taken.
    let (_, dv) = agent
        .get(&format!("/api/v1/communities/{a}/venue-day?day={day}"))
        .await;
    let hall_plan = dv["venues"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["venue"]["id"] == vid)
        .unwrap()
        .clone();
    let slot = |p: &Value, s: &str| {
        p["slots"]
            .as_array()
            .unwrap()
            .iter()
            .find(|x| x["start"] == s)
            .unwrap()
            .clone()
    };
    assert_eq!(
        slot(&hall_plan, "14:00")["booker"],
        format!("o1业主 · {label}")
    );
    assert_eq!(slot(&hall_plan, "13:00")["taken"], false);
    let (_, pv) = owner
        .get(&format!("/api/v1/portal/venues/{vid}/day?day={day}"))
        .await;
    let s = slot(&pv, "15:00");
    assert_eq!(
        (&s["taken"], &s["booker"], &s["booking_id"]),
        (&json!(true), &json!(null), &json!(null))
    );

    // The owner cancels in time: the charge reversed, the slots free again; not twice.
    let bid = b["id"].as_i64().unwrap();
    let (st, c) = owner
        .post(&format!("{mine}/{bid}/cancel"), json!({"reason": "改期"}))
        .await;
    assert_eq!(st, 200, "{c}");
    assert_eq!(
        (&c["state"], &c["fee_kept"]),
        (&json!("cancelled"), &json!(false))
    );
    let (total, _) = owed(&admin, unit).await;
    assert_eq!(total, 8050 + 8050);
    let (st, e) = owner.post(&format!("{mine}/{bid}/cancel"), json!({})).await;
    assert_eq!((st.as_u16(), code(&e)), (409, "venue_booking_cancelled"));
    let (st, again) = agent.post(&at_desk, desk("14:00", "15:00")).await;
    assert_eq!(st, 201, "the freed slot books again: {again}");

    // A paid fee is not withdrawn by a cancellation.
    let did = d["id"].as_i64().unwrap();
    let (st, p) = admin
        .post(
            "/api/v1/payments",
            json!({"unit_id": unit, "method": "cash", "amount": "80.50", "payer": "o1业主",
                   "charge_ids": [d["charge_id"]]}),
        )
        .await;
    assert_eq!(st, 201, "{p}");
    let (st, e) = agent
        .post(&format!("/api/v1/venue-bookings/{did}/cancel"), json!({}))
        .await;
    assert_eq!(
        (st.as_u16(), code(&e)),
        (409, "venue_booking_fee_paid"),
        "{e}"
    );
    let (_, still) = agent.get(&format!("/api/v1/venue-bookings/{did}")).await;
    assert_eq!(still["state"], "booked", "nothing half-written");

    // Late: only the desk cancels; the fee stands unless a manager waives it.
    let mut strict = json!({"name": "多功能厅", "capacity": 50, "opens": "08:00", "closes": "22:00",
                            "hourly_fee": "80.50", "cancel_hours": 168});
    let (st, _) = pm
        .put(&format!("/api/v1/venues/{vid}"), strict.clone())
        .await;
    assert_eq!(st, 200);
    let (_, late) = owner.post(mine, book("08:00", "09:00", 5, unit)).await;
    let lid = late["id"].as_i64().unwrap();
    let (st, e) = owner.post(&format!("{mine}/{lid}/cancel"), json!({})).await;
    assert_eq!(
        (st.as_u16(), code(&e)),
        (422, "venue_booking_cancel_late"),
        "{e}"
    );
    let cancel = format!("/api/v1/venue-bookings/{lid}/cancel");
    let (st, e) = agent.post(&cancel, json!({"waive_fee": true})).await;
    assert_eq!(
        (st.as_u16(), fields(&e)),
        (422, vec!["waive_fee".to_string()])
    );
    let before = owed(&admin, unit).await.0;
    let (st, k) = agent.post(&cancel, json!({"reason": "临时有事"})).await;
    assert_eq!(st, 200, "{k}");
    assert_eq!(k["fee_kept"], true);
    assert_eq!(owed(&admin, unit).await.0, before, "the late fee stands");
    let (_, late2) = owner.post(mine, book("10:00", "12:00", 5, unit)).await;
    let (st, w) = pm
        .post(
            &format!("/api/v1/venue-bookings/{}/cancel", late2["id"]),
            json!({"waive_fee": true, "reason": "场地设备故障"}),
        )
        .await;
    assert_eq!(st, 200, "{w}");
    assert_eq!(w["fee_kept"], false);
    assert_eq!(
        owed(&admin, unit).await.0,
        before,
        "the waived fee is reversed"
    );

    // The lists: the day's bookings, the owner's own without staff names.
    let (_, all) = agent
        .get(&format!(
            "/api/v1/communities/{a}/venue-bookings?day={day}&state=booked"
        ))
        .await;
    assert_eq!(all.as_array().map(Vec::len), Some(4), "{all}");
    let (st, e) = agent
        .get(&format!(
            "/api/v1/communities/{a}/venue-bookings?state=gone"
        ))
        .await;
    assert_eq!((st.as_u16(), fields(&e)), (422, vec!["state".to_string()]));
    let (_, own) = owner.get(mine).await;
    assert_eq!(
        own.as_array().map(Vec::len),
        Some(6),
        "desk bookings in his name too: {own}"
    );
    assert!(
        own.as_array()
            .unwrap()
            .iter()
            .all(|b| b["booked_by_name"].is_null())
    );

    // A retired venue is not booked.
    strict["retired"] = json!(true);
    let (st, _) = pm.put(&format!("/api/v1/venues/{vid}"), strict).await;
    assert_eq!(st, 200);
    let (st, e) = agent.post(&at_desk, desk("19:00", "20:00")).await;
    assert_eq!((st.as_u16(), code(&e)), (409, "venue_retired"), "{e}");
}
