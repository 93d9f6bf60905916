//! Registering a request at the desk or the hotline: the form, and turning what was typed (a
//! unit label, a caller's phone, a local promise time) into the service's input.

use super::*;
use crate::console::forms::CommonCode;

// Registering

/// The register form as typed.
#[derive(Deserialize, Default, Clone)]
#[serde(default)]
pub(super) struct NewForm {
    pub(super) community_id: String,
    pub(super) kind: String,
    pub(super) category: String,
    pub(super) channel: String,
    pub(super) urgency: String,
    pub(super) complex: Option<String>,
    /// "1栋-1801", "1-1801" or a unit number; or empty.
    pub(super) unit: String,
    pub(super) unit_id: String,
    pub(super) location: String,
    pub(super) contact_name: String,
    pub(super) contact_phone: String,
    pub(super) description: String,
    /// Local date-time (`datetime-local`), empty for the default.
    pub(super) promise_at: String,
    pub(super) assignee_id: String,
    /// When it really happened (补录), local `datetime-local`; empty for now.
    pub(super) received_at: String,
}

#[derive(Template)]
#[template(path = "tickets/new.html")]
pub(super) struct NewPage {
    pub(super) s: Shell,
    pub(super) f: NewForm,
    pub(super) errs: Vec<FieldError>,
    pub(super) communities: Vec<Opt>,
    pub(super) kinds: Vec<Opt>,
    pub(super) categories: Vec<Opt>,
    pub(super) channels: Vec<Opt>,
    pub(super) assignees: Vec<Opt>,
}

impl NewPage {
    fn err(&self, field: &str) -> String {
        self.errs
            .iter()
            .filter(|e| e.field == field)
            .map(|e| crate::error::field_message(self.s.l, e))
            .collect::<Vec<_>>()
            .join("；")
    }
}

