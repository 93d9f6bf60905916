//! Billing: fee items and standards, bill runs (preview, post once, proration, vacant discount),
//! payments oldest first with receipts numbered without gaps, prepaid balances, idempotent
//! retries, reversals and refunds, the daily close, two cashiers on one charge, paid services
//! handed over by requests, and the ledger invariant over a random sequence of operations.

use serde_json::{Value, json};
use wuye_testkit::Api;

use crate::{app, error_fields, new_unit};

/// A unit with the given state (area 89.50, inner 72.30).
async fn unit_in_state(api: &Api, building: i64, no: &str, state: &str) -> i64 {
    let (st, v) = api
        .post(
            "/api/v1/units",
            json!({"building_id": building, "unit_no": no, "floor": 3, "building_area": "89.50",
                   "inner_area": "72.30", "use_kind": "residential", "state": state}),
        )
        .await;
    assert_eq!(st, 201, "{v}");
    v["id"].as_i64().expect("unit id")
}

/// Property fee: building area × ¥2.35 a month, billed quarterly from January, due on the
/// 15th, vacant units at 70 %, no late fee.
///
/// The periods billed here lie months before today and a payment is dated today, so with a
/// late fee every payment would post the fee of all the days in between (a charge carries
/// the fee of its overdue days even when paid before the job ran): a figure that changes
/// every day. Late fees are tested on dates around today (tests/it/latefees.rs) and here with
/// [`property_fee_with_late_fee`] where no payment is taken.
async fn property_fee(api: &Api, c: i64) -> (i64, i64) {
    fee_with_late_fee(api, c, "0").await
}

/// The same with a late fee of 0.05 % a day after 10 days, capped at the principal.
async fn property_fee_with_late_fee(api: &Api, c: i64) -> (i64, i64) {
    fee_with_late_fee(api, c, "0.05").await
}

async fn fee_with_late_fee(api: &Api, c: i64, rate: &str) -> (i64, i64) {
    let (st, item) = api
        .put(
            "/api/v1/fee-items",
            json!({"community_id": c, "code": "wyf", "name": "物业费", "kind": "property",
                   "late_fee_rate": rate, "late_fee_grace_days": 10, "late_fee_cap_pct": 100}),
        )
        .await;
    assert_eq!(st, 200, "{item}");
    assert_eq!(item["code"], "WYF");
    assert_eq!(item["late_fee_ppm"], if rate == "0" { 0 } else { 500 });
    let (st, std) = api
        .post(
            "/api/v1/charge-standards",
            json!({"community_id": c, "fee_item_id": item["id"], "name": "住宅物业费",
                   "method": "building_area", "price": "2.35", "cycle": "quarterly",
                   "due_day": 15, "vacant_pct": 70}),
        )
        .await;
    assert_eq!(st, 201, "{std}");
    assert_eq!(std["price_e4"], 23500);
    (
        item["id"].as_i64().expect("item"),
        std["id"].as_i64().expect("std"),
    )
}

async fn owed(api: &Api, unit: i64) -> Value {
    let (st, v) = api.get(&format!("/api/v1/units/{unit}/owed")).await;
    assert_eq!(st, 200, "{v}");
    v
}

async fn pay(api: &Api, unit: i64, amount: &str, extra: Value) -> (u16, Value) {
    let mut body = json!({"unit_id": unit, "method": "cash", "amount": amount, "payer": "张三"});
    if let (Some(b), Some(e)) = (body.as_object_mut(), extra.as_object()) {
        for (k, v) in e {
            b.insert(k.clone(), v.clone());
        }
    }
    let (st, v) = api.post("/api/v1/payments", body).await;
    (st.as_u16(), v)
}

/// charged − paid = owed − prepaid, from the statement's own rows.
async fn assert_balanced(api: &Api, unit: i64) -> Value {
    let (st, s) = api.get(&format!("/api/v1/units/{unit}/statement")).await;
    assert_eq!(st, 200, "{s}");
    let sum = |k: &str, f: &str| -> i64 {
        s[k].as_array()
            .map(|a| a.iter().filter_map(|x| x[f].as_i64()).sum())
            .unwrap_or(0)
    };
    let charged = sum("charges", "amount_fen");
    let paid = sum("payments", "amount_fen");
    let owed: i64 = s["charges"]
        .as_array()
        .map(|a| {
            a.iter()
                .filter(|c| c["reversed_by"].is_null() && c["kind"] != "reversal")
                .map(|c| {
                    c["amount_fen"].as_i64().unwrap_or(0) - c["settled_fen"].as_i64().unwrap_or(0)
                })
                .sum()
        })
        .unwrap_or(0);
    assert_eq!(s["charged_fen"].as_i64(), Some(charged));
    assert_eq!(s["paid_fen"].as_i64(), Some(paid));
    assert_eq!(s["owed_fen"].as_i64(), Some(owed));
    assert_eq!(
        charged - paid,
        owed - s["prepaid_fen"].as_i64().unwrap_or(0),
        "unit {unit}: {s}"
    );
    s
}

#[tokio::test]
async fn bill_run_prorates_discounts_and_posts_once() {
    let app = app().await;
    let api = app.admin().await;
    let c = app.community_a.0;
    let b = app.building_a.0;
    let (item, _) = property_fee_with_late_fee(&api, c).await;
    let u1 = new_unit(&api, b, "101").await;
    let u2 = new_unit(&api, b, "102").await;
    let u3 = unit_in_state(&api, b, "103", "vacant").await;
    // Unsold units are not billed.
    unit_in_state(&api, b, "104", "unsold").await;
    // 102 was handed over on 1 August: 61 of the quarter's 92 days.
    let (st, v) = api
        .put(
            &format!("/api/v1/units/{u2}/billing-account"),
            json!({"billing_from": "2026-08-01"}),
        )
        .await;
    assert_eq!(st, 200, "{v}");
    let (st, bad) = api
        .put(
            &format!("/api/v1/units/{u2}/billing-account"),
            json!({"billing_from": "2026-08-01", "billing_until": "2026-07-01"}),
        )
        .await;
    assert_eq!(st, 422);
    assert_eq!(
        error_fields(&bad),
        [("billing_until".into(), "until_before_from".into())]
    );

    let run = json!({"community_id": c, "period": "2026-07"});
    let (st, p) = api.post("/api/v1/bill-runs/preview", run.clone()).await;
    assert_eq!(st, 200, "{p}");
    // 89.50 × 2.35 × 3 = 630.975 → 630.98; × 61/92 → 418.36; × 70 % → 441.68.
    assert_eq!(p["charges"], 3);
    assert_eq!(p["total_fen"], 63098 + 41836 + 44168);
    assert_eq!(p["items"][0]["fee_item_id"], item);
    assert_eq!(p["already_posted"], false);
    assert_eq!(app.count("charges").await, 0, "a preview writes nothing");
    // A month that starts no quarter bills nothing.
    let (_, aug) = api
        .post(
            "/api/v1/bill-runs/preview",
            json!({"community_id": c, "period": "2026-08"}),
        )
        .await;
    assert_eq!(aug["charges"], 0);

    let (st, r) = api.post("/api/v1/bill-runs", run.clone()).await;
    assert_eq!(st, 201, "{r}");
    assert_eq!(r["charges"], 3);
    assert_eq!(r["total_fen"], 149_102);
    let (st, again) = api.post("/api/v1/bill-runs", run.clone()).await;
    assert_eq!(st, 409, "{again}");
    assert_eq!(again["code"], "period_already_posted");
    assert_eq!(app.count("charges").await, 3);
    let (_, p) = api.post("/api/v1/bill-runs/preview", run).await;
    assert_eq!(p["already_posted"], true);

    let o = owed(&api, u2).await;
    assert_eq!(o["total_fen"], 41836);
    let ch = &o["charges"][0];
    assert_eq!(ch["basis"], "89.50 ㎡ × ¥2.35 × 3 月 × 61/92 天");
    assert_eq!(ch["due_date"], "2026-07-15");
    assert_eq!(ch["period_from"], "2026-07-01");
    assert_eq!(ch["period_to"], "2026-09-30");
    assert_eq!(owed(&api, u1).await["total_fen"], 63098);
    assert_eq!(
        owed(&api, u3).await["charges"][0]["basis"],
        "89.50 ㎡ × ¥2.35 × 3 月 × 70%"
    );

    // Bad input names its field and writes nothing.
    let (st, e) = api
        .post(
            "/api/v1/bill-runs",
            json!({"community_id": c, "period": "2026-13"}),
        )
        .await;
    assert_eq!(st, 422);
    assert_eq!(
        error_fields(&e),
        [("period".into(), "invalid_period".into())]
    );
    let (st, e) = api
        .post(
            "/api/v1/charge-standards",
            json!({"community_id": c, "fee_item_id": 999_999, "name": "x", "method": "area",
                   "price": "1.23456", "due_day": 40}),
        )
        .await;
    assert_eq!(st, 422);
    let f = error_fields(&e);
    assert!(
        f.contains(&("method".into(), "unknown_charge_method".into())),
        "{f:?}"
    );
    assert!(
        f.contains(&("price".into(), "too_many_decimals".into())),
        "{f:?}"
    );
    assert!(
        f.contains(&("due_day".into(), "out_of_range".into())),
        "{f:?}"
    );

    // The published schedule.
    let (st, sch) = api
        .get(&format!("/api/v1/communities/{c}/fee-schedule"))
        .await;
    assert_eq!(st, 200);
    assert_eq!(sch[0]["price"], "¥2.35 /㎡·月（建筑面积）");
    assert_eq!(sch[0]["late_fee"], "逾期 10 天后每日 0.05%，不超过本金");
    assert_eq!(sch[0]["note"], "空置房按 70% 收取");

    // A one-off fee of the schedule, charged by naming its standard.
    let (st, dep) = api
        .post(
            "/api/v1/charge-standards",
            json!({"community_id": c, "fee_item_id": item, "name": "装修押金", "method": "one_off", "price": "2000"}),
        )
        .await;
    assert_eq!(st, 201, "{dep}");
    assert_eq!(dep["cycle"], "once");
    let (st, ch) = api
        .post(
            "/api/v1/charges",
            json!({"unit_id": u1, "fee_item_id": 0, "standard_id": dep["id"], "description": "装修押金"}),
        )
        .await;
    assert_eq!(st, 201, "{ch}");
    assert_eq!(ch["amount_fen"], 200_000);
    let (_, stds) = api
        .get(&format!("/api/v1/communities/{c}/charge-standards"))
        .await;
    let (st, e) = api
        .post(
            "/api/v1/charges",
            json!({"unit_id": u1, "fee_item_id": 0, "standard_id": stds[0]["id"], "description": "x"}),
        )
        .await;
    assert_eq!(
        (st.as_u16(), error_fields(&e)),
        (
            422,
            vec![("standard_id".into(), "not_a_one_off_standard".into())]
        )
    );
    let (_, p) = api
        .post(
            "/api/v1/bill-runs/preview",
            json!({"community_id": c, "period": "2026-10"}),
        )
        .await;
    assert_eq!(p["charges"], 3, "bill runs skip one-off standards: {p}");

    // A unit with charges on record is never deleted.
    let (st, e) = api.delete(&format!("/api/v1/units/{u1}")).await;
    assert_eq!(st, 409, "{e}");
    assert_eq!(e["code"], "unit_has_records");
}

