-- Who walks a task is written on the task: `walkers`, the people's ids in ascending order, each
-- between commas (",12,34,"; '' for nobody), as they were when the task was generated (its plan's
-- people less those on leave, or the roster's shift that day). A day of a company's rounds is
-- then one row a round instead of one a round and one a walker. A person's rounds are found
-- among the community's tasks of the hours asked (a few hundred) by `LIKE '%,<id>,%'`.
ALTER TABLE patrol_tasks ADD COLUMN walkers TEXT NOT NULL DEFAULT '';
UPDATE patrol_tasks t SET walkers = ',' || p.ids || ','
FROM (SELECT community_id, task_id, string_agg(user_id::TEXT, ',' ORDER BY user_id) AS ids
      FROM patrol_task_people GROUP BY community_id, task_id) p
WHERE p.community_id = t.community_id AND p.task_id = t.id;
DROP TABLE patrol_task_people;

-- A task's plan and route are checked once a statement, not once a row. A foreign key runs a
-- lookup that locks the referenced row for every task written, which made a day of a thousand
-- communities' rounds (150,000 tasks) take 7 s, against 1.5 s for the same rows checked in one
-- join, as charges are (0012). The same guarantee is kept:
-- - the statement's trigger below checks every new task's plan and route at once, and locks them
--   as a key does (FOR KEY SHARE: a plan or route cannot be deleted under a generation pass); it
--   is stricter than the keys were: the plan and the route must be of the task's community;
-- - a task's community, plan and route are never changed;
-- - deleting a plan deletes its tasks first (the key's ON DELETE CASCADE); deleting a route a
--   task points at is refused with SQLSTATE 23503, as the key refused. wuye deletes neither (it
--   makes them inactive).
-- SQLite keeps its foreign keys: it checks them in-process, at a cost it can afford.
ALTER TABLE patrol_tasks DROP CONSTRAINT patrol_tasks_community_id_fkey,
    DROP CONSTRAINT patrol_tasks_plan_id_fkey, DROP CONSTRAINT patrol_tasks_route_id_fkey;

CREATE FUNCTION patrol_tasks_check_refs() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM 1 FROM patrol_plans p
        WHERE p.id IN (SELECT DISTINCT plan_id FROM patrol_tasks_new) FOR KEY SHARE;
    PERFORM 1 FROM patrol_routes r
        WHERE r.id IN (SELECT DISTINCT route_id FROM patrol_tasks_new) FOR KEY SHARE;
    IF EXISTS (SELECT 1 FROM patrol_tasks_new n
               WHERE NOT EXISTS (SELECT 1 FROM patrol_plans p
                                 WHERE p.id = n.plan_id AND p.community_id = n.community_id)
                  OR NOT EXISTS (SELECT 1 FROM patrol_routes r
                                 WHERE r.id = n.route_id AND r.community_id = n.community_id)) THEN
        RAISE EXCEPTION 'a task''s plan or route is not of its community'
            USING ERRCODE = 'foreign_key_violation', TABLE = 'patrol_tasks';
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER patrol_tasks_check_refs AFTER INSERT ON patrol_tasks
    REFERENCING NEW TABLE AS patrol_tasks_new
    FOR EACH STATEMENT EXECUTE FUNCTION patrol_tasks_check_refs();

CREATE FUNCTION patrol_tasks_fixed_refs() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'a task''s community, plan and route are not changed'
        USING ERRCODE = 'foreign_key_violation', TABLE = 'patrol_tasks';
END $$;
CREATE TRIGGER patrol_tasks_fixed_refs BEFORE UPDATE OF community_id, plan_id, route_id
    ON patrol_tasks FOR EACH ROW
    WHEN (OLD.community_id IS DISTINCT FROM NEW.community_id
          OR OLD.plan_id IS DISTINCT FROM NEW.plan_id OR OLD.route_id IS DISTINCT FROM NEW.route_id)
    EXECUTE FUNCTION patrol_tasks_fixed_refs();

CREATE FUNCTION patrol_plans_drop_tasks() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM patrol_tasks WHERE community_id = OLD.community_id AND plan_id = OLD.id;
    RETURN OLD;
END $$;
CREATE TRIGGER patrol_plans_drop_tasks BEFORE DELETE ON patrol_plans
    FOR EACH ROW EXECUTE FUNCTION patrol_plans_drop_tasks();

CREATE FUNCTION patrol_routes_keep_tasks() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF EXISTS (SELECT 1 FROM patrol_tasks WHERE community_id = OLD.community_id AND route_id = OLD.id) THEN
        RAISE EXCEPTION 'patrol route % has tasks', OLD.id
            USING ERRCODE = 'foreign_key_violation', TABLE = 'patrol_tasks';
    END IF;
    RETURN OLD;
END $$;
CREATE TRIGGER patrol_routes_keep_tasks BEFORE DELETE ON patrol_routes
    FOR EACH ROW EXECUTE FUNCTION patrol_routes_keep_tasks();
