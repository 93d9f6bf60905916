//! The writes of a parcel's intake, through a group commit (`db::group`): at a busy desk, or
//! when a courier's whole van is scanned in, parcels arriving together share one transaction
//! on the one writer instead of queueing for it one `COMMIT` at a time.
//!
//! A batch is written as one transaction; when any parcel in it cannot be written as drawn (its
//! pick-up code or tracking number taken meanwhile), the batch is rolled back and each parcel is
//! written alone, where a code is drawn again and a tracking number taken is refused with the
//! field named — so one parcel's problem stays its own.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use chrono::{DateTime, Utc};

use super::super::error::FrontdeskCode;
use super::super::model::{self, ParcelKind, ParcelState};
use super::super::store::parcels::{self as store, NewParcel, ParcelRow};
use crate::audit::{self, Action, Entry, Who};
use crate::db::group::GroupCommit;
use crate::db::{Db, Rows, Writes};
use crate::notify::channels::Channels;
use crate::notify::model::Event;
use crate::notify::{self, InApp, Note};
use crate::shared::error::{CoreError, CoreResult, FieldError};
use crate::shared::ids::*;

/// The most parcels written in one transaction.
const MAX_BATCH: usize = 64;

/// A parcel checked and ready to be written.
#[derive(Debug)]
pub(crate) struct Intake {
    pub who: Who,
    pub channels: Arc<Channels>,
    pub community: CommunityId,
    pub kind: ParcelKind,
    pub carrier: String,
    pub tracking_no: Option<String>,
    pub unit: Option<UnitId>,
    pub recipient: Option<PersonId>,
    pub recipient_name: String,
    pub phone_enc: Option<Vec<u8>>,
    pub shelf: Option<String>,
    pub note: Option<String>,
    /// The recipient's portal accounts (read before the write): told in the portal; none, an
    /// SMS to `phone_enc`.
    pub accounts: Vec<UserId>,
    pub now: DateTime<Utc>,
}

/// The parcels waiting for the writer.
pub(crate) type ParcelQueue = GroupCommit<Intake, ParcelRow>;

pub(crate) fn parcel_queue() -> ParcelQueue {
    GroupCommit::new(MAX_BATCH, write_batch)
}

/// Why a batch gave way to writing its parcels one by one.
const REDRAW: &str = "a pick-up code or tracking number taken in the batch";

fn write_batch(
    db: Db,
    jobs: Vec<Intake>,
) -> Pin<Box<dyn Future<Output = Vec<CoreResult<ParcelRow>>> + Send>> {
    Box::pin(async move {
        if jobs.len() > 1 {
            match write_committed(&db, &jobs, 1).await {
                Ok(done) => return done.into_iter().map(Ok).collect(),
                Err(e) => {
                    tracing::debug!(error = %e, "batch of {} parcels written one by one", jobs.len())
                }
            }
        }
        let mut out = Vec::with_capacity(jobs.len());
        for j in &jobs {
            out.push(
                write_committed(&db, std::slice::from_ref(j), 20)
                    .await
                    .and_then(|mut v| v.pop().ok_or_else(|| CoreError::internal("parcel"))),
            );
        }
        out
    })
}

async fn write_committed(db: &Db, jobs: &[Intake], draws: u32) -> CoreResult<Vec<ParcelRow>> {
    if let Some((_slot, mut tx)) = db.begin_inline().await? {
        let done = write_in(&mut tx, jobs, draws).await?;
        tx.commit()?;
        return Ok(done);
    }
    let mut tx = db.begin().await?;
    let done = write_in(&mut tx, jobs, draws).await?;
    tx.commit().await?;
    Ok(done)
}

