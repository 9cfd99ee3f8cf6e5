-- Population by reference date (SPEC § 3.1, imported from SCB) and grants per agreement and year
-- (SPEC § 3.4).

CREATE TABLE population (
    municipality    TEXT NOT NULL,
    reference_date  TEXT NOT NULL,
    population      BIGINT NOT NULL,
    imported_at     BIGINT NOT NULL,
    PRIMARY KEY (municipality, reference_date)
);

CREATE TABLE grants (
    id               TEXT PRIMARY KEY,
    agreement_id     TEXT NOT NULL REFERENCES agreements (id),
    year             BIGINT NOT NULL,
    amount           BIGINT NOT NULL,
    decision_id      TEXT NOT NULL REFERENCES decisions (id),
    split_key        TEXT NOT NULL,
    base_amount      BIGINT,
    shares           TEXT,
    schedule         TEXT NOT NULL,
    population_date  TEXT,
    created_at       BIGINT NOT NULL,
    UNIQUE (agreement_id, year)
);
