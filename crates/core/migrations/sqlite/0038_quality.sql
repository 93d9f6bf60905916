-- Quality audits (品质核查, issue 16; seed 001's 督导评分细则). The company's audit sheets: each
-- has versions, and a version's items (section, item, the elements checked, the item's maximum
-- and the deduction range per missing element, in hundredths of a point) never change once
-- written — editing a sheet writes its next version, so an audit keeps the version it pinned.
-- An audit of a community (PZ-000001) pins the versions of the sheets it uses with their
-- weights (summing to 100 %), scores each item once while open, and is signed off once with its
-- sheet scores, weighted total and grade kept.
CREATE TABLE audit_sheets (
    id INTEGER PRIMARY KEY,
    company_id INTEGER NOT NULL REFERENCES companies(id),
    code TEXT NOT NULL,
    name TEXT NOT NULL,
    weight_pct INTEGER NOT NULL,
    active INTEGER NOT NULL,
    current_version INTEGER NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    UNIQUE (company_id, code)
);

CREATE TABLE audit_sheet_versions (
    id INTEGER PRIMARY KEY,
    company_id INTEGER NOT NULL REFERENCES companies(id),
    sheet_id INTEGER NOT NULL REFERENCES audit_sheets(id),
    version INTEGER NOT NULL,
    max_cp INTEGER NOT NULL,
    created_by INTEGER REFERENCES users(id) ON DELETE SET NULL,
    created_at TEXT NOT NULL,
    UNIQUE (sheet_id, version)
);

CREATE TABLE audit_sheet_items (
    id INTEGER PRIMARY KEY,
    company_id INTEGER NOT NULL REFERENCES companies(id),
    version_id INTEGER NOT NULL REFERENCES audit_sheet_versions(id),
    position INTEGER NOT NULL,
    section TEXT NOT NULL,
    item TEXT NOT NULL,
    standard TEXT,
    elements TEXT NOT NULL,
    max_cp INTEGER NOT NULL,
    deduct_min_cp INTEGER NOT NULL,
    deduct_max_cp INTEGER NOT NULL
);
CREATE INDEX audit_sheet_items_of ON audit_sheet_items (company_id, version_id, position);

CREATE TABLE audits (
    id INTEGER PRIMARY KEY,
    community_id INTEGER NOT NULL REFERENCES communities(id),
    number TEXT NOT NULL,
    method TEXT NOT NULL,
    state TEXT NOT NULL,
    note TEXT,
    total_cp INTEGER,
    grade TEXT,
    created_by INTEGER REFERENCES users(id) ON DELETE SET NULL,
    created_at TEXT NOT NULL,
    signed_by INTEGER REFERENCES users(id) ON DELETE SET NULL,
    signed_at TEXT,
    UNIQUE (community_id, number)
);
CREATE INDEX audits_of ON audits (community_id, state, id);

CREATE TABLE audit_parts (
    id INTEGER PRIMARY KEY,
    community_id INTEGER NOT NULL REFERENCES communities(id),
    audit_id INTEGER NOT NULL REFERENCES audits(id),
    version_id INTEGER NOT NULL REFERENCES audit_sheet_versions(id),
    weight_pct INTEGER NOT NULL,
    score_cp INTEGER,
    UNIQUE (community_id, audit_id, version_id)
);

CREATE TABLE audit_scores (
    id INTEGER PRIMARY KEY,
    community_id INTEGER NOT NULL REFERENCES communities(id),
    audit_id INTEGER NOT NULL REFERENCES audits(id),
    item_id INTEGER NOT NULL REFERENCES audit_sheet_items(id),
    present TEXT NOT NULL,
    deductions TEXT NOT NULL,
    deduction_cp INTEGER NOT NULL,
    method TEXT NOT NULL,
    note TEXT,
    scored_by INTEGER REFERENCES users(id) ON DELETE SET NULL,
    scored_at TEXT NOT NULL,
    UNIQUE (community_id, audit_id, item_id)
);

-- The quality auditors (品质督导) and the company admin keep sheets and run audits.
UPDATE roles SET permissions = permissions || ',quality.manage'
    WHERE code IN ('company_admin', 'quality_auditor') AND builtin = 1;
