-- Duty rosters, handovers, emergency plans, incidents and drills (值班表 · 交接班 · 应急预案 ·
-- 突发事件 · 演练; issue 14 points 7, 8 and 9). Shift times are local to the community's time zone
-- ("HH:MM"); a shift whose end is not after its start crosses midnight and belongs to the day it
-- starts. Every instant is UTC.

-- A community's shift patterns (班次): the defaults of the 24小时值班制度 adopted in one step,
-- edited after. weekdays: the ISO weekdays it runs (1 = Monday … 7 = Sunday, e.g. '123456');
-- season: all | spring_summer (March–August) | autumn_winter (September–February); team: the
-- roster team expected to cover it; min_staff: fewer than this on a day is flagged.
CREATE TABLE duty_shifts (
    id INTEGER PRIMARY KEY,
    community_id INTEGER NOT NULL REFERENCES communities(id),
    code TEXT NOT NULL,
    name TEXT NOT NULL,
    starts TEXT NOT NULL,
    ends TEXT NOT NULL,
    weekdays TEXT NOT NULL,
    season TEXT NOT NULL,
    team TEXT NOT NULL,
    min_staff INTEGER NOT NULL,
    position INTEGER NOT NULL,
    active INTEGER NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    UNIQUE (community_id, code)
);

-- The roster: a person on a shift on a day, in a team's month grid.
CREATE TABLE duty_assignments (
    id INTEGER PRIMARY KEY,
    community_id INTEGER NOT NULL REFERENCES communities(id),
    team TEXT NOT NULL,
    day TEXT NOT NULL,
    user_id INTEGER NOT NULL REFERENCES users(id),
    shift_code TEXT NOT NULL,
    created_by INTEGER REFERENCES users(id) ON DELETE SET NULL,
    created_at TEXT NOT NULL,
    UNIQUE (community_id, day, user_id, shift_code)
);
CREATE INDEX duty_assignments_team ON duty_assignments (community_id, team, day);

-- Leave (请假): a person away from the first to the last day, both included.
-- kind: annual | sick | personal | compensatory | other
CREATE TABLE duty_leaves (
    id INTEGER PRIMARY KEY,
    community_id INTEGER NOT NULL REFERENCES communities(id),
    user_id INTEGER NOT NULL REFERENCES users(id),
    starts_on TEXT NOT NULL,
    ends_on TEXT NOT NULL,
    kind TEXT NOT NULL,
    note TEXT,
    approved_by INTEGER REFERENCES users(id) ON DELETE SET NULL,
    created_at TEXT NOT NULL
);
CREATE INDEX duty_leaves_user ON duty_leaves (community_id, user_id, starts_on);

-- A swap (换班): two people exchanged their shifts of a day, approved by a manager.
CREATE TABLE duty_swaps (
    id INTEGER PRIMARY KEY,
    community_id INTEGER NOT NULL REFERENCES communities(id),
    team TEXT NOT NULL,
    day TEXT NOT NULL,
    user_a INTEGER NOT NULL REFERENCES users(id),
    shifts_a TEXT NOT NULL,
    user_b INTEGER NOT NULL REFERENCES users(id),
    shifts_b TEXT NOT NULL,
    reason TEXT,
    approved_by INTEGER REFERENCES users(id) ON DELETE SET NULL,
    created_at TEXT NOT NULL
);
CREATE INDEX duty_swaps_day ON duty_swaps (community_id, day);

-- A handover (交接班) of a team's post from the outgoing person to the incoming one: open until
-- the incoming person (or a manager) signs it, once.
CREATE TABLE handovers (
    id INTEGER PRIMARY KEY,
    community_id INTEGER NOT NULL REFERENCES communities(id),
    team TEXT NOT NULL,
    shift_code TEXT,
    day TEXT NOT NULL,
    outgoing_id INTEGER NOT NULL REFERENCES users(id),
    incoming_id INTEGER NOT NULL REFERENCES users(id),
    note TEXT,
    state TEXT NOT NULL,
    created_at TEXT NOT NULL,
    signed_at TEXT,
    signed_by INTEGER REFERENCES users(id) ON DELETE SET NULL
);
CREATE INDEX handovers_team ON handovers (community_id, team, id);

