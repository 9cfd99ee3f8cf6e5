-- A grant's split as decided: stored when the grant is registered, so that later decisions or
-- population imports never change an invoice basis that has been sent.
CREATE TABLE grant_parts (
    grant_id      TEXT NOT NULL REFERENCES grants (id),
    municipality  TEXT NOT NULL,
    population    BIGINT,
    amount        BIGINT NOT NULL,
    instalments   TEXT NOT NULL,
    PRIMARY KEY (grant_id, municipality)
);
