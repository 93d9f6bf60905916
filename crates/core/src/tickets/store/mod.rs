//! Every SQL text of service requests, one file per entity: the requests themselves, their
//! timeline and notices, their SLA clocks, the SLA settings with the company calendar and the
//! scanner's job lease, categories and teams, hotline calls, photos, paid services, statistics.
//! Services call these functions and never write SQL; other modules read requests' tables only
//! through the `for_*` files. Whether a read runs inline on SQLite (`db::inline`) is decided
//! here, per query, so services never choose a path.

pub mod calls;
pub mod clocks;
pub mod events;
pub mod for_billing;
pub mod for_dashboard;
pub mod for_duty;
pub mod for_kpis;
pub mod for_portal;
pub mod for_quality;
pub mod photos;
pub mod requests;
pub mod services;
pub mod settings;
pub mod stats;
pub mod teams;

pub use teams::{ensure_categories, seed_categories};

pub(in crate::tickets) use crate::db::in_list;

use crate::db::Backend;
use crate::db::plans::{HotList, Sample};
use crate::tickets::model::{RequestKind, RequestState};

/// The hot lists of requests with the SQL their stores run (checked by the plan test, on a
/// database without statistics): the desk's, the board, the filters, the month's statistics.
pub fn hot_lists(s: &Sample, b: Backend) -> Vec<HotList> {
    use requests::{Page, Seen, page_sql};
    let both = [s.community, s.other_community];
    let open = Some([RequestState::Closed.code(), RequestState::Cancelled.code()]);
    let page = |communities, seen, limit| Page {
        communities,
        seen,
        state: None,
        not_in: None,
        kind: None,
        category: None,
        assignee: None,
        unit: None,
        team: None,
        only: None,
        before: None,
        limit,
    };
    let pooled = RequestState::Pooled.code();
    let month = stats::Scope {
        communities: vec![s.community],
        from: s.day.format("%Y-%m-01").to_string(),
        to: s.day.format("%Y-%m-28").to_string(),
        kind: None,
        category: None,
        cancelled: RequestState::Cancelled.code(),
    };
    let (met, running) = stats::clock_counts_sql(&month, None);
    vec![
        HotList::new("requests", page_sql(&page(&both, Seen::All, 20), b)),
        HotList::new(
            "requests, one community",
            page_sql(&page(&both[..1], Seen::All, 20), b),
        ),
        HotList::new(
            "requests, desk: mine and open",
            page_sql(
                &Page {
                    not_in: open,
                    ..page(&both, Seen::Mine(s.user), 20)
                },
                b,
            ),
        ),
        HotList::new(
            "requests, my work orders",
            page_sql(&page(&both, Seen::Assigned(s.user), 20), b),
        ),
        HotList::new(
            "requests, the pool",
            page_sql(&page(&both, Seen::Pool { me: s.user, pooled }, 20), b),
        ),
        HotList::new(
            "requests, own",
            page_sql(
                &page(
                    &both,
                    Seen::Own {
                        me: s.user,
                        pooled: Some(pooled),
                    },
                    20,
                ),
                b,
            ),
        ),
        HotList::new(
            "requests by state",
            page_sql(
                &Page {
                    state: Some(RequestState::Registered.code()),
                    ..page(&both, Seen::All, 20)
                },
                b,
            ),
        ),
        HotList::new(
            "requests by kind",
            page_sql(
                &Page {
                    kind: Some(RequestKind::RepairUnit.code()),
                    ..page(&both, Seen::All, 20)
                },
                b,
            ),
        ),
        HotList::new(
            "requests of a unit",
            page_sql(
                &Page {
                    unit: Some(s.unit),
                    ..page(&both, Seen::All, 20)
                },
                b,
            ),
        ),
        HotList::new(
            "requests, next page",
            page_sql(
                &Page {
                    before: Some(1_000_000),
                    ..page(&both, Seen::All, 20)
                },
                b,
            ),
        ),
        HotList::new(
            "board",
            page_sql(
                &Page {
                    not_in: open,
                    ..page(&both, Seen::All, 500)
                },
                b,
            ),
        ),
        HotList::new(
            "month statistics",
            stats::by_key_and_day_sql(&month, "r.kind"),
        ),
        HotList::new("month statistics, met clocks", met),
        HotList::new("month statistics, running clocks", running),
        // The desk's breached requests: the few found from the open clocks, read by id.
        HotList::new(
            "requests, some by id",
            page_sql(
                &Page {
                    not_in: open,
                    only: Some(&[1, 2, 3]),
                    ..page(&both, Seen::All, 100)
                },
                b,
            ),
        ),
        HotList::new(
            "requests with a breached clock",
            clocks::requests_in_state_sql(&both, "breached", chrono::Utc::now(), b),
        ),
        HotList::new(
            "dashboard, met clocks by day",
            stats::clocks_by_day_sql(&month, b).0,
        )
        .sorting("groups a period's clocks by day"),
        HotList::new(
            "dashboard, open clocks past due by day",
            stats::clocks_by_day_sql(&month, b).1,
        )
        .sorting("groups the open clocks by day"),
        // The dashboard's open clocks: grouped by clock, a sort of a handful of groups.
        HotList::new("open clocks now", stats::open_clocks_now_sql(&both))
            .sorting("groups the open clocks by kind"),
    ]
}
