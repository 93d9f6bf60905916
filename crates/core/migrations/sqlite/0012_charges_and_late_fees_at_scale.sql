-- PostgreSQL only: its migration 0012 drops the foreign keys of `charges` (their row-by-row
-- checks cost a bill run 8 s a million there), keeps their guarantee with one bulk lock and
-- delete triggers, and leaves room on the pages of `late_fees` for the daily accrual. SQLite
-- checks foreign keys in-process at a cost it can afford and has no fillfactor, so nothing
-- changes here; the file keeps both engines' migrations numbered alike.
SELECT 1;
