//! The switch report page (`/billing/switch-report`, 期初数据核对表): the opening imports beside the
//! ledger per fee item, the opening arrears by age, units and owners, the sign-offs; its .xlsx;
//! and the manager's sign-off form.

use super::*;

#[derive(Deserialize, Default)]
#[serde(default)]
pub(super) struct SwitchQuery {
    pub(super) community: Option<i64>,
}

#[derive(Template)]
#[template(path = "billing/switch_report.html")]
pub(super) struct SwitchPage {
    pub(super) s: Shell,
    pub(super) communities: Vec<(i64, String)>,
    pub(super) community: i64,
    pub(super) r: SwitchReconciliation,
    pub(super) can_sign: bool,
}

pub(super) async fn switch_page(
    State(st): State<AppState>,
    u: ConsoleUser,
    Query(q): Query<SwitchQuery>,
) -> PageResult {
    let (communities, c) = pick(&st, &u, q.community).await.or_page(&u)?;
    let r = billing::switch_report(&st.core, &u.ctx, c)
        .await
        .or_page(&u)?;
    Ok(page(&SwitchPage {
        s: Shell::of(&u),
        communities,
        community: c.0,
        r,
        can_sign: u.ctx.has(Perm::BillingManage),
    }))
}

pub(super) async fn switch_xlsx(
    State(st): State<AppState>,
    u: ConsoleUser,
    Query(q): Query<SwitchQuery>,
) -> PageResult {
    let c = CommunityId(q.community.unwrap_or_default());
    let (name, bytes) = billing::switch_report_xlsx(&st.core, &u.ctx, c)
        .await
        .or_page(&u)?;
    Ok(crate::api::import::xlsx(bytes, &name))
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub(super) struct SignOffForm {
    pub(super) community_id: i64,
    pub(super) note: String,
}

pub(super) async fn sign_off(
    State(st): State<AppState>,
    u: ConsoleUser,
    CsrfForm(f): CsrfForm<SignOffForm>,
) -> PageResult {
    let note = Some(f.note).filter(|n| !n.trim().is_empty());
    billing::sign_off_switch(
        &st.core,
        &u.ctx,
        CommunityId(f.community_id),
        SignOffForCreate { note },
    )
    .await
    .or_page(&u)?;
    Ok(Redirect::to(&format!(
        "/billing/switch-report?community={}",
        f.community_id
    ))
    .into_response())
}
