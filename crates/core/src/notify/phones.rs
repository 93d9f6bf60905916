//! Telling someone who has no account: the pick-up code of a parcel to the phone on its label.
//! Only SMS reaches such a person, in Chinese (he chose no language), worded as the company
//! words the event (or as built in); nothing is written when this server sends no SMS for the
//! event. Quiet hours hold it as they hold every SMS that is not an emergency.

use chrono::{DateTime, Utc};

use super::channels::Channels;
use super::model::{self, Channel, Locale};
use super::service::Note;
use super::store;
use super::store::outbox::NewMessage;
use crate::db::Writes;
use crate::shared::error::{CoreError, CoreResult};

/// Writes the SMS of `n` to the encrypted phone, in the caller's transaction. Returns whether
/// a message was written.
pub async fn enqueue_sms(
    channels: &Channels,
    tx: &mut impl Writes,
    n: &Note,
    phone_enc: Vec<u8>,
    now: DateTime<Utc>,
) -> CoreResult<bool> {
    if !channels.offers(Channel::Sms, n.event.code()) {
        return Ok(false);
    }
    let Some((company, name, tz)) =
        crate::registry::store::for_notify::community(tx, n.community).await?
    else {
        return Err(CoreError::NotFound("community"));
    };
    let mut params = n.params.clone();
    params.push(("community".into(), name));
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
    let own = store::people::templates(tx, company, Some(n.event.code())).await?;
    let (subject, body) = match own.iter().find(|t| t.locale == Locale::ZhCn.code()) {
        Some(t) => (
            model::render(&t.subject, &ordered),
            model::render(&t.body, &ordered),
        ),
        None => {
            let (s, b) = n.event.builtin(Locale::ZhCn);
            (model::render(s, &ordered), model::render(b, &ordered))
        }
    };
    let params_json =
        serde_json::to_string(&ordered).map_err(|e| CoreError::internal(format!("params: {e}")))?;
    let tz = crate::shared::calendar::zone(&tz);
    store::outbox::insert(
        tx,
        &[NewMessage {
            community: n.community,
            user: None,
            event: n.event.code(),
            channel: Channel::Sms.code(),
            address_enc: phone_enc,
            subject,
            body,
            params: params_json,
            emergency: n.event.emergency(),
            due_at: model::not_before(Channel::Sms, n.event.emergency(), now, tz),
            created_at: now,
        }],
    )
    .await?;
    Ok(true)
}
