//! The use cases of notifications: an event told to its people ([`enqueue`], called by the
//! other modules inside their own transaction), a person's inbox, contacts and channel choices,
//! the company's wording of each event, and the delivery log the managers read.

use std::collections::HashMap;

use chrono::{DateTime, Utc};

use super::channels::Channels;
use super::error::NotifyCode;
use super::model::{self, Audience, Channel, Event, Locale};
use super::store;
use super::store::outbox::NewMessage;
use crate::db::Writes;
use crate::shared::error::{CoreError, CoreResult, FieldError};
use crate::shared::ids::*;
use crate::{Core, Ctx, Perm};

// ---------------------------------------------------------------------------------------------
// Telling people

/// An event, as the module where it happened tells it.
#[derive(Debug, Clone)]
pub struct Note {
    pub community: CommunityId,
    pub event: Event,
    /// The event's placeholders but `community`, which is filled here.
    pub params: Vec<(String, String)>,
    /// The request it is about (the inbox links to it).
    pub request: Option<RequestId>,
    /// Where the in-app message leads.
    pub link: Option<String>,
}

/// Whether the in-app message is still to be written: a request's messages to staff are
/// written by the tickets module with the request and its clock, and only go out here.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InApp {
    Write,
    Written,
}

/// Tells `to` of the event, in the caller's transaction: the in-app message, and one outbox
/// message per outside channel each person takes for this event (his choice, or the event's
/// defaults), has an address for, and this server offers. Nothing is sent here: the worker
/// sends after the commit, so a change rolled back tells nobody.
pub async fn enqueue(
    channels: &Channels,
    tx: &mut impl Writes,
    n: &Note,
    to: &[UserId],
    in_app: InApp,
    now: DateTime<Utc>,
) -> CoreResult<()> {
    enqueue_many(channels, tx, &[(n.clone(), to.to_vec())], in_app, now).await
}

/// Rows written per statement (SQLite takes at most 32,766 values in one).
const CHUNK: usize = 1000;