#[tokio::test]
async fn payments_settle_oldest_first_with_receipts_and_prepaid() {
    let app = app().await;
    let api = app.admin().await;
    let c = app.community_a.0;
    let b = app.building_a.0;
    property_fee(&api, c).await;
    let u1 = new_unit(&api, b, "201").await;
    for period in ["2026-07", "2026-10"] {
        let (st, v) = api
            .post(
                "/api/v1/bill-runs",
                json!({"community_id": c, "period": period}),
            )
            .await;
        assert_eq!(st, 201, "{v}");
    }
    let o = owed(&api, u1).await;
    assert_eq!(o["total_fen"], 2 * 63098);
    let july = o["charges"][0]["id"].as_i64().expect("id");
    let october = o["charges"][1]["id"].as_i64().expect("id");

    // ¥700.00 settles July (630.98) and 69.02 of October.
    let (st, p1) = pay(&api, u1, "700", json!({})).await;
    assert_eq!(st, 201, "{p1}");
    assert_eq!(p1["payment"]["receipt_no"], 1);
    assert_eq!(p1["settled"][0]["charge_id"], july);
    assert_eq!(p1["settled"][0]["amount_fen"], 63098);
    assert_eq!(p1["settled"][1]["charge_id"], october);
    assert_eq!(p1["settled"][1]["amount_fen"], 6902);
    assert_eq!(p1["payment"]["to_prepaid_fen"], 0);
    assert_eq!(owed(&api, u1).await["total_fen"], 63098 - 6902);

    // ¥600.00: 561.96 settles October, 38.04 goes to the prepaid balance.
    let (st, p2) = pay(&api, u1, "600.00", json!({"method": "wechat"})).await;
    assert_eq!(st, 201, "{p2}");
    assert_eq!(p2["payment"]["receipt_no"], 2);
    assert_eq!(p2["payment"]["to_prepaid_fen"], 3804);
    let o = owed(&api, u1).await;
    assert_eq!(o["total_fen"], 0);
    assert_eq!(o["prepaid_fen"], 3804);

    // The receipt, with the amount in capitals.
    let pid = p1["payment"]["id"].as_i64().expect("pid");
    let (st, r) = api.get(&format!("/api/v1/payments/{pid}/receipt")).await;
    assert_eq!(st, 200, "{r}");
    assert_eq!(r["receipt_no"], "NO.00000001");
    assert_eq!(r["amount_capitals"], "柒佰元整");
    assert_eq!(r["unit_label"], "1栋-201");
    assert_eq!(r["lines"].as_array().map(Vec::len), Some(2));
    // The same receipt as a PDF file: 柒佰元整 is U+67D2 U+4F70 U+5143 U+6574.
    let pdf = api
        .client
        .get(format!("{}/api/v1/payments/{pid}/receipt.pdf", app.base))
        .bearer_auth(api.token.as_deref().unwrap_or(""))
        .send()
        .await
        .expect("pdf");
    assert_eq!(pdf.status(), 200);
    assert_eq!(
        pdf.headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok()),
        Some("application/pdf")
    );
    let bytes = pdf.bytes().await.expect("bytes");
    assert!(bytes.starts_with(b"%PDF-"));
    // What a reader shows (Poppler): the number as printed, the amount in capitals; and the
    // font the file carries, embedded as a subset, so every reader prints the same.
    let (text, fonts) = crate::pdf_text_and_fonts(&bytes);
    assert!(text.contains("NO.00000001"), "{text}");
    assert!(text.contains("柒佰元整"), "the amount in capitals: {text}");
    let font = fonts.lines().nth(2).unwrap_or_default();
    assert!(
        font.contains("WenQuanYi") || font.contains("WQY"),
        "{fonts}"
    );
    let cols: Vec<&str> = font.split_whitespace().collect();
    assert!(
        cols.windows(3).any(|w| w == ["yes", "yes", "yes"]),
        "embedded, a subset, with a Unicode map: {fonts}"
    );

    // A new charge is settled from the prepaid balance as it posts: 38.04 of ¥100.
    let (_, items) = api.get(&format!("/api/v1/communities/{c}/fee-items")).await;
    let (st, ch) = api
        .post(
            "/api/v1/charges",
            json!({"unit_id": u1, "fee_item_id": items[0]["id"], "amount": "100",
                   "description": "门禁卡补办", "reason": "业主申请"}),
        )
        .await;
    assert_eq!(st, 201, "{ch}");
    assert_eq!(ch["settled_fen"], 3804);
    let o = owed(&api, u1).await;
    assert_eq!(o["total_fen"], 10000 - 3804);
    assert_eq!(o["prepaid_fen"], 0);

    // Paying a chosen charge instead of the oldest.
    let (st, p3) = pay(
        &api,
        u1,
        "61.96",
        json!({"charge_ids": [ch["id"]], "method": "alipay"}),
    )
    .await;
    assert_eq!(st, 201, "{p3}");
    assert_eq!(p3["settled"][0]["charge_id"], ch["id"]);
    // Today's income counts the ¥38.04 when the prepaid balance settled the card fee, not when
    // it was paid in: 630.98 + 69.02 + 561.96 + 38.04 + 61.96 = 1,361.96.
    let d = today();
    let (_, rep) = api
        .get(&format!(
            "/api/v1/communities/{c}/reports/collection?from={d}&to={d}"
        ))
        .await;
    assert_eq!(rep["total_fen"], 70000 + 60000 + 6196);
    assert_eq!(rep["by_item"][0]["total_fen"], 136_196);
    assert_eq!(rep["prepaid_fen"], 3804);

    // Bad amounts name the field; nothing is written.
    let before = app.count("payments").await;
    for (amount, code) in [
        ("0", "must_be_positive"),
        ("-5", "must_be_positive"),
        ("1.234", "too_many_decimals"),
        ("abc", "not_a_number"),
    ] {
        let (st, e) = pay(&api, u1, amount, json!({})).await;
        assert_eq!(st, 422, "{amount}: {e}");
        assert_eq!(
            error_fields(&e),
            [("amount".into(), code.into())],
            "{amount}"
        );
    }
    let (st, e) = pay(&api, u1, "10", json!({"method": "bitcoin"})).await;
    assert_eq!(st, 422);
    assert_eq!(
        error_fields(&e),
        [("method".into(), "unknown_pay_method".into())]
    );
    let (st, e) = pay(&api, u1, "10", json!({"charge_ids": [october, october]})).await;
    assert_eq!(st, 422, "{e}");
    assert_eq!(
        error_fields(&e),
        [("charge_ids[1]".into(), "duplicate_charge".into())]
    );
    let (st, e) = pay(&api, u1, "10", json!({"charge_ids": [july]})).await;
    assert_eq!(st, 409, "{e}");
    assert_eq!(e["code"], "charge_already_settled");
    assert_eq!(app.count("payments").await, before);

    // With prepaid off, paying more than is owed is refused.
    let (st, _) = api
        .put(
            &format!("/api/v1/communities/{c}/billing-settings"),
            json!({"prepaid_enabled": false}),
        )
        .await;
    assert_eq!(st, 200);
    let (st, e) = pay(&api, u1, "1", json!({})).await;
    assert_eq!(st, 422, "{e}");
    assert_eq!(
        error_fields(&e),
        [("amount".into(), "amount_exceeds_owed".into())]
    );
    assert_eq!(app.count("payments").await, before);
    assert_balanced(&api, u1).await;
}

