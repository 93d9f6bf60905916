//! The owner's own billing pages: what he owes, his receipts, the fees of his units.

use super::*;

// The owner's pages

#[derive(Template)]
#[template(path = "billing/owner.html")]
pub(super) struct OwnerPage {
    pub(super) s: Shell,
    pub(super) bills: Vec<OwnerBill>,
}

pub(super) async fn owner_page(State(st): State<AppState>, u: ConsoleUser) -> PageResult {
    let bills = billing::owner_billing(&st.core, &u.ctx).await.or_page(&u)?;
    Ok(page(&OwnerPage {
        s: Shell::of(&u),
        bills,
    }))
}

pub(super) async fn owner_receipt(
    State(st): State<AppState>,
    u: ConsoleUser,
    Id(id): Id,
) -> PageResult {
    let r = billing::owner_receipt(&st.core, &u.ctx, id)
        .await
        .or_page(&u)?;
    let method = PayMethod::parse("", &r.payment.method)
        .map(|m| m.zh())
        .unwrap_or("")
        .to_string();
    Ok(page(&ReceiptPage {
        s: Shell::of(&u),
        r,
        method,
        kind_label: String::new(),
        can_reverse: false,
    }))
}

pub(super) async fn owner_fees(State(st): State<AppState>, u: ConsoleUser) -> PageResult {
    let loaded = async {
        let me = wuye_core::portal::profile(&st.core, &u.ctx).await?;
        let lines = billing::schedule(&st.core, &u.ctx, me.community_id).await?;
        let name = wuye_core::registry::community_name(&st.core, &u.ctx, me.community_id).await?;
        Ok::<_, CoreError>((name, lines))
    }
    .await;
    let (community, lines) = loaded.or_page(&u)?;
    Ok(page(&SchedulePage {
        s: Shell::of(&u),
        community,
        lines,
    }))
}
