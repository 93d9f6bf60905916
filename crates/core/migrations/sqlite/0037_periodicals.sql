-- Newspapers and magazines (报刊征订 · 报刊收发, issue 15 point 2; seed 000's 邮件/报刊收发). The
-- community's catalogue of titles the centre takes orders for, with the post office's monthly
-- price; a resident's subscription (BK-000001) for a unit, a span of months and a number of
-- copies, charged to the unit through billing (an agency item, 代收代缴); each issue the post
-- office brings is recorded with the copies received, and one delivery row per subscription
-- then running is handed out (signed for or put in the box), never more copies than arrived.
CREATE TABLE periodicals (
    id INTEGER PRIMARY KEY,
    community_id INTEGER NOT NULL REFERENCES communities(id),
    title TEXT NOT NULL,
    kind TEXT NOT NULL,
    post_code TEXT,
    frequency TEXT NOT NULL,
    price_month_fen INTEGER NOT NULL,
    active INTEGER NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    UNIQUE (community_id, title)
);

CREATE TABLE periodical_subscriptions (
    id INTEGER PRIMARY KEY,
    community_id INTEGER NOT NULL REFERENCES communities(id),
    number TEXT NOT NULL,
    periodical_id INTEGER NOT NULL REFERENCES periodicals(id),
    unit_id INTEGER NOT NULL REFERENCES units(id),
    person_id INTEGER REFERENCES people(id),
    recipient_name TEXT NOT NULL,
    first_month TEXT NOT NULL,
    last_month TEXT NOT NULL,
    copies INTEGER NOT NULL,
    price_month_fen INTEGER NOT NULL,
    amount_fen INTEGER NOT NULL,
    charge_id INTEGER NOT NULL REFERENCES charges(id),
    channel TEXT NOT NULL,
    state TEXT NOT NULL,
    note TEXT,
    created_by INTEGER REFERENCES users(id) ON DELETE SET NULL,
    created_at TEXT NOT NULL,
    cancelled_by INTEGER REFERENCES users(id) ON DELETE SET NULL,
    cancelled_at TEXT,
    cancel_reason TEXT,
    UNIQUE (community_id, number)
);
CREATE INDEX periodical_subscriptions_running ON periodical_subscriptions (community_id, periodical_id, state, first_month, last_month);
CREATE INDEX periodical_subscriptions_unit ON periodical_subscriptions (community_id, unit_id);

CREATE TABLE periodical_issues (
    id INTEGER PRIMARY KEY,
    community_id INTEGER NOT NULL REFERENCES communities(id),
    periodical_id INTEGER NOT NULL REFERENCES periodicals(id),
    issue_label TEXT NOT NULL,
    received_on TEXT NOT NULL,
    copies_received INTEGER NOT NULL,
    copies_expected INTEGER NOT NULL,
    copies_delivered INTEGER NOT NULL,
    received_by INTEGER REFERENCES users(id) ON DELETE SET NULL,
    created_at TEXT NOT NULL,
    UNIQUE (community_id, periodical_id, issue_label)
);
CREATE INDEX periodical_issues_day ON periodical_issues (community_id, received_on);

CREATE TABLE periodical_deliveries (
    id INTEGER PRIMARY KEY,
    community_id INTEGER NOT NULL REFERENCES communities(id),
    issue_id INTEGER NOT NULL REFERENCES periodical_issues(id),
    subscription_id INTEGER NOT NULL REFERENCES periodical_subscriptions(id),
    copies INTEGER NOT NULL,
    state TEXT NOT NULL,
    signed_by TEXT,
    delivered_by INTEGER REFERENCES users(id) ON DELETE SET NULL,
    delivered_at TEXT,
    UNIQUE (community_id, issue_id, subscription_id)
);
CREATE INDEX periodical_deliveries_subscription ON periodical_deliveries (community_id, subscription_id);
