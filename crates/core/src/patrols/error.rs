//! The error codes of patrols: stable snake_case strings, each with zh-CN and en text in the
//! web crate's locale files (a test checks).

crate::error_codes! {
    /// Codes of the patrol module.
    pub enum PatrolCode {
        UnknownRouteKind = "unknown_patrol_route_kind",
        UnknownCheckKind = "unknown_patrol_item_kind",
        UnknownPatrolFrequency = "unknown_patrol_frequency",
        UnknownTaskState = "unknown_patrol_task_state",
        UnknownScanMethod = "unknown_patrol_scan_method",
        /// A route with no checkpoint, or a plan on such a route.
        RouteEmpty = "patrol_route_empty",
        /// A checkpoint that is not the community's (or no longer in use).
        UnknownCheckpoint = "patrol_unknown_checkpoint",
        /// The same checkpoint twice on one route.
        DuplicateStop = "patrol_duplicate_stop",
        /// A number item whose lower limit is above its upper one.
        LimitsReversed = "patrol_limits_reversed",
        /// A choice item needs at least two options.
        OptionsRequired = "patrol_options_required",
        /// An abnormal option that is not among the options.
        UnknownOption = "patrol_unknown_option",
        /// Weekdays (1–7) or dates of the month (1–31) missing or out of range.
        BadDays = "patrol_bad_days",
        /// Every N hours: N from 1 to 24.
        EveryHours = "patrol_every_hours",
        /// A time not written HH:MM.
        BadTime = "patrol_bad_time",
        /// The plan's last day is before its first.
        EndsBeforeStarts = "patrol_ends_before_starts",
        /// The time allowed for a round: 5 minutes to 24 hours.
        BadDuration = "patrol_bad_duration",
        /// A plan names neither people nor a duty shift.
        NobodyAssigned = "patrol_nobody_assigned",
        /// A person who is not staff of the community.
        UnknownPerson = "patrol_unknown_person",
        /// A scan of a checkpoint that is not on the task's route.
        CheckpointNotOnTask = "patrol_checkpoint_not_on_task",
        /// A label's code that could not be read.
        LabelUnreadable = "patrol_label_unreadable",
        /// The task is not the person's.
        NotYourTask = "patrol_not_your_task",
        /// A result for an item the checkpoint does not have.
        UnknownItem = "patrol_unknown_item",
        /// A number item's value is not a number.
        NumberInvalid = "patrol_number_invalid",
        /// A choice that the item does not offer.
        ChoiceInvalid = "patrol_choice_invalid",
        /// Only an abnormal result becomes a request.
        NotAFinding = "patrol_not_a_finding",
        /// The finding has its request already.
        AlreadyRequested = "patrol_already_requested",
        /// Another checkpoint of the community has this NFC tag.
        NfcTagTaken = "patrol_nfc_tag_taken",
        /// A photo is a JPEG, PNG or WebP image.
        NotAnImage = "patrol_not_an_image",
        /// Latitude −90…90 and longitude −180…180, both or neither.
        BadCoordinates = "patrol_bad_coordinates",
        /// More scans in one sync than a phone sends at once.
        TooManyScans = "patrol_too_many_scans",
        /// How far from a checkpoint a scan still counts: 5 to 2,000 metres.
        RadiusRange = "patrol_radius_range",
        /// A building that is not the community's.
        UnknownBuilding = "patrol_unknown_building",
        /// A route that is not the community's.
        UnknownRoute = "patrol_unknown_route",
        /// An equipment item that is not the community's.
        UnknownEquipment = "patrol_unknown_equipment",
        /// A device time that is no time (before 2020 or days ahead).
        BadDeviceTime = "patrol_bad_device_time",
    }
}
