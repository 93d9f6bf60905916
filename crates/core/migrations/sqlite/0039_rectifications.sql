-- Rectification (整改, issue 16 point 4): every item an audit's sign-off found short becomes a
-- task (ZG-000001) with an owner and a deadline counted in working days on the company calendar.
-- The owner records what was done (a note and photos); the auditor rechecks: passed, a second
-- rectification (the next round, a new deadline), or closed with the deduction kept. An open task
-- past its deadline is told once per round (overdue_told_at, cleared when a round starts).
CREATE TABLE rectifications (
    id INTEGER PRIMARY KEY,
    community_id INTEGER NOT NULL REFERENCES communities(id),
    audit_id INTEGER NOT NULL REFERENCES audits(id),
    item_id INTEGER NOT NULL REFERENCES audit_sheet_items(id),
    number TEXT NOT NULL,
    sheet_name TEXT NOT NULL,
    section TEXT NOT NULL,
    item TEXT NOT NULL,
    finding TEXT NOT NULL,
    deduction_cp INTEGER NOT NULL,
    owner_id INTEGER REFERENCES users(id) ON DELETE SET NULL,
    round INTEGER NOT NULL,
    state TEXT NOT NULL,
    due_at TEXT NOT NULL,
    done_note TEXT,
    done_at TEXT,
    overdue_told_at TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    UNIQUE (community_id, number),
    UNIQUE (community_id, audit_id, item_id)
);
CREATE INDEX rectifications_of ON rectifications (community_id, state, due_at);
CREATE INDEX rectifications_owned ON rectifications (community_id, owner_id, state);
CREATE INDEX rectifications_due ON rectifications (community_id, due_at)
    WHERE state = 'open' AND overdue_told_at IS NULL;

-- What happened to a task, round by round: assigned, done, passed, again, kept.
CREATE TABLE rectification_events (
    id INTEGER PRIMARY KEY,
    community_id INTEGER NOT NULL REFERENCES communities(id),
    rectification_id INTEGER NOT NULL REFERENCES rectifications(id),
    round INTEGER NOT NULL,
    kind TEXT NOT NULL,
    note TEXT,
    due_at TEXT,
    by_user INTEGER REFERENCES users(id) ON DELETE SET NULL,
    at TEXT NOT NULL
);
CREATE INDEX rectification_events_of ON rectification_events (community_id, rectification_id, id);

CREATE TABLE rectification_photos (
    id INTEGER PRIMARY KEY,
    community_id INTEGER NOT NULL REFERENCES communities(id),
    rectification_id INTEGER NOT NULL REFERENCES rectifications(id),
    round INTEGER NOT NULL,
    content_type TEXT NOT NULL,
    path TEXT NOT NULL,
    created_by INTEGER REFERENCES users(id) ON DELETE SET NULL,
    created_at TEXT NOT NULL
);
CREATE INDEX rectification_photos_of ON rectification_photos (community_id, rectification_id, id);
