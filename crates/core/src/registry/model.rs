//! Registry types and their pure rules.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::shared::error::FieldError;
use crate::shared::ids::*;
use crate::shared::values::Area;

use crate::shared::code_enum;

use super::error::RegistryCode;

code_enum!(UnitUse, RegistryCode::UnknownUnitUse, {
    Residential = "residential", "住宅", "Residential";
    Shop = "shop", "商铺", "Shop";
    Office = "office", "办公", "Office";
    Parking = "parking", "车库", "Parking";
    Other = "other", "其他", "Other";
});

code_enum!(UnitState, RegistryCode::UnknownUnitState, {
    Unsold = "unsold", "未售", "Unsold";
    Vacant = "vacant", "空置", "Vacant";
    Occupied = "occupied", "自住", "Occupied";
    Rented = "rented", "出租", "Rented";
    Decorating = "decorating", "装修中", "Decorating";
});

code_enum!(Relation, RegistryCode::UnknownRelation, {
    Owner = "owner", "业主", "Owner";
    Member = "member", "家庭成员", "Household member";
    Tenant = "tenant", "租户", "Tenant";
});

code_enum!(SpaceState, RegistryCode::UnknownSpaceState, {
    Sold = "sold", "已售", "Sold";
    Rented = "rented", "出租", "Rented";
    Temporary = "temporary", "临时", "Temporary";
    Vacant = "vacant", "空闲", "Vacant";
});

