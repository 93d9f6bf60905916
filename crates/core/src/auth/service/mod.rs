//! Use cases of accounts: login, sessions, API tokens, user and role administration. Split by
//! what the caller holds: a password or a session (`login`), an API token (`tokens`), the
//! rights of a user manager (`users`). Here: password hashing, which all of them use, and the
//! bootstrap of an empty database (built-in roles, the first company).

pub(crate) mod attempts;
mod login;
mod tokens;
mod users;

pub use login::*;
pub use tokens::*;
pub use users::*;

use argon2::{Algorithm, Argon2, Params, PasswordHasher, PasswordVerifier, Version};
use chrono::Utc;

use crate::shared::crypto::random_bytes;
use crate::shared::ctx::Ctx;
use crate::shared::error::{CoreError, CoreResult};
use crate::shared::ids::{CompanyId, UserId};
use crate::{Core, PasswordCost};

use super::model::*;
use super::store;

fn argon(cost: PasswordCost) -> Argon2<'static> {
    let params = match cost {
        PasswordCost::Standard => Params::new(19 * 1024, 2, 1, None),
        PasswordCost::Low => Params::new(64, 1, 1, None),
    }
    .expect("valid Argon2 parameters");
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
}

/// Argon2id hash (PHC string), computed off the async runtime.
pub async fn hash_password(cost: PasswordCost, password: &str) -> CoreResult<String> {
    let pw = password.to_owned();
    tokio::task::spawn_blocking(move || {
        let salt = random_bytes::<16>();
        argon(cost)
            .hash_password_with_salt(pw.as_bytes(), &salt)
            .map(|h| h.to_string())
            .map_err(CoreError::internal)
    })
    .await
    .map_err(CoreError::internal)?
}

/// Checks a password against a stored hash; the parameters come from the hash itself.
pub async fn verify_password(hash: &str, password: &str) -> bool {
    let (h, pw) = (hash.to_owned(), password.to_owned());
    tokio::task::spawn_blocking(move || {
        Argon2::default()
            .verify_password(pw.as_bytes(), h.as_str())
            .is_ok()
    })
    .await
    .unwrap_or(false)
}

/// Inserts the built-in roles that are missing (an admin's edits to existing ones are kept).
pub async fn ensure_roles(core: &Core) -> CoreResult<()> {
    let mut tx = core.db.begin().await?;
    for r in BUILTIN_ROLES {
        let perms: Vec<&str> = r.perms.iter().map(|p| p.code()).collect();
        store::roles::insert_builtin(
            &mut tx,
            r.code,
            r.name_zh,
            r.name_en,
            perms.join(","),
            r.all_communities,
        )
        .await?;
    }
    tx.commit().await
}

/// Creates the first company (when the database has none) and returns its id.
pub async fn ensure_company(core: &Core, name: &str) -> CoreResult<CompanyId> {
    let existing = store::companies::first_company(&core.db).await?;
    let mut tx = core.db.begin().await?;
    let id = match existing {
        Some(id) => id,
        None => store::companies::insert_company(&mut tx, name, Utc::now()).await?,
    };
    // A company works with request categories from its first day: they are written with it, in
    // one transaction, by the requests module that owns them.
    crate::tickets::store::teams::seed_categories(&mut tx, id).await?;
    // And with the shipped emergency plans (应急预案).
    crate::incidents::seed_plans(&mut tx, id).await?;
    tx.commit().await?;
    Ok(id)
}

/// Whether the database already holds a company.
pub async fn has_company(core: &Core) -> CoreResult<bool> {
    store::companies::any_company(&core.db).await
}

/// The actor of the security events of a user who is not logged in yet (or any more).
fn system_ctx_for(company: CompanyId, user: UserId, username: &str) -> Ctx {
    let mut c = Ctx::system(company);
    c.user_id = user;
    c.username = username.to_owned();
    c.display_name = username.to_owned();
    c
}
