-- oauth-runtime schema (SQLite). Tokens, codes and client secrets are SHA-256 digests.
CREATE TABLE oauth2_clients (
    client_id TEXT PRIMARY KEY NOT NULL,
    secret_hash TEXT,
    client_name TEXT,
    redirect_uris TEXT NOT NULL,
    grant_types TEXT NOT NULL,
    response_types TEXT NOT NULL,
    scope TEXT NOT NULL,
    token_endpoint_auth_method TEXT NOT NULL,
    created_at INTEGER NOT NULL
);

CREATE TABLE oauth2_users (
    id TEXT PRIMARY KEY NOT NULL,
    username TEXT NOT NULL UNIQUE,
    password_hash TEXT NOT NULL,
    created_at INTEGER NOT NULL
);

CREATE TABLE oauth2_codes (
    code_hash BLOB PRIMARY KEY NOT NULL,
    client_id TEXT NOT NULL,
    redirect_uri TEXT,
    scope TEXT NOT NULL,
    user_id TEXT NOT NULL,
    code_challenge TEXT,
    code_challenge_method TEXT,
    issued_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    used BOOLEAN NOT NULL DEFAULT FALSE
);

CREATE TABLE oauth2_tokens (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    access_token_hash BLOB NOT NULL UNIQUE,
    refresh_token_hash BLOB UNIQUE,
    client_id TEXT NOT NULL,
    user_id TEXT,
    scope TEXT NOT NULL,
    grant_type TEXT NOT NULL,
    issued_at INTEGER NOT NULL,
    expires_in INTEGER NOT NULL,
    refresh_token_expires_at INTEGER,
    family TEXT NOT NULL,
    access_token_revoked BOOLEAN NOT NULL DEFAULT FALSE,
    refresh_token_revoked BOOLEAN NOT NULL DEFAULT FALSE
);

CREATE INDEX oauth2_tokens_family ON oauth2_tokens (family);
CREATE INDEX oauth2_codes_expires ON oauth2_codes (expires_at);
CREATE INDEX oauth2_tokens_issued ON oauth2_tokens (issued_at);
