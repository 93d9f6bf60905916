//! The desk's tables (`wuye bench frontdesk`): parcels ([`parcels`]) and visitors with their
//! passes ([`visitors`]), bulk-loaded as a year of use leaves them, the registry rows they
//! point at, and the counts that check the measured writes against their answers.

mod parcels;
mod visitors;

pub(crate) use parcels::*;
pub(crate) use visitors::*;

use chrono::{DateTime, Utc};
use wuye_core::shared::ids::CommunityId;
use wuye_core::{Core, args};

use super::super::AnyResult;

type Ts = DateTime<Utc>;

/// A resident of a unit as the desk's lookup finds him: (unit, person, name, encrypted phone).
pub(crate) type Resident = (i64, i64, String, Option<Vec<u8>>);

/// Every (unit, person) of a community with the person's name and phone, in unit order.
pub(crate) async fn residents(core: &Core, c: CommunityId) -> AnyResult<Vec<Resident>> {
    Ok(core
        .db
        .read()
        .fetch_all(
            "SELECT up.unit_id, p.id, p.name, p.phone_enc FROM unit_people up \
             JOIN people p ON p.id = up.person_id WHERE up.community_id = $1 \
             ORDER BY up.unit_id, p.id",
            args![c],
        )
        .await?)
}