#[tokio::test]
async fn retries_reversals_refunds_and_receipt_continuity() {
    let app = app().await;
    let api = app.admin().await;
    let c = app.community_a.0;
    let b = app.building_a.0;
    property_fee(&api, c).await;
    let u1 = new_unit(&api, b, "301").await;
    let u2 = new_unit(&api, b, "302").await;
    let (st, _) = api
        .post(
            "/api/v1/bill-runs",
            json!({"community_id": c, "period": "2026-07"}),
        )
        .await;
    assert_eq!(st, 201);

    // The same payment sent twice with one key is recorded once.
    let key = json!({"idempotency_key": "pos-20261201-0001"});
    let (st, first) = pay(&api, u1, "700", key.clone()).await;
    assert_eq!(st, 201, "{first}");
    // "700.00" is the same amount as "700".
    let (st, again) = pay(&api, u1, "700.00", key.clone()).await;
    assert_eq!(st, 200, "{again}");
    assert_eq!(again["replayed"], true);
    assert_eq!(again["payment"]["id"], first["payment"]["id"]);
    assert_eq!(app.count("payments").await, 1);
    let (st, e) = pay(&api, u1, "701", key).await;
    assert_eq!(st, 409);
    assert_eq!(e["code"], "idempotency_key_reused");
    assert_eq!(owed(&api, u1).await["prepaid_fen"], 70000 - 63098);

    // Reversing the payment: the charge owes again and the prepaid part comes out.
    let pid = first["payment"]["id"].as_i64().expect("pid");
    let (st, e) = api
        .post(
            &format!("/api/v1/payments/{pid}/reverse"),
            json!({"reason": " "}),
        )
        .await;
    assert_eq!(st, 422);
    assert_eq!(error_fields(&e), [("reason".into(), "required".into())]);
    let (st, rev) = api
        .post(
            &format!("/api/v1/payments/{pid}/reverse"),
            json!({"reason": "收错房号"}),
        )
        .await;
    assert_eq!(st, 201, "{rev}");
    assert_eq!(rev["payment"]["amount_fen"], -70000);
    assert_eq!(rev["payment"]["receipt_no"], 2);
    assert_eq!(rev["settled"][0]["amount_fen"], -63098);
    let o = owed(&api, u1).await;
    assert_eq!(o["total_fen"], 63098);
    assert_eq!(o["prepaid_fen"], 0);
    let rid = rev["payment"]["id"].as_i64().expect("rid");
    let (st, e) = api
        .post(
            &format!("/api/v1/payments/{rid}/reverse"),
            json!({"reason": "再冲"}),
        )
        .await;
    assert_eq!(st, 409);
    assert_eq!(e["code"], "cannot_reverse_reversal");
    let (st, e) = api
        .post(
            &format!("/api/v1/payments/{pid}/reverse"),
            json!({"reason": "再冲"}),
        )
        .await;
    assert_eq!(st, 409);
    assert_eq!(e["code"], "already_reversed");

    // Reversing a charge: a counter-charge; the original owes nothing.
    let ch = owed(&api, u2).await["charges"][0]["id"]
        .as_i64()
        .expect("charge");
    let (st, cr) = api
        .post(
            &format!("/api/v1/charges/{ch}/reverse"),
            json!({"reason": "面积录错"}),
        )
        .await;
    assert_eq!(st, 201, "{cr}");
    assert_eq!(cr["amount_fen"], -63098);
    assert_eq!(cr["reverses_id"], ch);
    assert_eq!(owed(&api, u2).await["total_fen"], 0);
    let crid = cr["id"].as_i64().expect("id");
    let (st, e) = api
        .post(
            &format!("/api/v1/charges/{crid}/reverse"),
            json!({"reason": "x"}),
        )
        .await;
    assert_eq!(
        (st.as_u16(), e["code"].as_str()),
        (409, Some("cannot_reverse_reversal"))
    );
    let (st, e) = api
        .post(
            &format!("/api/v1/charges/{ch}/reverse"),
            json!({"reason": "x"}),
        )
        .await;
    assert_eq!(
        (st.as_u16(), e["code"].as_str()),
        (409, Some("already_reversed"))
    );
    // A charge with money on it is reversed after its payment.
    let (st, _) = pay(&api, u1, "10", json!({})).await;
    assert_eq!(st, 201);
    let ch1 = owed(&api, u1).await["charges"][0]["id"]
        .as_i64()
        .expect("charge");
    let (st, e) = api
        .post(
            &format!("/api/v1/charges/{ch1}/reverse"),
            json!({"reason": "x"}),
        )
        .await;
    assert_eq!(
        (st.as_u16(), e["code"].as_str()),
        (409, Some("charge_has_payments"))
    );

    // A refund pays back prepaid money, never more than there is.
    let (st, _) = pay(&api, u2, "50", json!({})).await;
    assert_eq!(st, 201);
    let (st, e) = api
        .post(
            "/api/v1/refunds",
            json!({"unit_id": u2, "method": "cash", "amount": "50.01", "reason": "迁出退费"}),
        )
        .await;
    assert_eq!(st, 422);
    assert_eq!(
        error_fields(&e),
        [("amount".into(), "amount_exceeds_prepaid".into())]
    );
    let (st, rf) = api
        .post(
            "/api/v1/refunds",
            json!({"unit_id": u2, "method": "cash", "amount": "50", "reason": "迁出退费"}),
        )
        .await;
    assert_eq!(st, 201, "{rf}");
    assert_eq!(rf["amount_fen"], -5000);
    assert_eq!(owed(&api, u2).await["prepaid_fen"], 0);

    // Every entry has a receipt number; none repeats, none is skipped.
    let (st, list) = api.get(&format!("/api/v1/payments?community_id={c}")).await;
    assert_eq!(st, 200, "{list}");
    let nos: Vec<i64> = list
        .as_array()
        .expect("list")
        .iter()
        .filter_map(|p| p["receipt_no"].as_i64())
        .collect();
    assert_eq!(nos, (1..=nos.len() as i64).collect::<Vec<_>>());
    assert_eq!(nos.len(), 5);
    assert_balanced(&api, u1).await;
    assert_balanced(&api, u2).await;
}

#[tokio::test]
async fn daily_close_locks_the_day_and_access_is_by_role() {
    let app = app().await;
    let admin = app.admin().await;
    let c = app.community_a.0;
    let b = app.building_a.0;
    property_fee(&admin, c).await;
    let u1 = new_unit(&admin, b, "401").await;
    let (st, _) = admin
        .post(
            "/api/v1/bill-runs",
            json!({"community_id": c, "period": "2026-07"}),
        )
        .await;
    assert_eq!(st, 201);
    let cashier = app.api_as("cashier1", "cashier", &[app.community_a]).await;
    let other = app.api_as("cashier2", "cashier", &[app.community_b]).await;
    let tech = app.api_as("tech1", "technician", &[app.community_a]).await;

    // Who may do what.
    let (st, _) = cashier
        .post(
            "/api/v1/bill-runs",
            json!({"community_id": c, "period": "2026-10"}),
        )
        .await;
    assert_eq!(st, 403, "a cashier does not run bills");
    let (st, _) = tech.get(&format!("/api/v1/units/{u1}/owed")).await;
    assert_eq!(st, 403, "a technician does not see what a unit owes");
    let (st, _) = other.get(&format!("/api/v1/units/{u1}/owed")).await;
    assert_eq!(
        st, 404,
        "another community's cashier does not know the unit"
    );

    let (st, p) = pay(&cashier, u1, "100", json!({})).await;
    assert_eq!(st, 201, "{p}");
    let (st, p) = pay(&cashier, u1, "30.50", json!({"method": "wechat"})).await;
    assert_eq!(st, 201, "{p}");
    let (st, day) = cashier
        .post(
            "/api/v1/daily-closes",
            json!({"community_id": c, "note": "现金已交"}),
        )
        .await;
    assert_eq!(st, 200, "{day}");
    assert_eq!(day["payments"], 2);
    assert_eq!(day["total_fen"], 13050);
    assert_eq!(day["cash_fen"], 10000);
    assert!(day["closed_at"].is_string());
    let (st, e) = pay(&cashier, u1, "1", json!({})).await;
    assert_eq!(st, 409, "{e}");
    assert_eq!(e["code"], "day_closed");
    assert_eq!(app.count("payments").await, 2);
    let (st, e) = cashier
        .post("/api/v1/daily-closes", json!({"community_id": c}))
        .await;
    assert_eq!(
        (st.as_u16(), e["code"].as_str()),
        (409, Some("day_already_closed"))
    );
    // The admin's own day is still open.
    let (st, _) = pay(&admin, u1, "1", json!({})).await;
    assert_eq!(st, 201);

    // The manager confirms the hand-over, once.
    let confirm =
        json!({"community_id": c, "cashier_id": day["cashier_id"], "date": day["business_date"]});
    let (st, _) = cashier
        .post("/api/v1/daily-closes/confirm", confirm.clone())
        .await;
    assert_eq!(st, 403);
    let (st, v) = admin
        .post("/api/v1/daily-closes/confirm", confirm.clone())
        .await;
    assert_eq!(st, 200, "{v}");
    assert!(v["confirmed_at"].is_string());
    let (st, e) = admin.post("/api/v1/daily-closes/confirm", confirm).await;
    assert_eq!(
        (st.as_u16(), e["code"].as_str()),
        (409, Some("day_already_confirmed"))
    );
    let (st, days) = admin
        .get(&format!("/api/v1/daily-closes?community_id={c}"))
        .await;
    assert_eq!(st, 200, "{days}");
    assert_eq!(days.as_array().map(Vec::len), Some(2), "{days}");
    let (st, mine) = cashier
        .get(&format!("/api/v1/daily-closes?community_id={c}"))
        .await;
    assert_eq!(st, 200);
    assert_eq!(
        mine.as_array().map(Vec::len),
        Some(1),
        "a cashier sees his own days"
    );
}

