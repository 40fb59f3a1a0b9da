-- The handling units' side finished. Numbered 0008: 0009 and 0010 are other changes';
-- sqlx applies whatever is missing, in order. Same rules as 0001: plain types, times in ms
-- since the epoch.

-- A task given back (退单): the committee has `return_hours` from its closed_at to act
-- (dispatch again, resolve or reject); past that its channels are told, then the town's
-- robot. Each step once, like the unit's own ladder (reminded_at, overdue_at, town_at).
ALTER TABLE dispatch_tasks ADD COLUMN return_overdue_at BIGINT;
ALTER TABLE dispatch_tasks ADD COLUMN return_town_at BIGINT;

-- A message that carries more than the report's place: a failed review's reason and the
-- unit's new due time (to the unit's robot).
ALTER TABLE notify_outbox ADD COLUMN note TEXT;
ALTER TABLE notify_outbox ADD COLUMN due_at BIGINT;

-- Staff shared the resident's contact with the unit for this task: its page shows the name
-- and phone (read from the report, so an erasure erases them there too) while it is live.
ALTER TABLE dispatch_tasks ADD COLUMN contact_shared_at BIGINT;
ALTER TABLE dispatch_tasks ADD COLUMN contact_shared_by TEXT;

-- Handling units as admins edit them on /desk/units. The configuration file's [[unit]]
-- tables seed this table at every start; a row nobody edited on the page
-- (updated_by = 'config') follows the file, one edited on the page keeps its edits. A unit
-- is never deleted while it has tasks, only deactivated (no longer offered on dispatch).
CREATE TABLE units (
    id           TEXT PRIMARY KEY,   -- a [[unit]] id: lower-case letters, digits, '-'
    name         TEXT NOT NULL,
    kind         TEXT NOT NULL,      -- property | enforcement | power | committee | police | other
    communities  TEXT,               -- one per line; NULL: every community
    robot_kind   TEXT,               -- NULL: as configured; 'none'; wecom | dingtalk | feishu | webhook
    robot_url    TEXT,               -- a secret (the robots' keys are in it): never shown in full
    robot_secret TEXT,
    active       BIGINT NOT NULL,    -- 1; 0 when deactivated
    updated_at   BIGINT NOT NULL,
    updated_by   TEXT NOT NULL       -- 'config' until an admin edits it
);
