-- Photo evidence of an audit item (issue 16 point 2): taken by the auditor on the tablet while the
-- audit is open, kept with it after sign-off.
CREATE TABLE audit_photos (
    id INTEGER PRIMARY KEY,
    community_id INTEGER NOT NULL REFERENCES communities(id),
    audit_id INTEGER NOT NULL REFERENCES audits(id),
    item_id INTEGER NOT NULL REFERENCES audit_sheet_items(id),
    content_type TEXT NOT NULL,
    path TEXT NOT NULL,
    created_by INTEGER REFERENCES users(id) ON DELETE SET NULL,
    created_at TEXT NOT NULL
);
CREATE INDEX audit_photos_of ON audit_photos (community_id, audit_id, item_id);
