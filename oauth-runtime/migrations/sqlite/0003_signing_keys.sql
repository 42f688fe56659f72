-- Keys that sign ID tokens and JWT access tokens (PKCS#8 PEM); a retiring key stays
-- published until `retires_at`.
CREATE TABLE oauth2_signing_keys (
    kid TEXT PRIMARY KEY NOT NULL,
    algorithm TEXT NOT NULL,
    private_key TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    retires_at INTEGER
);
