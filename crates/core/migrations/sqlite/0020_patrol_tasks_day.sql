-- A day's board finds its tasks by start on the report index (a task starts on its day or, in a
-- night window, on the next), so the index by day only cost every generated and every progressed
-- task one more B-tree write.
DROP INDEX patrol_tasks_day;
