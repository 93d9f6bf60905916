-- Service requests and work orders (报事报修 · 投诉 · 工单), their SLA clocks and timeline, the
-- company calendar of working days, notifications, and the lease table of background jobs.

-- Per-community counters (request numbers now; receipt numbers later): one row per name,
-- incremented with an atomic upsert so concurrent writers never draw the same number.
CREATE TABLE community_counters (
    community_id INTEGER NOT NULL REFERENCES communities(id),
    name TEXT NOT NULL,
    value INTEGER NOT NULL,
    PRIMARY KEY (community_id, name)
);

-- Holidays and make-up working days (调休上班) of a company; other days follow the week.
CREATE TABLE calendar_days (
    company_id INTEGER NOT NULL REFERENCES companies(id),
    day TEXT NOT NULL,
    kind TEXT NOT NULL,
    name TEXT NOT NULL,
    PRIMARY KEY (company_id, day)
);

-- Request categories (water, power, elevator, …), configurable per company: how requests of
-- the category are dispatched and when a return visit is due.
CREATE TABLE ticket_categories (
    id INTEGER PRIMARY KEY,
    company_id INTEGER NOT NULL REFERENCES companies(id),
    code TEXT NOT NULL,
    name_zh TEXT NOT NULL,
    name_en TEXT NOT NULL,
    dispatch_mode TEXT NOT NULL,
    visit_policy TEXT NOT NULL,
    active INTEGER NOT NULL,
    sort INTEGER NOT NULL,
    UNIQUE (company_id, code)
);

-- Overrides of the default SLA clocks, per community and category ('*' = every category).
CREATE TABLE sla_overrides (
    id INTEGER PRIMARY KEY,
    community_id INTEGER NOT NULL REFERENCES communities(id),
    category TEXT NOT NULL,
    clock TEXT NOT NULL,
    enabled INTEGER NOT NULL,
    minutes INTEGER,
    working_days INTEGER,
    pauses_on_hold INTEGER NOT NULL,
    updated_at TEXT NOT NULL,
    UNIQUE (community_id, category, clock)
);

-- Teams of a community (工程组, 保洁组 …): their members, and the categories each one handles
-- (round-robin and the pool of a category go to its team).
CREATE TABLE teams (
    id INTEGER PRIMARY KEY,
    community_id INTEGER NOT NULL REFERENCES communities(id),
    name TEXT NOT NULL,
    created_at TEXT NOT NULL,
    UNIQUE (community_id, name)
);
CREATE TABLE team_members (
    team_id INTEGER NOT NULL REFERENCES teams(id) ON DELETE CASCADE,
    user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    PRIMARY KEY (team_id, user_id)
);
CREATE INDEX team_members_user ON team_members (user_id);
CREATE TABLE team_categories (
    community_id INTEGER NOT NULL REFERENCES communities(id),
    category TEXT NOT NULL,
    team_id INTEGER NOT NULL REFERENCES teams(id) ON DELETE CASCADE,
    PRIMARY KEY (community_id, category)
);

