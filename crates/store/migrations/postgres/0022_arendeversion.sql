-- The version of an organisation's cases (issue 16, the case list under load): every change to a
-- case or its contact row bumps it, in the same transaction, by triggers, whatever code or instance
-- makes the change. A page of the case list is kept in the process while the version is unchanged
-- (`arenden::sok`), as the agreement list is kept by its revision.
--
-- The triggers are deferred to the commit: a case write takes the audit chain's head row during the
-- transaction, and a registration does so before it inserts the case; bumping the version only at
-- commit keeps every transaction taking the two rows in the same order (head, then version), so
-- they never deadlock.
CREATE TABLE case_versions (
    organisation_id  TEXT PRIMARY KEY,
    version          BIGINT NOT NULL
);

INSERT INTO case_versions (organisation_id, version)
    SELECT DISTINCT organisation_id, 1 FROM cases;

CREATE FUNCTION case_version_bump(org TEXT) RETURNS void AS $$
BEGIN
    IF org IS NOT NULL THEN
        INSERT INTO case_versions (organisation_id, version) VALUES (org, 1)
            ON CONFLICT (organisation_id) DO UPDATE SET version = case_versions.version + 1;
    END IF;
END
$$ LANGUAGE plpgsql;

CREATE FUNCTION cases_version_trigger() RETURNS trigger AS $$
BEGIN
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        PERFORM case_version_bump(NEW.organisation_id);
    END IF;
    IF TG_OP = 'DELETE' OR (TG_OP = 'UPDATE' AND OLD.organisation_id <> NEW.organisation_id) THEN
        PERFORM case_version_bump(OLD.organisation_id);
    END IF;
    RETURN NULL;
END
$$ LANGUAGE plpgsql;

CREATE CONSTRAINT TRIGGER cases_version AFTER INSERT OR UPDATE OR DELETE ON cases
    DEFERRABLE INITIALLY DEFERRED
    FOR EACH ROW EXECUTE FUNCTION cases_version_trigger();

CREATE FUNCTION case_contacts_version_trigger() RETURNS trigger AS $$
BEGIN
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        PERFORM case_version_bump((SELECT organisation_id FROM cases WHERE id = NEW.case_id));
    END IF;
    IF TG_OP IN ('DELETE', 'UPDATE') THEN
        PERFORM case_version_bump((SELECT organisation_id FROM cases WHERE id = OLD.case_id));
    END IF;
    RETURN NULL;
END
$$ LANGUAGE plpgsql;

CREATE CONSTRAINT TRIGGER case_contacts_version AFTER INSERT OR UPDATE OR DELETE ON case_contacts
    DEFERRABLE INITIALLY DEFERRED
    FOR EACH ROW EXECUTE FUNCTION case_contacts_version_trigger();
