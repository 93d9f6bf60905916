-- Visitors (来访登记) and passes (出入证, issue 15 point 1). A pass is a code (scanned from its
-- QR or typed) valid for a time window: a guest's pass pre-registered by an owner in the
-- portal is used once; a temporary pass (临时出入证) or a construction worker's (施工人员出入证)
-- carries a printed number and lets its holder in as often as he comes within its dates. A
-- visit is one entry: registered at the desk (the host confirms in the portal or the desk
-- records a call) or checked in with a pass in one scan (the pass is the host's word).
-- kind: guest | temporary | worker; id_type: resident_id | passport | hk_macao | taiwan |
-- other; answer: confirmed | refused; answered_how: pass | portal | call. The unit's label and
-- the host's name are kept as they were at the gate (the register is a record of that day).
CREATE TABLE visitor_passes (
    id INTEGER PRIMARY KEY,
    community_id INTEGER NOT NULL REFERENCES communities(id),
    kind TEXT NOT NULL,
    code TEXT NOT NULL,
    number TEXT,
    holder_name TEXT NOT NULL,
    id_type TEXT,
    id_number_enc BLOB,
    id_number_masked TEXT,
    phone_enc BLOB,
    unit_id INTEGER REFERENCES units(id),
    unit_label TEXT,
    host_person_id INTEGER REFERENCES people(id) ON DELETE SET NULL,
    host_name TEXT,
    purpose TEXT,
    plate TEXT,
    party_size INTEGER NOT NULL,
    valid_from TEXT NOT NULL,
    valid_until TEXT NOT NULL,
    used_at TEXT,
    entries INTEGER NOT NULL,
    revoked_at TEXT,
    created_by INTEGER REFERENCES users(id) ON DELETE SET NULL,
    created_at TEXT NOT NULL
);
CREATE UNIQUE INDEX visitor_passes_code ON visitor_passes (community_id, code);
CREATE UNIQUE INDEX visitor_passes_number ON visitor_passes (community_id, number) WHERE number IS NOT NULL;
CREATE INDEX visitor_passes_until ON visitor_passes (community_id, valid_until);
CREATE INDEX visitor_passes_host ON visitor_passes (community_id, host_person_id, id);

CREATE TABLE visits (
    id INTEGER PRIMARY KEY,
    community_id INTEGER NOT NULL REFERENCES communities(id),
    pass_id INTEGER REFERENCES visitor_passes(id),
    visitor_name TEXT NOT NULL,
    id_type TEXT,
    id_number_enc BLOB,
    id_number_masked TEXT,
    phone_enc BLOB,
    unit_id INTEGER REFERENCES units(id),
    unit_label TEXT,
    host_person_id INTEGER REFERENCES people(id) ON DELETE SET NULL,
    host_name TEXT,
    purpose TEXT,
    plate TEXT,
    party_size INTEGER NOT NULL,
    answer TEXT,
    answered_how TEXT,
    answered_at TEXT,
    answered_by INTEGER REFERENCES users(id) ON DELETE SET NULL,
    in_at TEXT NOT NULL,
    in_by INTEGER REFERENCES users(id) ON DELETE SET NULL,
    out_at TEXT,
    out_by INTEGER REFERENCES users(id) ON DELETE SET NULL
);
CREATE INDEX visits_in ON visits (community_id, in_at);
CREATE INDEX visits_inside ON visits (community_id, id) WHERE out_at IS NULL;
CREATE INDEX visits_host ON visits (community_id, host_person_id, id);
CREATE INDEX visits_pass ON visits (community_id, pass_id);
