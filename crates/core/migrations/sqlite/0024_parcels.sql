-- Parcels and mail held at the desk (代收快递 / 邮件, issue 15 point 2). A parcel is received
-- for a unit's person (or a name and a phone typed from its label), put on a shelf and given
-- a six-digit pick-up code unique among the community's parcels held; the code goes to the
-- recipient through the outbox. It is picked up by its code or the recipient's ID, with a
-- signature drawn on the screen, or returned to the carrier. kind: parcel | letter |
-- registered | periodical; state: held | picked | returned; pickup_method: code | id_card.
CREATE TABLE parcels (
    id INTEGER PRIMARY KEY,
    community_id INTEGER NOT NULL REFERENCES communities(id),
    kind TEXT NOT NULL,
    carrier TEXT NOT NULL,
    tracking_no TEXT,
    unit_id INTEGER REFERENCES units(id),
    recipient_id INTEGER REFERENCES people(id) ON DELETE SET NULL,
    recipient_name TEXT NOT NULL,
    phone_enc BLOB,
    shelf TEXT,
    code TEXT NOT NULL,
    state TEXT NOT NULL,
    note TEXT,
    received_at TEXT NOT NULL,
    received_by INTEGER REFERENCES users(id) ON DELETE SET NULL,
    reminded_at TEXT,
    reminders INTEGER NOT NULL,
    picked_at TEXT,
    picked_by_name TEXT,
    pickup_method TEXT,
    id_number_masked TEXT,
    handed_by INTEGER REFERENCES users(id) ON DELETE SET NULL,
    returned_at TEXT,
    return_note TEXT
);
-- The code finds the held parcel (one per code at a time); a tracking number is held once.
CREATE UNIQUE INDEX parcels_held_code ON parcels (community_id, code) WHERE state = 'held';
CREATE UNIQUE INDEX parcels_held_tracking ON parcels (community_id, carrier, tracking_no)
    WHERE state = 'held' AND tracking_no IS NOT NULL;
CREATE INDEX parcels_state ON parcels (community_id, state, received_at);
CREATE INDEX parcels_unit ON parcels (community_id, unit_id, id);
-- The owner's parcels in the portal.
CREATE INDEX parcels_recipient ON parcels (community_id, recipient_id, id);

-- The signature drawn at pick-up (PNG).
CREATE TABLE parcel_signatures (
    parcel_id INTEGER PRIMARY KEY REFERENCES parcels(id) ON DELETE CASCADE,
    community_id INTEGER NOT NULL REFERENCES communities(id),
    png BLOB NOT NULL,
    created_at TEXT NOT NULL
);
