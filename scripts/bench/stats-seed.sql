-- 1,000,000 reports for `scripts/bench-desk.sh stats`, written straight into the tables
-- (not through the API). @SERIES@ is the dialect's row source of i = 0 … 999,999, @DAY@
-- its Shanghai day of received_at (YYYY-MM-DD) and @T0@ the first arrival (730 days before the bench's "now"). Every value follows from i by a
-- fixed hash, so each run seeds the same reports: 33 communities, 7 categories, 30
-- buildings, one report about every 63 s over two years; the last 14 days half open, older
-- ones 1 % open; the closed ones resolved as solved or explained, rejected, some reopened
-- once; a third of the closed ones with a resident's answer.
INSERT INTO reports (id, ticket, ticket_day, ticket_number, body_sha256, received_at,
    created_at, category, community, building, detail, description, consent_contact,
    notice_version, locale, client_version, status, status_at, first_response_at,
    closed_at, resolved_at, reopened_at, reopen_count, resolution)
WITH @SERIES@,
h AS (
    SELECT i, @T0@ + i * 63072 AS received_at,
        (i * 2654435761) % 1000003 AS h1,
        (i * 40503 + 17) % 999983 AS h2,
        (i * 69069 + 5) % 1000033 AS h3
    FROM s
),
o AS (
    SELECT h.*,
        CASE WHEN (@T0@ + 63072000000 - received_at < 1209600000 AND h3 % 2 = 0)
            OR h3 % 100 = 0 THEN 1 ELSE 0 END AS open,
        received_at + (h2 % 172800) * 1000 AS responded
    FROM h
)
SELECT 'bench-' || i, 'B' || i, @DAY@, i, '', received_at, '',
    CASE h1 % 7 WHEN 0 THEN 'ebike_in_stairwell' WHEN 1 THEN 'flying_line_charging'
        WHEN 2 THEN 'private_rewiring' WHEN 3 THEN 'power_supply'
        WHEN 4 THEN 'blocked_fire_escape' WHEN 5 THEN 'damaged_fire_equipment'
        ELSE 'other' END,
    '社区' || (h1 % 33), (h2 % 30) || '号楼', '', '', 0, '', 'zh-CN', 'bench',
    CASE WHEN open = 1 AND h3 % 3 = 0 THEN 'received'
        WHEN open = 1 THEN 'in_progress'
        WHEN h2 % 10 = 9 THEN 'rejected' ELSE 'resolved' END,
    received_at,
    CASE WHEN open = 1 AND h3 % 3 = 0 THEN NULL ELSE responded END,
    CASE WHEN open = 1 THEN NULL ELSE responded + (h3 % 1440000) * 1000 END,
    CASE WHEN open = 1 THEN NULL ELSE responded + (h3 % 1440000) * 1000 END,
    NULL,
    CASE WHEN h1 % 20 = 0 THEN 1 ELSE 0 END,
    CASE WHEN open = 1 OR h2 % 10 = 9 THEN NULL
        WHEN h2 % 10 < 6 THEN 'solved' ELSE 'explained' END
FROM o;

INSERT INTO report_events (report_id, seq, at, kind, actor, satisfied)
SELECT id, 2, closed_at + 3600000, 'feedback', 'resident',
    CASE WHEN ticket_number % 10 < 8 THEN 1 ELSE 0 END
FROM reports WHERE closed_at IS NOT NULL AND ticket_number % 3 = 0;