/// [`enqueue`] for many events at once (a scanner's batch, a batch of registrations): the
/// communities, wordings, addresses and choices are read once for all of them, and the
/// messages written in a few multi-row statements.
pub async fn enqueue_many(
    channels: &Channels,
    tx: &mut impl Writes,
    items: &[(Note, Vec<UserId>)],
    in_app: InApp,
    now: DateTime<Utc>,
) -> CoreResult<()> {
    let mut users: Vec<UserId> = items
        .iter()
        .flat_map(|(_, to)| to.iter().copied())
        .filter(|u| u.0 > 0)
        .collect();
    users.sort();
    users.dedup();
    if users.is_empty() {
        return Ok(());
    }
    // Each community once: its company (whose wording), name and time zone (quiet hours).
    let mut places: HashMap<CommunityId, (CompanyId, String, chrono_tz::Tz)> = HashMap::new();
    for (n, _) in items {
        if places.contains_key(&n.community) {
            continue;
        }
        let Some((company, name, tz)) =
            crate::registry::store::for_notify::community(tx, n.community).await?
        else {
            return Err(CoreError::NotFound("community"));
        };
        places.insert(
            n.community,
            (company, name, crate::shared::calendar::zone(&tz)),
        );
    }
    // Each (company, event) once: the company's own wordings.
    let mut own: HashMap<(CompanyId, Event), Vec<store::people::TemplateRow>> = HashMap::new();
    let mut prefs: HashMap<(UserId, Event), String> = HashMap::new();
    let mut events: Vec<Event> = Vec::new();
    for (n, _) in items {
        let company = places[&n.community].0;
        if let std::collections::hash_map::Entry::Vacant(e) = own.entry((company, n.event)) {
            e.insert(store::people::templates(tx, company, Some(n.event.code())).await?);
        }
        if !events.contains(&n.event) {
            events.push(n.event);
            for (u, list) in store::people::prefs_for(tx, &users, n.event.code()).await? {
                prefs.insert((u, n.event), list);
            }
        }
    }
    let contacts: HashMap<UserId, store::people::ContactRow> = store::people::contacts(tx, &users)
        .await?
        .into_iter()
        .map(|c| (c.user_id, c))
        .collect();
    // An owner without a phone of his own is reached at the registry's.
    let mut registry_phone: HashMap<UserId, Vec<u8>> = HashMap::new();
    if events
        .iter()
        .any(|e| e.audience() == Audience::Owner && channels.offers(Channel::Sms, e.code()))
    {
        let without: Vec<UserId> = users
            .iter()
            .copied()
            .filter(|u| contacts.get(u).is_none_or(|c| c.phone_enc.is_none()))
            .collect();
        let people = crate::portal::store::people_of_accounts(tx, &without).await?;
        let ids: Vec<PersonId> = people.iter().map(|(_, p)| *p).collect();
        let phones: HashMap<PersonId, Vec<u8>> =
            crate::registry::store::for_notify::phones(tx, &ids)
                .await?
                .into_iter()
                .collect();
        for (u, p) in people {
            if let Some(ph) = phones.get(&p) {
                registry_phone.insert(u, ph.clone());
            }
        }
    }

    let mut inbox: Vec<(usize, UserId, String, String)> = Vec::new();
    let mut out = Vec::new();
    for (i, (n, to)) in items.iter().enumerate() {
        let (company, name, tz) = &places[&n.community];
        let mut params = n.params.clone();
        params.push(("community".into(), name.clone()));
        // The params in the order the event declares them (SMS templates take them so).
        let ordered: Vec<(String, String)> = n
            .event
            .placeholders()
            .iter()
            .map(|p| {
                let v = params
                    .iter()
                    .find(|(k, _)| k == p)
                    .map(|(_, v)| v.clone())
                    .unwrap_or_default();
                (p.to_string(), v)
            })
            .collect();
        let params_json = serde_json::to_string(&ordered)
            .map_err(|e| CoreError::internal(format!("params: {e}")))?;
        let wording = |l: Locale| -> (String, String) {
            match own[&(*company, n.event)]
                .iter()
                .find(|t| t.locale == l.code())
            {
                Some(t) => (
                    model::render(&t.subject, &ordered),
                    model::render(&t.body, &ordered),
                ),
                None => {
                    let (s, b) = n.event.builtin(l);
                    (model::render(s, &ordered), model::render(b, &ordered))
                }
            }
        };
        let words: HashMap<Locale, (String, String)> =
            Locale::ALL.into_iter().map(|l| (l, wording(l))).collect();
        let mut to: Vec<UserId> = to.iter().copied().filter(|u| u.0 > 0).collect();
        to.sort();
        to.dedup();
        for u in &to {
            let c = contacts.get(u);
            let locale = c
                .and_then(|c| Locale::parse(&c.locale))
                .unwrap_or(Locale::ZhCn);
            let (subject, body) = &words[&locale];
            if in_app == InApp::Write {
                inbox.push((i, *u, subject.clone(), body.clone()));
            }
            let chosen: Vec<Channel> = match prefs.get(&(*u, n.event)) {
                Some(list) => list.split(',').filter_map(Channel::parse).collect(),
                None => n.event.default_channels().to_vec(),
            };
            for ch in chosen {
                if !channels.offers(ch, n.event.code()) {
                    continue;
                }
                let address = match ch {
                    Channel::Email => c.and_then(|c| c.email_enc.clone()),
                    Channel::Sms => c
                        .and_then(|c| c.phone_enc.clone())
                        .or_else(|| registry_phone.get(u).cloned()),
                    Channel::Wechat => c.and_then(|c| c.wechat_enc.clone()),
                };
                let Some(address_enc) = address else {
                    continue;
                };
                out.push(NewMessage {
                    community: n.community,
                    user: Some(*u),
                    event: n.event.code(),
                    channel: ch.code(),
                    address_enc,
                    subject: subject.clone(),
                    body: body.clone(),
                    params: params_json.clone(),
                    emergency: n.event.emergency(),
                    due_at: model::not_before(ch, n.event.emergency(), now, *tz),
                    created_at: now,
                });
            }
        }
    }
    let rows: Vec<store::inbox::NewInApp<'_>> = inbox
        .iter()
        .map(|(i, u, s, b)| {
            let n = &items[*i].0;
            store::inbox::NewInApp {
                community: n.community,
                user: *u,
                at: now,
                kind: n.event.code(),
                request: n.request,
                clock: None,
                event: Some(n.event.code()),
                title: Some(s),
                body: Some(b),
                link: n.link.as_deref(),
            }
        })
        .collect();
    for chunk in rows.chunks(CHUNK) {
        store::inbox::insert(tx, chunk).await?;
    }
    for chunk in out.chunks(CHUNK) {
        store::outbox::insert(tx, chunk).await?;
    }
    Ok(())
}

