//! One request's page: its clocks, timeline and photos, the actions the user may take on it,
//! and the audit-logged reveal of the contact's phone.

use super::*;
use crate::console::forms::CommonCode;

// One request

#[derive(Template)]
#[template(path = "tickets/detail.html")]
pub(super) struct DetailPage {
    pub(super) s: Shell,
    pub(super) v: RequestView,
    pub(super) charge: String,
    pub(super) events: Vec<EventView>,
    pub(super) assignees: Vec<Opt>,
    /// Which actions to offer.
    pub(super) can: HashMap<&'static str, bool>,
    pub(super) mobile: bool,
    pub(super) photos: Vec<Photo>,
    pub(super) can_upload: bool,
    /// The community's active price list (for the done form).
    pub(super) services: Vec<Opt>,
    pub(super) lines: Vec<ChargeLine>,
    pub(super) teams: Vec<Opt>,
    /// The contact's phone in full, just revealed.
    pub(super) revealed: Option<String>,
    pub(super) can_reveal_contact: bool,
    /// The action form just sent and refused: its form shows what was typed, and its errors
    /// beside the fields.
    pub(super) sent: ActForm,
}

impl DetailPage {
    /// What was typed into `field` of the form of `action`, if that form was just refused.
    fn kept(&self, action: &str, field: &str) -> String {
        let f = &self.sent;
        if f.action != action {
            return if field.starts_with("quantity") {
                "1".into()
            } else {
                String::new()
            };
        }
        match field {
            "note" => &f.note,
            "assignee_id" => &f.assignee_id,
            "team_id" => &f.team_id,
            "promise_at" => &f.promise_at,
            "materials" => &f.materials,
            "labour_minutes" => &f.labour_minutes,
            "service_1" => &f.service_1,
            "quantity_1" => &f.quantity_1,
            "service_2" => &f.service_2,
            "quantity_2" => &f.quantity_2,
            "service_3" => &f.service_3,
            "quantity_3" => &f.quantity_3,
            "satisfaction" => &f.satisfaction,
            "visit_channel" => &f.visit_channel,
            "received_at" => &f.received_at,
            _ => "",
        }
        .to_string()
    }
    /// The error of `field` in the form of `action`, if that form was just refused.
    fn ferr(&self, action: &str, field: &str) -> String {
        if self.sent.action == action {
            self.s.ferr(field)
        } else {
            String::new()
        }
    }
    fn yuan(&self, fen: &i64) -> String {
        fen_text(*fen)
    }
}

impl DetailPage {
    fn can(&self, a: &str) -> bool {
        self.can.get(a).copied().unwrap_or(false)
    }
    fn any_action(&self) -> bool {
        self.can.values().any(|x| *x)
    }
}

pub struct EventView {
    pub at: String,
    pub who: String,
    pub action: String,
    pub change: String,
    pub note: String,
}

pub(super) fn fen_text(f: i64) -> String {
    format!("{}.{:02}", f / 100, f % 100)
}

