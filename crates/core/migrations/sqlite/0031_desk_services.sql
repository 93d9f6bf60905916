-- The desk's paid services (有偿服务 · 商务服务, issue 15 point 10): a published price list per
-- community (复印, 传真, 刻字, 门禁卡/磁卡代售 …), each with its unit of sale and price, retired
-- rather than deleted; and each sale at the desk, with the price it was sold at and the charge of
-- the unit it was billed to (billing's paid-service item; paid at the cashier).
CREATE TABLE desk_services (
    id INTEGER PRIMARY KEY,
    community_id INTEGER NOT NULL REFERENCES communities(id),
    name TEXT NOT NULL,
    unit_name TEXT NOT NULL,
    price_fen INTEGER NOT NULL,
    retired_at TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    UNIQUE (community_id, name)
);

CREATE TABLE desk_sales (
    id INTEGER PRIMARY KEY,
    community_id INTEGER NOT NULL REFERENCES communities(id),
    service_id INTEGER NOT NULL REFERENCES desk_services(id),
    name TEXT NOT NULL,
    unit_name TEXT NOT NULL,
    quantity INTEGER NOT NULL,
    price_fen INTEGER NOT NULL,
    amount_fen INTEGER NOT NULL,
    unit_id INTEGER NOT NULL REFERENCES units(id),
    buyer_name TEXT NOT NULL,
    charge_id INTEGER REFERENCES charges(id),
    note TEXT,
    sold_by INTEGER REFERENCES users(id) ON DELETE SET NULL,
    created_at TEXT NOT NULL
);
CREATE INDEX desk_sales_at ON desk_sales (community_id, created_at);

-- Locks changed or broken open (破/换门锁): only for an owner of the unit whose ID the desk checked
-- against the registry (the number kept masked), the locksmith, why, and a fee charged to the unit
-- when there is one.
CREATE TABLE lock_changes (
    id INTEGER PRIMARY KEY,
    community_id INTEGER NOT NULL REFERENCES communities(id),
    unit_id INTEGER NOT NULL REFERENCES units(id),
    person_id INTEGER NOT NULL REFERENCES people(id),
    owner_name TEXT NOT NULL,
    id_masked TEXT NOT NULL,
    kind TEXT NOT NULL,
    locksmith TEXT NOT NULL,
    reason TEXT NOT NULL,
    fee_fen INTEGER NOT NULL,
    charge_id INTEGER REFERENCES charges(id),
    done_by INTEGER REFERENCES users(id) ON DELETE SET NULL,
    created_at TEXT NOT NULL
);
CREATE INDEX lock_changes_unit ON lock_changes (community_id, unit_id, created_at);
CREATE INDEX lock_changes_at ON lock_changes (community_id, created_at);
