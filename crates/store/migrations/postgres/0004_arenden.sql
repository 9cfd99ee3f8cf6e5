-- Cases and the support log (SPEC § 3.2): statistics items only; contact details sealed under a data
-- key of each case, itself wrapped by the master key kept outside the database.

CREATE TABLE cases (
    id                   TEXT PRIMARY KEY,
    agreement_id         TEXT NOT NULL REFERENCES agreements (id),
    organisation_id      TEXT NOT NULL REFERENCES organisations (id),
    opened_on            TEXT NOT NULL,
    closed_on            TEXT,
    registered_at        BIGINT NOT NULL,
    person_type          TEXT NOT NULL,
    municipality         TEXT NOT NULL,
    gender               TEXT NOT NULL,
    age_band             TEXT NOT NULL,
    crime_types          TEXT NOT NULL,
    circumstances        TEXT NOT NULL,
    police_report        TEXT NOT NULL,
    first_contact        TEXT NOT NULL,
    informed_11_6        BIGINT NOT NULL,
    consent_contact      BIGINT NOT NULL,
    assignee             TEXT REFERENCES users (id),
    eligibility          TEXT NOT NULL,
    eligibility_reasons  TEXT NOT NULL,
    last_activity_on     TEXT NOT NULL
);
CREATE INDEX cases_org_open ON cases (organisation_id, closed_on);
CREATE INDEX cases_assignee ON cases (assignee);

CREATE TABLE case_keys (
    case_id  TEXT PRIMARY KEY REFERENCES cases (id),
    wrapped  BYTEA NOT NULL
);

CREATE TABLE case_contacts (
    case_id  TEXT PRIMARY KEY REFERENCES cases (id),
    sealed   BYTEA NOT NULL
);

CREATE TABLE activities (
    id             TEXT PRIMARY KEY,
    case_id        TEXT NOT NULL REFERENCES cases (id),
    date           TEXT NOT NULL,
    kind           TEXT NOT NULL,
    mode           TEXT NOT NULL,
    minutes        BIGINT NOT NULL,
    registered_at  BIGINT NOT NULL
);
CREATE INDEX activities_case ON activities (case_id);

CREATE TABLE witness_support (
    id               TEXT PRIMARY KEY,
    organisation_id  TEXT NOT NULL REFERENCES organisations (id),
    date             TEXT NOT NULL,
    court            TEXT NOT NULL,
    vittne           BIGINT NOT NULL,
    malsagande       BIGINT NOT NULL,
    anhorig_van      BIGINT NOT NULL,
    tilltalad        BIGINT NOT NULL,
    hundredths       BIGINT NOT NULL,
    registered_at    BIGINT NOT NULL
);

CREATE TABLE volunteer_hours (
    id               TEXT PRIMARY KEY,
    organisation_id  TEXT NOT NULL REFERENCES organisations (id),
    month            TEXT NOT NULL,
    kind             TEXT NOT NULL,
    hundredths       BIGINT NOT NULL,
    registered_at    BIGINT NOT NULL
);
