-- Notices (公告, issue 13 point 1), the public board of each community (三公开公示栏, point 2)
-- and community activities (社区活动, point 3).

-- A notice of one community. A company-wide notice is one copy per community, the copies sharing
-- `series_id` (the first copy's id), so that each community's rows stay on its own shard and
-- each copy counts its own readers. `state` is draft, published or withdrawn; a published notice
-- shows from `publish_at` (later than now: scheduled) until `expires_at`. `notified_at` is when
-- its notifications were written (at publication, or by the scheduler when `publish_at` comes).
CREATE TABLE announcements (
    id INTEGER PRIMARY KEY,
    community_id INTEGER NOT NULL REFERENCES communities(id),
    series_id INTEGER,
    scope TEXT NOT NULL,
    category TEXT NOT NULL,
    title TEXT NOT NULL,
    body TEXT NOT NULL,
    pinned INTEGER NOT NULL,
    state TEXT NOT NULL,
    publish_at TEXT,
    expires_at TEXT,
    notified_at TEXT,
    created_by INTEGER REFERENCES users(id) ON DELETE SET NULL,
    created_at TEXT NOT NULL,
    published_by INTEGER REFERENCES users(id) ON DELETE SET NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX announcements_list ON announcements (community_id, state, publish_at);
-- The copies of a company-wide notice, across communities.
CREATE INDEX announcements_series ON announcements (series_id) WHERE series_id IS NOT NULL;
-- The scheduler's queue: published notices whose notifications are not written yet.
CREATE INDEX announcements_due ON announcements (publish_at) WHERE state = 'published' AND notified_at IS NULL;

-- The buildings a notice of scope `buildings` is for.
CREATE TABLE announcement_buildings (
    community_id INTEGER NOT NULL REFERENCES communities(id),
    announcement_id INTEGER NOT NULL REFERENCES announcements(id) ON DELETE CASCADE,
    building_id INTEGER NOT NULL REFERENCES buildings(id) ON DELETE CASCADE,
    PRIMARY KEY (community_id, announcement_id, building_id)
);

-- Attachments (images, PDF): the file under `<data dir>/files/announcements/`.
CREATE TABLE announcement_files (
    id INTEGER PRIMARY KEY,
    community_id INTEGER NOT NULL REFERENCES communities(id),
    announcement_id INTEGER NOT NULL REFERENCES announcements(id) ON DELETE CASCADE,
    file_name TEXT NOT NULL,
    original_name TEXT NOT NULL,
    content_type TEXT NOT NULL,
    size_bytes INTEGER NOT NULL,
    created_by INTEGER REFERENCES users(id) ON DELETE SET NULL,
    created_at TEXT NOT NULL
);
CREATE INDEX announcement_files_of ON announcement_files (community_id, announcement_id, id);

-- Who read a notice, and when (the first time).
CREATE TABLE announcement_reads (
    community_id INTEGER NOT NULL REFERENCES communities(id),
    announcement_id INTEGER NOT NULL REFERENCES announcements(id) ON DELETE CASCADE,
    user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    read_at TEXT NOT NULL,
    PRIMARY KEY (community_id, announcement_id, user_id)
);

-- The public board of a community: what the centre publishes without a login (its services
-- and their standards, contacts, the people on duty), each a JSON list the centre edits. The
-- fee schedule, paid-service prices and latest notices are read from their own modules.
-- `slug` is the board's public address: unguessable, so boards cannot be walked by number.
CREATE TABLE community_boards (
    community_id INTEGER PRIMARY KEY REFERENCES communities(id),
    slug TEXT NOT NULL UNIQUE,
    services TEXT NOT NULL,
    contacts TEXT NOT NULL,
    complaint_phone TEXT NOT NULL,
    on_duty TEXT NOT NULL,
    note TEXT NOT NULL,
    updated_by INTEGER REFERENCES users(id) ON DELETE SET NULL,
    updated_at TEXT NOT NULL
);

-- Community activities (社区活动, point 3): the plan (aim, place, time, budget), sign-up from the
-- portal up to `capacity` (`taken` counts the confirmed seats, changed only by a conditional
-- UPDATE so that two last sign-ups cannot both win), check-in, photos, and the summary that
-- closes it. `state`: planned, open, done or cancelled. Money in fen.
CREATE TABLE activities (
    id INTEGER PRIMARY KEY,
    community_id INTEGER NOT NULL REFERENCES communities(id),
    title TEXT NOT NULL,
    aim TEXT NOT NULL,
    plan TEXT NOT NULL,
    place TEXT NOT NULL,
    starts_at TEXT NOT NULL,
    ends_at TEXT NOT NULL,
    signup_until TEXT,
    capacity INTEGER,
    taken INTEGER NOT NULL,
    budget_fen INTEGER NOT NULL,
    state TEXT NOT NULL,
    summary TEXT NOT NULL,
    cost_fen INTEGER,
    created_by INTEGER REFERENCES users(id) ON DELETE SET NULL,
    created_at TEXT NOT NULL,
    opened_at TEXT,
    done_at TEXT,
    updated_at TEXT NOT NULL
);
CREATE INDEX activities_list ON activities (community_id, starts_at);

-- Who signed up: a seat (`confirmed`), the waiting list (`waiting`, in id order) or `cancelled`.
CREATE TABLE activity_signups (
    id INTEGER PRIMARY KEY,
    community_id INTEGER NOT NULL REFERENCES communities(id),
    activity_id INTEGER NOT NULL REFERENCES activities(id) ON DELETE CASCADE,
    user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    state TEXT NOT NULL,
    checked_in_at TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    UNIQUE (community_id, activity_id, user_id)
);
CREATE INDEX activity_signups_of ON activity_signups (community_id, activity_id, state, id);

-- Photos of an activity: the file under `<data dir>/files/activities/`.
CREATE TABLE activity_photos (
    id INTEGER PRIMARY KEY,
    community_id INTEGER NOT NULL REFERENCES communities(id),
    activity_id INTEGER NOT NULL REFERENCES activities(id) ON DELETE CASCADE,
    file_name TEXT NOT NULL,
    content_type TEXT NOT NULL,
    size_bytes INTEGER NOT NULL,
    created_by INTEGER REFERENCES users(id) ON DELETE SET NULL,
    created_at TEXT NOT NULL
);
CREATE INDEX activity_photos_of ON activity_photos (community_id, activity_id, id);

-- Who may publish notices, keep the board and run activities: the managers and the service desk.
UPDATE roles SET permissions = permissions || ',announcements.manage'
    WHERE code IN ('company_admin', 'project_manager', 'service_agent') AND builtin = 1;
