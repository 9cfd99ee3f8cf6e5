-- Issued follow-up reports (SPEC § 3.3): frozen, numbered, signed.

-- An organisation's report-signing keys (Ed25519). The private key is stored wrapped by the master
-- key, which lives outside the database.
CREATE TABLE signing_keys (
    id               TEXT PRIMARY KEY,
    organisation_id  TEXT NOT NULL REFERENCES organisations (id),
    public_key       BYTEA NOT NULL,
    wrapped          BYTEA NOT NULL,
    created_at       BIGINT NOT NULL
);

-- One row per edition of a period. document: the signed JSON exactly as published; record: the
-- organisation's record (true values, contributing cases, protection reasons), never published.
-- parts: for a half-year or year, the cycle reports it sums (space-separated ids).
CREATE TABLE reports (
    id            TEXT PRIMARY KEY,
    agreement_id  TEXT NOT NULL REFERENCES agreements (id),
    period        TEXT NOT NULL,
    edition       BIGINT NOT NULL,
    cycle         BIGINT NOT NULL,
    parts         TEXT NOT NULL,
    issued_at     BIGINT NOT NULL,
    issued_by     TEXT REFERENCES users (id),
    reason        TEXT,
    document      TEXT NOT NULL,
    digest        TEXT NOT NULL,
    key_id        TEXT NOT NULL REFERENCES signing_keys (id),
    record        TEXT NOT NULL
);
CREATE UNIQUE INDEX reports_period_edition ON reports (agreement_id, period, edition);

-- What a cycle report counted, with each item's values as counted: every case, activity,
-- witness-support session and volunteer-hours entry is reported exactly once.
CREATE TABLE report_items (
    report_id  TEXT NOT NULL REFERENCES reports (id),
    kind       TEXT NOT NULL,
    item_id    TEXT NOT NULL,
    snapshot   TEXT NOT NULL,
    PRIMARY KEY (report_id, kind, item_id)
);
CREATE INDEX report_items_item ON report_items (kind, item_id);
