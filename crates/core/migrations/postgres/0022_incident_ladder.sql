-- The escalation ladder an incident was opened with (JSON, as `emergency_plans.ladder`): a plan
-- edited while an incident runs changes the incidents opened after, not who this one tells next.
-- Incidents opened before keep their plan's ladder as it is now.
ALTER TABLE incidents ADD COLUMN ladder TEXT;
UPDATE incidents SET ladder = (SELECT p.ladder FROM emergency_plans p WHERE p.id = incidents.plan_id);