#[tokio::test]
async fn two_cashiers_settle_one_charge_once() {
    let app = app().await;
    let admin = app.admin().await;
    let c = app.community_a.0;
    property_fee(&admin, c).await;
    let u1 = new_unit(&admin, app.building_a.0, "501").await;
    let (st, _) = admin
        .post(
            "/api/v1/bill-runs",
            json!({"community_id": c, "period": "2026-07"}),
        )
        .await;
    assert_eq!(st, 201);
    let ch = owed(&admin, u1).await["charges"][0]["id"].clone();
    let a = app.api_as("cash_a", "cashier", &[app.community_a]).await;
    let b = app.api_as("cash_b", "cashier", &[app.community_a]).await;
    for round in 0..3 {
        if round > 0 {
            // Undo the winner, so the charge owes again.
            let (_, list) = admin
                .get(&format!("/api/v1/payments?community_id={c}"))
                .await;
            let last = list
                .as_array()
                .and_then(|l| {
                    l.iter()
                        .rev()
                        .find(|p| p["kind"] == "payment" && p["reversed_by"].is_null())
                })
                .map(|p| p["id"].clone())
                .expect("a payment");
            let (st, _) = admin
                .post(
                    &format!("/api/v1/payments/{last}/reverse"),
                    json!({"reason": "重试"}),
                )
                .await;
            assert_eq!(st, 201);
        }
        let body = json!({"charge_ids": [ch]});
        let (ra, rb) = tokio::join!(
            pay(&a, u1, "630.98", body.clone()),
            pay(&b, u1, "630.98", body)
        );
        let mut codes = [ra.0, rb.0];
        codes.sort();
        assert_eq!(codes, [201, 409], "{ra:?} {rb:?}");
        let loser = if ra.0 == 409 { &ra.1 } else { &rb.1 };
        assert_eq!(loser["code"], "charge_already_settled");
        let o = owed(&admin, u1).await;
        assert_eq!(o["total_fen"], 0);
        assert_eq!(o["prepaid_fen"], 0);
    }
    assert_balanced(&admin, u1).await;
}

#[tokio::test]
async fn paid_services_from_requests_post_once() {
    let app = app().await;
    let admin = app.admin().await;
    let c = app.community_a;
    let u1 = new_unit(&admin, app.building_a.0, "601").await;
    // What a finished request with paid services hands over (see tickets::services).
    let mut tx = app.core.db.begin().await.expect("begin");
    tx.execute(
        "INSERT INTO pending_charges (community_id, unit_id, source, source_id, description, amount_fen, created_at) \
         VALUES ($1, $2, 'request', 7, '有偿服务 BX-1：更换水龙头×1', 3500, $3)",
        wuye_core::args![c, u1, chrono::Utc::now()],
    )
    .await
    .expect("insert");
    tx.commit().await.expect("commit");
    let (st, v) = admin
        .post(
            &format!("/api/v1/communities/{}/pending-charges/post", c.0),
            json!({}),
        )
        .await;
    assert_eq!(st, 200, "{v}");
    assert_eq!(v["posted"], 1);
    let (_, v) = admin
        .post(
            &format!("/api/v1/communities/{}/pending-charges/post", c.0),
            json!({}),
        )
        .await;
    assert_eq!(v["posted"], 0, "posted once");
    let o = owed(&admin, u1).await;
    assert_eq!(o["total_fen"], 3500);
    assert_eq!(o["charges"][0]["kind"], "service");
    let (_, pending) = admin
        .get(&format!("/api/v1/communities/{}/pending-charges", c.0))
        .await;
    assert_eq!(pending.as_array().map(Vec::len), Some(0), "{pending}");
}

/// A deterministic xorshift generator: the sequence is the same on every run and backend.
struct Rng(u64);
impl Rng {
    fn below(&mut self, n: u64) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0 % n
    }
}

/// After a random sequence of charges, payments, reversals and refunds, every unit's balance
/// is charges − payments + refunds (= owed − prepaid), and receipt numbers run 1..n.
#[tokio::test]
async fn ledger_stays_balanced_under_random_operations() {
    let app = app().await;
    let api = app.admin().await;
    let c = app.community_a.0;
    let (item, _) = property_fee(&api, c).await;
    let mut units = Vec::new();
    for no in ["701", "702", "703"] {
        units.push(new_unit(&api, app.building_a.0, no).await);
    }
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let mut ok = [0usize; 5];
    for _ in 0..60 {
        let u = units[rng.below(3) as usize];
        match rng.below(5) {
            0 => {
                let amount = format!("{}.{:02}", 1 + rng.below(300), rng.below(100));
                let (st, v) = api
                    .post(
                        "/api/v1/charges",
                        json!({"unit_id": u, "fee_item_id": item, "amount": amount, "description": "随机应收"}),
                    )
                    .await;
                assert_eq!(st, 201, "{v}");
                ok[0] += 1;
            }
            1 => {
                let amount = format!("{}.{:02}", 1 + rng.below(400), rng.below(100));
                let (st, v) = pay(&api, u, &amount, json!({})).await;
                assert_eq!(st, 201, "{v}");
                ok[1] += 1;
            }
            2 => {
                let (_, s) = api.get(&format!("/api/v1/units/{u}/statement")).await;
                let open: Vec<i64> = s["payments"]
                    .as_array()
                    .map(|a| {
                        a.iter()
                            .filter(|p| p["kind"] == "payment" && p["reversed_by"].is_null())
                            .filter_map(|p| p["id"].as_i64())
                            .collect()
                    })
                    .unwrap_or_default();
                if let Some(&p) = open.get(rng.below(open.len().max(1) as u64) as usize) {
                    let (st, v) = api
                        .post(
                            &format!("/api/v1/payments/{p}/reverse"),
                            json!({"reason": "随机红冲"}),
                        )
                        .await;
                    // Its prepaid part may already have settled newer charges.
                    assert!(
                        st == 201 || (st == 409 && v["code"] == "prepaid_already_used"),
                        "{v}"
                    );
                    if st == 201 {
                        ok[2] += 1;
                    }
                }
            }
            3 => {
                let o = owed(&api, u).await;
                let unpaid: Vec<i64> = o["charges"]
                    .as_array()
                    .map(|a| {
                        a.iter()
                            .filter(|c| c["settled_fen"] == 0)
                            .filter_map(|c| c["id"].as_i64())
                            .collect()
                    })
                    .unwrap_or_default();
                if let Some(ch) = unpaid.first() {
                    let (st, v) = api
                        .post(
                            &format!("/api/v1/charges/{ch}/reverse"),
                            json!({"reason": "随机红冲"}),
                        )
                        .await;
                    assert_eq!(st, 201, "{v}");
                    ok[3] += 1;
                }
            }
            _ => {
                let prepaid = owed(&api, u).await["prepaid_fen"].as_i64().unwrap_or(0);
                if prepaid > 0 {
                    let amt = 1 + rng.below(prepaid as u64) as i64;
                    let (st, v) = api
                        .post(
                            "/api/v1/refunds",
                            json!({"unit_id": u, "method": "bank",
                                   "amount": format!("{}.{:02}", amt / 100, amt % 100), "reason": "随机退款"}),
                        )
                        .await;
                    assert_eq!(st, 201, "{v}");
                    ok[4] += 1;
                }
            }
        }
        for &u in &units {
            assert_balanced(&api, u).await;
        }
    }
    assert!(
        ok.iter().all(|n| *n > 0),
        "every kind of operation ran: {ok:?}"
    );
    let (_, list) = api.get(&format!("/api/v1/payments?community_id={c}")).await;
    let nos: Vec<i64> = list
        .as_array()
        .expect("list")
        .iter()
        .filter_map(|p| p["receipt_no"].as_i64())
        .collect();
    assert_eq!(nos, (1..=nos.len() as i64).collect::<Vec<_>>());
}

