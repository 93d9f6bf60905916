-- Move-in (入伙, issue 15 point 7; seed 000's 客户入伙程序, 入伙流转表, 房屋验收表, 保修要求处理表,
-- 交房流程满意度调查表, 入伙通知书). A numbered hand-over (RH-000001) of a unit to its owner: the
-- 入伙流转表's checks (identity and purchase documents seen, the service agreement and the
-- 临时管理规约 signed, the 业户资料卡 completed), fees read from billing, the unit's keys in the
-- ledger handed over; completed once on the hand-over day, which sets the unit's state and the
-- day billing starts (proration). The accompanied inspection's defects are warranty items for the
-- developer's contractor, followed up until verified. The owner's satisfaction with the hand-over
-- is kept on the row (five scores and a comment).
CREATE TABLE move_ins (
    id INTEGER PRIMARY KEY,
    community_id INTEGER NOT NULL REFERENCES communities(id),
    number TEXT NOT NULL,
    unit_id INTEGER NOT NULL REFERENCES units(id),
    owner_id INTEGER NOT NULL REFERENCES people(id),
    owner_name TEXT NOT NULL,
    notice_day TEXT NOT NULL,
    state TEXT NOT NULL,
    identity_checked INTEGER NOT NULL,
    purchase_checked INTEGER NOT NULL,
    agreement_signed INTEGER NOT NULL,
    rules_signed INTEGER NOT NULL,
    record_card_done INTEGER NOT NULL,
    note TEXT,
    handover_day TEXT,
    arrears_fen INTEGER,
    arrears_waiver TEXT,
    keys_handed TEXT,
    state_before TEXT,
    state_after TEXT,
    survey_scores TEXT,
    survey_comment TEXT,
    surveyed_at TEXT,
    created_by INTEGER REFERENCES users(id) ON DELETE SET NULL,
    created_at TEXT NOT NULL,
    closed_by INTEGER REFERENCES users(id) ON DELETE SET NULL,
    closed_at TEXT,
    UNIQUE (community_id, number)
);
CREATE INDEX move_ins_state ON move_ins (community_id, state, notice_day);
CREATE INDEX move_ins_unit ON move_ins (community_id, unit_id);

-- A defect found on the accompanied inspection (房屋验收表), for the developer's contractor to
-- fix under warranty (保修要求处理表): open → fixed (the contractor says so) → verified (the desk
-- and the owner saw it), or back to open.
CREATE TABLE warranty_items (
    id INTEGER PRIMARY KEY,
    community_id INTEGER NOT NULL REFERENCES communities(id),
    move_in_id INTEGER NOT NULL REFERENCES move_ins(id),
    unit_id INTEGER NOT NULL REFERENCES units(id),
    room TEXT NOT NULL,
    item TEXT NOT NULL,
    description TEXT NOT NULL,
    contractor TEXT NOT NULL,
    due_on TEXT NOT NULL,
    state TEXT NOT NULL,
    fixed_at TEXT,
    fixed_note TEXT,
    verified_at TEXT,
    verified_by INTEGER REFERENCES users(id) ON DELETE SET NULL,
    created_by INTEGER REFERENCES users(id) ON DELETE SET NULL,
    created_at TEXT NOT NULL
);
CREATE INDEX warranty_items_contractor ON warranty_items (community_id, contractor, state);
CREATE INDEX warranty_items_move_in ON warranty_items (community_id, move_in_id);
