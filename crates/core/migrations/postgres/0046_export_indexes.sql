-- Lists exported whole (issue 16) page newest first by id within a community: without these
-- each page sorted the community's every row again.
CREATE INDEX hotline_calls_recent ON hotline_calls (community_id, id);
CREATE INDEX maintenance_orders_recent ON maintenance_orders (community_id, id);
-- Staff KPIs join a month's requests to their clocks by id: without the id in `requests_kpi`
-- (SQLite's index holds the rowid anyway) PostgreSQL visited every one of the month's 150,000
-- rows in the table for it.
DROP INDEX requests_kpi;
CREATE INDEX requests_kpi ON requests (community_id, created_day, assignee_id, first_responder_id, state,
    reopen_count, satisfaction, id);
