-- Satisfaction surveys and the opinion library (满意度调查 / 意见征集库, issue 13 points 4 and 5).
-- A survey belongs to one community; its questions are fixed once it opens. Each targeted portal
-- account answers once (a unique key), and may change his answer until the survey closes.

CREATE TABLE surveys (
    id INTEGER PRIMARY KEY,
    community_id INTEGER NOT NULL REFERENCES communities(id),
    title TEXT NOT NULL,
    intro TEXT,
    -- owners | residents (owners, household members and tenants)
    audience TEXT NOT NULL,
    -- Comma-separated building ids; NULL: the whole community.
    buildings TEXT,
    anonymous INTEGER NOT NULL,
    -- The period, entered as dates of the community's day, kept as UTC instants
    -- (closes_at is the start of the day after the last one).
    opens_at TEXT NOT NULL,
    closes_at TEXT NOT NULL,
    -- draft → open → closed
    state TEXT NOT NULL,
    created_by INTEGER REFERENCES users(id) ON DELETE SET NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    opened_at TEXT,
    closed_at TEXT
);
CREATE INDEX surveys_community ON surveys (community_id, id);

-- A question: single | multiple | score (1–5) | text. options: one per line (choices only).
CREATE TABLE survey_questions (
    id INTEGER PRIMARY KEY,
    community_id INTEGER NOT NULL REFERENCES communities(id),
    survey_id INTEGER NOT NULL REFERENCES surveys(id) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    kind TEXT NOT NULL,
    text TEXT NOT NULL,
    required INTEGER NOT NULL,
    options TEXT,
    -- The opinion library's topic of what this question's comments and low scores are about.
    topic TEXT NOT NULL
);
CREATE INDEX survey_questions_survey ON survey_questions (community_id, survey_id, position);

-- One person's answer to a survey: one row per portal account (the unique key makes two
-- concurrent first answers end as one row).
CREATE TABLE survey_responses (
    id INTEGER PRIMARY KEY,
    community_id INTEGER NOT NULL REFERENCES communities(id),
    survey_id INTEGER NOT NULL REFERENCES surveys(id) ON DELETE CASCADE,
    -- The portal account that answered; no foreign key: an answer outlives its account (an
    -- owner who moved out still counted in a closed survey).
    user_id INTEGER NOT NULL,
    submitted_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    UNIQUE (community_id, survey_id, user_id)
);

-- The answer to one question: a chosen option (value = its index from 0; one row per option of
-- a multiple choice), a score (value = 1..5) or a text.
CREATE TABLE survey_answers (
    community_id INTEGER NOT NULL REFERENCES communities(id),
    survey_id INTEGER NOT NULL REFERENCES surveys(id) ON DELETE CASCADE,
    response_id INTEGER NOT NULL REFERENCES survey_responses(id) ON DELETE CASCADE,
    question_id INTEGER NOT NULL REFERENCES survey_questions(id) ON DELETE CASCADE,
    value INTEGER,
    text TEXT
);
-- A question's latest comments (value NULL, newest response first); a response's answers.
CREATE INDEX survey_answers_question ON survey_answers (community_id, survey_id, question_id, value, response_id);
CREATE INDEX survey_answers_response ON survey_answers (community_id, response_id);

-- The running counts the analysis reads, kept with each answer in its transaction: how many
-- chose each option or gave each score (value), and how many answered the question at all
-- (value -1). A survey of 50,000 answers is analysed from a few dozen rows.
CREATE TABLE survey_tallies (
    community_id INTEGER NOT NULL REFERENCES communities(id),
    survey_id INTEGER NOT NULL REFERENCES surveys(id) ON DELETE CASCADE,
    question_id INTEGER NOT NULL REFERENCES survey_questions(id) ON DELETE CASCADE,
    value INTEGER NOT NULL,
    n INTEGER NOT NULL,
    PRIMARY KEY (community_id, survey_id, question_id, value)
);

-- The opinion library: every opinion from a survey comment or low score, a complaint or a
-- suggestion, with its topic and follow-up state (pending | adopted | replied | rejected).
CREATE TABLE opinions (
    id INTEGER PRIMARY KEY,
    community_id INTEGER NOT NULL REFERENCES communities(id),
    -- survey_comment | survey_low_score | complaint | suggestion
    source TEXT NOT NULL,
    topic TEXT NOT NULL,
    state TEXT NOT NULL,
    body TEXT NOT NULL,
    survey_id INTEGER REFERENCES surveys(id) ON DELETE CASCADE,
    question_id INTEGER REFERENCES survey_questions(id) ON DELETE CASCADE,
    response_id INTEGER REFERENCES survey_responses(id) ON DELETE CASCADE,
    score INTEGER,
    request_id INTEGER REFERENCES requests(id) ON DELETE SET NULL,
    -- Whom the reply reaches (a portal account); hidden from staff for an anonymous survey.
    user_id INTEGER REFERENCES users(id) ON DELETE SET NULL,
    person_name TEXT,
    reply TEXT,
    replied_at TEXT,
    handled_by INTEGER REFERENCES users(id) ON DELETE SET NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    UNIQUE (community_id, response_id, question_id)
);
CREATE INDEX opinions_state ON opinions (community_id, state, id);
CREATE INDEX opinions_created ON opinions (community_id, created_at);

-- Who builds surveys and works the opinion library: the managers (surveys.manage).
UPDATE roles SET permissions = permissions || ',surveys.manage'
    WHERE code IN ('company_admin', 'project_manager') AND builtin = 1;
