-- Switching to wuye (issue 17, points 2 and 3): what a property centre brings from its old
-- system besides arrears — the owners' prepaid balances, the deposits it holds, and where each
-- meter stood.

-- Deposits held (押金: 装修押金 and others). Not a charge and not income: money held for the
-- payer and paid back later. A deposit taken at the desk (received_method set) is money in that
-- cashier's day; a refund is money out of the refunding cashier's day, so the daily close counts
-- both by their business dates. An imported one was received before the switch: in no close.
CREATE TABLE deposits (
    id INTEGER PRIMARY KEY,
    community_id INTEGER NOT NULL REFERENCES communities(id),
    unit_id INTEGER NOT NULL REFERENCES units(id),
    kind TEXT NOT NULL,
    amount_fen INTEGER NOT NULL,
    received_on TEXT NOT NULL,
    payer TEXT NOT NULL,
    note TEXT,
    source TEXT NOT NULL,
    received_method TEXT,
    received_by INTEGER,
    received_business_date TEXT,
    state TEXT NOT NULL,
    refunded_at TEXT,
    refund_method TEXT,
    refund_reason TEXT,
    refunded_by INTEGER,
    refunded_by_name TEXT,
    refund_business_date TEXT,
    created_by INTEGER,
    created_at TEXT NOT NULL
);
CREATE INDEX deposits_unit ON deposits (community_id, unit_id, received_on);
CREATE INDEX deposits_refund_day ON deposits (community_id, refund_business_date);
CREATE INDEX deposits_receive_day ON deposits (community_id, received_business_date);

-- One opening prepaid balance per unit: importing the same file twice, or two imports at once,
-- credits it once.
CREATE UNIQUE INDEX prepaid_entries_opening ON prepaid_entries (community_id, unit_id) WHERE kind = 'opening';

-- The day of the reading a meter starts from in wuye (its baseline from the old system); the
-- value is last_value.
ALTER TABLE meters ADD COLUMN baseline_on TEXT;
