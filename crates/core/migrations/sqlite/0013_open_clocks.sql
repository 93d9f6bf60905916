-- The open clocks (those of requests not yet resolved) of a community, with what says where each
-- stands now (and its request, for the lists of breached or at-risk requests): the dashboard
-- counts them from this index alone, however many met clocks the
-- table holds.
CREATE INDEX request_clocks_open ON request_clocks (community_id, clock, paused_since, due_at, warn_at, request_id, created_day)
    WHERE met_at IS NULL;
