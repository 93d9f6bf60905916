-- Equipment, maintenance and machine rooms (设备台账 / 保养计划 / 机房, issue 14 points 4–6).
-- Every table belongs to one community; dates of the community's day are YYYY-MM-DD, instants UTC.
-- Readings and room-log values are kept in thousandths (value_milli) so both engines store an
-- exact integer.

-- The ledger: one row per item; parent_id nests items (a pump in a pump room).
CREATE TABLE equipment (
    id INTEGER PRIMARY KEY,
    community_id INTEGER NOT NULL REFERENCES communities(id),
    -- power | generator | weak_current | cctv | elevator | water | fire | lighting | lightning | common_parts | other
    system TEXT NOT NULL,
    category TEXT,
    code TEXT NOT NULL,
    name TEXT NOT NULL,
    location TEXT,
    building_id INTEGER REFERENCES buildings(id) ON DELETE SET NULL,
    model TEXT,
    maker TEXT,
    supplier TEXT,
    install_on TEXT,
    warranty_until TEXT,
    -- in_service | abnormal | under_repair | retired
    status TEXT NOT NULL,
    parent_id INTEGER REFERENCES equipment(id) ON DELETE SET NULL,
    notes TEXT,
    created_by INTEGER REFERENCES users(id) ON DELETE SET NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    UNIQUE (community_id, code)
);
CREATE INDEX equipment_system ON equipment (community_id, system, id);
CREATE INDEX equipment_parent ON equipment (community_id, parent_id);

