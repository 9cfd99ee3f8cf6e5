-- An edition's reason is published as a code (SPEC § 5: `reason`); any free text the coordinator
-- adds stays in the organisation's record of the report, never in what is published.
ALTER TABLE reports ADD COLUMN reason_note TEXT;