-- What the next shift must know. kind: request | cash | incident | note (keys, patrol findings
-- and equipment come with their modules); source_ref: the record it is about (a request's id,
-- a cashier day, an incident's id), so one source is listed once. origin_id: the item it
-- carries over from (the first one of its chain).
CREATE TABLE handover_items (
    id INTEGER PRIMARY KEY,
    community_id INTEGER NOT NULL REFERENCES communities(id),
    handover_id INTEGER NOT NULL REFERENCES handovers(id) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    kind TEXT NOT NULL,
    source_ref TEXT,
    text TEXT NOT NULL,
    state TEXT NOT NULL,
    origin_id INTEGER,
    created_at TEXT NOT NULL,
    closed_at TEXT,
    closed_by INTEGER REFERENCES users(id) ON DELETE SET NULL
);
CREATE INDEX handover_items_handover ON handover_items (community_id, handover_id, position);

-- A company's emergency plans (应急预案). steps: JSON list of {text, role}; ladder: JSON list of
-- {after_minutes, roles, users} — the escalation levels in order.
CREATE TABLE emergency_plans (
    id INTEGER PRIMARY KEY,
    company_id INTEGER NOT NULL REFERENCES companies(id),
    kind TEXT NOT NULL,
    name TEXT NOT NULL,
    summary TEXT,
    steps TEXT NOT NULL,
    ladder TEXT NOT NULL,
    builtin INTEGER NOT NULL,
    active INTEGER NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    UNIQUE (company_id, name)
);

-- An incident (突发事件). level: the highest escalation level told so far (1 at opening);
-- buildings, units: comma-separated ids of what it affects; notice_id: the notice sent to them.
CREATE TABLE incidents (
    id INTEGER PRIMARY KEY,
    community_id INTEGER NOT NULL REFERENCES communities(id),
    plan_id INTEGER REFERENCES emergency_plans(id),
    kind TEXT NOT NULL,
    title TEXT NOT NULL,
    place TEXT NOT NULL,
    severity TEXT NOT NULL,
    started_at TEXT NOT NULL,
    reported_by INTEGER REFERENCES users(id) ON DELETE SET NULL,
    buildings TEXT,
    units TEXT,
    state TEXT NOT NULL,
    level INTEGER NOT NULL,
    acknowledged_at TEXT,
    acknowledged_by INTEGER REFERENCES users(id) ON DELETE SET NULL,
    notice_id INTEGER REFERENCES announcements(id) ON DELETE SET NULL,
    analysis TEXT,
    conclusion TEXT,
    opened_at TEXT NOT NULL,
    closed_at TEXT,
    closed_by INTEGER REFERENCES users(id) ON DELETE SET NULL
);
CREATE INDEX incidents_state ON incidents (community_id, state, id);

-- The plan's checklist copied into the incident when it opens, each ticked with its time.
CREATE TABLE incident_steps (
    id INTEGER PRIMARY KEY,
    community_id INTEGER NOT NULL REFERENCES communities(id),
    incident_id INTEGER NOT NULL REFERENCES incidents(id) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    text TEXT NOT NULL,
    role TEXT NOT NULL,
    done_at TEXT,
    done_by INTEGER REFERENCES users(id) ON DELETE SET NULL
);
CREATE INDEX incident_steps_incident ON incident_steps (community_id, incident_id, position);

-- The timeline: every event of an incident, in order. kind: opened | notified | escalated |
-- acknowledged | step | note | units_notified | analysis | closed.
CREATE TABLE incident_events (
    id INTEGER PRIMARY KEY,
    community_id INTEGER NOT NULL REFERENCES communities(id),
    incident_id INTEGER NOT NULL REFERENCES incidents(id) ON DELETE CASCADE,
    at TEXT NOT NULL,
    kind TEXT NOT NULL,
    detail TEXT NOT NULL,
    by_user INTEGER REFERENCES users(id) ON DELETE SET NULL
);
CREATE INDEX incident_events_incident ON incident_events (community_id, incident_id, id);

-- A drill (演练) of a plan: when, where, who took part, what was found.
CREATE TABLE drills (
    id INTEGER PRIMARY KEY,
    community_id INTEGER NOT NULL REFERENCES communities(id),
    plan_id INTEGER NOT NULL REFERENCES emergency_plans(id),
    held_on TEXT NOT NULL,
    place TEXT NOT NULL,
    participants TEXT NOT NULL,
    findings TEXT NOT NULL,
    created_by INTEGER REFERENCES users(id) ON DELETE SET NULL,
    created_at TEXT NOT NULL
);
CREATE INDEX drills_held ON drills (community_id, held_on);

UPDATE roles SET permissions = permissions || ',duty.manage'
    WHERE code IN ('company_admin', 'project_manager') AND builtin = 1;
UPDATE roles SET permissions = permissions || ',incidents.manage'
    WHERE code IN ('company_admin', 'project_manager', 'service_agent') AND builtin = 1;
