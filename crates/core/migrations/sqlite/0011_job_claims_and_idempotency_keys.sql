-- Several app nodes on one database (issue 18 point 3).
--
-- A background job's claim of one due item (an outbox message, a patrol task of a day, …)
-- whose own row has nothing to mark it with: the claim and the item's effect are written in one
-- transaction, and the key lets only one of two concurrent passes insert it.
CREATE TABLE job_claims (
    community_id INTEGER NOT NULL REFERENCES communities(id),
    job TEXT NOT NULL,
    item TEXT NOT NULL,
    node TEXT NOT NULL,
    claimed_at TEXT NOT NULL,
    PRIMARY KEY (community_id, job, item)
);

-- The idempotency key of a write (a registered request, …): a retry of a write whose answer
-- was lost finds what the first attempt did, on whichever node it lands.
CREATE TABLE idempotency_keys (
    community_id INTEGER NOT NULL REFERENCES communities(id),
    scope TEXT NOT NULL,
    key TEXT NOT NULL,
    digest TEXT NOT NULL,
    entity_id INTEGER NOT NULL,
    created_at TEXT NOT NULL,
    PRIMARY KEY (community_id, scope, key)
);
