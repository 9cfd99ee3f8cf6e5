-- Retention (SPEC § 3.2): when a case's details are erased its dates are coarsened to the month and
-- its eligibility is frozen.
ALTER TABLE cases ADD COLUMN eligibility_frozen BIGINT NOT NULL DEFAULT 0;
ALTER TABLE cases ADD COLUMN erased_at BIGINT;
