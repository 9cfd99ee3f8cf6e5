-- The second factor (SPEC § 6): a TOTP secret per account (RFC 6238), sealed with the master key,
-- confirmed once the person has entered a first code; the last time step accepted, so that no
-- code is accepted twice; and ten one-time recovery codes, stored as SHA-256 hashes.
CREATE TABLE user_totp (
    user_id    TEXT PRIMARY KEY REFERENCES users (id),
    sealed     BLOB NOT NULL,
    confirmed  INTEGER NOT NULL,
    last_step  INTEGER NOT NULL
);

CREATE TABLE recovery_codes (
    code_hash  TEXT PRIMARY KEY,
    user_id    TEXT NOT NULL REFERENCES users (id),
    used_at    INTEGER
);
