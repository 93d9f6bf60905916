-- Opening arrears (期初欠费, issue 17 point 1): what each unit already owed under the system a
-- service centre used before wuye, brought in once from a spreadsheet. Each line posts an
-- immutable charge of kind `opening` (the outstanding part only: what was paid of it under the
-- old system was never money of this ledger, so it is neither a charge nor income here) and,
-- when the old system had accrued a late fee, a `late_fee` charge for it.
--
-- One row per import: its content hash makes a second upload of the same file answer the first
-- result and create nothing (the hash is unique per community).
CREATE TABLE opening_imports (
    id INTEGER PRIMARY KEY,
    community_id INTEGER NOT NULL REFERENCES communities(id),
    content_hash TEXT NOT NULL,
    switch_date TEXT NOT NULL,
    lines INTEGER NOT NULL,
    units INTEGER NOT NULL,
    amount_fen INTEGER NOT NULL,
    paid_fen INTEGER NOT NULL,
    outstanding_fen INTEGER NOT NULL,
    late_fee_fen INTEGER NOT NULL,
    created_by INTEGER,
    created_at TEXT NOT NULL
);
CREATE UNIQUE INDEX opening_imports_hash ON opening_imports (community_id, content_hash);

-- Every line brought in, as typed: a line (unit, fee item, period) is brought in once, whatever
-- file it comes in (the unique index), so a corrected file cannot post the same debt twice.
CREATE TABLE opening_lines (
    id INTEGER PRIMARY KEY,
    community_id INTEGER NOT NULL REFERENCES communities(id),
    import_id INTEGER NOT NULL,
    row_no INTEGER NOT NULL,
    unit_id INTEGER NOT NULL,
    fee_item_id INTEGER NOT NULL,
    period_from TEXT NOT NULL,
    period_to TEXT NOT NULL,
    due_date TEXT NOT NULL,
    amount_fen INTEGER NOT NULL,
    paid_fen INTEGER NOT NULL,
    late_fee_fen INTEGER NOT NULL,
    charge_id INTEGER,
    late_fee_charge_id INTEGER
);
CREATE UNIQUE INDEX opening_lines_key ON opening_lines (community_id, unit_id, fee_item_id, period_from, period_to);
CREATE INDEX opening_lines_import ON opening_lines (community_id, import_id);
