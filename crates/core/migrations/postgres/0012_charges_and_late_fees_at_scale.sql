-- Charges and late fees at scale on PostgreSQL.
--
-- A bill run writes a million charges in one transaction. PostgreSQL checks a foreign key row by
-- row: each inserted charge ran three lookups that lock the referenced community, unit and fee
-- item (FOR KEY SHARE), 8 of the 11.5 s of a raw insert of a million rows on the reference
-- machine. The same guarantee is kept in bulk (docs/scale.md, "Charges and their keys"):
-- - whoever inserts charges first locks the units they point at, all in one statement
--   (`billing::store::charges::hold_units`: the lock a foreign key takes, and the check that each
--   unit exists in the charge's community), so a unit cannot be deleted under a bill run;
-- - deleting a unit, a fee item or a community that a charge points at is refused by the
--   triggers below with SQLSTATE 23503 (foreign_key_violation), as the foreign key did.
-- SQLite keeps its foreign keys: it checks them in-process, at a cost it can afford.
ALTER TABLE charges DROP CONSTRAINT charges_community_id_fkey;
ALTER TABLE charges DROP CONSTRAINT charges_unit_id_fkey;
ALTER TABLE charges DROP CONSTRAINT charges_fee_item_id_fkey;

CREATE FUNCTION charges_keep_referenced() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    referenced boolean;
BEGIN
    IF TG_TABLE_NAME = 'units' THEN
        referenced := EXISTS (SELECT 1 FROM charges
            WHERE community_id = OLD.community_id AND unit_id = OLD.id);
    ELSIF TG_TABLE_NAME = 'fee_items' THEN
        referenced := EXISTS (SELECT 1 FROM charges
            WHERE community_id = OLD.community_id AND fee_item_id = OLD.id);
    ELSE
        referenced := EXISTS (SELECT 1 FROM charges WHERE community_id = OLD.id);
    END IF;
    IF referenced THEN
        RAISE EXCEPTION '% % has charges', TG_TABLE_NAME, OLD.id
            USING ERRCODE = 'foreign_key_violation', TABLE = 'charges';
    END IF;
    RETURN OLD;
END $$;
CREATE TRIGGER units_keep_charges BEFORE DELETE ON units
    FOR EACH ROW EXECUTE FUNCTION charges_keep_referenced();
CREATE TRIGGER fee_items_keep_charges BEFORE DELETE ON fee_items
    FOR EACH ROW EXECUTE FUNCTION charges_keep_referenced();
CREATE TRIGGER communities_keep_charges BEFORE DELETE ON communities
    FOR EACH ROW EXECUTE FUNCTION charges_keep_referenced();

-- The daily accrual rewrites the late fee of every overdue charge: with half of each page left
-- free, the new version fits beside the old one (a HOT update: no index entry, and the old
-- version is pruned on a later visit), which made the daily pass over a million late fees a
-- third faster. Pages written from now on keep the room; existing ones get it as they are
-- rewritten.
ALTER TABLE late_fees SET (fillfactor = 50);
