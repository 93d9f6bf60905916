-- Quality campaigns (专项工作, issue 16 point 5; seed 001's 物业基础服务管理品质提升专项工作): the
-- company's campaign with its five phases and their dates (发动宣讲, 自查自纠, 整改预防, 检查验收,
-- 专项总结), the sheets and weights of its final audit ("sheet_id:weight,…"), and its summary
-- once closed. Each community taking part keeps its self-check plan (自查自纠实施方案: what, who,
-- by when, done) and the final audit opened for it in the acceptance phase.
CREATE TABLE quality_campaigns (
    id INTEGER PRIMARY KEY,
    company_id INTEGER NOT NULL REFERENCES companies(id),
    name TEXT NOT NULL,
    aim TEXT,
    sheets TEXT NOT NULL,
    state TEXT NOT NULL,
    summary TEXT,
    created_by INTEGER REFERENCES users(id) ON DELETE SET NULL,
    created_at TEXT NOT NULL,
    closed_by INTEGER REFERENCES users(id) ON DELETE SET NULL,
    closed_at TEXT,
    updated_at TEXT NOT NULL
);
CREATE INDEX quality_campaigns_company ON quality_campaigns (company_id, id);

CREATE TABLE campaign_phases (
    id INTEGER PRIMARY KEY,
    company_id INTEGER NOT NULL REFERENCES companies(id),
    campaign_id INTEGER NOT NULL REFERENCES quality_campaigns(id),
    position INTEGER NOT NULL,
    phase TEXT NOT NULL,
    starts_on TEXT NOT NULL,
    ends_on TEXT NOT NULL,
    tasks TEXT NOT NULL,
    UNIQUE (campaign_id, position)
);

CREATE TABLE campaign_communities (
    community_id INTEGER NOT NULL REFERENCES communities(id),
    campaign_id INTEGER NOT NULL REFERENCES quality_campaigns(id),
    audit_id INTEGER REFERENCES audits(id),
    PRIMARY KEY (community_id, campaign_id)
);

CREATE TABLE campaign_tasks (
    id INTEGER PRIMARY KEY,
    community_id INTEGER NOT NULL REFERENCES communities(id),
    campaign_id INTEGER NOT NULL REFERENCES quality_campaigns(id),
    phase TEXT NOT NULL,
    title TEXT NOT NULL,
    owner_id INTEGER NOT NULL REFERENCES users(id),
    due_on TEXT NOT NULL,
    done_at TEXT,
    done_note TEXT,
    created_by INTEGER REFERENCES users(id) ON DELETE SET NULL,
    created_at TEXT NOT NULL
);
CREATE INDEX campaign_tasks_of ON campaign_tasks (community_id, campaign_id, due_on);
