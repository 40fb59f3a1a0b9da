-- The resident's view of a dispatched report: which history event a passed review (复查)
-- made, and whether staff chose to show the resident the unit's after-photo. Numbered
-- 0009: 0008 and 0010 are other changes'; sqlx applies whatever is missing, in order.
ALTER TABLE dispatch_tasks ADD COLUMN passed_seq BIGINT;                   -- the pass's event
ALTER TABLE dispatch_tasks ADD COLUMN photo_public BIGINT NOT NULL DEFAULT 0;  -- 1: shown
