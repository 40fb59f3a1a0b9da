-- The town's figures kept precomputed: per Shanghai day (days since 1970-01-01),
-- community and category, what the reports received that day count (and, in
-- closed_here, the reports closed that day). Kept in each change's own transaction; see
-- the desk's stats module for what each counter means.
CREATE TABLE IF NOT EXISTS stats_daily (
    day BIGINT NOT NULL,
    community TEXT NOT NULL,
    category TEXT NOT NULL,
    received BIGINT NOT NULL DEFAULT 0,
    responded BIGINT NOT NULL DEFAULT 0,
    responded_on_time BIGINT NOT NULL DEFAULT 0,
    closed BIGINT NOT NULL DEFAULT 0,
    solved BIGINT NOT NULL DEFAULT 0,
    ever_closed BIGINT NOT NULL DEFAULT 0,
    reopened BIGINT NOT NULL DEFAULT 0,
    answers BIGINT NOT NULL DEFAULT 0,
    satisfied BIGINT NOT NULL DEFAULT 0,
    late BIGINT NOT NULL DEFAULT 0,
    closed_here BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (day, community, category)
);

-- The two medians' histograms: reports received that day per whole hour to their first
-- response (measure 1) and to their last close (measure 2).
CREATE TABLE IF NOT EXISTS stats_hours (
    day BIGINT NOT NULL,
    community TEXT NOT NULL,
    category TEXT NOT NULL,
    measure BIGINT NOT NULL,
    hours BIGINT NOT NULL,
    n BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (day, community, category, measure, hours)
);

-- A page sums a year of days: read from these indexes alone, without the table's rows.
CREATE INDEX IF NOT EXISTS stats_daily_sums ON stats_daily (day, community, category,
    received, responded, responded_on_time, closed, solved, ever_closed, reopened, answers,
    satisfied, late, closed_here);
CREATE INDEX IF NOT EXISTS stats_hours_sums ON stats_hours (day, community, measure, hours, n);

-- The deadlines the counters were made with: a desk started with others fills the
-- tables again (and one that finds no row, on a database from before, fills them once).
CREATE TABLE IF NOT EXISTS stats_state (
    id BIGINT PRIMARY KEY,
    first_response_ms BIGINT NOT NULL,
    resolution_ms BIGINT NOT NULL,
    built_at BIGINT NOT NULL
);

-- The figures read the unsettled reports live: open ones, and closed ones without a
-- first response; from this index alone (it holds every column they read).
CREATE INDEX IF NOT EXISTS reports_unsettled ON reports (received_at, community, category,
    status, first_response_at, closed_at, reopened_at)
    WHERE closed_at IS NULL OR first_response_at IS NULL;

-- A community's buildings in a period (the drill-down).
CREATE INDEX IF NOT EXISTS reports_community_received ON reports (community, received_at);

-- The rectification figures: tasks by the time they ended, 回头看 checks by when made.
CREATE INDEX IF NOT EXISTS dispatch_tasks_closed ON dispatch_tasks (closed_at);
CREATE INDEX IF NOT EXISTS rechecks_checked ON rechecks (checked_at);
