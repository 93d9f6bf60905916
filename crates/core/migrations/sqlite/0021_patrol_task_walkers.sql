-- Who walks a task is written on the task: `walkers`, the people's ids in ascending order, each
-- between commas (",12,34,"; '' for nobody), as they were when the task was generated (its plan's
-- people less those on leave, or the roster's shift that day). A day of a company's rounds is
-- then one row a round instead of one a round and one a walker. A person's rounds are found
-- among the community's tasks of the hours asked (a few hundred) by `LIKE '%,<id>,%'`.
ALTER TABLE patrol_tasks ADD COLUMN walkers TEXT NOT NULL DEFAULT '';
UPDATE patrol_tasks SET walkers = COALESCE((SELECT ',' || group_concat(p.user_id, ',' ORDER BY p.user_id) || ','
    FROM patrol_task_people p WHERE p.community_id = patrol_tasks.community_id AND p.task_id = patrol_tasks.id), '');
DROP TABLE patrol_task_people;
