-- Accounts an admin cannot turn into case access (SPEC § 2). An account an admin creates for a
-- support person or coordinator has no password and is not approved: the person sets their own
-- password with a one-time activation link, and a coordinator of the organisation approves the
-- account before it sees cases. Every earlier account is approved.
ALTER TABLE users ADD COLUMN approved INTEGER NOT NULL DEFAULT 1;

-- One-time activation links: only the SHA-256 of the token is stored; used once, then marked.
CREATE TABLE activations (
    token_hash  TEXT PRIMARY KEY,
    user_id     TEXT NOT NULL REFERENCES users (id),
    expires_at  INTEGER NOT NULL,
    used_at     INTEGER
);
