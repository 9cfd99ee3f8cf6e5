-- The retention times in force per agreement (SPEC § 3.2): an amendment that shortens them waits for
-- a coordinator of the organisation holding the data; until then these stay. `retention_pending_version`
-- names the version whose shorter times wait (NULL: none).
ALTER TABLE agreements ADD COLUMN retention_contact_days BIGINT;
ALTER TABLE agreements ADD COLUMN retention_inactive_days BIGINT;
ALTER TABLE agreements ADD COLUMN retention_pending_version BIGINT;

UPDATE agreements SET
    retention_contact_days = (SELECT json_extract(v.settings, '$.kontaktuppgifter_raderas_dagar')
        FROM agreement_versions v WHERE v.agreement_id = agreements.id
        ORDER BY v.version DESC LIMIT 1),
    retention_inactive_days = (SELECT json_extract(v.settings, '$.inaktiv_stangs_dagar')
        FROM agreement_versions v WHERE v.agreement_id = agreements.id
        ORDER BY v.version DESC LIMIT 1);