/// The console: the manager previews and posts a run, the cashier finds the unit by its
/// label, takes a payment (a double submit of the same form records it once) and gets a
/// receipt with the amount in capitals, then closes the day.
#[tokio::test]
async fn console_run_cashier_receipt_and_close() {
    use crate::console::console_login;
    let app = app().await;
    let admin = app.admin().await;
    let c = app.community_a.0;
    property_fee(&admin, c).await;
    let unit = new_unit(&admin, app.building_a.0, "801").await;
    app.user("boss", "project_manager", &[app.community_a])
        .await;
    app.user("cash", "cashier", &[app.community_a]).await;

    let (m, token) = console_login(&app, "boss").await;
    let html = m
        .get(format!("{}/billing?community={c}&period=2026-07", app.base))
        .send()
        .await
        .expect("get")
        .text()
        .await
        .expect("body");
    assert!(html.contains("id=\"preview\""), "{html}");
    assert!(html.contains("¥630.98"), "the preview's total");
    let r = m
        .post(format!("{}/billing/runs", app.base))
        .form(&[
            ("_csrf", token.as_str()),
            ("community_id", &c.to_string()),
            ("period", "2026-07"),
        ])
        .send()
        .await
        .expect("post");
    assert_eq!(r.status(), 303);
    assert_eq!(app.count("charges").await, 1);

    let (k, token) = console_login(&app, "cash").await;
    let html = k
        .get(format!("{}/cashier?community={c}&unit=1栋-801", app.base))
        .send()
        .await
        .expect("get")
        .text()
        .await
        .expect("body");
    assert!(html.contains("id=\"owed-total\">¥630.98"), "{html}");
    let key = {
        let i = html.find("name=\"idempotency_key\" value=\"").expect("key") + 30;
        html[i..i + 64].to_string()
    };
    let form = [
        ("_csrf", token.as_str()),
        ("community_id", &c.to_string()),
        ("unit_id", &unit.to_string()),
        ("idempotency_key", key.as_str()),
        ("method", "cash"),
        ("amount", "630.98"),
        ("payer", "王五"),
    ];
    let mut receipts = Vec::new();
    for _ in 0..2 {
        let r = k
            .post(format!("{}/cashier/pay", app.base))
            .form(&form)
            .send()
            .await
            .expect("pay");
        assert_eq!(r.status(), 303);
        receipts.push(
            r.headers()
                .get("location")
                .and_then(|v| v.to_str().ok())
                .unwrap_or("")
                .to_string(),
        );
    }
    assert_eq!(receipts[0], receipts[1], "a double submit is one payment");
    assert_eq!(app.count("payments").await, 1);
    let html = k
        .get(format!("{}{}", app.base, receipts[0]))
        .send()
        .await
        .expect("receipt")
        .text()
        .await
        .expect("body");
    assert!(html.contains("陆佰叁拾元玖角捌分"), "{html}");
    assert!(html.contains("NO.00000001"));
    // A bad amount is shown on the form, nothing written.
    let r = k
        .post(format!("{}/cashier/pay", app.base))
        .form(&[
            ("_csrf", token.as_str()),
            ("community_id", &c.to_string()),
            ("unit_id", &unit.to_string()),
            ("idempotency_key", "k2"),
            ("method", "cash"),
            ("amount", "-1"),
            ("payer", "王五"),
        ])
        .send()
        .await
        .expect("pay");
    assert_eq!(r.status(), 422);
    assert!(r.text().await.unwrap_or_default().contains("必须大于 0"));
    let r = k
        .post(format!("{}/daily-close", app.base))
        .form(&[("_csrf", token.as_str()), ("community_id", &c.to_string())])
        .send()
        .await
        .expect("close");
    assert_eq!(r.status(), 303);
    let html = k
        .get(format!("{}/daily-close?community={c}", app.base))
        .send()
        .await
        .expect("days")
        .text()
        .await
        .expect("body");
    assert!(html.contains("已日结，待确认交接"), "{html}");
    assert!(html.contains("¥630.98"));
}

/// Accrues a community's late fees as of `day` (what the daily job does on that day).
async fn accrue(app: &wuye_testkit::TestApp, c: i64, day: &str) -> u64 {
    let day = chrono::NaiveDate::parse_from_str(day, "%Y-%m-%d").expect("date");
    let mut tx = app.core.db.begin().await.expect("begin");
    let n = wuye_core::billing::accrue_in(&mut tx, wuye_core::shared::ids::CommunityId(c), day)
        .await
        .expect("accrue");
    tx.commit().await.expect("commit");
    n
}

#[tokio::test]
async fn late_fees_accrue_post_with_payment_cap_and_waive() {
    let app = app().await;
    let api = app.admin().await;
    let c = app.community_a.0;
    property_fee_with_late_fee(&api, c).await;
    let u1 = new_unit(&api, app.building_a.0, "901").await;
    let u2 = new_unit(&api, app.building_a.0, "902").await;
    let u3 = new_unit(&api, app.building_a.0, "903").await;
    let (st, _) = api
        .post(
            "/api/v1/bill-runs",
            json!({"community_id": c, "period": "2026-07"}),
        )
        .await;
    assert_eq!(st, 201);
    // Due 15 July, 10 days of grace: nothing until the 26th.
    assert_eq!(accrue(&app, c, "2026-07-25").await, 0);
    assert_eq!(accrue(&app, c, "2026-08-24").await, 3);
    // A charge reversed as a billing error takes its late fee with it.
    assert_eq!(owed(&api, u3).await["late_fee_fen"], 946);
    let ch3 = owed(&api, u3).await["charges"][0]["id"]
        .as_i64()
        .expect("charge");
    let (st, _) = api
        .post(
            &format!("/api/v1/charges/{ch3}/reverse"),
            json!({"reason": "面积录错"}),
        )
        .await;
    assert_eq!(st, 201);
    assert_eq!(owed(&api, u3).await["late_fee_fen"], 0);
    let (st, p3) = pay(&api, u3, "1", json!({})).await;
    assert_eq!(st, 201);
    assert_eq!(
        p3["payment"]["to_prepaid_fen"], 100,
        "nothing to settle, no late fee posted"
    );
    // 40 days overdue − 10 of grace = 30 days: 630.98 × 0.05 % × 30 = 9.4647 → ¥9.46.
    let o = owed(&api, u1).await;
    assert_eq!(o["late_fee_fen"], 946, "{o}");
    assert_eq!(o["late_fees"][0]["days"], 30);
    assert_eq!(
        o["late_fees"][0]["rule"],
        "0.05%/天，宽限 10 天，不超过本金"
    );
    // The same day again adds nothing.
    accrue(&app, c, "2026-08-24").await;
    assert_eq!(owed(&api, u1).await["late_fee_fen"], 946);

    // Ten years on, the cap: never above the principal. (Payments and the order of the job
    // and the desk: tests/it/latefees.rs, on dates around today since a payment is dated now.)
    accrue(&app, c, "2036-08-29").await;
    assert_eq!(owed(&api, u1).await["late_fee_fen"], 63098);

    // A manager waives u2's late fee; it stops.
    let ch2 = owed(&api, u2).await["charges"][0]["id"]
        .as_i64()
        .expect("charge");
    let cashier = app.api_as("lf_cash", "cashier", &[app.community_a]).await;
    let (st, _) = cashier
        .post(
            &format!("/api/v1/charges/{ch2}/waive-late-fee"),
            json!({"reason": "困难户"}),
        )
        .await;
    assert_eq!(st, 403);
    let (st, w) = api
        .post(
            &format!("/api/v1/charges/{ch2}/waive-late-fee"),
            json!({"reason": "困难户"}),
        )
        .await;
    assert_eq!(st, 200, "{w}");
    assert_eq!(w["waived"], true);
    assert_eq!(w["accrued_fen"], 0);
    accrue(&app, c, "2037-01-01").await;
    assert_eq!(owed(&api, u2).await["late_fee_fen"], 0);
    let (st, e) = api
        .post(
            &format!("/api/v1/charges/{ch2}/waive-late-fee"),
            json!({"reason": "再次"}),
        )
        .await;
    assert_eq!(
        (st.as_u16(), e["code"].as_str()),
        (409, Some("late_fee_already_waived"))
    );
    let (_, log) = api
        .get(&format!(
            "/api/v1/audit?entity=late_fee_waiver&entity_id={ch2}"
        ))
        .await;
    assert_eq!(log.as_array().map(Vec::len), Some(1), "{log}");
    assert_balanced(&api, u1).await;
    // The API's manual accrual (as of today).
    let (st, v) = api
        .post(
            &format!("/api/v1/communities/{c}/late-fees/accrue"),
            json!({}),
        )
        .await;
    assert_eq!(st, 200, "{v}");
}

/// Today in the communities' zone (Asia/Shanghai), as the services see it.
fn today() -> chrono::NaiveDate {
    chrono::Utc::now()
        .with_timezone(&chrono_tz::Asia::Shanghai)
        .date_naive()
}

