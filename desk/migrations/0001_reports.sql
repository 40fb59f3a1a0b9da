-- The desk's first schema. One set of migrations for SQLite and PostgreSQL: plain types only
-- (TEXT, BIGINT), times as milliseconds since the Unix epoch, flags as 0/1, keys chosen by
-- the desk (no auto-increment, whose syntax differs).

-- One row per report. `id` is the report's UUID: its Idempotency-Key and the X-Report-Key
-- that status and feedback need.
CREATE TABLE reports (
    id              TEXT PRIMARY KEY,
    ticket          TEXT NOT NULL UNIQUE,
    ticket_day      TEXT NOT NULL,       -- Shanghai day, YYYY-MM-DD
    ticket_number   BIGINT NOT NULL,     -- gapless per day
    body_sha256     TEXT NOT NULL,       -- of the request body, for idempotent replays
    received_at     BIGINT NOT NULL,
    created_at      TEXT NOT NULL,       -- as the phone said (RFC 3339)
    category        TEXT NOT NULL,
    campaign_id     TEXT,
    community       TEXT NOT NULL,
    building        TEXT NOT NULL,
    detail          TEXT NOT NULL,
    description     TEXT NOT NULL,
    contact_name    TEXT,                -- personal data: erased after retention
    contact_phone   TEXT,                -- personal data: erased after retention
    consent_contact BIGINT NOT NULL,
    notice_version  TEXT NOT NULL,
    locale          TEXT NOT NULL,
    client_version  TEXT NOT NULL,
    status          TEXT NOT NULL,       -- received | in_progress | resolved | rejected
    status_at       BIGINT NOT NULL,
    public_note     TEXT,                -- shown to the resident
    closed_at       BIGINT,              -- set when resolved or rejected, cleared on reopen
    erased_at       BIGINT,              -- when contact details and photos were deleted
    UNIQUE (ticket_day, ticket_number)
);
CREATE INDEX reports_closed ON reports (closed_at, erased_at);
CREATE INDEX reports_received ON reports (received_at);

CREATE TABLE report_photos (
    report_id   TEXT NOT NULL REFERENCES reports (id),
    position    BIGINT NOT NULL,
    object_key  TEXT NOT NULL,
    width       BIGINT NOT NULL,
    height      BIGINT NOT NULL,
    bytes       BIGINT NOT NULL,
    sha256      TEXT NOT NULL,
    erased_at   BIGINT,
    PRIMARY KEY (report_id, position)
);

-- A report's history: received, each change of state (with public and internal notes and
-- who made it), the resident's feedback. Part 2 (staff pages) adds rows of other kinds.
CREATE TABLE report_events (
    report_id     TEXT NOT NULL REFERENCES reports (id),
    seq           BIGINT NOT NULL,
    at            BIGINT NOT NULL,
    kind          TEXT NOT NULL,         -- received | status | feedback
    status        TEXT,                  -- the state after the event
    public_note   TEXT,
    internal_note TEXT,
    actor         TEXT,                  -- 'resident', 'system', or a staff account
    satisfied     BIGINT,                -- feedback: 1 satisfied, 0 not
    comment       TEXT,                  -- feedback: the resident's comment
    PRIMARY KEY (report_id, seq)
);

-- The last ticket number given out on each Shanghai day; incremented in the transaction
-- that stores the report, so numbers are unique and gapless.
CREATE TABLE ticket_days (
    day         TEXT PRIMARY KEY,
    last_number BIGINT NOT NULL
);

-- Idempotency-Key records (IETF draft): the body's hash, the claim of the request being
-- processed, and the answer once there is one. Kept at least 30 days.
CREATE TABLE idempotency_keys (
    key         TEXT PRIMARY KEY,
    body_sha256 TEXT NOT NULL,
    claim_token TEXT,
    claimed_at  BIGINT NOT NULL,
    status_code BIGINT,
    answer      TEXT,
    created_at  BIGINT NOT NULL
);
CREATE INDEX idempotency_keys_created ON idempotency_keys (created_at);
