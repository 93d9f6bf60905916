-- Billing and collection (收费管理): fee items and charge standards, unit accounts with the
-- prepaid balance (预存), bill runs, charges (应收), payments (实收) with their receipts, the
-- settlements that tie payments to charges, and the cashier's day (日结).
--
-- Money is integer fen. Charges are immutable once posted: a correction is a reversal (红冲)
-- row that points at the original, never an edit; the only columns that change are the
-- running `settled_fen` and the `reversed_by` link, both kept equal to the ledger rows.

-- The cashier takes payments and closes his day; the manager sets fees and runs bills.
UPDATE roles SET permissions = permissions || ',billing.collect' WHERE code = 'cashier' AND builtin = 1;
UPDATE roles SET permissions = permissions || ',billing.collect,billing.manage'
    WHERE code IN ('company_admin', 'project_manager') AND builtin = 1;

CREATE TABLE billing_settings (
    community_id INTEGER PRIMARY KEY REFERENCES communities(id),
    prepaid_enabled INTEGER NOT NULL,
    -- A meter's usage above this many times its recent average is flagged for confirmation.
    meter_jump_factor INTEGER NOT NULL,
    updated_at TEXT NOT NULL
);

CREATE TABLE fee_items (
    id INTEGER PRIMARY KEY,
    community_id INTEGER NOT NULL REFERENCES communities(id),
    code TEXT NOT NULL,
    name TEXT NOT NULL,
    kind TEXT NOT NULL,
    -- Late fee (滞纳金): a daily rate in parts per million of the overdue principal
    -- (0.05 % a day = 500), after a grace period, capped at a percentage of the principal.
    late_fee_ppm INTEGER NOT NULL,
    late_fee_grace_days INTEGER NOT NULL,
    late_fee_cap_pct INTEGER,
    active INTEGER NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    UNIQUE (community_id, code)
);

