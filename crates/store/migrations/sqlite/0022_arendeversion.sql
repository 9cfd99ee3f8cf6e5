-- The version of an organisation's cases (issue 16, the case list under load): every change to a
-- case or its contact row bumps it, in the same transaction, by triggers, whatever code or instance
-- makes the change. A page of the case list is kept in the process while the version is unchanged
-- (`arenden::sok`), as the agreement list is kept by its revision.
CREATE TABLE case_versions (
    organisation_id  TEXT PRIMARY KEY,
    version          BIGINT NOT NULL
);

INSERT INTO case_versions (organisation_id, version)
    SELECT DISTINCT organisation_id, 1 FROM cases;

CREATE TRIGGER cases_version_insert AFTER INSERT ON cases BEGIN
    INSERT INTO case_versions (organisation_id, version) VALUES (NEW.organisation_id, 1)
        ON CONFLICT (organisation_id) DO UPDATE SET version = version + 1;
END;

CREATE TRIGGER cases_version_update AFTER UPDATE ON cases BEGIN
    INSERT INTO case_versions (organisation_id, version) VALUES (NEW.organisation_id, 1)
        ON CONFLICT (organisation_id) DO UPDATE SET version = version + 1;
    UPDATE case_versions SET version = version + 1
        WHERE organisation_id = OLD.organisation_id AND OLD.organisation_id <> NEW.organisation_id;
END;

CREATE TRIGGER cases_version_delete AFTER DELETE ON cases BEGIN
    UPDATE case_versions SET version = version + 1 WHERE organisation_id = OLD.organisation_id;
END;

CREATE TRIGGER case_contacts_version_insert AFTER INSERT ON case_contacts BEGIN
    UPDATE case_versions SET version = version + 1
        WHERE organisation_id = (SELECT organisation_id FROM cases WHERE id = NEW.case_id);
END;

CREATE TRIGGER case_contacts_version_update AFTER UPDATE ON case_contacts BEGIN
    UPDATE case_versions SET version = version + 1
        WHERE organisation_id IN (SELECT organisation_id FROM cases WHERE id IN (OLD.case_id, NEW.case_id));
END;

CREATE TRIGGER case_contacts_version_delete AFTER DELETE ON case_contacts BEGIN
    UPDATE case_versions SET version = version + 1
        WHERE organisation_id = (SELECT organisation_id FROM cases WHERE id = OLD.case_id);
END;
