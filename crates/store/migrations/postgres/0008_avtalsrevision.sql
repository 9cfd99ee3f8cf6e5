-- The agreement's revision: bumped in the transaction of every amendment and decision, so a case
-- judged on a cached copy of the agreement can tell, inside its own write, whether that copy is stale.
ALTER TABLE agreements ADD COLUMN revision BIGINT NOT NULL DEFAULT 0;
