//! The unit page as the desk's hub: the unit's requests (open first), what it owes, and who may
//! keep it while vacant, each read with the user's own permissions (a part he may not see is
//! left out, not refused).

use wuye_core::Perm;
use wuye_core::shared::money::Money;
use wuye_core::tickets::{self, RequestFilter, RequestKind, RequestState};

use super::*;

/// One of the unit's requests as the unit page lists it.
pub struct UnitRequest {
    pub id: i64,
    pub number: String,
    pub kind: String,
    pub state: String,
    pub state_code: &'static str,
    pub description: String,
    pub created: String,
    pub open: bool,
}

/// One open charge of the unit.
pub struct OwedLine {
    pub description: String,
    pub due_date: NaiveDate,
    pub outstanding: String,
    pub overdue: bool,
}

/// What the unit owes: its open charges, the total, the late fees accrued on them.
pub struct OwedView {
    pub lines: Vec<OwedLine>,
    pub total: String,
    pub late_fee: String,
    pub has_late_fee: bool,
    pub prepaid: String,
    pub nothing: bool,
}

/// The hub's parts of the unit page; each is empty when the user may not see it.
#[derive(Default)]
pub struct UnitHub {
    pub can_requests: bool,
    pub requests: Vec<UnitRequest>,
    pub owed: Option<OwedView>,
    /// Who may keep the unit (id, name), for the keeper's choice.
    pub keepers: Vec<Opt>,
}

/// The most requests the unit page lists (the full list is a filter of the request list).
const UNIT_REQUESTS: i64 = 20;

pub(super) async fn unit_hub(
    st: &AppState,
    u: &ConsoleUser,
    unit: &Unit,
    tz: Tz,
    today: NaiveDate,
) -> UnitHub {
    let l = u.locale;
    let c = &u.ctx;
    let mut hub = UnitHub {
        can_requests: c.has(Perm::TicketsRegister)
            || c.has(Perm::TicketsDispatch)
            || c.has(Perm::TicketsManage),
        ..UnitHub::default()
    };
    if hub.can_requests {
        let f = RequestFilter {
            community_id: Some(unit.community_id),
            unit_id: Some(unit.id),
            limit: Some(UNIT_REQUESTS),
            ..RequestFilter::default()
        };
        let mut v: Vec<UnitRequest> = tickets::list_requests(&st.core, &u.ctx, &f)
            .await
            .unwrap_or_else(|e| {
                tracing::warn!(error = %e, unit = unit.id.0, "unit page: requests left out");
                Vec::new()
            })
            .into_iter()
            .map(|r| UnitRequest {
                id: r.id.0,
                number: r.number,
                kind: label_code(RequestKind::ALL, r.kind.code(), l),
                state: label_code(RequestState::ALL, r.state.code(), l),
                state_code: r.state.code(),
                description: r.description,
                created: local_time(r.created_at, tz),
                open: !matches!(r.state, RequestState::Closed | RequestState::Cancelled),
            })
            .collect();
        // Open first, each group newest first (as listed).
        v.sort_by_key(|r| !r.open);
        hub.requests = v;
    }
    if c.require_in(Perm::BillingCollect, unit.community_id)
        .is_ok()
        && let Ok(o) = wuye_core::billing::owed(&st.core, &u.ctx, unit.id).await
    {
        hub.owed = Some(OwedView {
            nothing: o.charges.is_empty() && o.late_fee_fen == 0,
            lines: o
                .charges
                .iter()
                .map(|ch| OwedLine {
                    description: ch.description.clone(),
                    due_date: ch.due_date,
                    outstanding: Money(ch.outstanding()).grouped(),
                    overdue: ch.due_date < today,
                })
                .collect(),
            total: Money(o.total_fen).grouped(),
            late_fee: Money(o.late_fee_fen).grouped(),
            has_late_fee: o.late_fee_fen > 0,
            prepaid: Money(o.prepaid_fen).grouped(),
        });
    }
    if c.require_in(Perm::RegistryWrite, unit.community_id).is_ok() {
        hub.keepers = registry::keeper_candidates(&st.core, &u.ctx, unit.community_id)
            .await
            .unwrap_or_else(|e| {
                tracing::warn!(error = %e, unit = unit.id.0, "unit page: keepers left out");
                Vec::new()
            })
            .into_iter()
            .map(|(id, name)| Opt {
                code: id.0.to_string(),
                label: name,
            })
            .collect();
        // The keeper set before stays shown, though he may have left the community since.
        if let (Some(k), Some(name)) = (unit.keeper_user_id, &unit.keeper_name)
            && !hub.keepers.iter().any(|o| o.code == k.0.to_string())
        {
            hub.keepers.push(Opt {
                code: k.0.to_string(),
                label: name.clone(),
            });
        }
    }
    hub
}
