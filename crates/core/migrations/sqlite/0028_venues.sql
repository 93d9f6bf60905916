-- Venues and rooms the centre lets residents book (公共场地/会议室预约, issue 15 point 9): opening
-- hours as minutes from local midnight, the slot a booking is made of (30 or 60 minutes), the
-- longest booking, how far ahead one may book, until when before the start a booking is
-- cancelled free, the capacity and an hourly fee (a charge of the booking's unit in billing).
CREATE TABLE venues (
    id INTEGER PRIMARY KEY,
    community_id INTEGER NOT NULL REFERENCES communities(id),
    name TEXT NOT NULL,
    location TEXT,
    capacity INTEGER NOT NULL,
    opens_min INTEGER NOT NULL,
    closes_min INTEGER NOT NULL,
    slot_minutes INTEGER NOT NULL,
    max_hours INTEGER NOT NULL,
    advance_days INTEGER NOT NULL,
    cancel_hours INTEGER NOT NULL,
    hourly_fee_fen INTEGER NOT NULL,
    rules TEXT,
    portal INTEGER NOT NULL,
    retired_at TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    UNIQUE (community_id, name),
    CHECK (opens_min >= 0 AND closes_min <= 1440 AND opens_min < closes_min)
);

-- A booking: the venue, its local day and its span, who booked it (a unit's person, or a name
-- and phone, encrypted), what for and how many, the fee and its charge, where it was made; a
-- cancellation with who, why and whether the fee was kept.
CREATE TABLE venue_bookings (
    id INTEGER PRIMARY KEY,
    community_id INTEGER NOT NULL REFERENCES communities(id),
    venue_id INTEGER NOT NULL REFERENCES venues(id),
    day TEXT NOT NULL,
    starts_at TEXT NOT NULL,
    ends_at TEXT NOT NULL,
    unit_id INTEGER REFERENCES units(id),
    person_id INTEGER REFERENCES people(id),
    booker_name TEXT NOT NULL,
    phone_enc BLOB,
    purpose TEXT NOT NULL,
    attendees INTEGER NOT NULL,
    fee_fen INTEGER NOT NULL,
    charge_id INTEGER REFERENCES charges(id),
    source TEXT NOT NULL,
    booked_by INTEGER REFERENCES users(id) ON DELETE SET NULL,
    created_at TEXT NOT NULL,
    cancelled_at TEXT,
    cancelled_by INTEGER REFERENCES users(id) ON DELETE SET NULL,
    cancel_reason TEXT,
    fee_kept INTEGER
);
CREATE INDEX venue_bookings_day ON venue_bookings (community_id, day, venue_id, starts_at);
CREATE INDEX venue_bookings_person ON venue_bookings (community_id, person_id, starts_at);

-- The slots a booking holds, one row each: the primary key is what keeps two bookings of the
-- last slot at once from both succeeding; a cancellation deletes its rows.
CREATE TABLE venue_slots (
    community_id INTEGER NOT NULL REFERENCES communities(id),
    venue_id INTEGER NOT NULL REFERENCES venues(id),
    starts_at TEXT NOT NULL,
    booking_id INTEGER NOT NULL REFERENCES venue_bookings(id),
    PRIMARY KEY (community_id, venue_id, starts_at)
);
CREATE INDEX venue_slots_booking ON venue_slots (community_id, booking_id);
