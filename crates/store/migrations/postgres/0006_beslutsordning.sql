-- Each decision of an agreement has its own place in the order of recording.
CREATE UNIQUE INDEX decisions_agreement_seq ON decisions (agreement_id, seq);
