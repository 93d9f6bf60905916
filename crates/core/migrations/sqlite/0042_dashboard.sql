-- The company dashboard's figures per community (经营看板, issue 16 point 7), so a view across a
-- thousand communities adds up a few rows each instead of millions of requests and charges:
-- month by month over the last two years, what its requests and their clocks, its bills, its
-- patrol rounds and maintenance orders came to; and where its arrears, maintenance, rectifications
-- and audits stood on the day they were computed. A community's rows are recomputed together when
-- its audit log has moved since `started_at`, on a new local day, or after ten minutes.
CREATE TABLE dashboard_communities (
    community_id INTEGER PRIMARY KEY REFERENCES communities(id),
    started_at TEXT NOT NULL,
    day TEXT NOT NULL,
    arrears_units INTEGER NOT NULL,
    d0_30_fen INTEGER NOT NULL,
    d31_90_fen INTEGER NOT NULL,
    d91_180_fen INTEGER NOT NULL,
    over_180_fen INTEGER NOT NULL,
    maintenance_overdue INTEGER NOT NULL,
    rect_open INTEGER NOT NULL,
    rect_overdue INTEGER NOT NULL,
    audit_id INTEGER,
    audit_number TEXT,
    audit_total_cp INTEGER,
    audit_grade TEXT,
    audit_signed_at TEXT
);

CREATE TABLE dashboard_months (
    community_id INTEGER NOT NULL REFERENCES communities(id),
    period TEXT NOT NULL,
    requests INTEGER NOT NULL,
    resolved INTEGER NOT NULL,
    complaints INTEGER NOT NULL,
    rated INTEGER NOT NULL,
    rating_sum INTEGER NOT NULL,
    on_time INTEGER NOT NULL,
    late INTEGER NOT NULL,
    overdue INTEGER NOT NULL,
    billed_fen INTEGER NOT NULL,
    collected_fen INTEGER NOT NULL,
    rounds INTEGER NOT NULL,
    rounds_done INTEGER NOT NULL,
    maintenance_due INTEGER NOT NULL,
    maintenance_on_time INTEGER NOT NULL,
    PRIMARY KEY (community_id, period)
);
