-- A lent item reported lost (issue 15 point 4): the loan is closed as lost, its pieces leave the
-- stock, and its deposit is kept in full (billing's deposit is settled with nothing paid back).
ALTER TABLE item_loans ADD COLUMN lost INTEGER NOT NULL DEFAULT 0;
