//! The request lists (mine, assigned, the pool, the dispatcher's board) and the technician's
//! phone page of open work orders: every page that shows many requests as rows.

use super::*;
use crate::console::forms::CommonCode;

// Lists

#[derive(Deserialize, Default)]
#[serde(default)]
pub(super) struct ListQuery {
    pub(super) view: String,
    pub(super) community_id: String,
    pub(super) state: String,
    pub(super) kind: String,
    pub(super) category: String,
    pub(super) team_id: String,
    pub(super) clock: String,
    /// One unit's requests (from the unit's page).
    pub(super) unit_id: String,
}

#[derive(Template)]
#[template(path = "tickets/list.html")]
pub(super) struct ListPage {
    pub(super) s: Shell,
    pub(super) view: String,
    pub(super) rows: Vec<RequestView>,
    pub(super) q_community: String,
    pub(super) q_state: String,
    pub(super) q_kind: String,
    pub(super) q_category: String,
    pub(super) q_team: String,
    pub(super) q_clock: String,
    /// The unit the list is narrowed to: (id, "1栋-101").
    pub(super) unit: Option<(i64, String)>,
    pub(super) communities: Vec<Opt>,
    pub(super) teams: Vec<Opt>,
    pub(super) clock_states: Vec<Opt>,
    pub(super) states: Vec<Opt>,
    pub(super) kinds: Vec<Opt>,
    pub(super) categories: Vec<Opt>,
    /// Who the board's selected requests can be reassigned to.
    pub(super) assignees: Vec<Opt>,
}

pub(super) fn category_opts(cats: &[Category], l: Locale) -> Vec<Opt> {
    cats.iter()
        .filter(|c| c.active)
        .map(|c| Opt {
            code: c.code.clone(),
            label: if l == Locale::En {
                c.name_en.clone()
            } else {
                c.name_zh.clone()
            },
        })
        .collect()
}

pub(super) fn community_opts(lk: &Lookup) -> Vec<Opt> {
    let mut v: Vec<&Community> = lk.communities.values().collect();
    v.sort_by_key(|c| c.id);
    v.into_iter()
        .map(|c| Opt {
            code: c.id.to_string(),
            label: c.name.clone(),
        })
        .collect()
}

pub(super) async fn list_page(
    State(st): State<AppState>,
    u: ConsoleUser,
    Query(q): Query<ListQuery>,
) -> PageResult {
    let l = u.locale;
    let view = resolved_view(&u, &q);
    let f = list_filter(&q, &view).map_err(|e| PageError::new(&u, e))?;
    let community_id = f.community_id;
    let unit_id = f.unit_id;
    let res = if view == "board" {
        tickets::board(&st.core, &u.ctx, f).await
    } else {
        tickets::list_requests(&st.core, &u.ctx, &f).await
    };
    let lk = Lookup::load(&st, &u).await.or_page(&u)?;
    // The board reassigns within one community: the filtered one, or the user's first.
    let mut assignees = Vec::new();
    if view == "board" {
        let mut ids: Vec<CommunityId> = lk.communities.keys().copied().collect();
        ids.sort();
        if let Some(c) = community_id.or(ids.first().copied()) {
            for (id, name) in tickets::assignable_users(&st.core, &u.ctx, c)
                .await
                .unwrap_or_default()
            {
                let label = if community_id.is_none() && ids.len() > 1 {
                    format!(
                        "{name}（{}）",
                        lk.communities
                            .get(&c)
                            .map(|x| x.name.as_str())
                            .unwrap_or("")
                    )
                } else {
                    name
                };
                assignees.push(Opt {
                    code: id.to_string(),
                    label,
                });
            }
        }
    }
    let rows = res.or_page(&u)?;
    let teams = team_opts(&st, &u, &lk, community_id).await;
    let unit = match unit_id {
        Some(id) => registry::get_unit(&st.core, &u.ctx, id)
            .await
            .ok()
            .map(|x| (id.0, format!("{}-{}", x.building_name, x.unit_no))),
        None => None,
    };
    let clock_states = ["breached", "at_risk", "running", "paused"]
        .iter()
        .map(|c| Opt {
            code: c.to_string(),
            label: l.t(&format!("tk.clock.{c}")).to_string(),
        })
        .collect();
    Ok(page(&ListPage {
        assignees,
        s: Shell::of(&u),
        view,
        rows: rows.into_iter().map(|r| lk.view(r, l)).collect(),
        q_community: q.community_id,
        q_state: q.state,
        q_kind: q.kind,
        q_category: q.category,
        q_team: q.team_id,
        q_clock: q.clock,
        unit,
        teams,
        clock_states,
        communities: community_opts(&lk),
        states: opts(RequestState::ALL, l),
        kinds: opts(RequestKind::ALL, l),
        categories: category_opts(&lk.categories, l),
    }))
}

