-- Small items the desk lends (雨伞/工具借用, issue 15 point 4): each with its stock, how many
-- are out, an optional deposit a piece (taken into billing's deposits and paid back on return)
-- and how many days a loan runs. `out_count` moves with every loan and return in the same
-- transaction; the CHECK keeps two desks from lending the last piece twice.
CREATE TABLE lend_items (
    id INTEGER PRIMARY KEY,
    community_id INTEGER NOT NULL REFERENCES communities(id),
    name TEXT NOT NULL,
    stock INTEGER NOT NULL,
    out_count INTEGER NOT NULL DEFAULT 0,
    deposit_fen INTEGER NOT NULL,
    loan_days INTEGER NOT NULL,
    note TEXT,
    retired_at TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    UNIQUE (community_id, name),
    CHECK (out_count >= 0 AND out_count <= stock)
);

-- A loan (借用登记): what and how many, to whom (a unit's person, or a name and phone,
-- encrypted), when out and due back, the deposit taken for it (billing's `deposits`), and the
-- return: when, to whom, a note.
CREATE TABLE item_loans (
    id INTEGER PRIMARY KEY,
    community_id INTEGER NOT NULL REFERENCES communities(id),
    item_id INTEGER NOT NULL REFERENCES lend_items(id),
    quantity INTEGER NOT NULL,
    unit_id INTEGER REFERENCES units(id),
    person_id INTEGER REFERENCES people(id),
    borrower_name TEXT NOT NULL,
    phone_enc BLOB,
    lent_at TEXT NOT NULL,
    due_at TEXT NOT NULL,
    lent_by INTEGER REFERENCES users(id) ON DELETE SET NULL,
    deposit_id INTEGER REFERENCES deposits(id),
    note TEXT,
    returned_at TEXT,
    returned_to INTEGER REFERENCES users(id) ON DELETE SET NULL,
    return_note TEXT
);
CREATE INDEX item_loans_out ON item_loans (community_id, returned_at, due_at);
CREATE INDEX item_loans_item ON item_loans (community_id, item_id, lent_at);
CREATE INDEX item_loans_unit ON item_loans (community_id, unit_id, lent_at);
