-- Staff scorecards (绩效考评表, issue 16 point 6): per role, the indicators of the company's library
-- it is measured by, each with its weight (the role's weights sum to 100) and its monthly target
-- in thousandths of the indicator's unit (a count, a rate in %, a mean rating). A role without
-- rows of its own is measured by the built-in card.
CREATE TABLE kpi_scorecards (
    id INTEGER PRIMARY KEY,
    company_id INTEGER NOT NULL REFERENCES companies(id),
    role TEXT NOT NULL,
    position INTEGER NOT NULL,
    indicator TEXT NOT NULL,
    weight_pct INTEGER NOT NULL,
    target_milli INTEGER NOT NULL,
    UNIQUE (company_id, role, indicator)
);
