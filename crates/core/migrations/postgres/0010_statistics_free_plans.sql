-- Indexes whose order is the order of the hot lists (issue 18 point 2), so that their plans do
-- not depend on planner statistics: without sqlite_stat1 SQLite took an index on community_id
-- alone and sorted the whole community in a temporary B-tree for every page.

-- The requests list, the board and the filters by kind or category: newest first within a
-- community. It replaces requests_created, which no query reads (created_day serves periods).
DROP INDEX requests_created;
CREATE INDEX requests_community ON requests (community_id, id);
-- The list by state (and the pool): id order within a state; created_at after state served
-- no query.
DROP INDEX requests_state;
CREATE INDEX requests_state ON requests (community_id, state, id);

-- A business day's payments in receipt order (one cashier's or all): the cashier filter is
-- read from the rows of the day, which are few.
DROP INDEX payments_day;
CREATE INDEX payments_day ON payments (community_id, business_date, receipt_no);
