-- Move-outs (迁出核验, issue 15 point 8): a numbered check (QC-000001) of a unit's people leaving
-- on a day. It stays open while the desk works through the checklist (arrears, keys, items lent,
-- deposits, passes) and is completed once: what the checklist stood at then is kept on the row
-- (arrears and a manager's waiver, deposits kept and why, passes revoked, the unit's state after),
-- so the printed 客户迁出核验单 says what was checked.
CREATE TABLE move_outs (
    id INTEGER PRIMARY KEY,
    community_id INTEGER NOT NULL REFERENCES communities(id),
    number TEXT NOT NULL,
    unit_id INTEGER NOT NULL REFERENCES units(id),
    planned_day TEXT NOT NULL,
    reason TEXT,
    note TEXT,
    state TEXT NOT NULL,
    arrears_fen INTEGER,
    arrears_waiver TEXT,
    deposits_fen INTEGER,
    deposits_kept TEXT,
    passes_revoked INTEGER,
    parcels_held INTEGER,
    state_before TEXT,
    state_after TEXT,
    created_by INTEGER REFERENCES users(id) ON DELETE SET NULL,
    created_at TEXT NOT NULL,
    closed_by INTEGER REFERENCES users(id) ON DELETE SET NULL,
    closed_at TEXT,
    UNIQUE (community_id, number)
);
CREATE INDEX move_outs_state ON move_outs (community_id, state, planned_day);
CREATE INDEX move_outs_unit ON move_outs (community_id, unit_id);

-- Who leaves: the people of the unit named when the check was opened, with their names and how
-- they were of the unit (kept after their link to the unit is removed on completion).
CREATE TABLE move_out_people (
    community_id INTEGER NOT NULL REFERENCES communities(id),
    move_out_id INTEGER NOT NULL REFERENCES move_outs(id),
    person_id INTEGER NOT NULL,
    name TEXT NOT NULL,
    relation TEXT NOT NULL,
    PRIMARY KEY (community_id, move_out_id, person_id)
);
