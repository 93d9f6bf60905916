//! The parcel desk's pages (issue 15 point 2) as an agent and an owner use them: a refused
//! intake comes back with its input and the message beside the field; a parcel received for
//! the name on the label that is the owner's is linked to him and the flash tells the code and
//! shelf; the carrier stays for the next parcel; the code typed in finds it; a hand-over
//! without a signature is refused, with one it is done and the signature shown; the owner's
//! portal shows the code while the parcel waits; a technician has no parcel desk.

use crate::console::console_login;
use crate::daily_use::{html, send};
use crate::parcels::signature;

#[tokio::test]
async fn a_parcel_is_received_found_by_its_code_and_signed_for_through_the_pages() {
    let app = crate::app().await;
    let a = app.community_a;
    let c = a.0;
    app.user("agent01", "service_agent", &[a]).await;
    app.user("tech01", "technician", &[a]).await;
    let owner = app.api_as("o1", "owner", &[a]).await;
    let (_, who) = owner.get("/api/v1/me").await;
    let owner_login = who["username"].as_str().unwrap().to_string();
    let (_, me) = owner.get("/api/v1/portal/me").await;
    let label = me["units"][0]["label"].as_str().unwrap().to_string();
    let name = me["name"].as_str().unwrap().to_string();

    let (web, token) = console_login(&app, "agent01").await;
    let page = html(&web, &app.base, &format!("/parcels?community={c}")).await;
    assert!(
        page.contains("id=\"intake-form\"") && page.contains("id=\"nav-parcels\""),
        "{page}"
    );
    // No recipient: refused, the scanned number kept.
    let cs = c.to_string();
    let (st, _, page) = send(
        &web,
        &app.base,
        "/parcels",
        &[
            ("_csrf", &token),
            ("community", &cs),
            ("carrier", "顺丰"),
            ("tracking_no", "SF778899"),
        ],
    )
    .await;
    assert_eq!(st, 422, "{page}");
    assert!(
        page.contains("请选择收件的住户或填写收件人姓名") && page.contains("value=\"SF778899\""),
        "{page}"
    );
    assert_eq!(app.count("parcels").await, 0);
    let (st, to, _) = send(
        &web,
        &app.base,
        "/parcels",
        &[
            ("_csrf", &token),
            ("community", &cs),
            ("carrier", "顺丰"),
            ("tracking_no", "SF778899"),
            ("unit_label", &label),
            ("recipient_name", &name),
            ("shelf", "B-2"),
            ("kind", "parcel"),
        ],
    )
    .await;
    assert_eq!(st, 303);
    assert!(
        to.starts_with(&format!("/parcels?community={c}&carrier=")),
        "{to}"
    );
    let page = html(&web, &app.base, &to).await;
    let (_, list) = owner.get("/api/v1/portal/parcels").await;
    let code = list[0]["code"]
        .as_str()
        .expect("linked to the owner")
        .to_string();
    let id = list[0]["id"].as_i64().unwrap();
    assert!(
        page.contains(&format!("取件码 {code}")) && page.contains("货架 B-2"),
        "{page}"
    );
    assert!(
        page.contains("value=\"顺丰\"") && page.contains(&format!("id=\"parcel-{id}\"")),
        "{page}"
    );

    // The owner's portal shows the code in large type.
    let (oweb, _) = console_login(&app, &owner_login).await;
    let mine = html(&oweb, &app.base, "/portal/parcels").await;
    assert!(
        mine.contains(&format!("id=\"my-code-{id}\">{code}<")),
        "{mine}"
    );

    // The code the owner shows finds the parcel's page with the code filled in.
    let r = web
        .get(format!(
            "{}/parcels/find?community={c}&code={code}",
            app.base
        ))
        .send()
        .await
        .unwrap();
    let to = r.headers()["location"].to_str().unwrap().to_string();
    assert_eq!(to, format!("/parcels/{id}?code={code}"));
    let page = html(&web, &app.base, &to).await;
    assert!(
        page.contains("id=\"signature-pad\"") && page.contains(&format!("value=\"{code}\"")),
        "{page}"
    );
    // Not signed: refused, named.
    let path = format!("/parcels/{id}/pick-up");
    let (st, _, page) = send(
        &web,
        &app.base,
        &path,
        &[
            ("_csrf", &token),
            ("method", "code"),
            ("code", &code),
            ("signature", ""),
        ],
    )
    .await;
    assert_eq!(st, 422, "{page}");
    assert!(page.contains("请在屏幕上签名"), "{page}");
    let sig = signature();
    let (st, to, _) = send(
        &web,
        &app.base,
        &path,
        &[
            ("_csrf", &token),
            ("method", "code"),
            ("code", &code),
            ("signature", &sig),
        ],
    )
    .await;
    assert_eq!((st, to), (303, format!("/parcels?community={c}")));
    let page = html(&web, &app.base, &format!("/parcels/{id}")).await;
    assert!(
        page.contains("id=\"parcel-signature\"") && !page.contains("id=\"pickup-form\""),
        "{page}"
    );
    let png = web
        .get(format!("{}/parcels/{id}/signature.png", app.base))
        .send()
        .await
        .unwrap();
    assert_eq!(png.headers()["content-type"], "image/png");
    // The code no longer finds anything.
    let r = web
        .get(format!(
            "{}/parcels/find?community={c}&code={code}",
            app.base
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(
        r.headers()["location"],
        format!("/parcels?community={c}").as_str()
    );

    // A technician has no parcel desk.
    let (tweb, _) = console_login(&app, "tech01").await;
    let r = tweb
        .get(format!("{}/parcels?community={c}", app.base))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);
}