/// A unit's label (`1栋-1801`) and its owners' portal accounts, for an event about the unit
/// (a receipt, a reminder).
pub async fn unit_owner_accounts(
    tx: &mut crate::db::Tx,
    unit: UnitId,
) -> CoreResult<(String, Vec<UserId>)> {
    let Some((label, people)) = crate::registry::store::for_notify::unit_owners(tx, unit).await?
    else {
        return Err(CoreError::NotFound("unit"));
    };
    let accounts = crate::portal::store::accounts_of_people(tx, &people).await?;
    Ok((label, accounts.into_iter().map(|(_, u)| u).collect()))
}

/// The portal accounts of the people who reported requests, for [`enqueue`] (people without
/// one are skipped).
pub async fn accounts_of_people(
    tx: &mut impl crate::db::Queries,
    people: &[PersonId],
) -> CoreResult<Vec<(PersonId, UserId)>> {
    crate::portal::store::accounts_of_people(tx, people).await
}

// ---------------------------------------------------------------------------------------------
// The inbox

#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema, sqlx::FromRow)]
pub struct Notification {
    pub id: NotificationId,
    pub community_id: CommunityId,
    pub at: DateTime<Utc>,
    /// A request message's kind (`assigned`, `done`, `reopened`, `escalated`, `sla_warning`,
    /// `sla_breach`) or an event's code.
    pub kind: String,
    pub request_id: Option<RequestId>,
    pub request_number: Option<String>,
    pub clock: Option<String>,
    /// An event's code, title and text (other modules' messages).
    pub event: Option<String>,
    pub title: Option<String>,
    pub body: Option<String>,
    pub link: Option<String>,
    pub read_at: Option<DateTime<Utc>>,
}

/// The actor's messages, newest first (unread only when asked).
pub async fn notifications(
    core: &Core,
    ctx: &Ctx,
    unread_only: bool,
) -> CoreResult<Vec<Notification>> {
    store::inbox::list(&core.db, ctx.user_id, unread_only).await
}

pub async fn unread_count(core: &Core, ctx: &Ctx) -> CoreResult<i64> {
    store::inbox::unread_count(&core.db, ctx.user_id).await
}

/// Marks the actor's messages read: one, or all.
pub async fn mark_read(core: &Core, ctx: &Ctx, one: Option<NotificationId>) -> CoreResult<u64> {
    let mut tx = core.db.begin().await?;
    let n = store::inbox::mark_read(&mut tx, ctx.user_id, one, Utc::now()).await?;
    tx.commit().await?;
    Ok(n)
}

// ---------------------------------------------------------------------------------------------
// A person's contacts and choices

/// Where the actor can be reached, in clear (it is his own), and which channels this server
/// offers.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct NotifyContact {
    pub email: Option<String>,
    pub phone: Option<String>,
    pub wechat_openid: Option<String>,
    pub locale: Locale,
    /// The outside channels this server is set up for.
    pub offered: Vec<Channel>,
}

