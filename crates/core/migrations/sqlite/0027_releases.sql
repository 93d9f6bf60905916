-- Large items released (大件物品放行, issue 15 point 5): an owner's or a tenant's application
-- (in the portal, or at the desk), checked by the desk against the unit's people, the owner's
-- recorded consent for a tenant and the community's arrears rule, then a numbered slip the guard
-- scans and marks passed once, on its day. state: pending | approved | refused | passed.
CREATE TABLE release_slips (
    id INTEGER PRIMARY KEY,
    community_id INTEGER NOT NULL REFERENCES communities(id),
    number TEXT NOT NULL,
    unit_id INTEGER NOT NULL REFERENCES units(id),
    applicant_id INTEGER NOT NULL REFERENCES people(id),
    relation TEXT NOT NULL,
    items TEXT NOT NULL,
    vehicle_plate TEXT,
    planned_at TEXT NOT NULL,
    source TEXT NOT NULL,
    state TEXT NOT NULL,
    owner_consent TEXT,
    consent_note TEXT,
    arrears_fen INTEGER,
    arrears_override TEXT,
    checked_by INTEGER REFERENCES users(id) ON DELETE SET NULL,
    checked_at TEXT,
    refuse_reason TEXT,
    passed_by INTEGER REFERENCES users(id) ON DELETE SET NULL,
    passed_at TEXT,
    created_by INTEGER REFERENCES users(id) ON DELETE SET NULL,
    created_at TEXT NOT NULL,
    UNIQUE (community_id, number)
);
CREATE INDEX release_slips_day ON release_slips (community_id, planned_at);
CREATE INDEX release_slips_state ON release_slips (community_id, state, planned_at);
CREATE INDEX release_slips_unit ON release_slips (community_id, unit_id, created_at);
CREATE INDEX release_slips_applicant ON release_slips (community_id, applicant_id, created_at);

-- The community's rule on arrears for releases: refused while the unit owes past due (a manager
-- may let it through with a recorded reason), or only shown to the desk.
ALTER TABLE billing_settings ADD COLUMN release_blocks_arrears INTEGER NOT NULL DEFAULT 0;
