-- The key ledger (钥匙台账, issue 15 point 3): cabinets with one keeper each, every key labelled
-- with a code and what it opens, kept at a position of a cabinet; the lending register; owners'
-- spare keys deposited with the centre (业主寄存钥匙) lend only against an authorisation the
-- owner gave and the desk recorded.

-- A key cabinet (钥匙柜) and the one person who keeps it (专人管理).
CREATE TABLE key_cabinets (
    id INTEGER PRIMARY KEY,
    community_id INTEGER NOT NULL REFERENCES communities(id),
    name TEXT NOT NULL,
    location TEXT,
    keeper_id INTEGER NOT NULL REFERENCES users(id),
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    UNIQUE (community_id, name)
);

-- A labelled key (one ring of `copies` keys on one hook). kind: unit | machine_room |
-- common_door | other; unit_id for a unit's key; opens: what it opens as the tag says;
-- deposited_by: the owner who left his spare key (业主寄存); state: in | out | retired.
CREATE TABLE key_items (
    id INTEGER PRIMARY KEY,
    community_id INTEGER NOT NULL REFERENCES communities(id),
    cabinet_id INTEGER NOT NULL REFERENCES key_cabinets(id),
    position TEXT NOT NULL,
    code TEXT NOT NULL,
    kind TEXT NOT NULL,
    unit_id INTEGER REFERENCES units(id),
    opens TEXT NOT NULL,
    copies INTEGER NOT NULL,
    deposited_by INTEGER REFERENCES people(id),
    state TEXT NOT NULL,
    note TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    UNIQUE (community_id, code)
);
CREATE INDEX key_items_cabinet ON key_items (community_id, cabinet_id, position);
CREATE INDEX key_items_unit ON key_items (community_id, unit_id);

-- An owner's authorisation to hand his deposited key to someone (授权): who (name, phone
-- encrypted), until when, how it was given (written | phone_call | in_person); revoked when
-- the owner withdraws it.
CREATE TABLE key_authorisations (
    id INTEGER PRIMARY KEY,
    community_id INTEGER NOT NULL REFERENCES communities(id),
    key_id INTEGER NOT NULL REFERENCES key_items(id) ON DELETE CASCADE,
    person_name TEXT NOT NULL,
    phone_enc BLOB,
    valid_until TEXT,
    how TEXT NOT NULL,
    note TEXT,
    recorded_by INTEGER REFERENCES users(id) ON DELETE SET NULL,
    recorded_at TEXT NOT NULL,
    revoked_at TEXT,
    revoked_by INTEGER REFERENCES users(id) ON DELETE SET NULL
);
CREATE INDEX key_authorisations_key ON key_authorisations (community_id, key_id);

-- The lending register (钥匙领用登记): who took it (a member of staff, or a named outsider with
-- a phone, encrypted), why, when out, due back, returned when and to whom. A key is out at most
-- once: the partial unique index makes the second of two lendings at once fail.
CREATE TABLE key_loans (
    id INTEGER PRIMARY KEY,
    community_id INTEGER NOT NULL REFERENCES communities(id),
    key_id INTEGER NOT NULL REFERENCES key_items(id),
    borrower_user_id INTEGER REFERENCES users(id) ON DELETE SET NULL,
    borrower_name TEXT NOT NULL,
    borrower_phone_enc BLOB,
    purpose TEXT NOT NULL,
    authorisation_id INTEGER REFERENCES key_authorisations(id),
    lent_at TEXT NOT NULL,
    due_at TEXT NOT NULL,
    lent_by INTEGER REFERENCES users(id) ON DELETE SET NULL,
    returned_at TEXT,
    returned_to INTEGER REFERENCES users(id) ON DELETE SET NULL,
    return_note TEXT,
    overdue_told_at TEXT
);
CREATE UNIQUE INDEX key_loans_open ON key_loans (community_id, key_id) WHERE returned_at IS NULL;
CREATE INDEX key_loans_of ON key_loans (community_id, key_id, id);
CREATE INDEX key_loans_due ON key_loans (community_id, due_at) WHERE returned_at IS NULL;

-- The desk's daily work (frontdesk.work: agents, guards and the managers) and its settings
-- (frontdesk.manage: the managers).
UPDATE roles SET permissions = permissions || ',frontdesk.manage,frontdesk.work'
    WHERE code IN ('company_admin', 'project_manager') AND builtin = 1;
UPDATE roles SET permissions = permissions || ',frontdesk.work'
    WHERE code IN ('service_agent', 'security') AND builtin = 1;
