-- Campaigns edited in the desk (/desk/campaigns) and served as the widget's feed
-- (/campaigns.json). Each campaign is kept as the feed entry the widget reads, as JSON checked
-- against public/campaigns.schema.json before it is stored; the bundled feed seeds the table
-- on the first start.
CREATE TABLE campaigns (
    id          TEXT PRIMARY KEY,
    position    BIGINT NOT NULL,     -- order in the feed: the bundled order, then creation
    entry       TEXT NOT NULL,       -- the feed entry (JSON)
    ended_at    BIGINT,              -- ended by an admin: no longer in the feed
    updated_at  BIGINT NOT NULL,
    updated_by  TEXT NOT NULL        -- 'seed' or the account name
);

-- One row (id = 1): when the table was seeded (so a town that deleted every campaign is not
-- seeded again) and when the feed last changed (its `updated` date).
CREATE TABLE campaign_feed (
    id          BIGINT PRIMARY KEY,
    seeded_at   BIGINT NOT NULL,
    updated_at  BIGINT NOT NULL
);
