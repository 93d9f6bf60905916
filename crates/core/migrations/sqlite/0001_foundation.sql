-- Foundation: companies, users and access, audit log, and the registry (业户档案).
-- Every table owned by a community carries community_id and its indexes start with it.

CREATE TABLE companies (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    created_at TEXT NOT NULL
);

CREATE TABLE communities (
    id INTEGER PRIMARY KEY,
    company_id INTEGER NOT NULL REFERENCES companies(id),
    code TEXT NOT NULL,
    name TEXT NOT NULL,
    address TEXT,
    timezone TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    UNIQUE (company_id, code)
);

CREATE TABLE roles (
    code TEXT PRIMARY KEY,
    name_zh TEXT NOT NULL,
    name_en TEXT NOT NULL,
    permissions TEXT NOT NULL,
    all_communities INTEGER NOT NULL,
    builtin INTEGER NOT NULL
);

CREATE TABLE users (
    id INTEGER PRIMARY KEY,
    company_id INTEGER NOT NULL REFERENCES companies(id),
    username TEXT NOT NULL UNIQUE,
    display_name TEXT NOT NULL,
    role TEXT NOT NULL REFERENCES roles(code),
    password_hash TEXT NOT NULL,
    active INTEGER NOT NULL,
    must_change_password INTEGER NOT NULL,
    failed_logins INTEGER NOT NULL,
    locked_until TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);

CREATE TABLE user_communities (
    user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    community_id INTEGER NOT NULL REFERENCES communities(id) ON DELETE CASCADE,
    PRIMARY KEY (user_id, community_id)
);

CREATE TABLE sessions (
    token_hash TEXT PRIMARY KEY,
    user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    created_at TEXT NOT NULL,
    last_seen_at TEXT NOT NULL,
    expires_at TEXT NOT NULL
);
CREATE INDEX sessions_user ON sessions (user_id);

CREATE TABLE api_tokens (
    id INTEGER PRIMARY KEY,
    user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    token_hash TEXT NOT NULL UNIQUE,
    prefix TEXT NOT NULL,
    created_at TEXT NOT NULL,
    last_used_at TEXT,
    revoked_at TEXT
);
CREATE INDEX api_tokens_user ON api_tokens (user_id);

CREATE TABLE audit_log (
    id INTEGER PRIMARY KEY,
    company_id INTEGER NOT NULL,
    community_id INTEGER,
    actor_id INTEGER,
    actor_name TEXT NOT NULL,
    at TEXT NOT NULL,
    action TEXT NOT NULL,
    entity TEXT NOT NULL,
    entity_id INTEGER,
    before_json TEXT,
    after_json TEXT
);
CREATE INDEX audit_log_community_at ON audit_log (community_id, at);
CREATE INDEX audit_log_entity ON audit_log (community_id, entity, entity_id);
CREATE INDEX audit_log_company_at ON audit_log (company_id, at);

CREATE TABLE buildings (
    id INTEGER PRIMARY KEY,
    community_id INTEGER NOT NULL REFERENCES communities(id),
    name TEXT NOT NULL,
    floors INTEGER,
    note TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    UNIQUE (community_id, name)
);

CREATE TABLE units (
    id INTEGER PRIMARY KEY,
    community_id INTEGER NOT NULL REFERENCES communities(id),
    building_id INTEGER NOT NULL REFERENCES buildings(id),
    unit_no TEXT NOT NULL,
    floor INTEGER NOT NULL,
    building_area INTEGER NOT NULL,
    inner_area INTEGER,
    use_kind TEXT NOT NULL,
    state TEXT NOT NULL,
    keeper_user_id INTEGER REFERENCES users(id),
    note TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    UNIQUE (community_id, building_id, unit_no)
);
CREATE INDEX units_unit_no ON units (community_id, unit_no);

CREATE TABLE people (
    id INTEGER PRIMARY KEY,
    community_id INTEGER NOT NULL REFERENCES communities(id),
    name TEXT NOT NULL,
    phone_enc BLOB,
    phone_hash BLOB,
    id_no_enc BLOB,
    id_no_hash BLOB,
    is_key_customer INTEGER NOT NULL,
    key_customer_note TEXT,
    note TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX people_name ON people (community_id, name);
CREATE INDEX people_phone ON people (community_id, phone_hash);
CREATE INDEX people_id_no ON people (community_id, id_no_hash);

CREATE TABLE unit_people (
    id INTEGER PRIMARY KEY,
    community_id INTEGER NOT NULL REFERENCES communities(id),
    unit_id INTEGER NOT NULL REFERENCES units(id) ON DELETE CASCADE,
    person_id INTEGER NOT NULL REFERENCES people(id) ON DELETE CASCADE,
    relation TEXT NOT NULL,
    created_at TEXT NOT NULL,
    UNIQUE (unit_id, person_id)
);
CREATE INDEX unit_people_person ON unit_people (community_id, person_id);
-- A person's units (search results, person cards, deleting a person, ON DELETE CASCADE from
-- people): by person alone, without knowing the community.
CREATE INDEX unit_people_person_id ON unit_people (person_id);

CREATE TABLE parking_spaces (
    id INTEGER PRIMARY KEY,
    community_id INTEGER NOT NULL REFERENCES communities(id),
    code TEXT NOT NULL,
    state TEXT NOT NULL,
    unit_id INTEGER REFERENCES units(id) ON DELETE SET NULL,
    person_id INTEGER REFERENCES people(id) ON DELETE SET NULL,
    note TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    UNIQUE (community_id, code)
);
CREATE INDEX parking_spaces_unit ON parking_spaces (community_id, unit_id);

CREATE TABLE vehicles (
    id INTEGER PRIMARY KEY,
    community_id INTEGER NOT NULL REFERENCES communities(id),
    plate TEXT NOT NULL,
    person_id INTEGER REFERENCES people(id) ON DELETE SET NULL,
    unit_id INTEGER REFERENCES units(id) ON DELETE SET NULL,
    space_id INTEGER REFERENCES parking_spaces(id) ON DELETE SET NULL,
    brand TEXT,
    color TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    UNIQUE (community_id, plate)
);
CREATE INDEX vehicles_unit ON vehicles (community_id, unit_id);

CREATE TABLE vacant_inspections (
    id INTEGER PRIMARY KEY,
    community_id INTEGER NOT NULL REFERENCES communities(id),
    unit_id INTEGER NOT NULL REFERENCES units(id) ON DELETE CASCADE,
    inspected_on TEXT NOT NULL,
    inspector_id INTEGER REFERENCES users(id),
    findings TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE INDEX vacant_inspections_unit ON vacant_inspections (community_id, unit_id, inspected_on);

-- Settings the system keeps about itself, e.g. the fingerprint of the personal-data key, so a
-- wrong or lost key is refused at start instead of silently making phone numbers unreadable.
CREATE TABLE system_settings (
    name TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