pub(super) async fn render_new(
    st: &AppState,
    u: &ConsoleUser,
    mut f: NewForm,
    err: Option<CoreError>,
) -> PageResult {
    let l = u.locale;
    let lk = Lookup::load(st, u).await.or_page(u)?;
    let community = f.community_id.parse().ok().map(CommunityId).or_else(|| {
        let remembered = u.community.map(CommunityId);
        let mut ids: Vec<CommunityId> = lk.communities.keys().copied().collect();
        ids.sort();
        remembered
            .filter(|c| lk.communities.contains_key(c))
            .or(ids.first().copied())
    });
    if f.community_id.is_empty()
        && let Some(c) = community
    {
        f.community_id = c.0.to_string();
    }
    let assignees = match community {
        Some(c) if u.ctx.has(Perm::TicketsDispatch) => {
            tickets::assignable_users(&st.core, &u.ctx, c)
                .await
                .unwrap_or_default()
                .into_iter()
                .map(|(id, name)| Opt {
                    code: id.to_string(),
                    label: name,
                })
                .collect()
        }
        _ => Vec::new(),
    };
    let (mut s, errs, status) = match err {
        Some(e) => {
            let status = describe(&e, l).0;
            let errs = match &e {
                CoreError::Invalid(v) => v.clone(),
                CoreError::Conflict(x) => vec![x.clone()],
                _ => Vec::new(),
            };
            (Shell::of(u).with_error(&e), errs, status)
        }
        None => (Shell::of(u), Vec::new(), axum::http::StatusCode::OK),
    };
    if errs.is_empty() && s.error.is_some() {
        s.notice = None;
    }
    let mut r = page(&NewPage {
        s,
        f,
        errs,
        communities: community_opts(&lk),
        kinds: opts(RequestKind::ALL, l),
        categories: category_opts(&lk.categories, l),
        channels: opts(Channel::ALL, l),
        assignees,
    });
    *r.status_mut() = status;
    Ok(r)
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub(super) struct NewQuery {
    pub(super) unit_id: String,
    pub(super) community_id: String,
}

pub(super) async fn new_page(
    State(st): State<AppState>,
    u: ConsoleUser,
    Query(q): Query<NewQuery>,
) -> PageResult {
    if !u.ctx.has(Perm::TicketsRegister) {
        return Err(PageError::new(&u, CoreError::Forbidden));
    }
    let mut f = NewForm {
        channel: "front_desk".into(),
        urgency: "normal".into(),
        community_id: q.community_id,
        ..Default::default()
    };
    if let Ok(id) = q.unit_id.parse::<i64>()
        && let Ok(unit) = registry::get_unit(&st.core, &u.ctx, UnitId(id)).await
    {
        f.unit_id = id.to_string();
        f.unit = format!("{}-{}", unit.building_name, unit.unit_no);
        f.community_id = unit.community_id.to_string();
        f.kind = "repair_unit".into();
    }
    render_new(&st, &u, f, None).await
}

/// Registers a request: a plain form, or a multipart one that carries the reporter's photos
/// (checked before anything is written, added with the request as 报修照片).
pub(super) async fn create(
    State(st): State<AppState>,
    u: ConsoleUser,
    req: axum::extract::Request,
) -> PageResult {
    use axum::extract::FromRequest;
    let multipart = req
        .headers()
        .get(axum::http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("multipart/form-data"));
    if !multipart {
        return match CsrfForm::<NewForm>::from_request(req, &st).await {
            Ok(CsrfForm(f)) => register(&st, &u, f, None).await,
            Err(r) => Ok(r.into_response()),
        };
    }
    let up = match axum::extract::Multipart::from_request(req, &st).await {
        Ok(mp) => read_photos(mp).await,
        Err(r) => return Ok(r.into_response()),
    };
    if !up.too_large && !u.csrf_matches(up.csrf.as_deref()) {
        return Ok(crate::extract::CsrfRejected(u.locale).into_response());
    }
    let f: NewForm = serde_urlencoded::to_string(&up.fields)
        .ok()
        .and_then(|q| serde_urlencoded::from_str(&q).ok())
        .unwrap_or_default();
    let checked = if up.too_large {
        Err(CoreError::Invalid(vec![
            FieldError::new("photo", CommonCode::FileTooLarge).with("max", "5 MB"),
        ]))
    } else if let Some(field) = &up.too_long {
        Err(CoreError::Invalid(vec![
            FieldError::new(field, CommonCode::TooLong).with("max", 2000),
        ]))
    } else if up.broken {
        Err(CoreError::invalid("photo", CommonCode::Required))
    } else {
        tickets::check_photos(&up.files)
    };
    match checked {
        Ok(()) => register(&st, &u, f, Some(&up)).await,
        Err(e) => render_new(&st, &u, f, Some(e)).await,
    }
}

async fn register(
    st: &AppState,
    u: &ConsoleUser,
    f: NewForm,
    photos: Option<&PhotoUpload>,
) -> PageResult {
    let mut errs = Vec::new();
    let community = match f.community_id.trim().parse::<i64>() {
        Ok(n) => CommunityId(n),
        Err(_) => {
            errs.push(FieldError::new("community_id", CommonCode::Required));
            return render_new(st, u, f, Some(CoreError::Invalid(errs))).await;
        }
    };
    let tz = match registry::get_community(&st.core, &u.ctx, community).await {
        Ok(c) => tz_of(&c),
        Err(e) => return render_new(st, u, f, Some(e)).await,
    };
    let caller = resolve::caller(
        &st.core,
        &u.ctx,
        community,
        CallerInput {
            unit_id: f.unit_id.trim().parse::<i64>().ok().map(UnitId),
            unit_label: &f.unit,
            phone: &f.contact_phone,
        },
    )
    .await;
    errs.extend(caller.errors);
    let (unit_id, person_id) = (caller.unit, caller.person);
    let promise_at = match f.promise_at.trim() {
        "" => None,
        s => match NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H:%M") {
            Ok(n) => Some(local_to_utc(tz, n.date(), n.time())),
            Err(_) => {
                errs.push(FieldError::new("promise_at", CommonCode::InvalidDate));
                None
            }
        },
    };
    let received_at =
        crate::console::forms::form_time("received_at", &f.received_at, tz, &mut errs);
    let assignee_id = match f.assignee_id.trim() {
        "" => None,
        s => match s.parse() {
            Ok(n) => Some(UserId(n)),
            Err(_) => {
                errs.push(FieldError::new("assignee_id", CommonCode::NotANumber));
                None
            }
        },
    };
    let input = RequestForCreate {
        community_id: community,
        kind: f.kind.clone(),
        category: f.category.clone(),
        channel: f.channel.clone(),
        urgency: Some(f.urgency.clone()),
        complex: Some(f.complex.is_some()),
        unit_id,
        person_id,
        location: Some(f.location.clone()),
        contact_name: Some(f.contact_name.clone()),
        contact_phone: Some(f.contact_phone.clone()),
        description: f.description.clone(),
        promise_at,
        assignee_id,
        received_at,
    };
    let res = if errs.is_empty() {
        tickets::create_request(&st.core, &u.ctx, input).await
    } else {
        // Report the form's own problems together with the service's, writing nothing.
        match tickets::check_request(&st.core, &u.ctx, input).await {
            Err(CoreError::Invalid(mut more)) => {
                more.retain(|e| e.field != "unit_id" || errs.iter().all(|x| x.field != "unit"));
                errs.extend(more);
                Err(CoreError::Invalid(errs))
            }
            _ => Err(CoreError::Invalid(errs)),
        }
    };
    match res {
        Ok(r) => {
            let mut msg = u.locale.tf("flash.registered", &[("number", &r.number)]);
            if let Some(up) = photos.filter(|p| !p.files.is_empty()) {
                // Checked already: what can still fail is the disk, said with the number.
                let mut added = 0;
                for file in &up.files {
                    match tickets::add_photo(&st.core, &u.ctx, r.id, "report", file).await {
                        Ok(_) => added += 1,
                        Err(e) => {
                            tracing::warn!(error = %e, request = r.id.0, "photo at registration");
                            msg = format!("!{msg}；{}", u.locale.t("tk.photos_not_saved"));
                            break;
                        }
                    }
                }
                if added > 0 && !msg.starts_with('!') {
                    msg.push_str(&u.locale.tf("tk.with_photos", &[("n", &added.to_string())]));
                }
            }
            Ok(done(st, u, &format!("/requests/{}", r.id), msg))
        }
        Err(e) if matches!(e, CoreError::Invalid(_) | CoreError::Conflict(_)) => {
            render_new(st, u, f, Some(e)).await
        }
        Err(e) => Err(PageError::new(u, e)),
    }
}
