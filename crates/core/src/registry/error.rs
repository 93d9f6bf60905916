//! The error codes this module raises: stable snake_case strings, each with zh-CN and en text in
//! the web crate's locale files (a test checks). Raise them through `CoreError::invalid`,
//! `CoreError::conflict` or `FieldError::new`; the shared shapes of a value (`required`,
//! `not_a_number`, …) are `CommonCode`s.

crate::error_codes! {
    /// Codes of the registry: communities, buildings, units, people, vehicles, parking, imports.
    pub enum RegistryCode {
        DuplicateCommunityCode = "duplicate_community_code",
        UnknownTimezone = "unknown_timezone",
        DuplicateBuilding = "duplicate_building",
        FloorsOutOfRange = "floors_out_of_range",
        BuildingHasUnits = "building_has_units",
        UnknownBuilding = "unknown_building",
        DuplicateUnitNo = "duplicate_unit_no",
        FloorOutOfRange = "floor_out_of_range",
        InnerAreaExceedsBuildingArea = "inner_area_exceeds_building_area",
        UnitHasPeople = "unit_has_people",
        UnitHasRecords = "unit_has_records",
        /// The person is on record elsewhere (a request, a key, a parcel, a visit …).
        PersonHasRecords = "person_has_records",
        UnknownUnit = "unknown_unit",
        /// A person typed by name or phone whom the community does not have.
        PersonNotFound = "person_not_found",
        /// A name several people of the community share: the phone or the number tells them apart.
        PersonAmbiguous = "person_ambiguous",
        UnknownUser = "unknown_user",
        UnknownPerson = "unknown_person",
        DuplicateIdNumber = "duplicate_id_number",
        AlreadyLinked = "already_linked",
        UnknownSpace = "unknown_space",
        DuplicateSpaceCode = "duplicate_space_code",
        DuplicatePlate = "duplicate_plate",
        DateInFuture = "date_in_future",
        /// Raised by `UnitUse::parse` (the `code_enum!` declaration in `model.rs`).
        UnknownUnitUse = "unknown_unit_use",
        /// Raised by `UnitState::parse`.
        UnknownUnitState = "unknown_unit_state",
        /// Raised by `Relation::parse`.
        UnknownRelation = "unknown_relation",
        /// Raised by `SpaceState::parse`.
        UnknownSpaceState = "unknown_space_state",
        NotXlsx = "not_xlsx",
        EmptyFile = "empty_file",
        FileTooLargeUnpacked = "file_too_large_unpacked",
        MissingColumns = "missing_columns",
        TooManyRows = "too_many_rows",
        CellError = "cell_error",
        NotAnInteger = "not_an_integer",
    }
}
