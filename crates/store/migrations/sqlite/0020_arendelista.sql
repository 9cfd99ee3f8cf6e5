-- The case list reads a page of an organisation's cases in contact-date order (issue 16): an index in
-- that order lets the database walk it instead of sorting every case of the organisation each time.
CREATE INDEX cases_org_opened ON cases (organisation_id, opened_on, number_year, number);
