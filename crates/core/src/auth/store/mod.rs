//! SQL of accounts, one file per entity: users, roles and their permissions, sessions, API
//! tokens, community assignments, companies, and the personal-data key's check row. Services of
//! this module (and the owner portal, the demo seed and the key check, which write these tables
//! too) reach the tables only through these functions.

pub mod communities;
pub mod companies;
pub mod for_billing;
pub mod for_duty;
pub mod for_kpis;
pub mod for_portal;
pub mod for_registry;
pub mod for_tickets;
pub mod keys;
pub mod login_failures;
pub mod roles;
pub mod sessions;
pub mod tokens;
pub mod users;

// The paths other files of this module used before the store was split by entity.
#[allow(unused_imports)]
pub(crate) use communities::{set_communities, user_communities};
#[allow(unused_imports)]
pub(crate) use roles::get_role;
#[allow(unused_imports)]
pub(crate) use users::{CtxRow, LoginRow, USER_COLS, ctx_row_read, get_user, login_row};
