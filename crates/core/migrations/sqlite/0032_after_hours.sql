-- After-hours work permits (非办公时间加班, issue 15 point 10): a numbered permit (JB-000001) for
-- work in a unit outside the centre's hours — who applied (a person of the unit), who works and
-- what, from when to when — that the guard looks up by its number; revoked once, with why.
CREATE TABLE after_hours_permits (
    id INTEGER PRIMARY KEY,
    community_id INTEGER NOT NULL REFERENCES communities(id),
    number TEXT NOT NULL,
    unit_id INTEGER NOT NULL REFERENCES units(id),
    applicant_id INTEGER REFERENCES people(id) ON DELETE SET NULL,
    applicant_name TEXT NOT NULL,
    workers TEXT NOT NULL,
    work TEXT NOT NULL,
    starts_at TEXT NOT NULL,
    ends_at TEXT NOT NULL,
    revoked_at TEXT,
    revoked_by INTEGER REFERENCES users(id) ON DELETE SET NULL,
    revoke_reason TEXT,
    created_by INTEGER REFERENCES users(id) ON DELETE SET NULL,
    created_at TEXT NOT NULL,
    UNIQUE (community_id, number)
);
CREATE INDEX after_hours_permits_time ON after_hours_permits (community_id, starts_at);
