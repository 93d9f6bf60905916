//! What billing reads of accounts: the name a cashier's day is shown under.

use crate::args;
use crate::db::Queries;
use crate::shared::error::CoreResult;

/// The cashier's display name.
pub(crate) async fn cashier_name(q: &mut impl Queries, cashier: i64) -> CoreResult<Option<String>> {
    let name: Option<(String,)> = q
        .fetch_optional(
            "SELECT display_name FROM users WHERE id = $1",
            args![cashier],
        )
        .await?;
    Ok(name.map(|n| n.0))
}
