-- Throttling sign-in (SPEC § 6; the rule is boj_domain::inloggning): one counter of recent failed
-- sign-ins per account (`konto:<user id>`, or `namn:<hash>` for a name no account has) and per
-- client address (`adress:<address>`). In the database, so that several instances sharing
-- PostgreSQL count together.
CREATE TABLE signin_failures (
    key           TEXT PRIMARY KEY,
    failures      INTEGER NOT NULL,
    last_failure  INTEGER NOT NULL
);
