//! The people list and a person's page: edits, deletion and the audit-logged reveal of
//! personal data.

use super::*;

// People

#[derive(Deserialize, Default)]
#[serde(default)]
pub(super) struct PeopleQ {
    pub(super) community_id: String,
    pub(super) name: String,
    pub(super) key: String,
    pub(super) after_id: String,
}

/// A link of a person to a unit, as a list shows it.
pub struct LinkRow {
    pub unit_id: UnitId,
    pub label: String,
    pub relation: String,
}

pub(super) fn link_rows(p: &Person, l: Locale) -> Vec<LinkRow> {
    p.units
        .iter()
        .map(|x| LinkRow {
            unit_id: x.unit_id,
            label: x.label.clone(),
            relation: label_code(Relation::ALL, &x.relation, l),
        })
        .collect()
}

pub struct PersonRow {
    pub id: PersonId,
    pub name: String,
    pub community: String,
    pub phone: String,
    pub is_key_customer: bool,
    pub units: Vec<LinkRow>,
}

#[derive(Template)]
#[template(path = "registry/people.html")]
pub(super) struct PeoplePage {
    pub(super) s: Shell,
    pub(super) communities: Vec<Community>,
    pub(super) q: PeopleQ,
    /// `CommunityId(0)` when all are shown.
    pub(super) selected: CommunityId,
    pub(super) key_only: bool,
    pub(super) people: Vec<PersonRow>,
    pub(super) next: Option<String>,
}