/// The actions a page offers: those this user takes in this state, not every one the service
/// would accept from him (issue 12, point 7): a desk agent on a registered request sees 派工
/// and 反馈; 完成 belongs to the assignee (or, for an inquiry or a suggestion answered at the
/// desk, to whoever registered it); holding, returning to the pool, postponing the promise
/// and cancelling are the assignee's or the manager's. The service decides again when one is
/// sent.
pub(super) fn offered(u: &ConsoleUser, r: &Request) -> HashMap<&'static str, bool> {
    use RequestState as S;
    let c = &u.ctx;
    let manager = c.has(Perm::TicketsManage);
    let dispatcher = c.has(Perm::TicketsDispatch) || manager;
    let me = c.user_id;
    let assignee = r.assignee_id == Some(me);
    let owner = r.first_responder_id == me;
    let st = r.state;
    let open = st.is_open();
    let working = matches!(st, S::Dispatched | S::Accepted | S::OnSite);
    let at_desk = matches!(r.kind, RequestKind::Inquiry | RequestKind::Suggestion);
    let mut m = HashMap::new();
    m.insert(
        "dispatch",
        dispatcher
            && matches!(
                st,
                S::Registered | S::Pooled | S::Dispatched | S::Accepted | S::OnSite
            ),
    );
    m.insert(
        "to_pool",
        (manager || assignee) && matches!(st, S::Dispatched | S::Accepted),
    );
    m.insert("grab", c.has(Perm::TicketsWork) && st == S::Pooled);
    m.insert("accept", assignee && st == S::Dispatched);
    m.insert("on_site", assignee && st == S::Accepted);
    m.insert(
        "done",
        (assignee && working) || (st == S::Registered && at_desk && (owner || dispatcher)),
    );
    m.insert(
        "hold",
        (assignee && working) || (manager && (working || matches!(st, S::Registered | S::Pooled))),
    );
    m.insert("resume", (dispatcher || assignee) && st == S::OnHold);
    m.insert("feedback", (dispatcher || owner) && open);
    m.insert(
        "escalate",
        (manager || ((dispatcher || owner) && st != S::Registered)) && open,
    );
    m.insert(
        "postpone",
        open && !r.promise_postponed && (manager || ((owner || assignee) && st != S::Registered)),
    );
    m.insert("visit", dispatcher && st == S::Done);
    m.insert(
        "cancel",
        manager && matches!(st, S::Registered | S::Pooled | S::Dispatched | S::OnHold),
    );
    m
}

pub(super) async fn render_detail(
    st: &AppState,
    u: &ConsoleUser,
    id: RequestId,
    err: Option<CoreError>,
    mobile: bool,
) -> PageResult {
    render_detail_with(st, u, id, err, mobile, None, None).await
}

