-- Decoration (二次装修, issue 15 point 6). A community's defaults (deposit, management fee per m²
-- of building area, rubbish removal fee, the hours work is allowed, the longest period); an
-- application (ZX-000001) for a unit by its owner with the contractor, the workers, the scope,
-- the period and the signed fire-safety letter (防火责任书); approved or refused once. Approval
-- posts the fees as charges of the unit (billing) and fixes the deposit the cashier takes into
-- billing's deposits; the permit is issued once both are paid, and the unit is 装修中 until the
-- works are accepted. Inspections record violations, each with a rectification deadline and the
-- deduction from the deposit it documents; the deposit is refunded after acceptance minus those.
CREATE TABLE decoration_settings (
    community_id INTEGER PRIMARY KEY REFERENCES communities(id),
    deposit_fen INTEGER NOT NULL,
    management_fee_per_m2_fen INTEGER NOT NULL,
    rubbish_fee_fen INTEGER NOT NULL,
    work_hours TEXT NOT NULL,
    max_days INTEGER NOT NULL,
    updated_by INTEGER REFERENCES users(id) ON DELETE SET NULL,
    updated_at TEXT NOT NULL
);

CREATE TABLE decorations (
    id INTEGER PRIMARY KEY,
    community_id INTEGER NOT NULL REFERENCES communities(id),
    number TEXT NOT NULL,
    unit_id INTEGER NOT NULL REFERENCES units(id),
    applicant_id INTEGER NOT NULL REFERENCES people(id),
    applicant_name TEXT NOT NULL,
    source TEXT NOT NULL,
    contractor TEXT NOT NULL,
    contractor_licence TEXT,
    foreman TEXT NOT NULL,
    foreman_phone_enc BLOB,
    scope TEXT NOT NULL,
    starts_on TEXT NOT NULL,
    ends_on TEXT NOT NULL,
    planned_ends_on TEXT NOT NULL,
    fire_letter_signed INTEGER NOT NULL,
    state TEXT NOT NULL,
    decided_by INTEGER REFERENCES users(id) ON DELETE SET NULL,
    decided_at TEXT,
    decision_note TEXT,
    deposit_fen INTEGER,
    management_fee_fen INTEGER,
    rubbish_fee_fen INTEGER,
    management_charge_id INTEGER,
    rubbish_charge_id INTEGER,
    deposit_id INTEGER,
    permit_issued_by INTEGER REFERENCES users(id) ON DELETE SET NULL,
    permit_issued_at TEXT,
    unit_state_before TEXT,
    accepted_by INTEGER REFERENCES users(id) ON DELETE SET NULL,
    accepted_at TEXT,
    acceptance_note TEXT,
    deducted_fen INTEGER,
    refunded_fen INTEGER,
    closed_by INTEGER REFERENCES users(id) ON DELETE SET NULL,
    closed_at TEXT,
    created_by INTEGER REFERENCES users(id) ON DELETE SET NULL,
    created_at TEXT NOT NULL,
    UNIQUE (community_id, number)
);
CREATE INDEX decorations_state ON decorations (community_id, state, starts_on);
CREATE INDEX decorations_unit ON decorations (community_id, unit_id);

CREATE TABLE decoration_workers (
    id INTEGER PRIMARY KEY,
    community_id INTEGER NOT NULL REFERENCES communities(id),
    decoration_id INTEGER NOT NULL REFERENCES decorations(id),
    name TEXT NOT NULL,
    trade TEXT,
    phone_enc BLOB
);
CREATE INDEX decoration_workers_of ON decoration_workers (community_id, decoration_id);

-- A site inspection; a failed acceptance is one too (kind `acceptance`).
CREATE TABLE decoration_inspections (
    id INTEGER PRIMARY KEY,
    community_id INTEGER NOT NULL REFERENCES communities(id),
    decoration_id INTEGER NOT NULL REFERENCES decorations(id),
    kind TEXT NOT NULL,
    note TEXT,
    inspected_by INTEGER REFERENCES users(id) ON DELETE SET NULL,
    inspected_at TEXT NOT NULL
);
CREATE INDEX decoration_inspections_of ON decoration_inspections (community_id, decoration_id);

CREATE TABLE decoration_violations (
    id INTEGER PRIMARY KEY,
    community_id INTEGER NOT NULL REFERENCES communities(id),
    decoration_id INTEGER NOT NULL REFERENCES decorations(id),
    inspection_id INTEGER NOT NULL REFERENCES decoration_inspections(id),
    kind TEXT NOT NULL,
    description TEXT NOT NULL,
    deadline TEXT NOT NULL,
    deduction_fen INTEGER NOT NULL,
    rectified_at TEXT,
    rectified_by INTEGER REFERENCES users(id) ON DELETE SET NULL,
    rectify_note TEXT
);
CREATE INDEX decoration_violations_of ON decoration_violations (community_id, decoration_id);

CREATE TABLE decoration_files (
    id INTEGER PRIMARY KEY,
    community_id INTEGER NOT NULL REFERENCES communities(id),
    decoration_id INTEGER NOT NULL REFERENCES decorations(id),
    inspection_id INTEGER REFERENCES decoration_inspections(id),
    label TEXT NOT NULL,
    name TEXT NOT NULL,
    content_type TEXT NOT NULL,
    path TEXT NOT NULL,
    created_by INTEGER REFERENCES users(id) ON DELETE SET NULL,
    created_at TEXT NOT NULL
);
CREATE INDEX decoration_files_of ON decoration_files (community_id, decoration_id);

-- Part of a deposit kept against documented deductions (a decoration's violations): the refund
-- pays back the rest, and only the rest leaves the cashier's drawer.
ALTER TABLE deposits ADD COLUMN deducted_fen INTEGER NOT NULL DEFAULT 0;
ALTER TABLE deposits ADD COLUMN deduction_note TEXT;

-- A construction worker's pass issued for a decoration, valid within its period.
ALTER TABLE visitor_passes ADD COLUMN decoration_id INTEGER REFERENCES decorations(id);
CREATE INDEX visitor_passes_decoration ON visitor_passes (community_id, decoration_id) WHERE decoration_id IS NOT NULL;

-- An extension of the works' period, with why.
CREATE TABLE decoration_extensions (
    id INTEGER PRIMARY KEY,
    community_id INTEGER NOT NULL REFERENCES communities(id),
    decoration_id INTEGER NOT NULL REFERENCES decorations(id),
    from_day TEXT NOT NULL,
    to_day TEXT NOT NULL,
    reason TEXT NOT NULL,
    extended_by INTEGER REFERENCES users(id) ON DELETE SET NULL,
    extended_at TEXT NOT NULL
);
CREATE INDEX decoration_extensions_of ON decoration_extensions (community_id, decoration_id);
