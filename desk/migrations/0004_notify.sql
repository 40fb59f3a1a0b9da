-- Notifications to the committee (WeCom, DingTalk, Feishu robots, a generic webhook): a
-- durable outbox. Numbered 0004 so that part 2's other migrations (0002 staff, 0003 posters)
-- keep their numbers; sqlx applies whatever is missing, in order.

-- The notifier finds new `received` / `reopen` events by time: events at or after this
-- watermark that have no outbox rows yet (the watermark trails the clock by a margin, so an
-- event committed a little after its `at` is still found).
CREATE INDEX report_events_at ON report_events (at);

CREATE TABLE notify_state (
    name  TEXT PRIMARY KEY,              -- 'watermark'
    value BIGINT NOT NULL
);

-- One row per event and channel, created idempotently (the primary key) by any desk.
-- Place fields are copied at enqueue time, already masked; never contact details.
CREATE TABLE notify_outbox (
    report_id   TEXT NOT NULL,
    seq         BIGINT NOT NULL,
    channel     TEXT NOT NULL,
    kind        TEXT NOT NULL,           -- received | reopen
    event_at    BIGINT NOT NULL,
    ticket      TEXT NOT NULL,
    category    TEXT NOT NULL,
    community   TEXT NOT NULL,
    building    TEXT NOT NULL,
    detail      TEXT NOT NULL,
    state       TEXT NOT NULL,           -- pending | sent | failed | skipped (not this channel's community)
    attempts    BIGINT NOT NULL,
    next_at     BIGINT NOT NULL,         -- pending: not before this time (back-off)
    created_at  BIGINT NOT NULL,
    done_at     BIGINT,                  -- sent, failed or skipped
    digest      BIGINT NOT NULL,         -- 1 when it went out in a digest
    last_error  TEXT,                    -- without secrets
    PRIMARY KEY (report_id, seq, channel)
);
CREATE INDEX notify_outbox_due ON notify_outbox (channel, state, next_at);
-- Rows done with (sent, failed, skipped) are deleted 90 days on.
CREATE INDEX notify_outbox_done ON notify_outbox (done_at);

-- One desk at a time sends for a channel: it holds the channel's lease, renewed before
-- every message. Two desks on one database therefore never send the same message twice.
CREATE TABLE notify_leases (
    channel TEXT PRIMARY KEY,
    owner   TEXT NOT NULL,
    expires_at BIGINT NOT NULL
);

-- Every request made to a channel (also the failed ones: the platforms count them), for
-- its rate limit across desks. Rows older than an hour are deleted.
CREATE TABLE notify_sends (
    id      TEXT PRIMARY KEY,
    channel TEXT NOT NULL,
    at      BIGINT NOT NULL
);
CREATE INDEX notify_sends_channel ON notify_sends (channel, at);