pub(super) async fn render_detail_with(
    st: &AppState,
    u: &ConsoleUser,
    id: RequestId,
    err: Option<CoreError>,
    mobile: bool,
    revealed: Option<String>,
    sent: Option<&ActForm>,
) -> PageResult {
    let l = u.locale;
    let r = tickets::get_request(&st.core, &u.ctx, id)
        .await
        .or_page(u)?;
    let events = tickets::timeline(&st.core, &u.ctx, id).await.or_page(u)?;
    let lk = Lookup::load(st, u).await.or_page(u)?;
    let tz = lk.tz(r.community_id);
    let assignees = if u.ctx.has(Perm::TicketsDispatch) {
        tickets::assignable_users(&st.core, &u.ctx, r.community_id)
            .await
            .unwrap_or_default()
            .into_iter()
            .map(|(id, name)| Opt {
                code: id.to_string(),
                label: name,
            })
            .collect()
    } else {
        Vec::new()
    };
    let state_label = |s: &Option<String>| {
        s.as_deref()
            .map(|x| label_of(RequestState::ALL, x, l))
            .unwrap_or_default()
    };
    let events = events
        .into_iter()
        .map(|e| {
            let change = match (&e.from_state, &e.to_state) {
                (Some(a), Some(b)) if a != b => format!(
                    "{} → {}",
                    state_label(&e.from_state),
                    state_label(&e.to_state)
                ),
                (None, Some(_)) => state_label(&e.to_state),
                _ => String::new(),
            };
            let note = match e.action.as_str() {
                "clock_warning" | "clock_breach" => e
                    .note
                    .as_deref()
                    .map(|c| label_of(ClockKind::ALL, c, l))
                    .unwrap_or_default(),
                _ => e.note.clone().unwrap_or_default(),
            };
            EventView {
                at: local(e.at, tz),
                who: if e.actor_id.is_none() {
                    l.t("tk.system").to_string()
                } else {
                    crate::console::forms::actor_words(&e.actor_name, l)
                },
                action: label_of(EventAction::ALL, &e.action, l),
                change,
                note,
            }
        })
        .collect();
    let can = offered(u, &r);
    let photos = tickets::list_photos(&st.core, &u.ctx, id)
        .await
        .unwrap_or_default();
    let can_upload = r.state.is_open();
    let services = if can.get("done").copied().unwrap_or(false) {
        tickets::list_services(&st.core, &u.ctx, r.community_id, true)
            .await
            .unwrap_or_default()
            .into_iter()
            .map(|p| Opt {
                code: p.id.to_string(),
                label: format!("{} ¥{}/{}", p.name, fen_text(p.price_fen), p.unit),
            })
            .collect()
    } else {
        Vec::new()
    };
    let lines = tickets::charge_lines(&st.core, &u.ctx, id)
        .await
        .unwrap_or_default();
    let teams = if u.ctx.has(Perm::TicketsDispatch) {
        tickets::list_teams(&st.core, &u.ctx, r.community_id)
            .await
            .unwrap_or_default()
            .into_iter()
            .map(|t| Opt {
                code: t.id.to_string(),
                label: t.name,
            })
            .collect()
    } else {
        Vec::new()
    };
    let charge = r.charge_fen.map(fen_text).unwrap_or_default();
    let can_reveal_contact = r.contact_phone.is_some()
        && revealed.is_none()
        && ((r.assignee_id == Some(u.ctx.user_id) && r.state.is_open())
            || u.ctx.has(Perm::PiiReveal));
    let (s, status) = match &err {
        Some(e) => (Shell::of(u).with_error(e), describe(e, l).0),
        None => (Shell::of(u), axum::http::StatusCode::OK),
    };
    let mut resp = page(&DetailPage {
        s,
        v: lk.view(r, l),
        charge,
        events,
        assignees,
        can,
        mobile,
        photos,
        can_upload,
        services,
        lines,
        teams,
        revealed,
        can_reveal_contact,
        sent: sent.cloned().unwrap_or_default(),
    });
    *resp.status_mut() = status;
    Ok(resp)
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub(super) struct RevealForm {
    pub(super) m: String,
}

/// Shows the contact's phone in full (the technician calling the customer); audit-logged.
pub(super) async fn contact_page(
    State(st): State<AppState>,
    u: ConsoleUser,
    Id(id): Id,
    CsrfForm(f): CsrfForm<RevealForm>,
) -> PageResult {
    let id = RequestId(id);
    let phone = tickets::reveal_contact(&st.core, &u.ctx, id)
        .await
        .or_page(&u)?;
    render_detail_with(&st, &u, id, None, f.m == "1", phone, None).await
}

pub(super) async fn photo(
    State(st): State<AppState>,
    u: ConsoleUser,
    Ids(id, p): Ids,
) -> PageResult {
    let (ct, bytes) = tickets::photo_file(&st.core, &u.ctx, RequestId(id), p)
        .await
        .or_page(&u)?;
    Ok(crate::console::image_response(ct, bytes))
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub(super) struct DetailQuery {
    pub(super) m: String,
}

pub(super) async fn detail_page(
    State(st): State<AppState>,
    u: ConsoleUser,
    Id(id): Id,
    Query(q): Query<DetailQuery>,
) -> PageResult {
    render_detail(&st, &u, RequestId(id), None, q.m == "1").await
}

#[derive(Deserialize, Default, Clone)]
#[serde(default)]
pub(super) struct ActForm {
    pub(super) action: String,
    pub(super) note: String,
    pub(super) assignee_id: String,
    pub(super) team_id: String,
    pub(super) promise_at: String,
    pub(super) materials: String,
    pub(super) labour_minutes: String,
    pub(super) service_1: String,
    pub(super) quantity_1: String,
    pub(super) service_2: String,
    pub(super) quantity_2: String,
    pub(super) service_3: String,
    pub(super) quantity_3: String,
    pub(super) satisfaction: String,
    pub(super) visit_channel: String,
    /// When the return visit took place (补录), local `datetime-local`; empty for now.
    pub(super) received_at: String,
    /// `1` when sent from the phone page (go back there).
    pub(super) m: String,
}

pub(super) async fn act(
    State(st): State<AppState>,
    u: ConsoleUser,
    Id(id): Id,
    CsrfForm(f): CsrfForm<ActForm>,
) -> PageResult {
    let id = RequestId(id);
    let mobile = f.m == "1";
    let mut errs = Vec::new();
    let num = |errs: &mut Vec<FieldError>, field: &str, raw: &str| -> Option<i64> {
        match raw.trim() {
            "" => None,
            s => s
                .parse()
                .map_err(|_| errs.push(FieldError::new(field, CommonCode::NotANumber)))
                .ok(),
        }
    };
    let assignee_id = num(&mut errs, "assignee_id", &f.assignee_id).map(UserId);
    let team_id = num(&mut errs, "team_id", &f.team_id);
    let labour_minutes = num(&mut errs, "labour_minutes", &f.labour_minutes);
    let satisfaction = num(&mut errs, "satisfaction", &f.satisfaction);
    let received_at = if f.received_at.trim().is_empty() {
        None
    } else {
        let r = tickets::get_request(&st.core, &u.ctx, id)
            .await
            .or_page(&u)?;
        let c = registry::get_community(&st.core, &u.ctx, r.community_id)
            .await
            .or_page(&u)?;
        crate::console::forms::form_time("received_at", &f.received_at, tz_of(&c), &mut errs)
    };
    let promise_at = if f.promise_at.trim().is_empty() {
        None
    } else {
        let r = tickets::get_request(&st.core, &u.ctx, id)
            .await
            .or_page(&u)?;
        let c = registry::get_community(&st.core, &u.ctx, r.community_id)
            .await
            .or_page(&u)?;
        let tz = tz_of(&c);
        match NaiveDateTime::parse_from_str(f.promise_at.trim(), "%Y-%m-%dT%H:%M") {
            Ok(n) => Some(local_to_utc(tz, n.date(), n.time())),
            Err(_) => {
                errs.push(FieldError::new("promise_at", CommonCode::InvalidDate));
                None
            }
        }
    };
    // The services' errors join the others: the form comes back once, with every message.
    let mut services = Vec::new();
    for (i, (svc, qty)) in [
        (&f.service_1, &f.quantity_1),
        (&f.service_2, &f.quantity_2),
        (&f.service_3, &f.quantity_3),
    ]
    .into_iter()
    .enumerate()
    {
        if let Some(service_id) = num(&mut errs, &format!("services[{i}].service_id"), svc) {
            let quantity = num(&mut errs, &format!("services[{i}].quantity"), qty).unwrap_or(1);
            services.push(ServiceLineInput {
                service_id,
                quantity,
            });
        }
    }
    if !errs.is_empty() {
        return render_detail_with(
            &st,
            &u,
            id,
            Some(CoreError::Invalid(errs)),
            mobile,
            None,
            Some(&f),
        )
        .await;
    }
    let input = RequestAction {
        action: f.action.clone(),
        note: Some(f.note.clone()),
        assignee_id,
        team_id,
        promise_at,
        materials: Some(f.materials.clone()),
        labour_minutes,
        services,
        satisfaction,
        visit_channel: Some(f.visit_channel.clone()).filter(|s| !s.is_empty()),
        received_at,
    };
    match tickets::act(&st.core, &u.ctx, id, input).await {
        Ok(r) => {
            let l = u.locale;
            let msg = l.tf(
                "flash.acted",
                &[
                    ("number", r.number.as_str()),
                    ("action", l.t(&format!("tk.act.{}", f.action))),
                    (
                        "state",
                        label_of(RequestState::ALL, r.state.code(), l).as_str(),
                    ),
                ],
            );
            let to = if mobile {
                "/m/orders".to_string()
            } else {
                format!("/requests/{id}")
            };
            Ok(done(&st, &u, &to, msg))
        }
        Err(e @ (CoreError::Invalid(_) | CoreError::Conflict(_))) => {
            render_detail_with(&st, &u, id, Some(e), mobile, None, Some(&f)).await
        }
        Err(e) => Err(PageError::new(&u, e)),
    }
}
