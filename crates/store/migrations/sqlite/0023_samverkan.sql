-- Collaboration with neighbouring services and associations (issue 18).
--
-- A referral names the partner of the agreement's list it referred to (`partner_id`, the
-- partner's number in the agreement's settings) and that partner's kind when it was recorded
-- (`partner_kind`, a code of `Partnertyp`), so that a report counts it by kind even after the list
-- changes. Nothing else about the person is recorded.
ALTER TABLE activities ADD COLUMN partner_id BIGINT;
ALTER TABLE activities ADD COLUMN partner_kind TEXT;

-- Witness support and volunteer hours belong to the organisation, but each entry is counted in one
-- agreement only. An entry made before goes to the organisation's first agreement whose newest
-- version's term covers its date (for hours: touches its month), else to its first agreement.
ALTER TABLE witness_support ADD COLUMN agreement_id TEXT REFERENCES agreements (id);
ALTER TABLE volunteer_hours ADD COLUMN agreement_id TEXT REFERENCES agreements (id);
UPDATE witness_support SET agreement_id = COALESCE(
    (SELECT a.id FROM agreements a JOIN agreement_versions v ON v.agreement_id = a.id
     WHERE a.organisation_id = witness_support.organisation_id
       AND v.version = (SELECT MAX(w.version) FROM agreement_versions w WHERE w.agreement_id = a.id)
       AND v.valid_from <= witness_support.date
       AND (v.valid_to IS NULL OR v.valid_to >= witness_support.date)
     ORDER BY a.created_at, a.id LIMIT 1),
    (SELECT a.id FROM agreements a WHERE a.organisation_id = witness_support.organisation_id
     ORDER BY a.created_at, a.id LIMIT 1));
UPDATE volunteer_hours SET agreement_id = COALESCE(
    (SELECT a.id FROM agreements a JOIN agreement_versions v ON v.agreement_id = a.id
     WHERE a.organisation_id = volunteer_hours.organisation_id
       AND v.version = (SELECT MAX(w.version) FROM agreement_versions w WHERE w.agreement_id = a.id)
       AND v.valid_from <= volunteer_hours.month || '-31'
       AND (v.valid_to IS NULL OR v.valid_to >= volunteer_hours.month || '-01')
     ORDER BY a.created_at, a.id LIMIT 1),
    (SELECT a.id FROM agreements a WHERE a.organisation_id = volunteer_hours.organisation_id
     ORDER BY a.created_at, a.id LIMIT 1));
CREATE INDEX witness_support_agreement ON witness_support (agreement_id);
CREATE INDEX volunteer_hours_agreement ON volunteer_hours (agreement_id);

-- Collaboration work with partners per month: meetings, joint training, outreach. About the
-- organisations, never about help-seekers.
CREATE TABLE collaboration_work (
    id               TEXT PRIMARY KEY,
    organisation_id  TEXT NOT NULL REFERENCES organisations (id),
    agreement_id     TEXT NOT NULL REFERENCES agreements (id),
    month            TEXT NOT NULL,
    partner_id       BIGINT NOT NULL,
    partner_kind     TEXT NOT NULL,
    form             TEXT NOT NULL,
    hundredths       BIGINT NOT NULL,
    registered_at    BIGINT NOT NULL
);
CREATE INDEX collaboration_work_agreement ON collaboration_work (agreement_id);