/// The list's filter from its query (`view` as the page resolved it); the board is the open
/// requests of every view.
fn list_filter(q: &ListQuery, view: &str) -> Result<RequestFilter, CoreError> {
    let mut errs = Vec::new();
    let community_id = match q.community_id.trim() {
        "" => None,
        s => match s.parse() {
            Ok(n) => Some(CommunityId(n)),
            Err(_) => {
                errs.push(FieldError::new("community_id", CommonCode::NotANumber));
                None
            }
        },
    };
    let team_id = match q.team_id.trim() {
        "" => None,
        s => match s.parse() {
            Ok(n) => Some(n),
            Err(_) => {
                errs.push(FieldError::new("team_id", CommonCode::NotANumber));
                None
            }
        },
    };
    let unit_id = match q.unit_id.trim() {
        "" => None,
        s => match s.parse() {
            Ok(n) => Some(UnitId(n)),
            Err(_) => {
                errs.push(FieldError::new("unit_id", CommonCode::NotANumber));
                None
            }
        },
    };
    if !errs.is_empty() {
        return Err(CoreError::Invalid(errs));
    }
    Ok(RequestFilter {
        community_id,
        view: Some(if view == "board" {
            String::new()
        } else {
            view.to_string()
        }),
        state: Some(q.state.clone()),
        open: (view == "board").then_some(true),
        kind: Some(q.kind.clone()),
        category: Some(q.category.clone()),
        assignee_id: None,
        unit_id,
        team_id,
        clock: Some(q.clock.clone()),
        before_id: None,
        limit: Some(200),
    })
}

/// The list as .xlsx: every request under the page's filters (not only the 200 it shows).
pub(super) async fn export(
    State(st): State<AppState>,
    u: ConsoleUser,
    Query(q): Query<ListQuery>,
) -> Result<axum::response::Response, PageError> {
    let view = resolved_view(&u, &q);
    let f = list_filter(&q, &view).map_err(|e| PageError::new(&u, e))?;
    let file = tickets::export::requests_xlsx(&st.core, &u.ctx, &f)
        .await
        .or_page(&u)?;
    Ok(crate::api::import::xlsx_file(file, "requests.xlsx"))
}

/// The view a list shows: the board for a dispatcher, his own requests for others.
fn resolved_view(u: &ConsoleUser, q: &ListQuery) -> String {
    let sees_all = u.ctx.has(Perm::TicketsDispatch) || u.ctx.has(Perm::TicketsManage);
    match q.view.as_str() {
        "" if sees_all => "board".to_string(),
        "" => "mine".to_string(),
        v => v.to_string(),
    }
}

/// The teams a list can be narrowed to: the filtered community's, else every reachable
/// community's (named with their community when there are several).
async fn team_opts(
    st: &AppState,
    u: &ConsoleUser,
    lk: &Lookup,
    community: Option<CommunityId>,
) -> Vec<Opt> {
    let mut ids: Vec<CommunityId> = match community {
        Some(c) => vec![c],
        None => lk.communities.keys().copied().collect(),
    };
    ids.sort();
    let mut out = Vec::new();
    for c in &ids {
        let teams = tickets::list_teams(&st.core, &u.ctx, *c)
            .await
            .unwrap_or_else(|e| {
                tracing::warn!(error = %e, community = c.0, "board: teams left out");
                Vec::new()
            });
        for t in teams {
            let label = match lk.communities.get(c) {
                Some(x) if ids.len() > 1 => format!("{}（{}）", t.name, x.name),
                _ => t.name,
            };
            out.push(Opt {
                code: t.id.to_string(),
                label,
            });
        }
    }
    out
}

// ---------------------------------------------------------------------------------------------
// The technician's phone page

#[derive(Template)]
#[template(path = "tickets/orders.html")]
pub(super) struct OrdersPage {
    pub(super) s: Shell,
    pub(super) mine: Vec<RequestView>,
    pub(super) pool: Vec<RequestView>,
}

pub(super) async fn orders_page(State(st): State<AppState>, u: ConsoleUser) -> PageResult {
    let l = u.locale;
    let lk = Lookup::load(&st, &u).await.or_page(&u)?;
    let list = |view: &str| RequestFilter {
        community_id: None,
        view: Some(view.into()),
        state: None,
        open: Some(true),
        kind: None,
        category: None,
        assignee_id: None,
        unit_id: None,
        team_id: None,
        clock: None,
        before_id: None,
        limit: Some(100),
    };
    let mine = tickets::list_requests(&st.core, &u.ctx, &list("assigned"))
        .await
        .or_page(&u)?;
    let pool = if u.ctx.has(Perm::TicketsWork) {
        tickets::list_requests(&st.core, &u.ctx, &list("pool"))
            .await
            .unwrap_or_default()
    } else {
        Vec::new()
    };
    Ok(page(&OrdersPage {
        s: Shell::of(&u),
        mine: mine
            .into_iter()
            .filter(|r| r.state != RequestState::Done)
            .map(|r| lk.view(r, l))
            .collect(),
        pool: pool.into_iter().map(|r| lk.view(r, l)).collect(),
    }))
}
