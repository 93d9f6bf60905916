-- Lists exported whole (issue 16) page newest first by id within a community: without these
-- each page sorted the community's every row again.
CREATE INDEX hotline_calls_recent ON hotline_calls (community_id, id);
CREATE INDEX maintenance_orders_recent ON maintenance_orders (community_id, id);
-- Staff KPIs join a month's requests to their clocks by id: PostgreSQL's index must hold it (it
-- visited every one of the month's rows in the table for it), SQLite's holds the rowid anyway
-- and keeps the same definition as PostgreSQL's.
DROP INDEX requests_kpi;
CREATE INDEX requests_kpi ON requests (community_id, created_day, assignee_id, first_responder_id, state,
    reopen_count, satisfaction, id);
