-- Re-judging after a decision (SPEC § 2, § 3.2): a decision or an amendment records, in its own
-- transaction, that the agreement's cases are to be judged again (an outbox), and the server does
-- that in the background. The request that records a decision then does the same work however many
-- cases change, so its response time tells nothing about live counts. `n` counts the requests, so a
-- request made while earlier ones are being worked off is not lost.
CREATE TABLE rejudge_queue (
    agreement_id  TEXT PRIMARY KEY REFERENCES agreements (id),
    n             INTEGER NOT NULL
);
