//! SQL of roles and the permissions they grant (stored as comma-separated codes).

use crate::args;
use crate::db::{Db, Tx};
use crate::shared::error::CoreResult;

use super::super::model::Role;

/// Inserts a built-in role unless one with its code exists (an admin's edits are kept).
pub(crate) async fn insert_builtin(
    tx: &mut Tx,
    code: &str,
    name_zh: &str,
    name_en: &str,
    permissions: String,
    all_communities: bool,
) -> CoreResult<()> {
    tx.execute(
        "INSERT INTO roles (code, name_zh, name_en, permissions, all_communities, builtin) \
         VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (code) DO NOTHING",
        args![code, name_zh, name_en, permissions, all_communities, true],
    )
    .await?;
    Ok(())
}

pub(crate) async fn get_role(db: &Db, code: &str) -> CoreResult<Option<Role>> {
    db.read()
        .fetch_optional(
            "SELECT code, name_zh, name_en, permissions, all_communities, builtin FROM roles WHERE code = $1",
            args![code],
        )
        .await
}

/// Built-in roles first, then by code.
pub(crate) async fn list_roles(db: &Db) -> CoreResult<Vec<Role>> {
    db.read()
        .fetch_all(
            "SELECT code, name_zh, name_en, permissions, all_communities, builtin FROM roles ORDER BY builtin DESC, code",
            args![],
        )
        .await
}

pub(crate) async fn set_permissions(
    tx: &mut Tx,
    code: &str,
    permissions: String,
) -> CoreResult<()> {
    tx.execute(
        "UPDATE roles SET permissions = $1 WHERE code = $2",
        args![permissions, code],
    )
    .await?;
    Ok(())
}
