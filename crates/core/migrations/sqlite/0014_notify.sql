-- Notifications that reach people (issue 13): the outbox every module writes in the transaction of
-- the change that causes a message, each delivery attempt, where a person can be reached, which
-- channels each person wants per kind of event, and the company's wording of each event.

-- In-app messages of any module carry their own words (request messages keep kind + request).
ALTER TABLE notifications ADD COLUMN event TEXT;
ALTER TABLE notifications ADD COLUMN title TEXT;
ALTER TABLE notifications ADD COLUMN body TEXT;
ALTER TABLE notifications ADD COLUMN link TEXT;

-- Where a user (staff or owner account) can be reached outside the app; personal data, encrypted.
CREATE TABLE contact_points (
    user_id INTEGER PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,
    email_enc BLOB,
    phone_enc BLOB,
    wechat_enc BLOB,
    locale TEXT NOT NULL,
    updated_at TEXT NOT NULL
);

-- A person's own channels for a kind of event (no row: the event's defaults). In-app is always on.
CREATE TABLE notify_prefs (
    user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    event TEXT NOT NULL,
    channels TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    PRIMARY KEY (user_id, event)
);

-- The company's wording of an event in a language (no row: the built-in wording).
CREATE TABLE notify_templates (
    company_id INTEGER NOT NULL REFERENCES companies(id),
    event TEXT NOT NULL,
    locale TEXT NOT NULL,
    subject TEXT NOT NULL,
    body TEXT NOT NULL,
    updated_by INTEGER REFERENCES users(id) ON DELETE SET NULL,
    updated_at TEXT NOT NULL,
    PRIMARY KEY (company_id, event, locale)
);

-- One message on one outside channel (email, sms, wechat). state: pending → sent | failed.
-- A worker leases a batch (lease_owner, lease_until); a lease that ran out while the row is still
-- pending is an attempt that died mid-way: the next worker sends it again under the same id.
CREATE TABLE outbox (
    id INTEGER PRIMARY KEY,
    community_id INTEGER NOT NULL REFERENCES communities(id),
    user_id INTEGER REFERENCES users(id) ON DELETE SET NULL,
    event TEXT NOT NULL,
    channel TEXT NOT NULL,
    address_enc BLOB NOT NULL,
    subject TEXT NOT NULL,
    body TEXT NOT NULL,
    params TEXT NOT NULL,
    emergency INTEGER NOT NULL,
    state TEXT NOT NULL,
    attempts INTEGER NOT NULL,
    due_at TEXT NOT NULL,
    lease_owner TEXT,
    lease_until TEXT,
    created_at TEXT NOT NULL,
    sent_at TEXT,
    provider_ref TEXT,
    last_error TEXT
);
-- The worker's queue: pending messages by when they are due, across communities (one worker
-- serves them all), so it leads with due_at rather than community_id.
CREATE INDEX outbox_due ON outbox (due_at, id) WHERE state = 'pending';
CREATE INDEX outbox_community ON outbox (community_id, id);

-- Every attempt at a message: sent, retry (why), failed (why), in_doubt (a worker died mid-way).
CREATE TABLE outbox_attempts (
    id INTEGER PRIMARY KEY,
    community_id INTEGER NOT NULL REFERENCES communities(id),
    outbox_id INTEGER NOT NULL REFERENCES outbox(id) ON DELETE CASCADE,
    at TEXT NOT NULL,
    node TEXT NOT NULL,
    outcome TEXT NOT NULL,
    detail TEXT
);
CREATE INDEX outbox_attempts_message ON outbox_attempts (community_id, outbox_id, id);

-- Who may word the messages and read the delivery log: the managers (notify.manage).
UPDATE roles SET permissions = permissions || ',notify.manage'
    WHERE code IN ('company_admin', 'project_manager') AND builtin = 1;
