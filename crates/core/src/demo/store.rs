//! The demo's one write no service offers: renaming the demo owner's person record (a real
//! rename goes through the registry's people service, which audits it; the demo's invented
//! record needs no history).

use crate::args;
use crate::db::Tx;
use crate::shared::error::CoreResult;
use crate::shared::ids::PersonId;

pub(super) async fn rename_person(tx: &mut Tx, person: PersonId, name: &str) -> CoreResult<()> {
    tx.execute(
        "UPDATE people SET name = $1 WHERE id = $2",
        args![name, person],
    )
    .await?;
    Ok(())
}