#[derive(Debug, Clone, Serialize, sqlx::FromRow, ToSchema)]
pub struct Community {
    pub id: CommunityId,
    pub code: String,
    pub name: String,
    pub address: Option<String>,
    pub timezone: String,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct CommunityForCreate {
    pub code: String,
    pub name: String,
    pub address: Option<String>,
    /// IANA time zone; default Asia/Shanghai.
    pub timezone: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
pub struct CommunityForUpdate {
    pub name: Option<String>,
    pub address: Option<String>,
    pub timezone: Option<String>,
}

#[derive(Debug, Clone, Serialize, sqlx::FromRow, ToSchema)]
pub struct Building {
    pub id: BuildingId,
    pub community_id: CommunityId,
    pub name: String,
    pub floors: Option<i64>,
    pub note: Option<String>,
    pub unit_count: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct BuildingForCreate {
    pub community_id: CommunityId,
    pub name: String,
    #[schema(minimum = 1, maximum = 200)]
    pub floors: Option<i64>,
    pub note: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
pub struct BuildingForUpdate {
    pub name: Option<String>,
    #[schema(minimum = 1, maximum = 200)]
    pub floors: Option<i64>,
    pub note: Option<String>,
}

/// A unit (房屋). Areas are decimal strings in m² with two decimals ("89.50"): exact, unlike floats.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Unit {
    pub id: UnitId,
    pub community_id: CommunityId,
    pub building_id: BuildingId,
    pub building_name: String,
    pub unit_no: String,
    pub floor: i64,
    #[schema(value_type = String, example = "89.50")]
    pub building_area: Area,
    #[schema(value_type = Option<String>, example = "72.30")]
    pub inner_area: Option<Area>,
    pub use_kind: UnitUse,
    pub state: UnitState,
    /// Keeper of a vacant unit (空置房看管人).
    pub keeper_user_id: Option<UserId>,
    pub keeper_name: Option<String>,
    pub note: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// A number given as JSON number or string ("89.5", 89.5): parsed by the service, so the error
/// names the field.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(untagged)]
pub enum Decimal {
    Text(String),
    Number(f64),
}

impl Decimal {
    pub fn to_area(&self, field: &str) -> Result<Area, FieldError> {
        match self {
            Decimal::Text(s) => Area::parse(field, s),
            Decimal::Number(n) => Area::from_f64(field, *n),
        }
    }
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct UnitForCreate {
    pub building_id: BuildingId,
    pub unit_no: String,
    #[schema(minimum = -5, maximum = 200)]
    pub floor: i64,
    pub building_area: Decimal,
    pub inner_area: Option<Decimal>,
    #[schema(value_type = UnitUse)]
    pub use_kind: String,
    #[schema(value_type = UnitState)]
    pub state: String,
    pub note: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
pub struct UnitForUpdate {
    pub unit_no: Option<String>,
    #[schema(minimum = -5, maximum = 200)]
    pub floor: Option<i64>,
    pub building_area: Option<Decimal>,
    pub inner_area: Option<Decimal>,
    #[schema(value_type = Option<UnitUse>)]
    pub use_kind: Option<String>,
    #[schema(value_type = Option<UnitState>)]
    pub state: Option<String>,
    /// 0 clears the keeper.
    pub keeper_user_id: Option<i64>,
    pub note: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize, ToSchema, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct UnitFilter {
    pub community_id: Option<CommunityId>,
    pub building_id: Option<BuildingId>,
    #[schema(value_type = Option<UnitState>)]
    #[param(value_type = Option<UnitState>)]
    pub state: Option<String>,
    #[schema(value_type = Option<UnitUse>)]
    #[param(value_type = Option<UnitUse>)]
    pub use_kind: Option<String>,
    /// Unit number prefix.
    pub unit_no: Option<String>,
    pub after_id: Option<i64>,
    pub limit: Option<i64>,
}

/// A person as staff see them: phone and ID number masked.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Person {
    pub id: PersonId,
    pub community_id: CommunityId,
    pub name: String,
    /// Masked, e.g. 138****5678.
    pub phone: Option<String>,
    /// Masked, e.g. 110101********425X.
    pub id_number: Option<String>,
    pub is_key_customer: bool,
    pub key_customer_note: Option<String>,
    pub note: Option<String>,
    pub units: Vec<PersonUnit>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

#[derive(Debug, Clone, Serialize, sqlx::FromRow, ToSchema)]
pub struct PersonUnit {
    pub link_id: i64,
    pub unit_id: UnitId,
    pub person_id: PersonId,
    pub label: String,
    pub relation: String,
}

/// The clear phone and ID number of a person (the reveal is audit-logged).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PersonClear {
    pub id: PersonId,
    pub phone: Option<String>,
    pub id_number: Option<String>,
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct PersonForCreate {
    pub community_id: CommunityId,
    pub name: String,
    pub phone: Option<String>,
    pub id_number: Option<String>,
    #[serde(default)]
    pub is_key_customer: bool,
    pub key_customer_note: Option<String>,
    pub note: Option<String>,
    /// Links the new person to this unit at once.
    pub unit_id: Option<UnitId>,
    /// owner | member | tenant (required with unit_id).
    #[schema(value_type = Option<Relation>)]
    pub relation: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
pub struct PersonForUpdate {
    pub name: Option<String>,
    /// Empty string clears it.
    pub phone: Option<String>,
    pub id_number: Option<String>,
    pub is_key_customer: Option<bool>,
    pub key_customer_note: Option<String>,
    pub note: Option<String>,
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct LinkForCreate {
    pub person_id: PersonId,
    #[schema(value_type = Relation)]
    pub relation: String,
}

#[derive(Debug, Clone, Serialize, sqlx::FromRow, ToSchema)]
pub struct ParkingSpace {
    pub id: ParkingSpaceId,
    pub community_id: CommunityId,
    pub code: String,
    pub state: String,
    pub unit_id: Option<UnitId>,
    pub person_id: Option<PersonId>,
    pub holder_name: Option<String>,
    pub note: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct ParkingSpaceForCreate {
    pub community_id: CommunityId,
    pub code: String,
    #[schema(value_type = SpaceState)]
    pub state: String,
    pub unit_id: Option<UnitId>,
    pub person_id: Option<PersonId>,
    pub note: Option<String>,
}

/// Changes to a parking space; an absent field keeps its value.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
pub struct ParkingSpaceForUpdate {
    /// sold | rented | temporary | vacant (or 已售/出租/临时/空闲).
    #[schema(value_type = Option<SpaceState>)]
    pub state: Option<String>,
    /// The unit the space belongs to; 0 clears it.
    pub unit_id: Option<i64>,
    /// The person who holds the space; 0 clears it.
    pub person_id: Option<i64>,
    /// Empty string clears it.
    pub note: Option<String>,
}

#[derive(Debug, Clone, Serialize, sqlx::FromRow, ToSchema)]
pub struct Vehicle {
    pub id: VehicleId,
    pub community_id: CommunityId,
    pub plate: String,
    pub person_id: Option<PersonId>,
    pub person_name: Option<String>,
    pub unit_id: Option<UnitId>,
    pub space_id: Option<ParkingSpaceId>,
    pub space_code: Option<String>,
    pub brand: Option<String>,
    pub color: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct VehicleForCreate {
    pub community_id: CommunityId,
    pub plate: String,
    pub person_id: Option<PersonId>,
    pub unit_id: Option<UnitId>,
    pub space_id: Option<ParkingSpaceId>,
    pub brand: Option<String>,
    pub color: Option<String>,
}

/// Changes to a vehicle; an absent field keeps its value.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
pub struct VehicleForUpdate {
    pub plate: Option<String>,
    /// The owner; 0 clears it.
    pub person_id: Option<i64>,
    /// 0 clears it.
    pub unit_id: Option<i64>,
    /// 0 clears it.
    pub space_id: Option<i64>,
    /// Empty string clears it.
    pub brand: Option<String>,
    /// Empty string clears it.
    pub color: Option<String>,
}

#[derive(Debug, Clone, Serialize, sqlx::FromRow, ToSchema)]
pub struct VacantInspection {
    pub id: InspectionId,
    pub unit_id: UnitId,
    pub inspected_on: NaiveDate,
    pub inspector_id: Option<UserId>,
    pub inspector_name: Option<String>,
    pub findings: String,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct InspectionForCreate {
    pub inspected_on: NaiveDate,
    pub findings: String,
}

/// Everything the unit page shows.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct UnitDetail {
    pub unit: Unit,
    pub people: Vec<UnitPerson>,
    pub vehicles: Vec<Vehicle>,
    pub parking: Vec<ParkingSpace>,
    pub inspections: Vec<VacantInspection>,
    pub history: Vec<crate::audit::AuditRecord>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct UnitPerson {
    pub link_id: i64,
    pub relation: Relation,
    pub person: Person,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum HitKind {
    Unit,
    Person,
    Vehicle,
}

/// One search result.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct SearchHit {
    pub kind: HitKind,
    pub id: i64,
    pub community_id: CommunityId,
    pub title: String,
    pub detail: String,
    /// The unit to open for this hit, when there is one.
    pub unit_id: Option<UnitId>,
    /// A unit hit's use and state (for the caller to label in its language).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub use_kind: Option<UnitUse>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub state: Option<UnitState>,
}

/// The exclusive upper bound of a prefix range: every string starting with `p` sorts in
/// `[p, prefix_end(p))` under byte-wise collation (SQLite's default, PostgreSQL's "C").
pub fn prefix_end(p: &str) -> String {
    format!("{p}\u{10FFFF}")
}

/// Floors run from the fifth basement to the 200th storey.
pub fn check_floor(field: &str, f: i64) -> Result<i64, FieldError> {
    if (-5..=200).contains(&f) && f != 0 {
        Ok(f)
    } else {
        Err(FieldError::new(field, RegistryCode::FloorOutOfRange)
            .with("min", -5)
            .with("max", 200))
    }
}

/// Inner area (套内) can never exceed building area (建筑面积).
pub fn check_areas(building: Area, inner: Option<Area>) -> Result<(), FieldError> {
    match inner {
        Some(i) if i > building => Err(FieldError::new(
            "inner_area",
            RegistryCode::InnerAreaExceedsBuildingArea,
        )),
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_parse_from_code_or_chinese() {
        assert_eq!(UnitState::parse("s", "空置").unwrap(), UnitState::Vacant);
        assert_eq!(UnitState::parse("s", "vacant").unwrap(), UnitState::Vacant);
        assert_eq!(UnitUse::parse("u", "商铺").unwrap(), UnitUse::Shop);
        assert_eq!(
            Relation::parse("r", "x").unwrap_err().code,
            "unknown_relation"
        );
    }

    #[test]
    fn floors_and_areas() {
        assert!(check_floor("f", 0).is_err());
        assert!(check_floor("f", -5).is_ok());
        assert!(check_floor("f", 201).is_err());
        assert!(check_areas(Area(9000), Some(Area(9001))).is_err());
        assert!(check_areas(Area(9000), Some(Area(9000))).is_ok());
    }

    #[test]
    fn prefix_range() {
        let end = prefix_end("30");
        assert!("30" < end.as_str() && "301" < end.as_str() && "30Z" < end.as_str());
        assert!("31" > end.as_str());
    }
}