CREATE TABLE charge_standards (
    id INTEGER PRIMARY KEY,
    community_id INTEGER NOT NULL REFERENCES communities(id),
    fee_item_id INTEGER NOT NULL REFERENCES fee_items(id),
    name TEXT NOT NULL,
    method TEXT NOT NULL,
    -- Price in yuan × 10 000 (¥2.35 = 23500), per month for fixed, area and space standards.
    price_e4 INTEGER NOT NULL,
    tiers TEXT NOT NULL,
    cycle TEXT NOT NULL,
    cycle_start_month INTEGER NOT NULL,
    due_day INTEGER NOT NULL,
    rounding TEXT NOT NULL,
    -- Which units or spaces: comma-separated lists, empty = all.
    building_ids TEXT NOT NULL,
    use_kinds TEXT NOT NULL,
    unit_states TEXT NOT NULL,
    space_states TEXT NOT NULL,
    -- Percent of the amount a vacant unit pays (100 = no discount).
    vacant_pct INTEGER NOT NULL,
    active INTEGER NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX charge_standards_item ON charge_standards (community_id, fee_item_id);

-- Per unit: the prepaid balance, and the days it is charged for (交房/入伙 to 迁出).
CREATE TABLE billing_accounts (
    community_id INTEGER NOT NULL REFERENCES communities(id),
    unit_id INTEGER NOT NULL REFERENCES units(id),
    prepaid_fen INTEGER NOT NULL,
    billing_from TEXT,
    billing_until TEXT,
    updated_at TEXT NOT NULL,
    PRIMARY KEY (community_id, unit_id)
);

-- One run per community and period: a bill run's charges are written in the transaction that
-- inserts its row, so running a period twice writes nothing twice.
CREATE TABLE bill_runs (
    id INTEGER PRIMARY KEY,
    community_id INTEGER NOT NULL REFERENCES communities(id),
    period TEXT NOT NULL,
    charges INTEGER NOT NULL,
    total_fen INTEGER NOT NULL,
    prepaid_applied_fen INTEGER NOT NULL,
    created_by INTEGER REFERENCES users(id),
    created_at TEXT NOT NULL,
    UNIQUE (community_id, period)
);

CREATE TABLE charges (
    id INTEGER PRIMARY KEY,
    community_id INTEGER NOT NULL REFERENCES communities(id),
    unit_id INTEGER NOT NULL REFERENCES units(id),
    fee_item_id INTEGER NOT NULL REFERENCES fee_items(id),
    standard_id INTEGER,
    space_id INTEGER,
    bill_run_id INTEGER,
    kind TEXT NOT NULL,
    period TEXT,
    period_from TEXT,
    period_to TEXT,
    description TEXT NOT NULL,
    basis TEXT NOT NULL,
    amount_fen INTEGER NOT NULL,
    settled_fen INTEGER NOT NULL,
    due_date TEXT NOT NULL,
    reverses_id INTEGER,
    reversed_by INTEGER,
    reason TEXT,
    created_by INTEGER,
    created_at TEXT NOT NULL
);
CREATE INDEX charges_unit ON charges (community_id, unit_id, due_date);
CREATE INDEX charges_period ON charges (community_id, period, fee_item_id);

CREATE TABLE payments (
    id INTEGER PRIMARY KEY,
    community_id INTEGER NOT NULL REFERENCES communities(id),
    unit_id INTEGER NOT NULL REFERENCES units(id),
    receipt_no INTEGER NOT NULL,
    kind TEXT NOT NULL,
    method TEXT NOT NULL,
    amount_fen INTEGER NOT NULL,
    to_prepaid_fen INTEGER NOT NULL,
    payer TEXT NOT NULL,
    note TEXT,
    reason TEXT,
    reverses_id INTEGER,
    reversed_by INTEGER,
    idempotency_key TEXT,
    request_digest TEXT,
    cashier_id INTEGER,
    cashier_name TEXT NOT NULL,
    business_date TEXT NOT NULL,
    paid_at TEXT NOT NULL,
    UNIQUE (community_id, receipt_no),
    UNIQUE (community_id, idempotency_key)
);
CREATE INDEX payments_unit ON payments (community_id, unit_id, paid_at);
CREATE INDEX payments_day ON payments (community_id, business_date, cashier_id);

-- What settled which charge: a payment's share, a prepaid deduction, or the undoing of
-- either when a payment is reversed (negative).
CREATE TABLE settlements (
    id INTEGER PRIMARY KEY,
    community_id INTEGER NOT NULL REFERENCES communities(id),
    charge_id INTEGER NOT NULL REFERENCES charges(id),
    payment_id INTEGER REFERENCES payments(id),
    source TEXT NOT NULL,
    amount_fen INTEGER NOT NULL,
    at TEXT NOT NULL,
    -- The community's business day it happened on: income is counted by it.
    on_date TEXT NOT NULL
);
CREATE INDEX settlements_day ON settlements (community_id, on_date);
CREATE INDEX settlements_charge ON settlements (community_id, charge_id);
CREATE INDEX settlements_payment ON settlements (community_id, payment_id);

-- Every movement of a unit's prepaid balance.
CREATE TABLE prepaid_entries (
    id INTEGER PRIMARY KEY,
    community_id INTEGER NOT NULL REFERENCES communities(id),
    unit_id INTEGER NOT NULL REFERENCES units(id),
    kind TEXT NOT NULL,
    amount_fen INTEGER NOT NULL,
    payment_id INTEGER,
    charge_id INTEGER,
    at TEXT NOT NULL
);
CREATE INDEX prepaid_entries_unit ON prepaid_entries (community_id, unit_id, at);

-- A cashier's business day. Every payment upserts its row first, so a close (which updates
-- the same row) and a payment never interleave; a closed day takes no more payments.
CREATE TABLE cashier_days (
    community_id INTEGER NOT NULL REFERENCES communities(id),
    cashier_id INTEGER NOT NULL,
    business_date TEXT NOT NULL,
    payments INTEGER NOT NULL,
    closed_at TEXT,
    totals_json TEXT,
    cash_fen INTEGER,
    total_fen INTEGER,
    note TEXT,
    confirmed_by INTEGER REFERENCES users(id),
    confirmed_at TEXT,
    PRIMARY KEY (community_id, cashier_id, business_date)
);
CREATE INDEX cashier_days_open ON cashier_days (community_id, closed_at, business_date);