-- Documents (PDF) and photos of an item, stored under the data directory.
CREATE TABLE equipment_files (
    id INTEGER PRIMARY KEY,
    community_id INTEGER NOT NULL REFERENCES communities(id),
    equipment_id INTEGER NOT NULL REFERENCES equipment(id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    content_type TEXT NOT NULL,
    path TEXT NOT NULL,
    created_by INTEGER REFERENCES users(id) ON DELETE SET NULL,
    created_at TEXT NOT NULL
);
CREATE INDEX equipment_files_of ON equipment_files (community_id, equipment_id, id);

-- A maintenance plan: of one item, or of a whole system of the community (equipment_id NULL).
-- frequency: days | weeks | months | on_months | meter; anchor: schedule | completion.
CREATE TABLE maintenance_plans (
    id INTEGER PRIMARY KEY,
    community_id INTEGER NOT NULL REFERENCES communities(id),
    equipment_id INTEGER REFERENCES equipment(id) ON DELETE CASCADE,
    system TEXT NOT NULL,
    title TEXT NOT NULL,
    frequency TEXT NOT NULL,
    interval_n INTEGER NOT NULL,
    -- on_months: the months (comma-separated 1..12) and the day in them.
    months TEXT,
    day_of_month INTEGER,
    anchor TEXT NOT NULL,
    start_on TEXT NOT NULL,
    -- meter: the meter's name, every how many units (thousandths), and the reading at which
    -- the next order is due (moved on by a conditional UPDATE, so a crossing orders once).
    meter TEXT,
    threshold_milli INTEGER,
    meter_next_milli INTEGER,
    -- One line each.
    checklist TEXT NOT NULL,
    required_attachments TEXT NOT NULL,
    -- staff | contractor
    performer TEXT NOT NULL,
    contractor TEXT,
    assignee_id INTEGER REFERENCES users(id) ON DELETE SET NULL,
    -- Orders are made this many days before they are due.
    lead_days INTEGER NOT NULL,
    active INTEGER NOT NULL,
    -- The manuals' default it was adopted from (one per community).
    template_key TEXT,
    created_by INTEGER REFERENCES users(id) ON DELETE SET NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    UNIQUE (community_id, template_key)
);
CREATE INDEX maintenance_plans_equipment ON maintenance_plans (community_id, equipment_id);

-- A maintenance order (保养工单): open → done → accepted (or returned to open). slot is the
-- occasion (a due date, or the meter reading that crossed): unique per plan, so generating
-- twice makes one order.
CREATE TABLE maintenance_orders (
    id INTEGER PRIMARY KEY,
    community_id INTEGER NOT NULL REFERENCES communities(id),
    plan_id INTEGER NOT NULL REFERENCES maintenance_plans(id) ON DELETE CASCADE,
    equipment_id INTEGER REFERENCES equipment(id) ON DELETE CASCADE,
    system TEXT NOT NULL,
    title TEXT NOT NULL,
    slot TEXT NOT NULL,
    due_on TEXT NOT NULL,
    meter_value_milli INTEGER,
    checklist TEXT NOT NULL,
    -- One 0/1 per checklist line.
    checked TEXT NOT NULL,
    required_attachments TEXT NOT NULL,
    performer TEXT NOT NULL,
    contractor TEXT,
    assignee_id INTEGER REFERENCES users(id) ON DELETE SET NULL,
    materials TEXT,
    labour TEXT,
    remarks TEXT,
    state TEXT NOT NULL,
    done_by INTEGER REFERENCES users(id) ON DELETE SET NULL,
    done_on TEXT,
    done_at TEXT,
    accepted_by INTEGER REFERENCES users(id) ON DELETE SET NULL,
    accepted_at TEXT,
    return_note TEXT,
    overdue_notified_at TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    UNIQUE (community_id, plan_id, slot)
);
CREATE INDEX maintenance_orders_due ON maintenance_orders (community_id, state, due_on);
CREATE INDEX maintenance_orders_equipment ON maintenance_orders (community_id, equipment_id, due_on);

-- Files of an order: label is the required attachment it answers (水质检测报告) or free.
CREATE TABLE maintenance_order_files (
    id INTEGER PRIMARY KEY,
    community_id INTEGER NOT NULL REFERENCES communities(id),
    order_id INTEGER NOT NULL REFERENCES maintenance_orders(id) ON DELETE CASCADE,
    label TEXT NOT NULL,
    content_type TEXT NOT NULL,
    path TEXT NOT NULL,
    created_by INTEGER REFERENCES users(id) ON DELETE SET NULL,
    created_at TEXT NOT NULL
);
CREATE INDEX maintenance_order_files_of ON maintenance_order_files (community_id, order_id, id);

-- Meter readings of an item (运行小时 of a generator), by hand or from a patrol.
CREATE TABLE equipment_readings (
    id INTEGER PRIMARY KEY,
    community_id INTEGER NOT NULL REFERENCES communities(id),
    equipment_id INTEGER NOT NULL REFERENCES equipment(id) ON DELETE CASCADE,
    meter TEXT NOT NULL,
    value_milli INTEGER NOT NULL,
    read_at TEXT NOT NULL,
    read_by INTEGER REFERENCES users(id) ON DELETE SET NULL,
    -- manual | patrol
    source TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE INDEX equipment_readings_of ON equipment_readings (community_id, equipment_id, meter, read_at);

-- Machine rooms (配电房, 水泵房 …).
CREATE TABLE machine_rooms (
    id INTEGER PRIMARY KEY,
    community_id INTEGER NOT NULL REFERENCES communities(id),
    kind TEXT NOT NULL,
    name TEXT NOT NULL,
    location TEXT,
    created_at TEXT NOT NULL,
    UNIQUE (community_id, name)
);

-- Run and duty log entries: readings as JSON [{key, value_milli, min_milli, max_milli}].
CREATE TABLE machine_room_logs (
    id INTEGER PRIMARY KEY,
    community_id INTEGER NOT NULL REFERENCES communities(id),
    room_id INTEGER NOT NULL REFERENCES machine_rooms(id) ON DELETE CASCADE,
    logged_at TEXT NOT NULL,
    on_duty TEXT NOT NULL,
    readings TEXT NOT NULL,
    out_of_range INTEGER NOT NULL,
    remarks TEXT,
    created_by INTEGER REFERENCES users(id) ON DELETE SET NULL,
    created_at TEXT NOT NULL
);
CREATE INDEX machine_room_logs_of ON machine_room_logs (community_id, room_id, logged_at);

-- Visitors of machine rooms (非值班人员进出有记录).
CREATE TABLE machine_room_visits (
    id INTEGER PRIMARY KEY,
    community_id INTEGER NOT NULL REFERENCES communities(id),
    room_id INTEGER NOT NULL REFERENCES machine_rooms(id) ON DELETE CASCADE,
    visitor TEXT NOT NULL,
    company TEXT,
    purpose TEXT NOT NULL,
    entered_at TEXT NOT NULL,
    left_at TEXT,
    accompanied_by TEXT,
    created_by INTEGER REFERENCES users(id) ON DELETE SET NULL,
    created_at TEXT NOT NULL
);
CREATE INDEX machine_room_visits_of ON machine_room_visits (community_id, room_id, entered_at);

-- CCTV systems and how many days of footage they keep (at least 7, as the audit sheet demands).
CREATE TABLE cctv_systems (
    id INTEGER PRIMARY KEY,
    community_id INTEGER NOT NULL REFERENCES communities(id),
    name TEXT NOT NULL,
    room_id INTEGER REFERENCES machine_rooms(id) ON DELETE SET NULL,
    cameras INTEGER NOT NULL,
    retention_days INTEGER NOT NULL,
    checked_on TEXT,
    notes TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    UNIQUE (community_id, name)
);

-- Who keeps the ledger and plans and accepts orders (equipment.manage: the managers), and who
-- works on it (equipment.work: technicians and the managers).
UPDATE roles SET permissions = permissions || ',equipment.manage,equipment.work'
    WHERE code IN ('company_admin', 'project_manager') AND builtin = 1;
UPDATE roles SET permissions = permissions || ',equipment.work'
    WHERE code = 'technician' AND builtin = 1;
