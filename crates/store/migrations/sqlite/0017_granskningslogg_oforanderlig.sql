-- The audit log is append-only (SPEC § 6): no row of it is ever changed or removed, by boj or by
-- anyone using boj's connection. (Someone with the database file can drop these triggers; the
-- signed checkpoints and the heads in issued reports are what catch that: `boj audit verify`.)
CREATE TRIGGER audit_log_ingen_andring BEFORE UPDATE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'granskningsloggen kan bara läggas till');
END;

CREATE TRIGGER audit_log_ingen_radering BEFORE DELETE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'granskningsloggen kan bara läggas till');
END;