#[derive(Debug, Clone, Default, serde::Deserialize, utoipa::ToSchema)]
pub struct NotifyContactForUpdate {
    /// Empty or absent: none.
    pub email: Option<String>,
    /// 11 digits, mainland China.
    pub phone: Option<String>,
    /// The openid of the service centre's official account.
    pub wechat_openid: Option<String>,
    /// `zh-CN` (default) or `en`.
    pub locale: Option<String>,
}

fn offered(core: &Core) -> Vec<Channel> {
    Channel::ALL
        .into_iter()
        .filter(|c| match c {
            Channel::Email => core.channels.offers(*c, ""),
            _ => Event::ALL
                .iter()
                .any(|e| core.channels.offers(*c, e.code())),
        })
        .collect()
}

pub async fn contact(core: &Core, ctx: &Ctx) -> CoreResult<NotifyContact> {
    let row = store::people::contact(&core.db, ctx.user_id).await?;
    let clear = |b: Option<&Vec<u8>>| -> CoreResult<Option<String>> {
        b.map(|b| core.crypto.decrypt(b)).transpose()
    };
    Ok(NotifyContact {
        email: clear(row.as_ref().and_then(|r| r.email_enc.as_ref()))?,
        phone: clear(row.as_ref().and_then(|r| r.phone_enc.as_ref()))?,
        wechat_openid: clear(row.as_ref().and_then(|r| r.wechat_enc.as_ref()))?,
        locale: row
            .as_ref()
            .and_then(|r| Locale::parse(&r.locale))
            .unwrap_or(Locale::ZhCn),
        offered: offered(core),
    })
}

pub(super) fn blank(s: Option<&str>) -> Option<&str> {
    s.map(str::trim).filter(|s| !s.is_empty())
}

fn check_email(s: &str) -> bool {
    let Some((local, domain)) = s.split_once('@') else {
        return false;
    };
    s.len() <= 254
        && !local.is_empty()
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !s
            .chars()
            .any(|c| c.is_whitespace() || c.is_control() || "<>,;\"".contains(c))
        && !domain.contains('@')
}

/// Sets where the actor can be reached.
pub async fn set_contact(
    core: &Core,
    ctx: &Ctx,
    input: NotifyContactForUpdate,
) -> CoreResult<NotifyContact> {
    if ctx.user_id.0 <= 0 {
        return Err(CoreError::Forbidden);
    }
    let mut errs = Vec::new();
    let email = blank(input.email.as_deref());
    if email.is_some_and(|e| !check_email(e)) {
        errs.push(FieldError::new("email", NotifyCode::InvalidEmail));
    }
    let phone = blank(input.phone.as_deref());
    if phone.is_some_and(|p| {
        !(p.len() == 11 && p.starts_with('1') && p.bytes().all(|b| b.is_ascii_digit()))
    }) {
        errs.push(FieldError::new(
            "phone",
            crate::shared::error::CommonCode::InvalidPhone,
        ));
    }
    let openid = blank(input.wechat_openid.as_deref());
    if openid.is_some_and(|o| {
        o.len() > 64
            || !o
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
    }) {
        errs.push(FieldError::new("wechat_openid", NotifyCode::InvalidWechat));
    }
    let locale = match blank(input.locale.as_deref()) {
        None => Locale::ZhCn,
        Some(l) => Locale::parse(l).unwrap_or_else(|| {
            errs.push(FieldError::new("locale", NotifyCode::UnknownLocale));
            Locale::ZhCn
        }),
    };
    if !errs.is_empty() {
        return Err(CoreError::Invalid(errs));
    }
    let row = store::people::ContactRow {
        user_id: ctx.user_id,
        email_enc: email.map(|e| core.crypto.encrypt(e)),
        phone_enc: phone.map(|p| core.crypto.encrypt(p)),
        wechat_enc: openid.map(|o| core.crypto.encrypt(o)),
        locale: locale.code().to_string(),
    };
    let mut tx = core.db.begin().await?;
    store::people::put_contact(&mut tx, &row, Utc::now()).await?;
    tx.commit().await?;
    contact(core, ctx).await
}

