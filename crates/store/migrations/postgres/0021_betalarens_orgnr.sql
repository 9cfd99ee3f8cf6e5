-- The payer's organisation number on an invoice basis (issue 16): each party municipality's
-- organisation number as the agreement's managers keep it. A fact about the municipality as a
-- party of this agreement; absent until someone enters it.
CREATE TABLE party_orgnr (
    agreement_id  TEXT NOT NULL REFERENCES agreements (id),
    municipality  TEXT NOT NULL,
    orgnr         TEXT NOT NULL,
    updated_at    BIGINT NOT NULL,
    PRIMARY KEY (agreement_id, municipality)
);
