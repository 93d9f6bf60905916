-- A photo on the desk's passes (issue 15 point 1): the holder's face as printed on a temporary or
-- a worker's pass, a file under the data directory named by the pass.
ALTER TABLE visitor_passes ADD COLUMN photo_path TEXT;
ALTER TABLE visitor_passes ADD COLUMN photo_type TEXT;