/// A person's channels for one kind of event.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct NotifyPreference {
    pub event: Event,
    /// The outside channels he gets it on (in-app always).
    pub channels: Vec<Channel>,
    /// Whether these are the event's defaults (he chose none).
    pub default: bool,
    /// Sent at once even in the quiet hours.
    pub emergency: bool,
}

#[derive(Debug, Clone, serde::Deserialize, utoipa::ToSchema)]
pub struct NotifyPreferenceForUpdate {
    pub event: String,
    /// `email`, `sms`, `wechat`; empty: in-app only.
    pub channels: Vec<String>,
}

fn audience_of(ctx: &Ctx) -> Audience {
    if ctx.role == crate::auth::OWNER_ROLE {
        Audience::Owner
    } else {
        Audience::Staff
    }
}

/// The actor's channels for every event his kind of user hears of.
pub async fn preferences(core: &Core, ctx: &Ctx) -> CoreResult<Vec<NotifyPreference>> {
    let mine: HashMap<String, String> = store::people::prefs_of(&core.db, ctx.user_id)
        .await?
        .into_iter()
        .collect();
    let aud = audience_of(ctx);
    Ok(Event::ALL
        .iter()
        .filter(|e| e.audience() == aud)
        .map(|e| match mine.get(e.code()) {
            Some(list) => NotifyPreference {
                event: *e,
                channels: list.split(',').filter_map(Channel::parse).collect(),
                default: false,
                emergency: e.emergency(),
            },
            None => NotifyPreference {
                event: *e,
                channels: e.default_channels().to_vec(),
                default: true,
                emergency: e.emergency(),
            },
        })
        .collect())
}

/// Sets the actor's channels for some events at once (one invalid entry: nothing is written).
pub async fn set_preferences(
    core: &Core,
    ctx: &Ctx,
    input: Vec<NotifyPreferenceForUpdate>,
) -> CoreResult<Vec<NotifyPreference>> {
    if ctx.user_id.0 <= 0 {
        return Err(CoreError::Forbidden);
    }
    let mut errs = Vec::new();
    let mut rows = Vec::new();
    for (i, p) in input.iter().enumerate() {
        let Some(e) = Event::parse(p.event.trim()) else {
            errs.push(FieldError::new(
                format!("[{i}].event"),
                NotifyCode::UnknownEvent,
            ));
            continue;
        };
        let mut chans = Vec::new();
        for (j, c) in p.channels.iter().enumerate() {
            match Channel::parse(c.trim()) {
                Some(c) if !chans.contains(&c) => chans.push(c),
                Some(_) => {}
                None => errs.push(FieldError::new(
                    format!("[{i}].channels[{j}]"),
                    NotifyCode::UnknownChannel,
                )),
            }
        }
        chans.sort();
        let list: Vec<&str> = chans.iter().map(|c| c.code()).collect();
        rows.push((e, list.join(",")));
    }
    if !errs.is_empty() {
        return Err(CoreError::Invalid(errs));
    }
    let now = Utc::now();
    let mut tx = core.db.begin().await?;
    for (e, list) in &rows {
        store::people::put_pref(&mut tx, ctx.user_id, e.code(), list, now).await?;
    }
    tx.commit().await?;
    preferences(core, ctx).await
}

// ---------------------------------------------------------------------------------------------
// The company's wording

#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct NotifyTemplate {
    pub event: Event,
    pub locale: Locale,
    pub subject: String,
    pub body: String,
    /// The built-in wording (the company has not worded it).
    pub builtin: bool,
    /// The placeholders it may use, as `{name}`.
    pub placeholders: Vec<String>,
    pub audience: Audience,
}

#[derive(Debug, Clone, serde::Deserialize, utoipa::ToSchema)]
pub struct NotifyTemplateForUpdate {
    pub subject: String,
    pub body: String,
}

