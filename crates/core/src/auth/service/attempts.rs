//! The login throttle at work: every password (or activation code) attempt goes through
//! [`begin`] before the secret is checked, and through [`succeeded`] when it was right.
//!
//! An attempt is written down as a failure *before* the check and counted again after the
//! write: parallel guesses each see the ones written before them, so a burst cannot slip under
//! a limit by all reading the same count. The right secret then takes its row away (with the
//! source's other failures at that account). An attempt already over a limit is refused without
//! a write and without the (costly) password check, so a flood neither grows the table nor
//! burns the CPU.

use chrono::Utc;

use crate::Core;
use crate::db::Tx;
use crate::shared::crypto::token_hash;
use crate::shared::error::{CoreError, CoreResult};

use super::super::error::AuthCode;
use super::super::store::login_failures as store;
use super::super::throttle::{LoginSource, RecentFailure};

/// An attempt under way, recorded as a failure until [`succeeded`] says otherwise.
pub(crate) struct Attempt {
    source: String,
    account: String,
}

/// The account key of a typed username (see the store: no typed text is kept in clear).
fn account_key(username: &str) -> String {
    token_hash(username)
}

/// The failures of the window that concern the attempt, leaving out the row `own` (the
/// attempt's own, once written).
async fn recent(core: &Core, a: &Attempt, own: Option<i64>) -> CoreResult<Vec<RecentFailure>> {
    let since = Utc::now() - core.settings.login_throttle.window;
    Ok(store::recent(&core.db, &a.source, &a.account, since)
        .await?
        .into_iter()
        .filter(|r| Some(r.id) != own)
        .map(|r| RecentFailure {
            same_source: r.same_source,
            same_account: r.same_account,
            at: r.failed_at,
        })
        .collect())
}

fn throttled(wait: std::time::Duration) -> CoreError {
    CoreError::throttled(AuthCode::TooManyAttempts, wait.as_secs())
}

/// Refuses an attempt its source (or its account) has failed too often for; otherwise records
/// it as a failure and lets it go on to the check.
pub(crate) async fn begin(
    core: &Core,
    source: &LoginSource,
    username: &str,
) -> CoreResult<Attempt> {
    let limits = core.settings.login_throttle;
    let attempt = Attempt {
        source: source.as_str().to_string(),
        account: account_key(username),
    };
    if limits.is_off() {
        return Ok(attempt);
    }
    if let Some(wait) = limits.wait(&recent(core, &attempt, None).await?, Utc::now()) {
        tracing::info!(source = %attempt.source, "login attempt throttled");
        return Err(throttled(wait));
    }
    let now = Utc::now();
    let mut tx = core.db.begin().await?;
    store::prune(&mut tx, now - limits.window).await?;
    let id = store::insert(&mut tx, &attempt.source, &attempt.account, now).await?;
    tx.commit().await?;
    // Counted again with this attempt's own row in: the others written meanwhile are seen.
    let others = recent(core, &attempt, Some(id)).await?;
    if let Some(wait) = limits.wait(&others, Utc::now()) {
        let mut tx = core.db.begin().await?;
        store::delete(&mut tx, id).await?;
        tx.commit().await?;
        tracing::info!(source = %attempt.source, "login attempt throttled");
        return Err(throttled(wait));
    }
    Ok(attempt)
}

/// The attempt was right: its source's failures at the account are forgotten, in the
/// transaction that records the success.
pub(crate) async fn succeeded(tx: &mut Tx, attempt: &Attempt) -> CoreResult<()> {
    store::forget(tx, &attempt.source, &attempt.account).await
}
