-- The manager's sign-off of the switch report (期初数据核对表, issue 17 point 5): who signed,
-- when, and the totals seen then (JSON), so a later import cannot rewrite what was approved.
CREATE TABLE switch_signoffs (
    id INTEGER PRIMARY KEY,
    community_id INTEGER NOT NULL REFERENCES communities(id),
    signed_by INTEGER,
    signer TEXT NOT NULL,
    signed_at TEXT NOT NULL,
    note TEXT,
    totals_match INTEGER NOT NULL,
    totals TEXT NOT NULL
);
CREATE INDEX switch_signoffs_community ON switch_signoffs (community_id, id);
