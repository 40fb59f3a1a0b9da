-- The town's view: how a resolved report was resolved. Numbered 0005; sqlx applies
-- whatever is missing, in order.

-- 'solved' (已解决: the hazard is gone) or 'explained' (已解释说明: answered, nothing to
-- fix), chosen by staff when resolving. NULL for every other state, for a report merged
-- into another (closed, not solved), and for reports resolved before this column existed.
-- A reopening clears it.
ALTER TABLE reports ADD COLUMN resolution TEXT;
-- The same code on the history event that resolved it, so the history says it too.
ALTER TABLE report_events ADD COLUMN resolution TEXT;
