-- Part 2: staff accounts, their sessions, the audit log, and what the problem list needs on
-- each report. Same rules as 0001: plain types, times in ms since the epoch, keys chosen by
-- the desk.

-- One row per person who logs in. `password_hash` is an argon2id PHC string.
CREATE TABLE staff_accounts (
    name          TEXT PRIMARY KEY,
    role          TEXT NOT NULL,         -- admin | staff
    password_hash TEXT NOT NULL,
    created_at    BIGINT NOT NULL,
    password_at   BIGINT NOT NULL        -- last change of password
);

-- The residential areas a staff account works for (admins: none, they see all).
CREATE TABLE staff_communities (
    account   TEXT NOT NULL REFERENCES staff_accounts (name),
    community TEXT NOT NULL,
    PRIMARY KEY (account, community)
);

-- Logged-in sessions. Only the SHA-256 of the cookie's token is kept, so a copy of the
-- database logs nobody in.
CREATE TABLE staff_sessions (
    token_sha256 TEXT PRIMARY KEY,
    account      TEXT NOT NULL REFERENCES staff_accounts (name),
    created_at   BIGINT NOT NULL,
    expires_at   BIGINT NOT NULL
);
CREATE INDEX staff_sessions_account ON staff_sessions (account);

-- Failed logins, per account and per client address, for the login rate limit.
CREATE TABLE login_failures (
    subject TEXT NOT NULL,               -- 'account:NAME' or 'ip:ADDRESS'
    at      BIGINT NOT NULL
);
CREATE INDEX login_failures_subject ON login_failures (subject, at);

-- Who did what, when: every view of a resident's contact details, every change to a report,
-- logins, password changes, exports.
CREATE TABLE audit_log (
    id      TEXT PRIMARY KEY,            -- random UUID
    at      BIGINT NOT NULL,
    actor   TEXT NOT NULL,               -- a staff account, or 'resident' / 'cli'
    action  TEXT NOT NULL,
    ticket  TEXT,
    detail  TEXT
);
CREATE INDEX audit_log_at ON audit_log (at);

ALTER TABLE reports ADD COLUMN assignee TEXT;
ALTER TABLE reports ADD COLUMN merged_into TEXT;
ALTER TABLE reports ADD COLUMN first_response_at BIGINT;  -- first change by staff
ALTER TABLE reports ADD COLUMN resolved_at BIGINT;        -- last close (resolved/rejected)
ALTER TABLE reports ADD COLUMN reopened_at BIGINT;        -- last reopen; cleared when closed
ALTER TABLE reports ADD COLUMN reopen_count BIGINT NOT NULL DEFAULT 0;
CREATE INDEX reports_place ON reports (community, building, category, status);
