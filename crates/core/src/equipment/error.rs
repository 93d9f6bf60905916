//! The error codes of equipment, maintenance and machine rooms: stable snake_case strings, each
//! with zh-CN and en text in the web crate's locale files (a test checks).

crate::error_codes! {
    /// Codes of the equipment module.
    pub enum EquipmentCode {
        UnknownSystem = "equipment_unknown_system",
        UnknownStatus = "equipment_unknown_status",
        UnknownFrequency = "maintenance_unknown_frequency",
        UnknownAnchor = "maintenance_unknown_anchor",
        UnknownPerformer = "maintenance_unknown_performer",
        UnknownOrderState = "maintenance_unknown_order_state",
        UnknownRoomKind = "machine_room_unknown_kind",
        /// Another item of the community has this code.
        DuplicateCode = "equipment_duplicate_code",
        /// The parent is not an item of the same community.
        UnknownParent = "equipment_unknown_parent",
        /// The item is not of the community.
        UnknownItem = "equipment_unknown_item",
        /// The parent is the item itself or one of its children.
        ParentCycle = "equipment_parent_cycle",
        UnknownBuilding = "equipment_unknown_building",
        /// The warranty ends before the item was installed.
        WarrantyBeforeInstall = "equipment_warranty_before_install",
        /// Not a PDF, JPEG, PNG or WebP file.
        NotADocument = "equipment_not_a_document",
        TooManyFiles = "equipment_too_many_files",
        /// A month outside 1–12 in "on given months".
        MonthRange = "maintenance_month_range",
        DayRange = "maintenance_day_range",
        /// A meter plan needs an item (whose readings it watches).
        MeterNeedsItem = "maintenance_meter_needs_item",
        /// A contractor performs it: name the contractor.
        ContractorRequired = "maintenance_contractor_required",
        UnknownAssignee = "maintenance_unknown_assignee",
        /// Only an open order is done (it was done or accepted meanwhile).
        OrderNotOpen = "maintenance_order_not_open",
        /// Only a done order is accepted or returned (it was accepted by another manager).
        OrderNotDone = "maintenance_order_not_done",
        /// A checklist line not ticked (`{line}` names it).
        ChecklistIncomplete = "maintenance_checklist_incomplete",
        /// A required attachment is missing (`{name}` names it).
        AttachmentMissing = "maintenance_attachment_missing",
        /// A room of another community, or none.
        UnknownRoom = "machine_room_unknown",
        DuplicateRoom = "machine_room_duplicate",
        DuplicateCctv = "cctv_duplicate",
        /// The visitor left before he came in.
        LeftBeforeEntered = "machine_room_left_before_entered",
        /// A reading line that is not `name=value` (or `name=value[min,max]`).
        ReadingFormat = "machine_room_reading_format",
        /// The import file could not be read as .xlsx.
        ImportUnreadable = "equipment_import_unreadable",
        /// The import file has no row of items.
        ImportEmpty = "equipment_import_empty",
        /// Two rows of the import file have the same code.
        ImportDuplicateCode = "equipment_import_duplicate_code",
    }
}
