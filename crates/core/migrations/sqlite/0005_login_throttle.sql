-- Failed logins per source address and account, for the login throttle (auth/throttle.rs):
-- kept for the throttle's window only. Accounts are no longer locked by failures, so
-- users.locked_until is left unused (an old value is ignored).
CREATE TABLE login_failures (
    id INTEGER PRIMARY KEY,
    source TEXT NOT NULL,
    account TEXT NOT NULL,
    failed_at TEXT NOT NULL
);
CREATE INDEX login_failures_source ON login_failures (source, failed_at);
CREATE INDEX login_failures_account ON login_failures (account, failed_at);
CREATE INDEX login_failures_at ON login_failures (failed_at);
