//! The owner's own billing pages: what he owes, his receipts, the fees of his units.

use super::*;

// The owner's pages

#[derive(Template)]
#[template(path = "billing/owner.html")]
pub(super) struct OwnerPage {
    pub(super) s: Shell,
    pub(super) bills: Vec<OwnerBill>,
}

pub(super) async fn owner_page(State(st): State<AppState>, u: ConsoleUser) -> Response {
    match billing::owner_billing(&st.core, &u.ctx).await {
        Ok(bills) => page(&OwnerPage {
            s: Shell::of(&u),
            bills,
        }),
        Err(e) => error_page(&u, e),
    }
}

pub(super) async fn owner_receipt(
    State(st): State<AppState>,
    u: ConsoleUser,
    Id(id): Id,
) -> Response {
    match billing::owner_receipt(&st.core, &u.ctx, id).await {
        Ok(r) => {
            let method = PayMethod::parse("", &r.payment.method)
                .map(|m| m.zh())
                .unwrap_or("")
                .to_string();
            page(&ReceiptPage {
                s: Shell::of(&u),
                r,
                method,
                kind_label: String::new(),
                can_reverse: false,
            })
        }
        Err(e) => error_page(&u, e),
    }
}

pub(super) async fn owner_fees(State(st): State<AppState>, u: ConsoleUser) -> Response {
    let loaded = async {
        let me = wuye_core::portal::profile(&st.core, &u.ctx).await?;
        let lines = billing::schedule(&st.core, &u.ctx, me.community_id).await?;
        let name = wuye_core::registry::community_name(&st.core, &u.ctx, me.community_id).await?;
        Ok::<_, CoreError>((name, lines))
    }
    .await;
    match loaded {
        Ok((community, lines)) => page(&SchedulePage {
            s: Shell::of(&u),
            community,
            lines,
        }),
        Err(e) => error_page(&u, e),
    }
}