pub(super) async fn people_page(
    State(st): State<AppState>,
    u: ConsoleUser,
    q: Result<Query<PeopleQ>, QueryRejection>,
) -> PageResult {
    // A malformed query string shows the unfiltered page.
    let q = q.map(|Query(q)| q).unwrap_or_default();
    let communities = registry::list_communities(&st.core, &u.ctx)
        .await
        .or_page(&u)?;
    let l = u.locale;
    let selected: Option<CommunityId> = q.community_id.trim().parse().ok().map(CommunityId);
    let key_only = !q.key.is_empty();
    let filter = PersonFilter {
        community_id: selected,
        name: opt(&q.name),
        key_customers_only: Some(key_only),
        after_id: q.after_id.trim().parse().ok(),
        limit: Some(LIST_PAGE),
    };
    let mut s = Shell::of(&u);
    let (people, status) = match registry::list_people(&st.core, &u.ctx, &filter).await {
        Ok(v) => (v, StatusCode::OK),
        Err(e) if is_form_error(&e) => {
            let status = describe(&e, l).0;
            s = s.with_error(&e);
            (Vec::new(), status)
        }
        Err(e) => return Err(PageError::new(&u, e)),
    };
    let next = (people.len() as i64 >= LIST_PAGE)
        .then(|| people.last().map(|p| p.id))
        .flatten()
        .map(|last| {
            format!(
                "/people?community_id={}&name={}&key={}&after_id={last}",
                urlencode(&q.community_id),
                urlencode(&q.name),
                urlencode(&q.key)
            )
        });
    let names: HashMap<CommunityId, &str> = communities
        .iter()
        .map(|c| (c.id, c.name.as_str()))
        .collect();
    let people = people
        .iter()
        .map(|p| PersonRow {
            id: p.id,
            name: p.name.clone(),
            community: names
                .get(&p.community_id)
                .map(|n| n.to_string())
                .unwrap_or_default(),
            phone: text(&p.phone),
            is_key_customer: p.is_key_customer,
            units: link_rows(p, l),
        })
        .collect();
    let selected = selected.unwrap_or(CommunityId(0));
    Ok(with_status(
        page(&PeoplePage {
            s,
            communities,
            q,
            selected,
            key_only,
            people,
            next,
        }),
        status,
    ))
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub(super) struct PersonEditInput {
    pub(super) name: String,
    pub(super) phone: String,
    pub(super) id_number: String,
    pub(super) clear_phone: Option<String>,
    pub(super) clear_id_number: Option<String>,
    pub(super) is_key_customer: Option<String>,
    pub(super) key_customer_note: String,
    pub(super) note: String,
}

#[derive(Template)]
#[template(path = "registry/person.html")]
pub(super) struct PersonPage {
    pub(super) s: Shell,
    pub(super) c: Community,
    pub(super) p: Person,
    pub(super) units: Vec<LinkRow>,
    pub(super) f: PersonEditInput,
    pub(super) fe: FormErr,
}

pub(super) async fn render_person(
    st: &AppState,
    u: &ConsoleUser,
    id: PersonId,
    input: Option<PersonEditInput>,
    err: Option<CoreError>,
) -> PageResult {
    let p = registry::get_person(&st.core, &u.ctx, id)
        .await
        .or_page(u)?;
    let c = registry::get_community(&st.core, &u.ctx, p.community_id)
        .await
        .or_page(u)?;
    let f = input.unwrap_or_else(|| PersonEditInput {
        name: p.name.clone(),
        is_key_customer: p.is_key_customer.then(|| "on".to_string()),
        key_customer_note: text(&p.key_customer_note),
        note: text(&p.note),
        ..Default::default()
    });
    let name = if err.is_some() { "person" } else { "" };
    let (s, fe, status) = shell_for(u, name, err);
    let units = link_rows(&p, u.locale);
    Ok(with_status(
        page(&PersonPage {
            s,
            c,
            p,
            units,
            f,
            fe,
        }),
        status,
    ))
}

pub(super) async fn person_page(
    State(st): State<AppState>,
    u: ConsoleUser,
    Id(id): Id,
) -> PageResult {
    render_person(&st, &u, PersonId(id), None, None).await
}

/// A phone or ID number field of the edit form: blank keeps the stored value (the form never
/// shows it in clear), the "clear" box removes it.
pub(super) fn replace(value: &str, clear: bool) -> Option<String> {
    if clear {
        Some(String::new())
    } else {
        opt(value)
    }
}

pub(super) async fn person_update(
    State(st): State<AppState>,
    u: ConsoleUser,
    Id(id): Id,
    CsrfForm(f): CsrfForm<PersonEditInput>,
) -> PageResult {
    let id = PersonId(id);
    let input = PersonForUpdate {
        name: Some(f.name.clone()),
        phone: replace(&f.phone, f.clear_phone.is_some()),
        id_number: replace(&f.id_number, f.clear_id_number.is_some()),
        is_key_customer: Some(f.is_key_customer.is_some()),
        key_customer_note: Some(f.key_customer_note.clone()),
        note: Some(f.note.clone()),
    };
    match registry::update_person(&st.core, &u.ctx, id, input).await {
        Ok(p) => Ok(said(
            &st,
            &u,
            &format!("/people/{id}"),
            "flash.saved",
            &p.name,
        )),
        Err(e) if is_form_error(&e) => render_person(&st, &u, id, Some(f), Some(e)).await,
        Err(e) => Err(PageError::new(&u, e)),
    }
}

pub(super) async fn person_delete(
    State(st): State<AppState>,
    u: ConsoleUser,
    Id(id): Id,
    CsrfForm(_): CsrfForm<Empty>,
) -> PageResult {
    let id = PersonId(id);
    let p = registry::get_person(&st.core, &u.ctx, id)
        .await
        .or_page(&u)?;
    match registry::delete_person(&st.core, &u.ctx, id).await {
        Ok(()) => Ok(said(
            &st,
            &u,
            &format!("/people?community_id={}", p.community_id),
            "flash.deleted",
            &p.name,
        )),
        Err(e) if is_form_error(&e) => render_person(&st, &u, id, None, Some(e)).await,
        Err(e) => Err(PageError::new(&u, e)),
    }
}

#[derive(Template)]
#[template(path = "registry/reveal.html")]
pub(super) struct RevealPage {
    pub(super) s: Shell,
    pub(super) p: Person,
    pub(super) phone: String,
    pub(super) id_number: String,
}

/// The clear phone and ID number; the service writes the audit entry. Answered to the POST
/// itself (no redirect): every showing is a reveal of its own, and the page is not cached.
pub(super) async fn person_reveal(
    State(st): State<AppState>,
    u: ConsoleUser,
    Id(id): Id,
    CsrfForm(_): CsrfForm<Empty>,
) -> PageResult {
    let id = PersonId(id);
    let clear = registry::reveal_person(&st.core, &u.ctx, id)
        .await
        .or_page(&u)?;
    let p = registry::get_person(&st.core, &u.ctx, id)
        .await
        .or_page(&u)?;
    let mut r = page(&RevealPage {
        s: Shell::of(&u),
        p,
        phone: text(&clear.phone),
        id_number: text(&clear.id_number),
    });
    r.headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    Ok(r)
}
