-- Patrols (巡检, issue 14 points 1–3): checkpoints with printable labels and check items, routes
-- of ordered checkpoints, plans that generate tasks ahead, and the scans phones sync, each once.
-- Coordinates are micro-degrees and readings thousandths (integers: no float columns anywhere).

-- A place a patrol must reach. `secret` is what its QR label carries besides its id: reprinting
-- the label draws a new one (label_version + 1), so a photo of an old label no longer proves a
-- visit.
CREATE TABLE patrol_checkpoints (
    id INTEGER PRIMARY KEY,
    community_id INTEGER NOT NULL REFERENCES communities(id),
    name TEXT NOT NULL,
    location TEXT,
    building_id INTEGER REFERENCES buildings(id) ON DELETE SET NULL,
    -- Where it is, if known, and how far from it a scan still counts as there (metres).
    lat_micro INTEGER,
    lng_micro INTEGER,
    radius_m INTEGER NOT NULL,
    nfc_tag TEXT,
    secret TEXT NOT NULL,
    label_version INTEGER NOT NULL,
    active INTEGER NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX patrol_checkpoints_community ON patrol_checkpoints (community_id, id);
CREATE UNIQUE INDEX patrol_checkpoints_nfc ON patrol_checkpoints (community_id, nfc_tag);

-- What is checked at a checkpoint: ok (normal/abnormal) | number (limits in thousandths) |
-- choice (options one per line; `abnormal` lists those that are findings) | text | photo.
CREATE TABLE patrol_items (
    id INTEGER PRIMARY KEY,
    community_id INTEGER NOT NULL REFERENCES communities(id),
    checkpoint_id INTEGER NOT NULL REFERENCES patrol_checkpoints(id) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    kind TEXT NOT NULL,
    label TEXT NOT NULL,
    unit TEXT,
    min_milli INTEGER,
    max_milli INTEGER,
    options TEXT,
    abnormal_options TEXT,
    required INTEGER NOT NULL,
    -- A number that is an equipment meter (run hours…): the reading goes to the equipment too.
    equipment_id INTEGER,
    meter TEXT
);
CREATE INDEX patrol_items_checkpoint ON patrol_items (community_id, checkpoint_id, position);

-- A round: security | cleaning | greening | engineering, its checkpoints in order.
CREATE TABLE patrol_routes (
    id INTEGER PRIMARY KEY,
    community_id INTEGER NOT NULL REFERENCES communities(id),
    name TEXT NOT NULL,
    kind TEXT NOT NULL,
    -- Whether the checkpoints must be walked in order (a scan out of order is flagged).
    ordered INTEGER NOT NULL,
    active INTEGER NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX patrol_routes_community ON patrol_routes (community_id, id);

CREATE TABLE patrol_route_stops (
    community_id INTEGER NOT NULL REFERENCES communities(id),
    route_id INTEGER NOT NULL REFERENCES patrol_routes(id) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    checkpoint_id INTEGER NOT NULL REFERENCES patrol_checkpoints(id),
    PRIMARY KEY (community_id, route_id, position)
);
CREATE INDEX patrol_route_stops_checkpoint ON patrol_route_stops (community_id, checkpoint_id);

-- When a route is walked and by whom. frequency: hourly (every_hours within the window) | daily |
-- weekly (weekdays: 1 = Monday … 7, comma-separated) | monthly (month_days, comma-separated; a day
-- past the month's end falls on its last day). The window is the community's local time; an end
-- at or before the start ends on the next day. A task must be finished within duration_minutes
-- of its start. People: the plan's list, or whoever is on the roster's shift `shift_code`.
CREATE TABLE patrol_plans (
    id INTEGER PRIMARY KEY,
    community_id INTEGER NOT NULL REFERENCES communities(id),
    route_id INTEGER NOT NULL REFERENCES patrol_routes(id),
    name TEXT NOT NULL,
    frequency TEXT NOT NULL,
    every_hours INTEGER,
    weekdays TEXT,
    month_days TEXT,
    window_start TEXT NOT NULL,
    window_end TEXT NOT NULL,
    duration_minutes INTEGER NOT NULL,
    shift_code TEXT,
    supervisor_id INTEGER REFERENCES users(id) ON DELETE SET NULL,
    starts_on TEXT NOT NULL,
    ends_on TEXT,
    active INTEGER NOT NULL,
    created_by INTEGER REFERENCES users(id) ON DELETE SET NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX patrol_plans_community ON patrol_plans (community_id, active, id);

CREATE TABLE patrol_plan_people (
    community_id INTEGER NOT NULL REFERENCES communities(id),
    plan_id INTEGER NOT NULL REFERENCES patrol_plans(id) ON DELETE CASCADE,
    user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    PRIMARY KEY (community_id, plan_id, user_id)
);

-- One walk of a route due in [starts_at, ends_at). Generated ahead; the unique key makes a
-- second generation pass (another node, a rerun "as of" a day) write nothing.
-- state: pending → active (first scan) → done (every checkpoint scanned) | missed (ended first).
CREATE TABLE patrol_tasks (
    id INTEGER PRIMARY KEY,
    community_id INTEGER NOT NULL REFERENCES communities(id),
    plan_id INTEGER NOT NULL REFERENCES patrol_plans(id) ON DELETE CASCADE,
    route_id INTEGER NOT NULL REFERENCES patrol_routes(id),
    day TEXT NOT NULL,
    starts_at TEXT NOT NULL,
    ends_at TEXT NOT NULL,
    state TEXT NOT NULL,
    checkpoints INTEGER NOT NULL,
    scanned INTEGER NOT NULL,
    flagged INTEGER NOT NULL,
    started_at TEXT,
    finished_at TEXT,
    -- Set once when the task is found unfinished after its end (the supervisor told then).
    missed_at TEXT,
    created_at TEXT NOT NULL,
    UNIQUE (community_id, plan_id, starts_at)
);
CREATE INDEX patrol_tasks_day ON patrol_tasks (community_id, day, state);
-- The completion report reads this index alone.
CREATE INDEX patrol_tasks_report ON patrol_tasks
    (community_id, starts_at, plan_id, day, state, checkpoints, scanned, flagged, finished_at, ends_at);
-- The sweep for tasks past their end: only the unfinished ones.
CREATE INDEX patrol_tasks_open ON patrol_tasks (community_id, ends_at) WHERE missed_at IS NULL AND state IN ('pending', 'active');

CREATE TABLE patrol_task_people (
    community_id INTEGER NOT NULL REFERENCES communities(id),
    task_id INTEGER NOT NULL REFERENCES patrol_tasks(id) ON DELETE CASCADE,
    user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    starts_at TEXT NOT NULL,
    PRIMARY KEY (community_id, task_id, user_id)
);
CREATE INDEX patrol_task_people_user ON patrol_task_people (community_id, user_id, starts_at);

-- A checkpoint reached, as a phone recorded it. client_id is the phone's id for the record: a
-- sync retried records it once. scanned_at is the phone's clock, corrected by the offset the
-- phone's clock showed at sync (clock_skew_s); received_at the server's. method: qr | nfc | code.
-- flags: comma-separated — stale_label, skew, far, out_of_window, out_of_order, abnormal,
-- out_of_limits, incomplete.
CREATE TABLE patrol_scans (
    id INTEGER PRIMARY KEY,
    community_id INTEGER NOT NULL REFERENCES communities(id),
    task_id INTEGER NOT NULL REFERENCES patrol_tasks(id) ON DELETE CASCADE,
    checkpoint_id INTEGER NOT NULL REFERENCES patrol_checkpoints(id),
    client_id TEXT NOT NULL,
    user_id INTEGER REFERENCES users(id) ON DELETE SET NULL,
    method TEXT NOT NULL,
    label_ok INTEGER NOT NULL,
    device_at TEXT NOT NULL,
    scanned_at TEXT NOT NULL,
    received_at TEXT NOT NULL,
    clock_skew_s INTEGER NOT NULL,
    lat_micro INTEGER,
    lng_micro INTEGER,
    accuracy_m INTEGER,
    distance_m INTEGER,
    flags TEXT NOT NULL,
    note TEXT,
    UNIQUE (community_id, client_id)
);
CREATE INDEX patrol_scans_task ON patrol_scans (community_id, task_id, scanned_at);

-- An item's result at a scan. A finding (abnormal, out of limits) may become a request.
CREATE TABLE patrol_results (
    id INTEGER PRIMARY KEY,
    community_id INTEGER NOT NULL REFERENCES communities(id),
    scan_id INTEGER NOT NULL REFERENCES patrol_scans(id) ON DELETE CASCADE,
    item_id INTEGER NOT NULL REFERENCES patrol_items(id),
    ok INTEGER,
    value_milli INTEGER,
    choice TEXT,
    text TEXT,
    photo_client_id TEXT,
    finding INTEGER NOT NULL,
    request_id INTEGER REFERENCES requests(id) ON DELETE SET NULL
);
CREATE INDEX patrol_results_scan ON patrol_results (community_id, scan_id);
CREATE INDEX patrol_results_findings ON patrol_results (community_id, finding, request_id);

-- A photo taken on a round: the file under `<data dir>/files/patrols/`, found by the phone's id.
CREATE TABLE patrol_photos (
    id INTEGER PRIMARY KEY,
    community_id INTEGER NOT NULL REFERENCES communities(id),
    task_id INTEGER NOT NULL REFERENCES patrol_tasks(id) ON DELETE CASCADE,
    client_id TEXT NOT NULL,
    user_id INTEGER REFERENCES users(id) ON DELETE SET NULL,
    content_type TEXT NOT NULL,
    size INTEGER NOT NULL,
    created_at TEXT NOT NULL,
    UNIQUE (community_id, client_id)
);

-- Who plans rounds and prints labels (patrols.manage), who walks them (patrols.walk).
UPDATE roles SET permissions = permissions || ',patrols.manage'
    WHERE code IN ('company_admin', 'project_manager') AND builtin = 1;
UPDATE roles SET permissions = permissions || ',patrols.walk'
    WHERE code IN ('company_admin', 'project_manager', 'technician', 'security', 'cleaning') AND builtin = 1;
