-- The audit log is append-only (SPEC § 6): no row of it is ever changed or removed, and the table
-- is never emptied, by boj or by anyone using boj's role. (The table's owner can drop these
-- triggers; an operator who wants more runs boj as a role without UPDATE, DELETE and TRUNCATE on
-- audit_log — see SECURITY.md. The signed checkpoints and the heads in issued reports are what
-- catch a rewrite: `boj audit verify`.)
CREATE FUNCTION audit_log_bara_tillagg() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'granskningsloggen kan bara läggas till';
END;
$$;

CREATE TRIGGER audit_log_ingen_andring BEFORE UPDATE OR DELETE ON audit_log
    FOR EACH ROW EXECUTE FUNCTION audit_log_bara_tillagg();

CREATE TRIGGER audit_log_ingen_tomning BEFORE TRUNCATE ON audit_log
    FOR EACH STATEMENT EXECUTE FUNCTION audit_log_bara_tillagg();