-- Late fees (滞纳金) accruing on an overdue charge: days counted after the grace period, and
-- the fee so far in fen × 10⁶ (each day adds outstanding × rate, so a part payment slows it
-- exactly). A payment posts what has accrued as a late-fee charge (posted_fen); a manager may
-- waive it (waived_*), which stops it.
CREATE TABLE late_fees (
    community_id INTEGER NOT NULL,
    charge_id INTEGER NOT NULL,
    days INTEGER NOT NULL,
    accrued_e6 INTEGER NOT NULL,
    posted_fen INTEGER NOT NULL,
    waived_at TEXT,
    waived_by INTEGER,
    waived_reason TEXT,
    PRIMARY KEY (community_id, charge_id)
) WITHOUT ROWID;

-- The day up to which each community's late fees have accrued: the daily job claims a day by
-- moving it forward, so several nodes accrue each day once.
CREATE TABLE late_fee_runs (
    community_id INTEGER PRIMARY KEY REFERENCES communities(id),
    as_of TEXT NOT NULL,
    charges INTEGER NOT NULL,
    ran_at TEXT NOT NULL
);

-- The reminder log (费用催缴记录表): each time the centre chased a unit for arrears.
CREATE TABLE reminders (
    id INTEGER PRIMARY KEY,
    community_id INTEGER NOT NULL REFERENCES communities(id),
    unit_id INTEGER NOT NULL REFERENCES units(id),
    at TEXT NOT NULL,
    method TEXT NOT NULL,
    owed_fen INTEGER NOT NULL,
    result TEXT NOT NULL,
    next_step TEXT,
    by_id INTEGER,
    by_name TEXT NOT NULL
);
CREATE INDEX reminders_unit ON reminders (community_id, unit_id, at);
CREATE INDEX reminders_at ON reminders (community_id, at);

-- Expenses finance enters for the quarterly publication of income and expenses (每季度公布收支),
-- and the movements of the common maintenance fund (共有资金) that are not fee income.
CREATE TABLE expenses (
    id INTEGER PRIMARY KEY,
    community_id INTEGER NOT NULL REFERENCES communities(id),
    spent_on TEXT NOT NULL,
    category TEXT NOT NULL,
    description TEXT NOT NULL,
    amount_fen INTEGER NOT NULL,
    from_fund INTEGER NOT NULL,
    created_by INTEGER,
    created_at TEXT NOT NULL
);
CREATE INDEX expenses_day ON expenses (community_id, spent_on);

-- Meters (水表、电表、燃气表) of units, each priced by a charge standard of method `meter`; the last
-- reading carries forward to the next period.
CREATE TABLE meters (
    id INTEGER PRIMARY KEY,
    community_id INTEGER NOT NULL REFERENCES communities(id),
    unit_id INTEGER NOT NULL REFERENCES units(id),
    kind TEXT NOT NULL,
    standard_id INTEGER NOT NULL REFERENCES charge_standards(id),
    last_value INTEGER NOT NULL,
    active INTEGER NOT NULL,
    created_at TEXT NOT NULL,
    UNIQUE (community_id, unit_id, kind)
);

-- Readings (抄表), one per meter and period, values in hundredths. A reading below the last one or
-- a jump beyond the community's factor is flagged and charges nothing until confirmed.
CREATE TABLE meter_readings (
    id INTEGER PRIMARY KEY,
    community_id INTEGER NOT NULL REFERENCES communities(id),
    meter_id INTEGER NOT NULL REFERENCES meters(id),
    period TEXT NOT NULL,
    prev_value INTEGER NOT NULL,
    value INTEGER NOT NULL,
    usage INTEGER NOT NULL,
    flag TEXT,
    confirmed_by INTEGER,
    confirmed_at TEXT,
    charge_id INTEGER,
    created_by INTEGER,
    created_at TEXT NOT NULL,
    UNIQUE (community_id, meter_id, period)
);