/// Every event's wording in both languages: the company's, or the built-in one.
pub async fn templates(core: &Core, ctx: &Ctx) -> CoreResult<Vec<NotifyTemplate>> {
    ctx.require(Perm::NotifyManage)?;
    let mut tx = core.db.begin().await?;
    let own = store::people::templates(&mut tx, ctx.company_id, None).await?;
    drop(tx);
    let mut out = Vec::new();
    for e in Event::ALL {
        for l in Locale::ALL {
            let (subject, body, builtin) = match own
                .iter()
                .find(|t| t.event == e.code() && t.locale == l.code())
            {
                Some(t) => (t.subject.clone(), t.body.clone(), false),
                None => {
                    let (s, b) = e.builtin(l);
                    (s.to_string(), b.to_string(), true)
                }
            };
            out.push(NotifyTemplate {
                event: *e,
                locale: l,
                subject,
                body,
                builtin,
                placeholders: e
                    .placeholders()
                    .iter()
                    .map(|p| format!("{{{p}}}"))
                    .collect(),
                audience: e.audience(),
            });
        }
    }
    Ok(out)
}

fn event_and_locale(event: &str, locale: &str) -> CoreResult<(Event, Locale)> {
    let e = Event::parse(event);
    let l = Locale::parse(locale);
    let mut errs = Vec::new();
    if e.is_none() {
        errs.push(FieldError::new("event", NotifyCode::UnknownEvent));
    }
    if l.is_none() {
        errs.push(FieldError::new("locale", NotifyCode::UnknownLocale));
    }
    match (e, l) {
        (Some(e), Some(l)) => Ok((e, l)),
        _ => Err(CoreError::Invalid(errs)),
    }
}

/// Words an event in a language for the whole company. Every placeholder must be the event's.
pub async fn set_template(
    core: &Core,
    ctx: &Ctx,
    event: &str,
    locale: &str,
    input: NotifyTemplateForUpdate,
) -> CoreResult<NotifyTemplate> {
    ctx.require(Perm::NotifyManage)?;
    let (e, l) = event_and_locale(event, locale)?;
    let mut errs = Vec::new();
    let subject = input.subject.trim();
    let body = input.body.trim();
    let mut check = |field: &str, text: &str, max: usize| {
        if text.is_empty() {
            errs.push(FieldError::new(
                field,
                crate::shared::error::CommonCode::Required,
            ));
        } else if text.chars().count() > max {
            errs.push(
                FieldError::new(field, crate::shared::error::CommonCode::TooLong).with("max", max),
            );
        } else if let Err(err) = model::check_template(e, field, text) {
            errs.push(err);
        }
    };
    check("subject", subject, 100);
    check("body", body, 1000);
    if !errs.is_empty() {
        return Err(CoreError::Invalid(errs));
    }
    let now = Utc::now();
    let row = store::people::TemplateRow {
        event: e.code().into(),
        locale: l.code().into(),
        subject: subject.into(),
        body: body.into(),
        updated_at: now,
    };
    let mut tx = core.db.begin().await?;
    store::people::put_template(&mut tx, ctx.company_id, &row, ctx.actor()).await?;
    crate::audit::record(
        &mut tx,
        ctx,
        crate::audit::Entry::new(crate::audit::Action::Update, "notify_template", 0).after(
            &serde_json::json!({"event": e.code(), "locale": l.code(), "subject": subject,
                                "body": body}),
        ),
    )
    .await?;
    tx.commit().await?;
    Ok(NotifyTemplate {
        event: e,
        locale: l,
        subject: row.subject,
        body: row.body,
        builtin: false,
        placeholders: e
            .placeholders()
            .iter()
            .map(|p| format!("{{{p}}}"))
            .collect(),
        audience: e.audience(),
    })
}

/// Goes back to the built-in wording.
pub async fn reset_template(core: &Core, ctx: &Ctx, event: &str, locale: &str) -> CoreResult<()> {
    ctx.require(Perm::NotifyManage)?;
    let (e, l) = event_and_locale(event, locale)?;
    let mut tx = core.db.begin().await?;
    store::people::delete_template(&mut tx, ctx.company_id, e.code(), l.code()).await?;
    tx.commit().await
}
