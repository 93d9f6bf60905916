-- The company dashboard's figures per community (经营看板, issue 16 point 7), so a view across a
-- thousand communities adds up a few rows each instead of millions of requests and charges:
-- month by month over the last two years, what its requests and their clocks, its bills, its
-- patrol rounds and maintenance orders came to; and where its arrears, maintenance, rectifications
-- and audits stood on the day they were computed. A community's rows are recomputed together when
-- its audit log has moved since `started_at`, on a new local day, or after ten minutes.
CREATE TABLE dashboard_communities (
    community_id BIGINT PRIMARY KEY REFERENCES communities(id),
    started_at TIMESTAMPTZ NOT NULL,
    day DATE NOT NULL,
    arrears_units BIGINT NOT NULL,
    d0_30_fen BIGINT NOT NULL,
    d31_90_fen BIGINT NOT NULL,
    d91_180_fen BIGINT NOT NULL,
    over_180_fen BIGINT NOT NULL,
    maintenance_overdue BIGINT NOT NULL,
    rect_open BIGINT NOT NULL,
    rect_overdue BIGINT NOT NULL,
    audit_id BIGINT,
    audit_number TEXT,
    audit_total_cp BIGINT,
    audit_grade TEXT,
    audit_signed_at TIMESTAMPTZ
);

CREATE TABLE dashboard_months (
    community_id BIGINT NOT NULL REFERENCES communities(id),
    period TEXT NOT NULL,
    requests BIGINT NOT NULL,
    resolved BIGINT NOT NULL,
    complaints BIGINT NOT NULL,
    rated BIGINT NOT NULL,
    rating_sum BIGINT NOT NULL,
    on_time BIGINT NOT NULL,
    late BIGINT NOT NULL,
    overdue BIGINT NOT NULL,
    billed_fen BIGINT NOT NULL,
    collected_fen BIGINT NOT NULL,
    rounds BIGINT NOT NULL,
    rounds_done BIGINT NOT NULL,
    maintenance_due BIGINT NOT NULL,
    maintenance_on_time BIGINT NOT NULL,
    PRIMARY KEY (community_id, period)
);