#[tokio::test]
async fn arrears_ageing_reminders_rate_and_reports() {
    let app = app().await;
    let api = app.admin().await;
    let c = app.community_a.0;
    let (item, _) = property_fee(&api, c).await;
    let (st, b2) = api
        .post(
            "/api/v1/buildings",
            json!({"community_id": c, "name": "2栋", "floors": 18}),
        )
        .await;
    assert_eq!(st, 201, "{b2}");
    let u1 = new_unit(&api, app.building_a.0, "1001").await;
    let u2 = new_unit(&api, b2["id"].as_i64().expect("b2"), "1002").await;
    let (st, _) = api
        .post(
            "/api/v1/bill-runs",
            json!({"community_id": c, "period": "2026-07"}),
        )
        .await;
    assert_eq!(st, 201);
    let (st, _) = pay(&api, u1, "630.98", json!({})).await;
    assert_eq!(st, 201);

    // Collection rate: half of what July's quarter billed is in.
    let (st, r) = api
        .get(&format!(
            "/api/v1/communities/{c}/collection-rate?period=2026-07"
        ))
        .await;
    assert_eq!(st, 200, "{r}");
    assert_eq!(r["billed_fen"], 2 * 63098);
    assert_eq!(r["collected_fen"], 63098);
    assert_eq!(r["rate_bp"], 5000);
    assert_eq!(r["by_item"][0]["key_id"], item);
    let by_b: Vec<(String, i64)> = r["by_building"]
        .as_array()
        .expect("buildings")
        .iter()
        .map(|b| {
            (
                b["name"].as_str().unwrap_or("").to_string(),
                b["rate_bp"].as_i64().unwrap_or(-1),
            )
        })
        .collect();
    assert_eq!(by_b, [("1栋".to_string(), 10000), ("2栋".to_string(), 0)]);
    let (st, e) = api
        .get(&format!(
            "/api/v1/communities/{c}/collection-rate?period=2026-7"
        ))
        .await;
    assert_eq!(st, 422, "{e}");

    // Ageing: on 1 September 1002 is 48 days overdue; on 1 February 201 days.
    let (st, a) = api
        .get(&format!(
            "/api/v1/communities/{c}/arrears/ageing?as_of=2026-09-01"
        ))
        .await;
    assert_eq!(st, 200, "{a}");
    assert_eq!(a["total"]["d31_90_fen"], 63098);
    assert_eq!(a["total"]["d0_30_fen"], 0);
    assert_eq!(a["total"]["units"], 1);
    assert_eq!(a["buildings"][0]["building"], "2栋");
    let (_, a) = api
        .get(&format!(
            "/api/v1/communities/{c}/arrears/ageing?as_of=2027-02-01"
        ))
        .await;
    assert_eq!(a["total"]["over_180_fen"], 63098);
    let (_, a) = api
        .get(&format!(
            "/api/v1/communities/{c}/arrears/ageing?as_of=2026-07-15"
        ))
        .await;
    assert_eq!(a["total"]["total_fen"], 0, "not overdue on its due day");
    let (st, us) = api
        .get(&format!(
            "/api/v1/communities/{c}/arrears/units?as_of=2026-09-01&min_days=30"
        ))
        .await;
    assert_eq!(st, 200, "{us}");
    assert_eq!(us[0]["unit_label"], "2栋-1002");
    assert_eq!(us[0]["days"], 48);
    assert_eq!(us[0]["owed_fen"], 63098);
    let (_, none) = api
        .get(&format!(
            "/api/v1/communities/{c}/arrears/units?as_of=2026-09-01&min_days=60"
        ))
        .await;
    assert_eq!(none.as_array().map(Vec::len), Some(0));

    // The reminder log and a batch of notices.
    let (st, e) = api
        .post(
            "/api/v1/reminders",
            json!({"unit_id": u2, "method": "fax", "result": "x"}),
        )
        .await;
    assert_eq!(st, 422);
    assert_eq!(
        error_fields(&e),
        [("method".into(), "unknown_reminder_method".into())]
    );
    let (st, rm) = api
        .post(
            "/api/v1/reminders",
            json!({"unit_id": u2, "method": "phone", "result": "业主答应月底前缴清", "next_step": "月底未缴则上门"}),
        )
        .await;
    assert_eq!(st, 201, "{rm}");
    assert_eq!(rm["owed_fen"], 63098);
    let (st, batch) = api
        .post(
            &format!("/api/v1/communities/{c}/reminder-notices"),
            json!({"as_of": "2026-09-01", "min_days": 30}),
        )
        .await;
    assert_eq!(st, 200, "{batch}");
    assert_eq!(batch["notices"].as_array().map(Vec::len), Some(1));
    assert_eq!(batch["notices"][0]["owed_fen"], 63098);
    let r = api
        .client
        .post(format!(
            "{}/api/v1/communities/{c}/reminder-notices.pdf",
            app.base
        ))
        .bearer_auth(api.token.as_deref().unwrap_or(""))
        .json(&json!({"as_of": "2026-09-01", "min_days": 30}))
        .send()
        .await
        .expect("pdf");
    assert_eq!(r.status(), 200);
    let bytes = r.bytes().await.expect("bytes");
    // One page a unit (pdftotext ends each page with a form feed), the notice's title and sum.
    let (text, _) = crate::pdf_text_and_fonts(&bytes);
    assert_eq!(text.matches('\u{c}').count(), 1, "one page a unit: {text}");
    assert!(
        text.contains("催缴通知单") && text.contains("630.98"),
        "{text}"
    );
    let (_, log) = api.get(&format!("/api/v1/units/{u2}/reminders")).await;
    let methods: Vec<&str> = log
        .as_array()
        .expect("log")
        .iter()
        .filter_map(|r| r["method"].as_str())
        .collect();
    assert_eq!(methods, ["notice", "notice", "phone"]);

    // Reports: today's collection, the quarter's publication with an expense, the fund.
    let d = today();
    let (st, rep) = api
        .get(&format!(
            "/api/v1/communities/{c}/reports/collection?from={d}&to={d}"
        ))
        .await;
    assert_eq!(st, 200, "{rep}");
    assert_eq!(rep["total_fen"], 63098);
    assert_eq!(rep["by_item"][0]["total_fen"], 63098);
    let (st, e) = api
        .post(
            "/api/v1/expenses",
            json!({"community_id": c, "spent_on": d, "category": "人工费", "description": "保洁工资", "amount": "0"}),
        )
        .await;
    assert_eq!(st, 422);
    assert_eq!(
        error_fields(&e),
        [("amount".into(), "must_be_positive".into())]
    );
    let (st, _) = api
        .post(
            "/api/v1/expenses",
            json!({"community_id": c, "spent_on": d, "category": "人工费", "description": "保洁工资", "amount": "200"}),
        )
        .await;
    assert_eq!(st, 201);
    let quarter = format!(
        "{}-Q{}",
        chrono::Datelike::year(&d),
        (chrono::Datelike::month(&d) - 1) / 3 + 1
    );
    let (st, p) = api
        .get(&format!(
            "/api/v1/communities/{c}/reports/publication?quarter={quarter}"
        ))
        .await;
    assert_eq!(st, 200, "{p}");
    assert_eq!(p["income_fen"], 63098);
    assert_eq!(p["expense_fen"], 20000);
    assert_eq!(p["balance_fen"], 43098);
    let (st, e) = api
        .get(&format!(
            "/api/v1/communities/{c}/reports/publication?quarter=2026-Q5"
        ))
        .await;
    assert_eq!(
        (st.as_u16(), e["code"].as_str()),
        (422, Some("invalid_quarter"))
    );
    // The fund: a fund charge paid in, a repair paid out of it.
    let (_, fund) = api
        .put(
            "/api/v1/fee-items",
            json!({"community_id": c, "code": "ZXWX", "name": "专项维修资金", "kind": "fund"}),
        )
        .await;
    let (st, ch) = api
        .post(
            "/api/v1/charges",
            json!({"unit_id": u2, "fee_item_id": fund["id"], "amount": "500", "description": "专项维修资金续筹"}),
        )
        .await;
    assert_eq!(st, 201, "{ch}");
    let (st, _) = pay(&api, u2, "500", json!({"charge_ids": [ch["id"]]})).await;
    assert_eq!(st, 201);
    let (st, _) = api
        .post(
            "/api/v1/expenses",
            json!({"community_id": c, "spent_on": d, "category": "电梯大修", "description": "2栋电梯更换钢丝绳", "amount": "120", "from_fund": true}),
        )
        .await;
    assert_eq!(st, 201);
    let (st, f) = api
        .get(&format!(
            "/api/v1/communities/{c}/reports/fund?from={d}&to={d}"
        ))
        .await;
    assert_eq!(st, 200, "{f}");
    assert_eq!(f["opening_fen"], 0);
    assert_eq!(f["closing_fen"], 50000 - 12000);
    let (_, p) = api
        .get(&format!(
            "/api/v1/communities/{c}/reports/publication?quarter={quarter}"
        ))
        .await;
    assert_eq!(
        p["income_fen"], 63098,
        "the fund is not the service's income"
    );
    assert_eq!(p["expense_fen"], 20000);

    // Every report as .xlsx.
    for q in [
        format!("report=collection&from={d}&to={d}"),
        format!("report=publication&quarter={quarter}"),
        format!("report=fund&from={d}&to={d}"),
        "report=ageing&as_of=2026-09-01".to_string(),
        "report=arrears".to_string(),
        "report=rate&period=2026-07".to_string(),
    ] {
        let r = api
            .client
            .get(format!(
                "{}/api/v1/communities/{c}/billing-reports.xlsx?{q}",
                app.base
            ))
            .bearer_auth(api.token.as_deref().unwrap_or(""))
            .send()
            .await
            .expect("xlsx");
        assert_eq!(r.status(), 200, "{q}");
        let bytes = r.bytes().await.expect("bytes");
        assert_eq!(&bytes[..2], b"PK", "{q}");
        let mut wb: calamine::Xlsx<_> =
            calamine::open_workbook_from_rs(std::io::Cursor::new(bytes.to_vec()))
                .expect("workbook");
        use calamine::Reader;
        let sheet = wb.worksheet_range_at(0).expect("sheet").expect("range");
        assert!(sheet.height() >= 3, "{q}");
    }
    let (st, e) = api
        .get(&format!(
            "/api/v1/communities/{c}/billing-reports.xlsx?report=nope"
        ))
        .await;
    assert_eq!(
        (st.as_u16(), e["code"].as_str()),
        (422, Some("unknown_report"))
    );
}