CREATE TABLE requests (
    id INTEGER PRIMARY KEY,
    community_id INTEGER NOT NULL REFERENCES communities(id),
    number TEXT NOT NULL,
    kind TEXT NOT NULL,
    category TEXT NOT NULL,
    channel TEXT NOT NULL,
    urgency TEXT NOT NULL,
    complex INTEGER NOT NULL,
    unit_id INTEGER REFERENCES units(id),
    person_id INTEGER REFERENCES people(id) ON DELETE SET NULL,
    location TEXT,
    contact_name TEXT,
    contact_phone_enc BLOB,
    description TEXT NOT NULL,
    state TEXT NOT NULL,
    hold_from TEXT,
    hold_reason TEXT,
    hold_since TEXT,
    first_responder_id INTEGER NOT NULL REFERENCES users(id),
    assignee_id INTEGER REFERENCES users(id),
    team_id INTEGER REFERENCES teams(id),
    promise_at TEXT NOT NULL,
    promise_postponed INTEGER NOT NULL,
    escalations INTEGER NOT NULL,
    reopen_count INTEGER NOT NULL,
    materials TEXT,
    labour_minutes INTEGER,
    charge_fen INTEGER,
    satisfaction INTEGER,
    rating_comment TEXT,
    rated_via TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    accepted_at TEXT,
    on_site_at TEXT,
    done_at TEXT,
    closed_at TEXT,
    -- The local date of registration (YYYY-MM-DD in the community's time zone), for statistics
    -- by day, month and quarter with SQL both databases share.
    created_day TEXT NOT NULL,
    -- Seconds from registration to done, set when the work is done.
    handling_seconds INTEGER,
    UNIQUE (community_id, number)
);
CREATE INDEX requests_state ON requests (community_id, state, created_at);
-- "My requests" and "my work orders", newest first: walked backwards in id order, stopping at
-- the page size (a state column here made SQLite read and sort all of a person's requests).
CREATE INDEX requests_first_responder ON requests (community_id, first_responder_id, id);
CREATE INDEX requests_assignee ON requests (community_id, assignee_id, id);
CREATE INDEX requests_person ON requests (community_id, person_id);
CREATE INDEX requests_unit ON requests (community_id, unit_id);
CREATE INDEX requests_created ON requests (community_id, created_at);
-- Statistics of a period read this index alone (every column they count is in it).
CREATE INDEX requests_stats ON requests (community_id, created_day, kind, category, channel, state,
    reopen_count, satisfaction, handling_seconds);

-- One row per clock of a request. The scanner finds clocks to warn about or to escalate through
-- the two partial indexes; warned_at and breached_at are set once, by a conditional UPDATE.
CREATE TABLE request_clocks (
    id INTEGER PRIMARY KEY,
    community_id INTEGER NOT NULL REFERENCES communities(id),
    request_id INTEGER NOT NULL REFERENCES requests(id) ON DELETE CASCADE,
    clock TEXT NOT NULL,
    started_at TEXT NOT NULL,
    due_at TEXT NOT NULL,
    warn_at TEXT NOT NULL,
    pauses_on_hold INTEGER NOT NULL,
    paused_since TEXT,
    met_at TEXT,
    warned_at TEXT,
    breached_at TEXT,
    created_day TEXT NOT NULL,
    -- Copied from the request (neither changes), and 1/0 once met late/on time: statistics read
    -- the clocks of a period from one index, without the request rows.
    kind TEXT NOT NULL,
    category TEXT NOT NULL,
    met_late INTEGER,
    UNIQUE (request_id, clock)
);
CREATE INDEX request_clocks_request ON request_clocks (community_id, request_id);
CREATE INDEX request_clocks_stats ON request_clocks (community_id, created_day, kind, category, clock, met_late);
CREATE INDEX request_clocks_to_warn ON request_clocks (warn_at)
    WHERE met_at IS NULL AND warned_at IS NULL AND paused_since IS NULL;
CREATE INDEX request_clocks_to_breach ON request_clocks (due_at)
    WHERE met_at IS NULL AND breached_at IS NULL AND paused_since IS NULL;

-- The timeline of a request: every state change and action, who, when, notes.
CREATE TABLE request_events (
    id INTEGER PRIMARY KEY,
    community_id INTEGER NOT NULL REFERENCES communities(id),
    request_id INTEGER NOT NULL REFERENCES requests(id) ON DELETE CASCADE,
    at TEXT NOT NULL,
    actor_id INTEGER,
    actor_name TEXT NOT NULL,
    action TEXT NOT NULL,
    from_state TEXT,
    to_state TEXT,
    note TEXT,
    assignee_id INTEGER
);
CREATE INDEX request_events_request ON request_events (community_id, request_id, id);
-- Round-robin: each worker's latest assignment, one seek.
CREATE INDEX request_events_assignee ON request_events (community_id, assignee_id, id);

-- Messages to staff: clock warnings, escalations, assignments.
CREATE TABLE notifications (
    id INTEGER PRIMARY KEY,
    community_id INTEGER NOT NULL REFERENCES communities(id),
    user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    at TEXT NOT NULL,
    kind TEXT NOT NULL,
    request_id INTEGER REFERENCES requests(id) ON DELETE CASCADE,
    clock TEXT,
    read_at TEXT
);
CREATE INDEX notifications_user ON notifications (user_id, read_at, id);

-- Background jobs: a node runs a job only while it holds the lease.
CREATE TABLE jobs (
    name TEXT PRIMARY KEY,
    lease_owner TEXT,
    lease_until TEXT,
    last_run_at TEXT,
    last_result TEXT
);

-- The built-in roles of databases created before this migration get the request permissions
-- (a fresh database gets them when the roles are first written).
UPDATE roles SET permissions = permissions || ',tickets.register,tickets.dispatch,tickets.manage'
    WHERE code = 'company_admin';
UPDATE roles SET permissions = permissions || ',tickets.register,tickets.dispatch,tickets.manage'
    WHERE code = 'project_manager';
UPDATE roles SET permissions = permissions || ',tickets.register,tickets.dispatch' WHERE code = 'service_agent';
UPDATE roles SET permissions = permissions || ',tickets.work' WHERE code IN ('technician', 'cleaning');
UPDATE roles SET permissions = permissions || ',tickets.register' WHERE code = 'security';

-- Owner portal accounts (业主端): a user of role owner tied to one registry person, inactive until
-- the owner sets a password with the activation code the centre printed or sent.
CREATE TABLE owner_accounts (
    user_id INTEGER PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,
    company_id INTEGER NOT NULL REFERENCES companies(id),
    community_id INTEGER NOT NULL REFERENCES communities(id),
    person_id INTEGER NOT NULL UNIQUE REFERENCES people(id) ON DELETE CASCADE,
    activation_hash TEXT,
    activation_expires_at TEXT,
    activated_at TEXT,
    created_at TEXT NOT NULL
);
CREATE INDEX owner_accounts_community ON owner_accounts (community_id, person_id);

-- The hotline call log (热线来电登记): time, caller, number, content, result, transferred to; a
-- call can become a request.
CREATE TABLE hotline_calls (
    id INTEGER PRIMARY KEY,
    community_id INTEGER NOT NULL REFERENCES communities(id),
    call_at TEXT NOT NULL,
    call_day TEXT NOT NULL,
    caller_name TEXT,
    caller_phone_enc BLOB,
    content TEXT NOT NULL,
    result TEXT,
    transferred_to TEXT,
    taken_by INTEGER NOT NULL REFERENCES users(id),
    request_id INTEGER REFERENCES requests(id),
    created_at TEXT NOT NULL
);
CREATE INDEX hotline_calls_day ON hotline_calls (community_id, call_day);

-- Photos of a request (reported, or of the finished work), stored as files under the data
-- directory: <files>/requests/<community>/<request>/<file_name>.
CREATE TABLE request_photos (
    id INTEGER PRIMARY KEY,
    community_id INTEGER NOT NULL REFERENCES communities(id),
    request_id INTEGER NOT NULL REFERENCES requests(id) ON DELETE CASCADE,
    stage TEXT NOT NULL,
    file_name TEXT NOT NULL,
    content_type TEXT NOT NULL,
    size_bytes INTEGER NOT NULL,
    uploaded_by INTEGER NOT NULL REFERENCES users(id),
    created_at TEXT NOT NULL
);
CREATE INDEX request_photos_request ON request_photos (community_id, request_id);

-- The community's published price list of paid services (有偿服务明码标价).
CREATE TABLE paid_services (
    id INTEGER PRIMARY KEY,
    community_id INTEGER NOT NULL REFERENCES communities(id),
    code TEXT NOT NULL,
    name TEXT NOT NULL,
    unit TEXT NOT NULL,
    price_fen INTEGER NOT NULL,
    active INTEGER NOT NULL,
    updated_at TEXT NOT NULL,
    UNIQUE (community_id, code)
);

-- The lines of a paid service done on a request, priced from the list when done.
CREATE TABLE request_charge_lines (
    id INTEGER PRIMARY KEY,
    community_id INTEGER NOT NULL REFERENCES communities(id),
    request_id INTEGER NOT NULL REFERENCES requests(id) ON DELETE CASCADE,
    service_id INTEGER NOT NULL REFERENCES paid_services(id),
    name TEXT NOT NULL,
    unit_price_fen INTEGER NOT NULL,
    quantity INTEGER NOT NULL,
    amount_fen INTEGER NOT NULL
);
CREATE INDEX request_charge_lines_request ON request_charge_lines (community_id, request_id);

-- The hand-over to billing: amounts other modules raise on a unit (a request's paid service
-- now). Billing posts each as a charge (应收) exactly once and records it in charge_id; until
-- then the source may replace it (a request done again after a reopen).
CREATE TABLE pending_charges (
    id INTEGER PRIMARY KEY,
    community_id INTEGER NOT NULL REFERENCES communities(id),
    unit_id INTEGER NOT NULL REFERENCES units(id),
    source TEXT NOT NULL,
    source_id INTEGER NOT NULL,
    description TEXT NOT NULL,
    amount_fen INTEGER NOT NULL,
    created_at TEXT NOT NULL,
    charge_id INTEGER
);
CREATE INDEX pending_charges_open ON pending_charges (community_id, charge_id);
CREATE INDEX pending_charges_source ON pending_charges (community_id, source, source_id);
