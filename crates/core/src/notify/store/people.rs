//! SQL of what each person chose: where he can be reached (`contact_points`, encrypted), which
//! channels he wants per event (`notify_prefs`), and the company's wording of each event
//! (`notify_templates`).

use chrono::{DateTime, Utc};

use crate::args;
use crate::db::{Args, Db, Tx, Writes, in_list};
use crate::shared::error::CoreResult;
use crate::shared::ids::*;

crate::row! {
    /// Where a user can be reached.
    pub(crate) struct ContactRow {
        pub user_id: UserId,
        pub email_enc: Option<Vec<u8>>,
        pub phone_enc: Option<Vec<u8>>,
        pub wechat_enc: Option<Vec<u8>>,
        pub locale: String,
    }
}

pub(crate) async fn contacts(q: &mut impl Writes, users: &[UserId]) -> CoreResult<Vec<ContactRow>> {
    if users.is_empty() {
        return Ok(Vec::new());
    }
    let mut a = Args::new();
    let cond = in_list(&mut a, "user_id", users);
    q.fetch_all(
        &format!(
            "SELECT user_id, email_enc, phone_enc, wechat_enc, locale FROM contact_points \
             WHERE {cond}"
        ),
        a,
    )
    .await
}

pub(crate) async fn contact(db: &Db, user: UserId) -> CoreResult<Option<ContactRow>> {
    db.read()
        .fetch_optional(
            "SELECT user_id, email_enc, phone_enc, wechat_enc, locale FROM contact_points \
             WHERE user_id = $1",
            args![user],
        )
        .await
}

pub(crate) async fn put_contact(tx: &mut Tx, c: &ContactRow, now: DateTime<Utc>) -> CoreResult<()> {
    tx.execute(
        "INSERT INTO contact_points (user_id, email_enc, phone_enc, wechat_enc, locale, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (user_id) DO UPDATE SET \
         email_enc = excluded.email_enc, phone_enc = excluded.phone_enc, \
         wechat_enc = excluded.wechat_enc, locale = excluded.locale, updated_at = excluded.updated_at",
        args![
            c.user_id,
            c.email_enc.clone(),
            c.phone_enc.clone(),
            c.wechat_enc.clone(),
            &c.locale,
            now
        ],
    )
    .await?;
    Ok(())
}

/// The channels each of `users` chose for `event` (those who chose).
pub(crate) async fn prefs_for(
    q: &mut impl Writes,
    users: &[UserId],
    event: &str,
) -> CoreResult<Vec<(UserId, String)>> {
    if users.is_empty() {
        return Ok(Vec::new());
    }
    let mut a = Args::new();
    let e = a.push(event);
    let cond = in_list(&mut a, "user_id", users);
    q.fetch_all(
        &format!("SELECT user_id, channels FROM notify_prefs WHERE event = {e} AND {cond}"),
        a,
    )
    .await
}

/// Every event a user chose channels for, with them.
pub(crate) async fn prefs_of(db: &Db, user: UserId) -> CoreResult<Vec<(String, String)>> {
    db.read()
        .fetch_all(
            "SELECT event, channels FROM notify_prefs WHERE user_id = $1 ORDER BY event",
            args![user],
        )
        .await
}

pub(crate) async fn put_pref(
    tx: &mut Tx,
    user: UserId,
    event: &str,
    channels: &str,
    now: DateTime<Utc>,
) -> CoreResult<()> {
    tx.execute(
        "INSERT INTO notify_prefs (user_id, event, channels, updated_at) VALUES ($1, $2, $3, $4) \
         ON CONFLICT (user_id, event) DO UPDATE SET channels = excluded.channels, \
         updated_at = excluded.updated_at",
        args![user, event, channels, now],
    )
    .await?;
    Ok(())
}

crate::row! {
    /// The company's wording of an event in one language.
    pub(crate) struct TemplateRow {
        pub event: String,
        pub locale: String,
        pub subject: String,
        pub body: String,
        pub updated_at: DateTime<Utc>,
    }
}

/// The company's own wordings (of one event, or all).
pub(crate) async fn templates(
    q: &mut impl Writes,
    company: CompanyId,
    event: Option<&str>,
) -> CoreResult<Vec<TemplateRow>> {
    let mut a = args![company];
    let only = match event {
        Some(e) => format!(" AND event = {}", a.push(e)),
        None => String::new(),
    };
    q.fetch_all(
        &format!(
            "SELECT event, locale, subject, body, updated_at FROM notify_templates \
             WHERE company_id = $1{only} ORDER BY event, locale"
        ),
        a,
    )
    .await
}

pub(crate) async fn put_template(
    tx: &mut Tx,
    company: CompanyId,
    t: &TemplateRow,
    by: Option<UserId>,
) -> CoreResult<()> {
    tx.execute(
        "INSERT INTO notify_templates (company_id, event, locale, subject, body, updated_by, \
         updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (company_id, event, locale) \
         DO UPDATE SET subject = excluded.subject, body = excluded.body, \
         updated_by = excluded.updated_by, updated_at = excluded.updated_at",
        args![
            company,
            &t.event,
            &t.locale,
            &t.subject,
            &t.body,
            by,
            t.updated_at
        ],
    )
    .await?;
    Ok(())
}

pub(crate) async fn delete_template(
    tx: &mut Tx,
    company: CompanyId,
    event: &str,
    locale: &str,
) -> CoreResult<u64> {
    tx.execute(
        "DELETE FROM notify_templates WHERE company_id = $1 AND event = $2 AND locale = $3",
        args![company, event, locale],
    )
    .await
}