/// An owner's portal API client for a new owner of `unit`.
async fn owner_of(app: &wuye_testkit::TestApp, admin: &Api, unit: i64, name: &str) -> Api {
    let (st, p) = admin
        .post(
            "/api/v1/people",
            json!({"community_id": app.community_a.0, "name": name, "unit_id": unit, "relation": "owner"}),
        )
        .await;
    assert_eq!(st, 201, "{p}");
    let (_, slip) = admin
        .post(
            &format!("/api/v1/people/{}/portal-account", p["id"]),
            json!({}),
        )
        .await;
    let anon = app.api(None);
    let (st, _) = anon
        .post(
            "/api/v1/portal/activate",
            json!({"username": slip["username"], "activation_code": slip["activation_code"], "password": "owner2026pw"}),
        )
        .await;
    assert_eq!(st, 204);
    let (_, t) = anon
        .post(
            "/api/v1/auth/token",
            json!({"username": slip["username"], "password": "owner2026pw"}),
        )
        .await;
    app.api(t["token"].as_str().map(str::to_string))
}

#[tokio::test]
async fn owners_see_their_own_units_bills_and_receipts_only() {
    let app = app().await;
    let admin = app.admin().await;
    let c = app.community_a.0;
    property_fee(&admin, c).await;
    let mine = new_unit(&admin, app.building_a.0, "1101").await;
    let theirs = new_unit(&admin, app.building_a.0, "1102").await;
    let (st, _) = admin
        .post(
            "/api/v1/bill-runs",
            json!({"community_id": c, "period": "2026-07"}),
        )
        .await;
    assert_eq!(st, 201);
    let (_, p_mine) = pay(&admin, mine, "700", json!({})).await;
    let (_, p_theirs) = pay(&admin, theirs, "100", json!({})).await;
    let owner = owner_of(&app, &admin, mine, "周业主").await;

    let (st, bills) = owner.get("/api/v1/portal/billing").await;
    assert_eq!(st, 200, "{bills}");
    let bills = bills.as_array().expect("bills");
    assert_eq!(bills.len(), 1);
    assert_eq!(bills[0]["unit_label"], "1栋-1101");
    assert_eq!(bills[0]["owed"]["total_fen"], 0);
    assert_eq!(bills[0]["owed"]["prepaid_fen"], 70000 - 63098);
    assert_eq!(
        bills[0]["statement"]["payments"].as_array().map(Vec::len),
        Some(1)
    );
    let (st, r) = owner
        .get(&format!(
            "/api/v1/portal/receipts/{}",
            p_mine["payment"]["id"]
        ))
        .await;
    assert_eq!(st, 200, "{r}");
    assert_eq!(r["amount_capitals"], "柒佰元整");
    let (st, _) = owner
        .get(&format!(
            "/api/v1/portal/receipts/{}",
            p_theirs["payment"]["id"]
        ))
        .await;
    assert_eq!(st, 404, "another unit's receipt");
    let r = owner
        .client
        .get(format!(
            "{}/api/v1/portal/receipts/{}/pdf",
            app.base, p_mine["payment"]["id"]
        ))
        .bearer_auth(owner.token.as_deref().unwrap_or(""))
        .send()
        .await
        .expect("pdf");
    assert_eq!(r.status(), 200);
    // The staff API stays closed to owners.
    let (st, _) = owner.get(&format!("/api/v1/units/{mine}/owed")).await;
    assert_eq!(st, 403);
    let (st, sch) = owner
        .get(&format!("/api/v1/communities/{c}/fee-schedule"))
        .await;
    assert_eq!(st, 200, "the published schedule: {sch}");
    let quarter = "2026-Q3";
    let (st, _) = owner
        .get(&format!(
            "/api/v1/communities/{c}/reports/publication?quarter={quarter}"
        ))
        .await;
    assert_eq!(st, 200, "the quarterly publication is for owners too");
}

/// The console's arrears, reports, statement and owner pages render what the API computes.
#[tokio::test]
async fn console_arrears_reports_statement_and_owner_pages() {
    use crate::console::console_login;
    let app = app().await;
    let admin = app.admin().await;
    let c = app.community_a.0;
    property_fee_with_late_fee(&admin, c).await;
    let unit = new_unit(&admin, app.building_a.0, "1201").await;
    let (st, _) = admin
        .post(
            "/api/v1/bill-runs",
            json!({"community_id": c, "period": "2026-07"}),
        )
        .await;
    assert_eq!(st, 201);
    accrue(&app, c, "2026-08-24").await;
    app.user("boss2", "project_manager", &[app.community_a])
        .await;
    let (m, token) = console_login(&app, "boss2").await;
    let get = |path: String| {
        let m = m.clone();
        let base = app.base.clone();
        async move {
            let r = m.get(format!("{base}{path}")).send().await.expect("get");
            let st = r.status();
            (st, r.text().await.expect("body"))
        }
    };
    let (st, html) = get(format!("/billing/arrears?community={c}&as_of=2026-09-01")).await;
    assert_eq!(st, 200, "{html}");
    assert!(html.contains("id=\"ageing-total\">¥630.98"), "{html}");
    assert!(html.contains("1栋-1201"));
    let (st, html) = get(format!("/units/{unit}/statement")).await;
    assert_eq!(st, 200);
    assert!(html.contains("¥9.46"), "the accrued late fee: {html}");
    let r = m
        .post(format!("{}/units/{unit}/reminders", app.base))
        .form(&[
            ("_csrf", token.as_str()),
            ("method", "phone"),
            ("result", "无人接听"),
            ("next_step", "明日再打"),
        ])
        .send()
        .await
        .expect("post");
    assert_eq!(r.status(), 303);
    let (_, html) = get(format!("/units/{unit}/statement")).await;
    assert!(html.contains("无人接听"));
    let r = m
        .post(format!("{}/billing/notices", app.base))
        .form(&[
            ("_csrf", token.as_str()),
            ("community_id", &c.to_string()),
            ("as_of", "2026-09-01"),
            ("min_days", "30"),
        ])
        .send()
        .await
        .expect("post");
    assert_eq!(r.status(), 200);
    let html = r.text().await.expect("body");
    assert!(html.contains(&format!("id=\"notice-{unit}\"")), "{html}");
    let (st, html) = get(format!("/billing/reports?community={c}&period=2026-07")).await;
    assert_eq!(st, 200, "{html}");
    assert!(html.contains("id=\"rate-total\">0.00%"), "{html}");
    let r = m
        .get(format!(
            "{}/billing/export.xlsx?community={c}&report=ageing&as_of=2026-09-01",
            app.base
        ))
        .send()
        .await
        .expect("xlsx");
    assert_eq!(r.status(), 200);

    // What the owner's page shows.
    let owner = owner_of(&app, &admin, unit, "吴业主").await;
    let (st, bills) = owner.get("/api/v1/portal/billing").await;
    assert_eq!(st, 200);
    assert_eq!(bills[0]["owed"]["late_fee_fen"], 946);
}

