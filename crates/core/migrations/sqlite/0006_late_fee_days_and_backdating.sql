-- Late fees by the day's outstanding (issue 11, point 9) and the permission to enter records late (point 10). A day's fee is what was outstanding
-- on that day × the rate, whatever order the daily job and a payment ran in: the accrual is
-- recomputed from the settlements' dates, so each settlement carries the day the money really
-- changed hands (paid_on: the payment's real date, which a backdated payment sets earlier than
-- on_date, the business day its income is counted on).
ALTER TABLE settlements ADD COLUMN paid_on TEXT;
UPDATE settlements SET paid_on = on_date;

-- What has been posted as late-fee charges, as history: the days it covered and their exact fee
-- in fen × 10⁶ (rounding is applied to the running total, so the postings of a charge add up to
-- its whole fee rounded once). accrued_e6 now holds the unposted days (posted_days, days] only.
ALTER TABLE late_fees ADD COLUMN posted_days INTEGER NOT NULL DEFAULT 0;
ALTER TABLE late_fees ADD COLUMN posted_e6 BIGINT NOT NULL DEFAULT 0;
-- Rows posted before: the unposted days are estimated from the fee accrued since the posting at
-- today's outstanding (exact when the outstanding did not change after the last posting).
UPDATE late_fees SET posted_e6 = posted_fen * 1000000,
    posted_days = CASE WHEN posted_fen = 0 THEN 0 WHEN accrued_e6 = 0 THEN days
        ELSE days - COALESCE(accrued_e6 / (SELECT NULLIF(f.late_fee_ppm * (ch.amount_fen - ch.settled_fen), 0)
            FROM charges ch JOIN fee_items f ON f.id = ch.fee_item_id
            WHERE ch.id = late_fees.charge_id), 0) END;

-- Entering what happened earlier (补录, issue 11 point 10): the desks that take paper forms and
-- calls after the fact (service agents), the cashier who enters a payment taken away from the
-- desk, and the managers above them may date a record back within the window.
UPDATE roles SET permissions = permissions || ',records.backdate'
    WHERE code IN ('company_admin', 'project_manager', 'service_agent', 'cashier') AND builtin = 1;