/// Writes the parcels, each with a pick-up code drawn at most `draws` times, their audit
/// entries (one statement) and the recipients' messages.
async fn write_in(
    tx: &mut (impl Writes + Rows),
    jobs: &[Intake],
    draws: u32,
) -> CoreResult<Vec<ParcelRow>> {
    let mut rows = Vec::with_capacity(jobs.len());
    for j in jobs {
        rows.push(write_one(tx, j, draws).await?);
    }
    let entries: Vec<(&Who, Entry<'_>)> = jobs
        .iter()
        .zip(&rows)
        .map(|(j, r)| {
            (
                &j.who,
                Entry::new(Action::Create, "parcel", r.id.0)
                    .community(j.community)
                    .after(
                        &serde_json::json!({"carrier": j.carrier, "tracking_no": j.tracking_no,
                        "unit_id": j.unit, "recipient": j.recipient_name, "shelf": j.shelf}),
                    ),
            )
        })
        .collect();
    audit::record_all(tx, &entries).await?;
    for (j, r) in jobs.iter().zip(&rows) {
        tell(
            &j.channels,
            tx,
            r,
            &j.accounts,
            Event::ParcelArrived,
            0,
            j.now,
        )
        .await?;
    }
    Ok(rows)
}

async fn write_one(tx: &mut (impl Writes + Rows), j: &Intake, draws: u32) -> CoreResult<ParcelRow> {
    let mut attempt = 0;
    loop {
        attempt += 1;
        let code = model::pickup_code(u64::from_le_bytes(
            crate::shared::crypto::random_bytes::<8>(),
        ));
        let row = NewParcel {
            kind: j.kind.code(),
            carrier: &j.carrier,
            tracking_no: j.tracking_no.as_deref(),
            unit: j.unit,
            recipient: j.recipient,
            recipient_name: &j.recipient_name,
            phone_enc: j.phone_enc.clone(),
            shelf: j.shelf.as_deref(),
            code: &code,
            note: j.note.as_deref(),
            by: j.who.actor,
        };
        if let Some(id) = store::insert(tx, j.community, &row, j.now).await? {
            return Ok(written(j, id, code));
        }
        if attempt >= draws {
            return Err(CoreError::internal(REDRAW));
        }
        // A tracking number another desk scanned a moment before is refused; a code held
        // already is drawn again.
        if let Some(t) = &j.tracking_no
            && store::tracking_held(tx, j.community, &j.carrier, t).await?
        {
            return Err(CoreError::Invalid(vec![FieldError::new(
                "tracking_no",
                FrontdeskCode::DuplicateTracking,
            )]));
        }
    }
}

/// The row as written (no read back).
fn written(j: &Intake, id: ParcelId, code: String) -> ParcelRow {
    ParcelRow {
        id,
        community_id: j.community,
        kind: j.kind.code().to_string(),
        carrier: j.carrier.clone(),
        tracking_no: j.tracking_no.clone(),
        unit_id: j.unit,
        recipient_id: j.recipient,
        recipient_name: j.recipient_name.clone(),
        phone_enc: j.phone_enc.clone(),
        shelf: j.shelf.clone(),
        code,
        state: ParcelState::Held.code().to_string(),
        note: j.note.clone(),
        received_at: j.now,
        received_by: j.who.actor,
        reminded_at: None,
        reminders: 0,
        picked_at: None,
        picked_by_name: None,
        pickup_method: None,
        id_number_masked: None,
        handed_by: None,
        returned_at: None,
        return_note: None,
    }
}

/// Tells the recipient of the parcel: his portal accounts (their channels), or an SMS to the
/// phone on the label when he has none.
pub(crate) async fn tell(
    channels: &Channels,
    tx: &mut impl Writes,
    r: &ParcelRow,
    accounts: &[UserId],
    event: Event,
    days: i64,
    now: DateTime<Utc>,
) -> CoreResult<()> {
    let note = Note {
        community: r.community_id,
        event,
        params: vec![
            ("carrier".into(), r.carrier.clone()),
            ("code".into(), r.code.clone()),
            ("days".into(), days.to_string()),
        ],
        request: None,
        link: Some("/portal/parcels".into()),
    };
    if !accounts.is_empty() {
        notify::enqueue(channels, tx, &note, accounts, InApp::Write, now).await?;
    } else if let Some(phone) = &r.phone_enc {
        notify::enqueue_sms(channels, tx, &note, phone.clone(), now).await?;
    }
    Ok(())
}
