-- The report engine at scale (SPEC § 3.3): every case and activity gets a stable number, the audit
-- sequence number of the entry that registered it. Numbers follow commit order (the audit chain is
-- written under one lock), so "everything up to n" is a consistent cut of the items, and a report's
-- record of what it counted names items by these numbers.
ALTER TABLE cases ADD COLUMN seq BIGINT NOT NULL DEFAULT 0;
ALTER TABLE activities ADD COLUMN seq BIGINT NOT NULL DEFAULT 0;
-- Items registered before this migration: distinct negative numbers in order of registration, all
-- below every new one.
UPDATE cases SET seq = n.nr FROM (SELECT id, -ROW_NUMBER() OVER (ORDER BY registered_at DESC, id DESC) AS nr
    FROM cases) AS n WHERE cases.id = n.id;
UPDATE activities SET seq = n.nr FROM (SELECT id, -ROW_NUMBER() OVER (ORDER BY registered_at DESC, id DESC) AS nr
    FROM activities) AS n WHERE activities.id = n.id;
CREATE INDEX cases_seq ON cases (agreement_id, seq);
CREATE INDEX activities_seq ON activities (seq);

-- What a cycle report counted, as one compact record (boj-rapport's `Rakning`: each case's number
-- and code, each activity's number, case number and values). Replaces one row per item in
-- report_items, which stays for reports issued before and is read when a report has no row here.
CREATE TABLE report_counts (
    report_id  TEXT PRIMARY KEY REFERENCES reports (id),
    items      BYTEA NOT NULL
);
