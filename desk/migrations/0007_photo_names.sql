-- Photos are named by an HMAC of their report's id (the id is the resident's status
-- secret: a listing of the photo folder or bucket must not reveal it). The key is made at
-- the first start after this migration and kept here, with the data it protects, so a
-- backup restores names that still match. Photos stored before keep their names: each
-- row's object_key says where its photo is.
-- IF NOT EXISTS: pg_restore --clean of a backup made before this migration drops only what
-- the backup holds, so this table can outlive it and the migration then runs again.
CREATE TABLE IF NOT EXISTS desk_secrets (
    name TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

-- The orphan sweep asks, per stored object, whether a kept photo row names it.
CREATE INDEX IF NOT EXISTS report_photos_by_object_key ON report_photos (object_key);
