-- Dispatch and rectification (派单 · 整改 · 复查): accounts of handling units, and the tasks
-- a report is dispatched as. Numbered 0006: 0005 is another change's; sqlx applies whatever
-- is missing, in order. Same rules as 0001: plain types, times in ms since the epoch.

-- A unit account (role 'unit') belongs to one handling unit of the configuration.
ALTER TABLE staff_accounts ADD COLUMN unit TEXT;

-- One row per dispatch: a report may have several over its life (returned, re-dispatched),
-- at most one of them open or answered at a time.
CREATE TABLE dispatch_tasks (
    id                 TEXT PRIMARY KEY,     -- random UUID: the unit's page /desk/tasks/{id}
    report_id          TEXT NOT NULL REFERENCES reports (id),
    seq                BIGINT NOT NULL,      -- the report's history event that dispatched it
    unit               TEXT NOT NULL,        -- a [[unit]] id of the configuration
    instruction        TEXT NOT NULL,
    state              TEXT NOT NULL,        -- open | answered | returned | passed
    dispatched_at      BIGINT NOT NULL,
    dispatched_by      TEXT NOT NULL,
    due_at             BIGINT NOT NULL,      -- moved by a granted extension or a failed review
    window_from        BIGINT NOT NULL,      -- start of the current deadline (escalation)
    answered_at        BIGINT,
    answer_note        TEXT,                 -- done: what was done; returned: why not
    photo_key          TEXT,                 -- done: the after-photo (EXIF stripped)
    extension_state    TEXT,                 -- asked | granted | refused (once per task)
    extension_reason   TEXT,
    extension_until    BIGINT,
    reviewed_at        BIGINT,
    reviewed_by        TEXT,
    review_note        TEXT,
    reminded_at        BIGINT,               -- the escalation ladder: each step once
    overdue_at         BIGINT,
    town_at            BIGINT,
    closed_at          BIGINT
);
CREATE INDEX dispatch_tasks_report ON dispatch_tasks (report_id);
CREATE INDEX dispatch_tasks_unit ON dispatch_tasks (unit, state);
CREATE INDEX dispatch_tasks_due ON dispatch_tasks (state, due_at);

-- 回头看 (check again): thirty days after a 飞线充电 or 电动车进楼道 report is resolved, the
-- committee looks again, once. A failed check opens a new report linked to the original.
ALTER TABLE reports ADD COLUMN relapse_of TEXT;  -- the original's ticket (复发)
CREATE TABLE rechecks (
    report_id  TEXT PRIMARY KEY REFERENCES reports (id),
    checked_at BIGINT NOT NULL,
    checked_by TEXT NOT NULL,
    outcome    TEXT NOT NULL,                    -- fixed | relapse
    note       TEXT,
    relapse    TEXT                              -- the new report's ticket
);