#[tokio::test]
async fn meter_readings_carry_forward_flag_and_charge_by_tiers() {
    let app = app().await;
    let api = app.admin().await;
    let c = app.community_a.0;
    let unit = new_unit(&api, app.building_a.0, "1301").await;
    let (_, item) = api
        .put(
            "/api/v1/fee-items",
            json!({"community_id": c, "code": "SF", "name": "水费", "kind": "water"}),
        )
        .await;
    let (st, e) = api
        .post(
            "/api/v1/charge-standards",
            json!({"community_id": c, "fee_item_id": item["id"], "name": "居民水费", "method": "fixed",
                   "price": "3.45", "tiers": "10:3.45;*:4"}),
        )
        .await;
    assert_eq!(st, 422);
    assert_eq!(
        error_fields(&e),
        [("tiers".into(), "tiers_need_meter".into())]
    );
    let (st, std) = api
        .post(
            "/api/v1/charge-standards",
            json!({"community_id": c, "fee_item_id": item["id"], "name": "居民阶梯水价", "method": "meter",
                   "price": "0", "tiers": "10:3.45;20:4.83;*:5.83", "due_day": 20}),
        )
        .await;
    assert_eq!(st, 201, "{std}");
    let (st, m) = api
        .post(
            "/api/v1/meters",
            json!({"unit_id": unit, "kind": "water", "standard_id": std["id"], "initial_value": "100"}),
        )
        .await;
    assert_eq!(st, 201, "{m}");
    let meter = m["id"].as_i64().expect("meter");
    let (st, _) = api
        .post(
            "/api/v1/meters",
            json!({"unit_id": unit, "kind": "water", "standard_id": std["id"]}),
        )
        .await;
    assert_eq!(st, 409, "one water meter per unit");
    let read = |period: &str, value: &str, confirm: bool| json!({"community_id": c, "period": period, "readings": [{"meter_id": meter, "value": value, "confirm": confirm}]});
    // 100 → 115.50: 15.50 m³ = 10 × 3.45 + 5.50 × 4.83 = 61.065 → ¥61.07.
    let (st, r) = api
        .post("/api/v1/meter-readings", read("2026-07", "115.5", false))
        .await;
    assert_eq!(st, 200, "{r}");
    assert_eq!(r[0]["usage"], 1550);
    assert!(r[0]["flag"].is_null());
    let o = owed(&api, unit).await;
    assert_eq!(o["total_fen"], 6107);
    assert_eq!(o["charges"][0]["basis"], "10.00 × ¥3.45 + 5.50 × ¥4.83");
    // A period's usage is known at its end: due on the 20th of the next month.
    assert_eq!(o["charges"][0]["due_date"], "2026-08-20");
    // The last reading carries forward: 115.50 → 120: 4.50 × 3.45 = 15.525 → ¥15.53.
    let (_, meters) = api.get(&format!("/api/v1/communities/{c}/meters")).await;
    assert_eq!(meters[0]["last_value"], 11550);
    let (st, _) = api
        .post("/api/v1/meter-readings", read("2026-08", "120", false))
        .await;
    assert_eq!(st, 200);
    assert_eq!(owed(&api, unit).await["total_fen"], 6107 + 1553);
    let (st, e) = api
        .post("/api/v1/meter-readings", read("2026-08", "121", false))
        .await;
    assert_eq!(
        (st.as_u16(), e["code"].as_str()),
        (409, Some("reading_already_charged"))
    );

    // 80 m³ against an average of 10: a jump, flagged, nothing charged until confirmed.
    let (_, r) = api
        .post("/api/v1/meter-readings", read("2026-09", "200", false))
        .await;
    assert_eq!(r[0]["flag"], "jump");
    assert!(r[0]["charge_id"].is_null());
    assert_eq!(owed(&api, unit).await["total_fen"], 6107 + 1553);
    let cashier = app.api_as("reader", "cashier", &[app.community_a]).await;
    let rid = r[0]["id"].as_i64().expect("reading");
    let (st, _) = cashier
        .post(&format!("/api/v1/meter-readings/{rid}/confirm"), json!({}))
        .await;
    assert_eq!(st, 403);
    let (st, r) = api
        .post(&format!("/api/v1/meter-readings/{rid}/confirm"), json!({}))
        .await;
    assert_eq!(st, 200, "{r}");
    // 10 × 3.45 + 10 × 4.83 + 60 × 5.83 = 432.60.
    assert_eq!(owed(&api, unit).await["total_fen"], 6107 + 1553 + 43260);
    // Below the last reading: the meter was replaced; a manager confirms at once.
    let (st, e) = cashier
        .post("/api/v1/meter-readings", read("2026-10", "50", true))
        .await;
    assert_eq!(st, 422);
    assert_eq!(
        error_fields(&e),
        [("readings[0].confirm".into(), "confirm_needs_manager".into())]
    );
    let (_, r) = cashier
        .post("/api/v1/meter-readings", read("2026-10", "50", false))
        .await;
    assert_eq!(r[0]["flag"], "below_last");
    let (_, r) = api
        .post("/api/v1/meter-readings", read("2026-10", "50", true))
        .await;
    assert_eq!(r[0]["usage"], 5000);
    assert!(r[0]["charge_id"].is_i64());
    // 10 × 3.45 + 10 × 4.83 + 30 × 5.83 = 257.70.
    assert_eq!(
        owed(&api, unit).await["total_fen"],
        6107 + 1553 + 43260 + 25770
    );

    // Bad input names the row; nothing is written.
    let before = app.count("meter_readings").await;
    let (st, e) = api
        .post(
            "/api/v1/meter-readings",
            json!({"community_id": c, "period": "2026-11", "readings": [
                {"meter_id": meter, "value": "-1"}, {"meter_id": 999_999, "value": "1"}]}),
        )
        .await;
    assert_eq!(st, 422, "{e}");
    assert_eq!(
        error_fields(&e),
        [("readings[0].value".into(), "must_not_be_negative".into())]
    );
    let (st, e) = api
        .post(
            "/api/v1/meter-readings",
            json!({"community_id": c, "period": "2026-11", "readings": [{"meter_id": 999_999, "value": "1"}]}),
        )
        .await;
    assert_eq!(
        (st.as_u16(), error_fields(&e)),
        (
            422,
            vec![("readings[0].meter_id".into(), "unknown_meter".into())]
        )
    );
    assert_eq!(app.count("meter_readings").await, before);

    // An .xlsx of readings: 50 → 56.
    let mut wb = rust_xlsxwriter::Workbook::new();
    let ws = wb.add_worksheet();
    for (col, h) in ["房屋", "表类型", "本期读数"].iter().enumerate() {
        ws.write_string(0, col as u16, *h).expect("h");
    }
    ws.write_string(1, 0, "1栋-1301").expect("c");
    ws.write_string(1, 1, "水表").expect("c");
    ws.write_number(1, 2, 56.0).expect("c");
    let bytes = wb.save_to_buffer().expect("xlsx");
    let r = api
        .client
        .post(format!(
            "{}/api/v1/communities/{c}/meter-readings/import?period=2026-11",
            app.base
        ))
        .bearer_auth(api.token.as_deref().unwrap_or(""))
        .body(bytes)
        .send()
        .await
        .expect("import");
    assert_eq!(r.status(), 200);
    let v: Value = r.json().await.expect("json");
    assert_eq!(v[0]["usage"], 600);
    // 6 × 3.45 = 20.70.
    assert_eq!(
        owed(&api, unit).await["total_fen"],
        6107 + 1553 + 43260 + 25770 + 2070
    );
    assert_balanced(&api, unit).await;
}

/// The meter page: readings typed by building, saved and charged.
#[tokio::test]
async fn console_meter_page_saves_readings() {
    use crate::console::console_login;
    let app = app().await;
    let api = app.admin().await;
    let c = app.community_a.0;
    let unit = new_unit(&api, app.building_a.0, "1401").await;
    let (_, item) = api
        .put(
            "/api/v1/fee-items",
            json!({"community_id": c, "code": "DF", "name": "电费", "kind": "electricity"}),
        )
        .await;
    let (_, std) = api
        .post(
            "/api/v1/charge-standards",
            json!({"community_id": c, "fee_item_id": item["id"], "name": "居民电价", "method": "meter", "price": "0.617"}),
        )
        .await;
    let (_, m) = api
        .post(
            "/api/v1/meters",
            json!({"unit_id": unit, "kind": "electricity", "standard_id": std["id"]}),
        )
        .await;
    app.user("reader2", "cashier", &[app.community_a]).await;
    let (k, token) = console_login(&app, "reader2").await;
    let html = k
        .get(format!(
            "{}/billing/meters?community={c}&period=2026-07",
            app.base
        ))
        .send()
        .await
        .expect("get")
        .text()
        .await
        .expect("body");
    assert!(html.contains(&format!("name=\"v_{}\"", m["id"])), "{html}");
    let r = k
        .post(format!("{}/billing/meters", app.base))
        .form(&[
            ("_csrf", token.as_str()),
            ("community_id", &c.to_string()),
            ("period", "2026-07"),
            (&format!("v_{}", m["id"]), "123.4"),
        ])
        .send()
        .await
        .expect("post");
    assert_eq!(r.status(), 303);
    // 123.40 kWh × ¥0.617 = 76.1378 → ¥76.14.
    assert_eq!(owed(&api, unit).await["total_fen"], 7614);
    // The next period from an .xlsx upload: 123.40 → 130, 6.60 × 0.617 = 4.0722 → ¥4.07.
    let mut wb = rust_xlsxwriter::Workbook::new();
    let ws = wb.add_worksheet();
    for (col, h) in ["房屋", "表类型", "本期读数"].iter().enumerate() {
        ws.write_string(0, col as u16, *h).expect("h");
    }
    ws.write_string(1, 0, "1栋-1401").expect("c");
    ws.write_string(1, 1, "电表").expect("c");
    ws.write_number(1, 2, 130.0).expect("c");
    let form = reqwest::multipart::Form::new()
        .text("_csrf", token.clone())
        .text("community_id", c.to_string())
        .text("period", "2026-08")
        .part(
            "file",
            reqwest::multipart::Part::bytes(wb.save_to_buffer().expect("xlsx"))
                .file_name("readings.xlsx"),
        );
    let r = k
        .post(format!("{}/billing/meters/import", app.base))
        .multipart(form)
        .send()
        .await
        .expect("upload");
    assert_eq!(r.status(), 303, "{:?}", r.text().await);
    assert_eq!(owed(&api, unit).await["total_fen"], 7614 + 407);
}
