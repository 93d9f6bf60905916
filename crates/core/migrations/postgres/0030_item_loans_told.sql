-- An item lent and not back by its due time is told to its borrower once by the front-desk job,
-- as keys are (`key_loans.overdue_told_at`).
ALTER TABLE item_loans ADD COLUMN overdue_told_at TIMESTAMPTZ;
