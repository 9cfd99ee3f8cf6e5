-- The agreement register (SPEC § 3.1): agreements in versions, their parties, the decisions behind
-- them with numbered items, documents (bytes and SHA-256) and signatures.

CREATE TABLE agreements (
    id               TEXT PRIMARY KEY,
    organisation_id  TEXT NOT NULL REFERENCES organisations (id),
    county           TEXT NOT NULL,
    sample           BIGINT NOT NULL DEFAULT 0,
    created_at       BIGINT NOT NULL
);

CREATE TABLE agreement_versions (
    agreement_id   TEXT NOT NULL REFERENCES agreements (id),
    version        BIGINT NOT NULL,
    title          TEXT NOT NULL,
    reference      TEXT NOT NULL,
    valid_from     TEXT NOT NULL,
    valid_to       TEXT,
    notice_months  BIGINT,
    services       TEXT NOT NULL,
    settings       TEXT NOT NULL,
    change_note    TEXT,
    created_at     BIGINT NOT NULL,
    created_by     TEXT,
    PRIMARY KEY (agreement_id, version)
);

CREATE TABLE agreement_parties (
    agreement_id  TEXT NOT NULL,
    version       BIGINT NOT NULL,
    municipality  TEXT NOT NULL,
    PRIMARY KEY (agreement_id, version, municipality),
    FOREIGN KEY (agreement_id, version) REFERENCES agreement_versions (agreement_id, version)
);

CREATE TABLE decisions (
    id            TEXT PRIMARY KEY,
    agreement_id  TEXT NOT NULL REFERENCES agreements (id),
    seq           BIGINT NOT NULL,
    body          TEXT NOT NULL,
    municipality  TEXT,
    decided_on    TEXT,
    applies_from  TEXT,
    paragraph     TEXT NOT NULL,
    outcome       TEXT NOT NULL,
    presenter     TEXT NOT NULL,
    sample        BIGINT NOT NULL DEFAULT 0,
    recorded_at   BIGINT NOT NULL,
    recorded_by   TEXT
);
CREATE INDEX decisions_agreement ON decisions (agreement_id, seq);

CREATE TABLE decision_items (
    decision_id  TEXT NOT NULL REFERENCES decisions (id),
    position     BIGINT NOT NULL,
    number       TEXT NOT NULL,
    text         TEXT NOT NULL,
    PRIMARY KEY (decision_id, position)
);

CREATE TABLE documents (
    id            TEXT PRIMARY KEY,
    decision_id   TEXT NOT NULL REFERENCES decisions (id),
    title         TEXT NOT NULL,
    filename      TEXT,
    content_type  TEXT,
    size          BIGINT,
    sha256        TEXT,
    content       BLOB,
    uploaded_at   BIGINT NOT NULL,
    uploaded_by   TEXT
);
CREATE INDEX documents_decision ON documents (decision_id);

CREATE TABLE signatures (
    id           TEXT PRIMARY KEY,
    decision_id  TEXT NOT NULL REFERENCES decisions (id),
    method       TEXT NOT NULL,
    reference    TEXT NOT NULL,
    signers      TEXT NOT NULL,
    signed_at    TEXT,
    recorded_at  BIGINT NOT NULL
);
CREATE INDEX signatures_decision ON signatures (decision_id);
