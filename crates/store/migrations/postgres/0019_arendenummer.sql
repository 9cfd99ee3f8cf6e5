-- A short, human case number per organisation and year (issue 16): "2026-0142" is the 142nd case the
-- organisation registered with a contact date in 2026. Given once at registration, never changed
-- (a corrected contact date keeps it); `case_numbers` holds the last number given, so two writers
-- cannot give the same one (the upsert takes the row's lock).
ALTER TABLE cases ADD COLUMN number_year BIGINT;
ALTER TABLE cases ADD COLUMN number BIGINT;

-- One pass over the cases (a correlated subquery would number them again for every row).
UPDATE cases SET
    number_year = CAST(substr(cases.opened_on, 1, 4) AS BIGINT),
    number = x.n
FROM (SELECT id, ROW_NUMBER() OVER (PARTITION BY organisation_id, substr(opened_on, 1, 4) ORDER BY seq) AS n
      FROM cases) x
WHERE x.id = cases.id;

CREATE TABLE case_numbers (
    organisation_id TEXT NOT NULL,
    year BIGINT NOT NULL,
    last BIGINT NOT NULL,
    PRIMARY KEY (organisation_id, year)
);

INSERT INTO case_numbers (organisation_id, year, last)
    SELECT organisation_id, number_year, MAX(number) FROM cases GROUP BY organisation_id, number_year;

CREATE UNIQUE INDEX cases_number ON cases (organisation_id, number_year, number);
